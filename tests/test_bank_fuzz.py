"""Damaged bank files: every one ends in a clean one-line error or a correct import, never a
traceback, and never a changed book after an error."""
import random
from datetime import date, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest

from arbook.adapters.bankfiles import Options
from arbook.services.bankimport import import_bank_files
from arbook.adapters.book import new_book, open_book
from arbook.model.errors import ArbookError
from samplegen.samplebank import CSV_DIALECTS, Account, SynthLine, bank_csv, camt053, mt940, zengin_01, zengin_03

SHARED = Path(__file__).resolve().parents[2] / "shared" / "bank-samples"
LINES = [SynthLine(date(2026, 10, d), D(1000 + d), "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", f"INV-{d}", f"{d:08d}") for d in range(1, 6)]


def seeds() -> list[tuple[str, bytes]]:
    files = [("z03.txt", zengin_03(Account(), D(0), LINES, date(2026, 10, 31))),
             ("z01.txt", zengin_01(Account(), LINES, date(2026, 10, 31), crlf=False)),
             ("c.xml", camt053(Account(currency="EUR"), D(0), LINES, datetime(2026, 10, 31))),
             ("m.sta", mt940(Account(currency="EUR"), D(0), LINES))]
    latin = [SynthLine(ln.date, ln.amount, "Müller GmbH", ln.memo, ln.ref) for ln in LINES]
    files += [(f"{d}.csv", bank_csv(d, LINES if d in ("jp", "cn") else latin)) for d in CSV_DIALECTS]
    if SHARED.is_dir():
        files += [(p.name, p.read_bytes()) for p in sorted(SHARED.glob("*/*")) if p.suffix != ".md"][::3]
    return files


def mutate(rng: random.Random, data: bytes) -> bytes:
    kind = rng.randrange(9)
    if kind == 0:
        return data[: rng.randrange(len(data) + 1)]
    if kind == 1:
        out = bytearray(data)
        for _ in range(rng.randint(1, 6)):
            i = rng.randrange(len(out))
            out[i] ^= 1 << rng.randrange(8)
        return bytes(out)
    if kind == 2:
        text = data.decode("utf-8", "replace")
        return text.encode(rng.choice(["cp932", "gb18030", "latin-1", "utf-16"]), "replace")
    if kind == 3:
        lines = data.split(b"\n")
        out = []
        for line in lines:
            cells = line.split(b",")
            if len(cells) > 2:
                i, j = rng.sample(range(len(cells)), 2)
                cells[i], cells[j] = cells[j], cells[i]
            out.append(b",".join(cells))
        return b"\n".join(out)
    if kind == 4:
        return b""
    if kind == 5:
        i = rng.randrange(len(data) + 1)
        return data[:i] + b"A" * rng.choice([5_000, 300_000]) + data[i:]
    if kind == 6:
        lines = data.split(b"\n")
        del lines[rng.randrange(len(lines))]
        return b"\n".join(lines)
    if kind == 7:
        lines = data.split(b"\n")
        i = rng.randrange(len(lines))
        return b"\n".join(lines[: i + 1] + [lines[i]] + lines[i + 1:])
    return bytes(rng.randrange(256) for _ in range(rng.randint(1, 400)))


@pytest.mark.slow
def test_two_hundred_and_more_damaged_files(tmp_path):
    rng = random.Random(20261123)
    book = new_book(tmp_path / "fuzz.xlsx")
    cases = [(name, mutate(rng, data)) for name, data in seeds() for _ in range(26)]
    assert len(cases) >= 200
    outcomes = {"error": 0, "imported": 0}
    for n, (name, data) in enumerate(cases):
        path = tmp_path / f"{n:03d}-{name}"
        path.write_bytes(data)
        before = book.read_bytes()
        try:
            with open_book(book) as handle:
                import_bank_files(handle, [path], Options(currency="EUR"))
        except ArbookError as exc:
            message = str(exc)
            assert "\n" not in message and message.startswith(str(path)), (name, message)
            assert book.read_bytes() == before, name
            outcomes["error"] += 1
        else:
            with open_book(book) as handle:
                bank = handle.read("Bank")
            assert bank["Bank Ref"].is_unique and bank["Fingerprint"].is_unique
            outcomes["imported"] += 1
    assert outcomes["error"] > 50 and outcomes["imported"] > 20, outcomes
