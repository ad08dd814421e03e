"""Benchmark: `arbook age` on the 10k-customer / 200k-invoice book, with payments applied to most invoices.

    python benchmarks/aging.py

Times reading the book, the aging calculation and writing Invoices, Customers and Aging back;
writes benchmarks/results/aging.md.
"""
from __future__ import annotations

import random
import shutil
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from arbook.adapters.book import open_book
from arbook.model.frames import make_frame
from arbook.services.receivables import age_book
from arbook.model.schema import ALLOCATIONS, BANK

from _report import machine, publish
from book_io import build

def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="arbook-aging-"))
    book = work / "bench.xlsx"
    build(book, 10_000, 200_000)
    rng = random.Random(5)
    with open_book(book) as handle:  # pay about 70% of the invoices, a tenth of them only in part
        invoices = handle.read("Invoices")
        bank, allocations = [], []
        for n, (number, cid, due, currency, amount) in enumerate(zip(
                invoices["Invoice No"], invoices["Customer ID"], invoices["Due Date"], invoices["Currency"],
                invoices["Amount"])):
            if rng.random() < 0.7:
                paid = amount if rng.random() < 0.9 else (amount / 2).quantize(amount)
                day = due + timedelta(days=rng.randint(-5, 40))
                bank.append({"Bank Ref": f"P{n:07d}", "Date": day, "Amount": paid, "Currency": currency,
                             "Status": "matched"})
                allocations.append({"Bank Ref": f"P{n:07d}", "Invoice No": number, "Customer ID": cid,
                                    "Applied Amount": paid, "Status": "auto", "Rule": "bench"})
        handle.replace("Bank", make_frame(BANK, bank))
        handle.replace("Allocations", make_frame(ALLOCATIONS, allocations))
    start = time.perf_counter()
    with open_book(book) as handle:
        result = age_book(handle, date(2026, 10, 31))
        computed = time.perf_counter() - start
    total = time.perf_counter() - start
    publish("aging", [
        "# Aging benchmark", "",
        f"{machine()} Book: 10,000 clients, 200,000 invoices, {len(allocations):,} payments applied.", "",
        f"`arbook age` (read 4 sheets, compute, write Invoices/Customers/Aging): **{total:.2f} s** "
        f"(read + compute {computed:.2f} s, save {total - computed:.2f} s).", "",
        f"Result: {result.summary()}"])
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
