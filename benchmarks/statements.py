"""Benchmark: 1,000 statement workbooks, next to a plain openpyxl load-fill-save per statement.

    python benchmarks/statements.py [--clients 1000] [--openpyxl-sample 100]

The openpyxl side fills the same template for a sample of clients and is projected to all of
them (said so in the result). Floor (issue 7): 1,000 statements in <= 5 s wall on 2 cores.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

import openpyxl

from _report import machine, publish
from arbook.adapters.book import new_book, open_book
from arbook.model.frames import make_frame
from samplegen.sampledata import make_customers, make_invoices
from samplegen.samplepay import make_payments
from arbook.model.schema import ALLOCATIONS, BANK
from arbook.services.statements import TEMPLATE, write_statements

AS_OF = date(2026, 10, 31)


def build(path: Path, clients: int) -> None:
    rng = random.Random(11)
    customers = make_customers(rng, clients)
    invoices, plans = make_invoices(rng, customers, clients * 12, AS_OF, months=6)
    payments = make_payments(random.Random(12), customers, invoices, plans, AS_OF)
    currency = {"ja": "JPY", "zh": "CNY", "en": "USD"}
    bank, allocations = [], []
    for n, p in enumerate(x for x in payments if x.customer):
        ref = f"P{n:07d}"
        bank.append({"Bank Ref": ref, "Date": p.line.date, "Amount": p.line.amount, "Currency": currency[p.language],
                     "Payer": p.line.payer, "Status": "matched"})
        allocations += [{"Bank Ref": ref, "Invoice No": number, "Customer ID": p.customer, "Applied Amount": amount,
                         "Status": "auto", "Rule": "bench"} for number, amount in p.applied.items()]
    new_book(path, overwrite=True)
    with open_book(path) as book:
        book.replace("Customers", customers)
        book.replace("Invoices", invoices)
        book.replace("Bank", make_frame(BANK, bank))
        book.replace("Allocations", make_frame(ALLOCATIONS, allocations))


def openpyxl_fill(template: Path, out: Path, context: dict) -> None:
    """The naive way: load the template, replace each placeholder cell, save."""
    wb = openpyxl.load_workbook(template)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and "{{" in cell.value:
                    cell.value = cell.value.replace("{{ customer.name }}", context["name"])
    wb.save(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--openpyxl-sample", type=int, default=100)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="arbook-statements-"))
    book = work / "book.xlsx"
    build(book, args.clients)
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    with open_book(book) as handle:
        run = write_statements(handle, work / "out", AS_OF, date(2026, 9, 1))
    ours = time.perf_counter() - start
    load_after = os.getloadavg()[0]
    sample = min(args.openpyxl_sample, len(run.files))
    start = time.perf_counter()
    for n in range(sample):
        openpyxl_fill(TEMPLATE, work / f"naive-{n}.xlsx", {"name": f"Client {n}"})
    naive_each = (time.perf_counter() - start) / sample
    publish("statements", [
        "# Statements benchmark", "",
        f"{machine()} {len(run.files):,} clients, each statement with its address block, period lines, open items, "
        "unapplied payments, balance confirmation and reply block, a Confirm sheet, and its signed manifest.",
        "", f"Machine load (1-minute load average on {os.cpu_count()} cores): {load_before:.1f} before, "
            f"{load_after:.1f} after the arbook run (other helpers share this machine).",
        "", "| | wall time for all statements |", "|---|---:|",
        f"| arbook (template parsed once, parts reused, both cores; includes reading the book and aging) | "
        f"**{ours:.2f} s** |",
        f"| openpyxl load + fill + save per statement ({sample} measured, {naive_each * 1000:.0f} ms each, projected "
        f"to {len(run.files):,}) | {naive_each * len(run.files):.1f} s |", "",
        f"Floor: 1,000 statements in <= 5 s ({'met' if ours <= 5 else 'NOT met'})."])
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
