"""Benchmark: import a large bank CSV and a 100k-entry camt.053 into a new book, each in a fresh
process so its peak memory is the import's own.

    python benchmarks/bank_import.py [--lines 1000000] [--camt-lines 100000]

Reports parse, fingerprint + merge and save times and the child's peak RSS per file, and writes
benchmarks/results/bank_import.md. Floors (issue 12): a 1M-line CSV imports in <= 20 s with
<= 1.5 GB peak RSS.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from _report import machine, publish

CHILD = """
import json, resource, sys, time
from pathlib import Path
from arbook.adapters.bankfiles import Options, read_statements
from arbook.services.bankimport import FileReport, collector_paused, merge_lines, statement_rows
from arbook.adapters.book import open_book
path, book = Path(sys.argv[1]), Path(sys.argv[2])
t0 = time.perf_counter()
with collector_paused():  # as import_bank_files does
    statements = read_statements(path, Options())
t1 = time.perf_counter()
with open_book(book) as handle, collector_paused():
    report = FileReport(str(path), statements[0].format, len(statements), sum(len(s.lines) for s in statements))
    bank = merge_lines(handle.read("Bank"), statement_rows(statements, path.name), report)
    del statements
    handle.replace("Bank", bank)
    del bank
    t2 = time.perf_counter()
    rss_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    handle.commit()
t3 = time.perf_counter()
print(json.dumps({"parse": t1 - t0, "merge": t2 - t1, "save": t3 - t2, "lines": report.added,
                  "rss_import": rss_import, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def synth_lines(count: int, seed: int, cents: bool):
    from samplegen.samplebank import SynthLine

    rng = random.Random(seed)
    start = date(2026, 1, 1)
    for n in range(count):
        amount = Decimal(rng.randrange(100, 5_000_000)) / (100 if cents else 1)
        yield SynthLine(start + timedelta(days=n * 300 // count), amount if rng.random() < 0.8 else -amount,
                        f"PAYER {rng.randrange(5000):05d}", f"INV-{rng.randrange(10**6):06d}", f"R{n:09d}")


def run(path: Path, book: Path) -> dict[str, float]:
    """Import ``path`` into ``book`` in a child process: its timings and peak RSS."""
    result = subprocess.run([sys.executable, "-c", CHILD, str(path), str(book)], capture_output=True, text=True,
                            check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    from arbook.adapters.book import new_book
    from samplegen.samplebank import Account, bank_csv, camt053

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--camt-lines", type=int, default=100_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="arbook-bank-bench-"))
    csv_path, camt_path = work / "statement.csv", work / "statement.xml"
    csv_path.write_bytes(bank_csv("cn", list(synth_lines(args.lines, 1, cents=True))))
    camt_path.write_bytes(camt053(Account(currency="EUR"), Decimal("1000.00"),
                                  list(synth_lines(args.camt_lines, 2, cents=True)), datetime(2026, 10, 31, 12)))
    rows = []
    for label, path in (("bank CSV (GB18030, preamble, totals row)", csv_path), ("camt.053", camt_path)):
        book = new_book(work / f"{path.suffix[1:]}-book.xlsx")
        t = run(path, book)
        rows.append(f"| {label} | {path.stat().st_size / 1e6:.1f} MB | {int(t['lines']):,} | {t['parse']:.2f} s | "
                    f"{t['merge']:.2f} s | **{t['parse'] + t['merge']:.2f} s** | {t['rss_import'] / 2**20:,.0f} MB | "
                    f"{t['save']:.2f} s | {t['rss'] / 2**20:,.0f} MB |")
    load = open("/proc/loadavg").read().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
    publish("bank_import", [
        f"# Bank import benchmark ({args.lines:,}-line CSV, {args.camt_lines:,}-entry camt.053)", "",
        f"{machine()} Into a new book, each file in a fresh process. The machine was shared with other "
        f"helpers' jobs during the run (load average {' '.join(load)} on {__import__('os').cpu_count()} cores): "
        "times are upper bounds.", "",
        "| file | size | lines imported | parse | fingerprint + merge | import total | peak RSS to here | save book "
        "| peak RSS with save |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|", *rows])
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
