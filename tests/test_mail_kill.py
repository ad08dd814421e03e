"""Kill test: `email --smtp` killed (SIGKILL) at a random moment, then resumed, 20 times; every client
ends with exactly one delivery, or with its send reported as not settled, never two deliveries."""
import os
import random
import shutil
import signal
import socket
import sys
import time
from collections import Counter
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from arbook.adapters.book import open_book
from arbook.cli import main
from arbook.services.demo import REPO_SAMPLES

CLIENTS = [f"C{n:05d}" for n in range(1, 7)]
RUNS = 20


class SlowInbox:
    """A loopback server taking a little time per message, so kills land inside transactions too."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        await asyncio.sleep(0.05)
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message["X-Arbook-Customer"])
        self.last = time.perf_counter()
        return "250 OK"


def run_email(book, folder, address, stdout_to) -> int:
    """Fork a child running `arbook email --smtp`; returns its pid (stdout to a file)."""
    pid = os.fork()
    if pid == 0:  # the child: a real process of its own, killed from outside
        try:
            report = open(stdout_to, "w", encoding="utf-8")  # not pytest's capture, which the child inherits
            sys.stdout = sys.stderr = report
            main(["email", str(book), "--statements", str(folder), "--smtp", address])
        except BaseException as exc:  # noqa: BLE001 - the child reports everything and exits
            print(f"child: {type(exc).__name__}: {exc}")
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)
    return pid


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_killed_sends_never_deliver_twice(tmp_path):
    shutil.copyfile(REPO_SAMPLES / "book.xlsx", tmp_path / "book.xlsx")
    main(["statements", str(tmp_path / "book.xlsx"), "--out", str(tmp_path / "st"), "--as-of", "2026-11-16",
          *(x for cid in CLIENTS for x in ("--customer", cid))])
    inbox = SlowInbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    address = f"127.0.0.1:{port}"
    rng = random.Random(15)
    outcomes = Counter()
    try:
        start = time.perf_counter()
        calibration = tmp_path / "calibration"
        shutil.copytree(tmp_path / "st", calibration / "st")
        shutil.copyfile(tmp_path / "book.xlsx", calibration / "book.xlsx")
        os.waitpid(run_email(calibration / "book.xlsx", calibration / "st", address, calibration / "out.txt"), 0)
        window = inbox.last - start  # from the start to the last delivery: kills land anywhere up to the end
        assert len(inbox.messages) == len(CLIENTS)
        for trial in range(RUNS):
            inbox.messages.clear()
            work = tmp_path / f"trial{trial}"
            shutil.copytree(tmp_path / "st", work / "st")
            shutil.copyfile(tmp_path / "book.xlsx", work / "book.xlsx")
            pid = run_email(work / "book.xlsx", work / "st", address, work / "killed.txt")
            time.sleep(rng.uniform(0, window))
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            killed = os.WIFSIGNALED(status)
            time.sleep(0.1)  # let the server finish a transaction cut off mid-way
            before_resume = len(inbox.messages)
            if 0 < before_resume < len(CLIENTS):
                outcomes["killed in the middle of sending"] += 1
            os.waitpid(run_email(work / "book.xlsx", work / "st", address, work / "resumed.txt"), 0)
            resumed = (work / "resumed.txt").read_text(encoding="utf-8")
            delivered = Counter(inbox.messages)
            with open_book(work / "book.xlsx") as book:
                log = book.read("Log")
            sends = log[log["Action"] == "send"]["Details"].tolist()
            sending = log[log["Action"] == "sending"]["Details"].tolist()
            for cid in CLIENTS:
                assert delivered[cid] <= 1, (trial, cid, resumed)
                unsettled = "NOT SETTLED" in resumed and cid in resumed.split("NOT SETTLED")[1]
                if unsettled:  # the report rests on the Log: a "sending" of this client with no "send"
                    assert any(d.startswith(cid + " ") for d in sending)
                    assert not any(d.startswith(cid + " ") for d in sends)
                assert delivered[cid] == 1 or unsettled, (trial, cid, resumed)
                if delivered[cid] == 1 and not unsettled:
                    assert sum(d.startswith(cid + " ") for d in sends) == 1, (trial, cid)
                outcomes["delivered" if delivered[cid] else "reported"] += 1
                outcomes["delivered and reported" if delivered[cid] and unsettled else "clean"] += 1
            outcomes["killed" if killed else "finished before the kill"] += 1
    finally:
        controller.stop()
    print(dict(outcomes))
    assert outcomes["killed"] >= RUNS // 2 and outcomes["killed in the middle of sending"] >= 3  # kills landed mid-run
