"""A writer killed at any moment leaves a book that opens with every row committed before the kill."""
import random
import signal
import subprocess
import sys
import time
import zipfile

import pytest

from arbook.adapters.book import new_book, open_book
from samplegen.sampledata import make_sample

WRITER = r"""
import sys
from arbook.adapters.book import open_book
path = sys.argv[1]
for i in range(10_000):
    with open_book(path) as book:
        book.log("tick", str(i))
    print(i, flush=True)
"""


@pytest.mark.slow
def test_killed_writer_never_corrupts_the_book(tmp_path):
    path = new_book(tmp_path / "big.xlsx")
    sample = make_sample(seed=3, customers=200, invoices=4000)
    with open_book(path) as book:  # a sizeable book makes every save take a while
        book.replace("Customers", sample.customers)
        book.replace("Invoices", sample.invoices)
    rng = random.Random(11)
    for attempt in range(6):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
        wanted = rng.randint(1, 3)
        acknowledged = -1
        while acknowledged < wanted:
            acknowledged = int(proc.stdout.readline())
        time.sleep(rng.uniform(0.0, 0.25))  # land somewhere inside a later save
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for line in proc.stdout:
            acknowledged = int(line)
        assert zipfile.ZipFile(path).testzip() is None
        with open_book(path) as book:
            ticks = [int(d) for a, d in zip(book.read("Log")["Action"], book.read("Log")["Details"]) if a == "tick"]
            assert len(book.read("Invoices")) == len(sample.invoices)
        committed = [list(range(acknowledged + 1)), list(range(acknowledged + 2))]  # killed before/after its print
        assert ticks[-(acknowledged + 1):] == committed[0] or ticks[-(acknowledged + 2):] == committed[1], (
            f"attempt {attempt}: acknowledged {acknowledged}, log tail {ticks[-5:]}")
        with open_book(path):  # a kill may leave a temp file; the next open removes it
            pass
        assert not list(tmp_path.glob(".big.xlsx.*.arbook-tmp"))
