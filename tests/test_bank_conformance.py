"""Every real public bank file in ../shared/bank-samples imports into a book, with --allow-unbalanced
where its stated balances do not add up and --currency where it names none; the refusal before
that names the flag; the difference is noted on each line's Source and in the Log; re-importing
adds nothing."""
from pathlib import Path

import pytest

from arbook.adapters.bankfiles import Options
from arbook.adapters.book import new_book, open_book
from arbook.model.errors import InputError
from arbook.services.bankimport import import_bank_files

SHARED = Path(__file__).resolve().parents[2] / "shared" / "bank-samples"
FILES = sorted(p for p in SHARED.glob("*/*") if p.suffix not in (".md", ".tsv")) if SHARED.is_dir() else []
CURRENCY = {"ca_bmo_debit.csv": "CAD", "cn_generic_gb18030.csv": "CNY", "semicolon_preamble.csv": "USD"}
pytestmark = pytest.mark.skipif(not FILES, reason="../shared/bank-samples not present")


def attempt(book, path, options):
    with open_book(book) as handle:
        return import_bank_files(handle, [path], options)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_corpus_file_imports_with_at_most_the_named_flags(tmp_path, path):
    book = new_book(tmp_path / "b.xlsx")
    options = Options()
    flags = []
    for _ in range(3):
        try:
            (report,) = attempt(book, path, options)
            break
        except InputError as exc:
            message = str(exc)
            assert message.startswith(str(path)) and "\n" not in message
            if "--allow-unbalanced" in message and not options.allow_unbalanced:
                options, flags = Options(**{**options.__dict__, "allow_unbalanced": True}), flags + ["unbalanced"]
            elif "--currency" in message and not options.currency:
                options = Options(**{**options.__dict__, "currency": CURRENCY.get(path.name, "EUR")})
                flags.append("currency")
            else:
                raise
    else:
        pytest.fail(f"{path.name} still refused with {flags}")
    with open_book(book) as handle:
        bank, log = handle.read("Bank"), handle.read("Log")
    assert len(bank) == report.added and report.added == report.lines or path.name in ("nl_asn_noheader.csv",)
    if "unbalanced" in flags:
        assert report.unbalanced and "stated balances off by" in report.summary()
        assert bank["Source"].str.contains("stated balances off by").any()
        assert log["Details"].astype(str).str.contains("IMPORTED UNBALANCED").any()
    again = attempt(book, path, options)[0]
    assert (again.added, again.updated) == (0, 0)
