"""Benchmark: import a 100k-line bank CSV and a 100k-entry camt.053 into a new book.

    python benchmarks/bank_import.py [--lines 100000]

Reports parse time, merge time and save time per file, and writes benchmarks/results/bank_import.md.
"""
from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from _report import machine, publish
from arbook.adapters.bankfiles import Options, read_statements
from arbook.services.bankimport import FileReport, merge_lines, statement_rows
from arbook.adapters.book import new_book, open_book
from samplegen.samplebank import Account, SynthLine, bank_csv, camt053

def synth_lines(count: int, seed: int, cents: bool) -> list[SynthLine]:
    rng = random.Random(seed)
    start = date(2026, 1, 1)
    lines = []
    for n in range(count):
        amount = Decimal(rng.randrange(100, 5_000_000)) / (100 if cents else 1)
        lines.append(SynthLine(start + timedelta(days=n * 300 // count), amount if rng.random() < 0.8 else -amount,
                               f"PAYER {rng.randrange(5000):05d}", f"INV-{rng.randrange(10**6):06d}", f"R{n:09d}"))
    return lines


def run(path: Path, book: Path) -> dict[str, float]:
    timings: dict[str, float] = {}
    start = time.perf_counter()
    statements = read_statements(path, Options())
    timings["parse"] = time.perf_counter() - start
    start = time.perf_counter()
    with open_book(book) as handle:
        report = FileReport(str(path), statements[0].format, len(statements), sum(len(s.lines) for s in statements))
        bank = merge_lines(handle.read("Bank"), statement_rows(statements, path.name), report)
        handle.replace("Bank", bank)
        timings["merge"] = time.perf_counter() - start
        start = time.perf_counter()
        handle.commit()
    timings["save"] = time.perf_counter() - start
    timings["lines"] = report.added
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="arbook-bank-bench-"))
    csv_path, camt_path = work / "statement.csv", work / "statement.xml"
    csv_path.write_bytes(bank_csv("cn", synth_lines(args.lines, 1, cents=True)))
    camt_path.write_bytes(camt053(Account(currency="EUR"), Decimal("1000.00"), synth_lines(args.lines, 2, cents=True),
                                  datetime(2026, 10, 31, 12)))
    rows = []
    for label, path in (("bank CSV (GB18030, preamble, totals row)", csv_path), ("camt.053", camt_path)):
        book = new_book(work / f"{path.suffix[1:]}-book.xlsx")
        t = run(path, book)
        rows.append(f"| {label} | {path.stat().st_size / 1e6:.1f} MB | {int(t['lines']):,} | {t['parse']:.2f} s | "
                    f"{t['merge']:.2f} s | {t['save']:.2f} s | **{t['parse'] + t['merge'] + t['save']:.2f} s** |")
    publish("bank_import", [
        f"# Bank import benchmark ({args.lines:,} lines per file)", "", f"{machine()} Into a new book.", "",
        "| file | size | lines imported | parse | fingerprint + merge | save book | total |",
        "|---|---:|---:|---:|---:|---:|---:|", *rows])
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
