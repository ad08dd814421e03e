"""Benchmark: read a 10k-customer / 200k-invoice book and write one changed sheet, next to an
openpyxl full load + save of the same book in the same run.

    python benchmarks/book_io.py [--customers 10000] [--invoices 200000] [--out DIR]

Prints a table and writes it to benchmarks/results/book_io.md. Floor (issue 3): arbook's
read + write at least 4x faster than openpyxl's full load + save.
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl

from _report import machine, publish
from arbook.adapters.book import new_book, open_book
from samplegen.sampledata import make_customers, make_invoices

def build(path: Path, customers: int, invoices: int) -> float:
    import random

    rng = random.Random(2026)
    start = time.perf_counter()
    customer_frame = make_customers(rng, customers)
    invoice_frame, _ = make_invoices(rng, customer_frame, invoices, date(2026, 10, 31), months=12, plan_share=0.1)
    new_book(path, overwrite=True)
    with open_book(path) as book:
        book.replace("Customers", customer_frame)
        book.replace("Invoices", invoice_frame)
    return time.perf_counter() - start


def arbook_round(path: Path) -> tuple[float, float, int]:
    start = time.perf_counter()
    book = open_book(path)
    book.read("Customers")
    invoices = book.read("Invoices")
    read_s = time.perf_counter() - start
    invoices.loc[invoices.index[0], "Amount"] = invoices["Amount"].iloc[0] + Decimal(1)
    start = time.perf_counter()
    book.replace("Invoices", invoices)
    book.commit()
    book.close()
    return read_s, time.perf_counter() - start, len(invoices)


def openpyxl_round(path: Path) -> tuple[float, float]:
    start = time.perf_counter()
    wb = openpyxl.load_workbook(path)
    load_s = time.perf_counter() - start
    ws = wb["Invoices"]
    ws["F2"] = (ws["F2"].value or 0) + 1
    start = time.perf_counter()
    wb.save(path)
    return load_s, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--invoices", type=int, default=200_000)
    parser.add_argument("--keep", action="store_true", help="keep the generated book in benchmarks/out/")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="arbook-bench-"))
    book = work / "bench.xlsx"
    build_s = build(book, args.customers, args.invoices)
    size_mb = book.stat().st_size / 1e6
    copy = work / "bench-openpyxl.xlsx"
    shutil.copyfile(book, copy)
    read_s, write_s, rows = arbook_round(book)
    load_s, save_s = openpyxl_round(copy)
    ours, theirs = read_s + write_s, load_s + save_s
    lines = [
        f"# Book I/O benchmark ({args.customers:,} customers, {rows:,} invoices, {size_mb:.1f} MB .xlsx)",
        "",
        f"{machine()} Build of the book (generate + first write): {build_s:.1f} s.",
        "",
        "| step | arbook (calamine read, one-sheet rewrite) | openpyxl (full load, save) |",
        "|---|---:|---:|",
        f"| read both sheets / load workbook | {read_s:.2f} s | {load_s:.2f} s |",
        f"| write the changed Invoices sheet / save | {write_s:.2f} s | {save_s:.2f} s |",
        f"| **round trip** | **{ours:.2f} s** | **{theirs:.2f} s** |",
        "",
        f"Speed-up: **{theirs / ours:.1f}x** (floor: 4x).",
    ]
    publish("book_io", lines)
    if args.keep:
        out = Path(__file__).with_name("out")
        out.mkdir(exist_ok=True)
        shutil.copyfile(book, out / "bench.xlsx")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
