"""Undo and history, the Log's hash chain, and the book lock (resolved path, links kept, waiting)."""
import os
import subprocess
import sys

import openpyxl
import pytest

from arbook.adapters.book import open_book
from arbook.adapters.book.history import generations
from arbook.model.errors import BookLockedError
from test_ledger_safety import arbook, digest, paid_book  # noqa: F401  (fixture)

SHEETS = ("Customers", "Invoices", "Bank", "Allocations", "Review", "Settings", "Profiles")


def data(path):
    """Every schema sheet's rows as plain records (what undo must bring back exactly)."""
    with open_book(path) as book:
        return {name: book.read(name).to_dict("records") for name in SHEETS}


def test_history_lists_each_command_and_undo_restores_every_sheet(paid_book, tmp_path, capsys):
    before_match = data(paid_book.parent / ".b.xlsx.arbook-history" / "000004.xlsx")
    code, out, _ = arbook(capsys, "history", paid_book)
    assert code == 0
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == ["4", "3", "2", "1"]
    assert "match: Matched 1 of 1" in lines[0] and "import customers" in lines[3]
    code, out, err = arbook(capsys, "undo", paid_book)
    assert code == 0, err
    assert data(paid_book) == before_match
    with open_book(paid_book) as book:
        log = book.read("Log")
    assert log["Action"].tolist()[-1] == "undo" and "undone: #4 match" in log["Details"].tolist()[-1]
    # the undo is itself undoable: the matched state comes back
    code, _, _ = arbook(capsys, "undo", paid_book)
    with open_book(paid_book) as book:
        assert book.read("Allocations")["Status"].tolist() == ["auto"]


def test_undo_to_an_earlier_version_and_generation_limit(paid_book, capsys):
    code, out, err = arbook(capsys, "undo", paid_book, "--to", 2)
    assert code == 0 and "3 command(s) undone" in out, err
    with open_book(paid_book) as book:
        assert book.read("Invoices").empty and len(book.read("Customers")) == 2
        settings = book.read("Settings")
        settings.loc[settings["Key"] == "Undo Generations", "Value"] = "3"
        book.replace("Settings", settings)
        book.log("settings", "keep 3 versions")
    assert [g.number for g in generations(paid_book)] == [4, 5, 6]
    code, _, err = arbook(capsys, "undo", paid_book, "--to", 1)
    assert code == 1 and "no version 1 (kept: 4-6" in err


def test_undo_with_nothing_kept_is_refused(tmp_path, capsys):
    book = tmp_path / "n.xlsx"
    arbook(capsys, "new", book)
    code, _, err = arbook(capsys, "undo", book)
    assert code == 1 and "no earlier version kept" in err


def test_log_user_is_the_os_account_and_arbook_user_only_on_behalf(paid_book, monkeypatch):
    import pwd

    account = pwd.getpwuid(os.getuid()).pw_name
    monkeypatch.setenv("ARBOOK_USER", "yamada")
    monkeypatch.setenv("USER", "someone-else")
    monkeypatch.setenv("LOGNAME", "someone-else")
    with open_book(paid_book) as book:
        book.log("note", "checked")
    with open_book(paid_book) as book:
        assert book.read("Log")["User"].tolist()[-1] == f"{account} on behalf of yamada"


def tamper(path, edit):
    """Change the Log sheet with openpyxl as a person editing the file would."""
    wb = openpyxl.load_workbook(path)
    edit(wb["Log"])
    wb.save(path)


@pytest.mark.parametrize("edit,expected", [
    (lambda ws: ws.cell(3, 4, "i.csv: 2 added"), "Log line 3: edited row"),
    (lambda ws: ws.delete_rows(3), "Log line 3: 1 row(s) deleted before this one (sequence 2 missing)"),
    (lambda ws: ws.delete_rows(5), "Log: 1 row(s) deleted at the end (the last save ended at sequence 4"),
    (lambda ws: (ws.insert_rows(3), [ws.cell(3, c, v) for c, v in enumerate(["2026-11-01", "eve", "note", "x"], 1)]),
     "Log line 3: inserted row (no valid hash)"),
])
def test_verify_reports_edited_deleted_and_inserted_log_rows(paid_book, capsys, edit, expected):
    code, out, _ = arbook(capsys, "verify", paid_book)
    assert code == 0 and "4 chained row(s), no edited" in out
    tamper(paid_book, edit)
    code, out, _ = arbook(capsys, "verify", paid_book)
    assert code == 1 and expected in out


def test_a_link_to_the_book_shares_its_lock_and_stays_a_link(paid_book, tmp_path, capsys):
    link = tmp_path / "link.xlsx"
    link.symlink_to(paid_book)
    (tmp_path / "d.csv").write_text("Invoice No,Disputed\nINV-2,yes\n", encoding="utf-8")
    with open_book(paid_book):
        with pytest.raises(BookLockedError, match=r"gave up after 0.2 s waiting for the book, held by PID \d+/"):
            open_book(link, timeout=0.2)
    code, _, err = arbook(capsys, "age", link)
    assert code == 0, err
    assert link.is_symlink() and os.readlink(link) == str(paid_book)
    with open_book(paid_book) as book:
        assert book.read("Log")["Action"].tolist()[-1] == "age"


def test_a_second_writer_says_it_waits_then_proceeds(paid_book, tmp_path):
    release = tmp_path / "release"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import os, time; from arbook.adapters.book import open_book\n"
        f"b = open_book({str(paid_book)!r}); print('held', flush=True)\n"
        f"while not os.path.exists({str(release)!r}): time.sleep(0.05)\n"
        "b.close()")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        waiter = subprocess.Popen([sys.executable, "-m", "arbook", "--lock-timeout", "60", "age", str(paid_book)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        notice = waiter.stderr.readline()
        assert notice.startswith(f"waiting for {paid_book} held by PID {holder.pid}/")
        assert " since 20" in notice and "giving up after 60 s" in notice
        release.touch()
        out, err = waiter.communicate(timeout=60)
        assert waiter.returncode == 0, err
        assert out.startswith("Aged as of")
    finally:
        release.touch()
        holder.wait(10)


def test_lock_timeout_gives_up_with_a_clear_message_and_writes_nothing(paid_book):
    before = digest(paid_book)
    with open_book(paid_book):
        result = subprocess.run([sys.executable, "-m", "arbook", "--lock-timeout", "0.3", "age", str(paid_book)],
                                capture_output=True, text=True)
    assert result.returncode == 1
    assert "gave up after 0.3 s waiting for the book, held by PID" in result.stderr
    assert digest(paid_book) == before
