"""Importing bank files into a book: idempotent, all or nothing, debits excluded, profiles."""
import zipfile
from datetime import date, datetime
from decimal import Decimal as D

import pytest

from arbook.adapters.bankfiles import Options
from arbook.services.bankimport import import_bank_files, profile_options
from arbook.adapters.book import open_book
from arbook.cli import main
from arbook.model.errors import InputError
from samplegen.samplebank import Account, SynthLine, bank_csv, camt053, zengin_03

OCT = [SynthLine(date(2026, 10, d), D(1000 * d), f"ﾊﾟｲﾔ-{d}", f"INV-{d}", f"{d:08d}") for d in range(1, 11)]


def bank_sheet_bytes(path):
    with zipfile.ZipFile(path) as z:
        return z.read("xl/worksheets/sheet3.xml")


def write_files(tmp_path):
    files = {
        "z.txt": zengin_03(Account(), D(0), OCT + [SynthLine(date(2026, 10, 11), D(-500), "", "FEE")], date(2026, 10, 31)),
        "c.xml": camt053(Account(currency="USD"), D("0"), [SynthLine(date(2026, 10, 5), D("99.50"), "ACME", "INV-7")],
                         datetime(2026, 10, 31, 9)),
        "b.csv": bank_csv("cn", [SynthLine(date(2026, 10, 6), D("12.30"), "上海华贸有限公司", "INV-8", "")]),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return [tmp_path / n for n in files]


def test_three_imports_leave_a_byte_identical_bank_table(book_path, tmp_path):
    files = write_files(tmp_path)
    with open_book(book_path) as book:
        reports = import_bank_files(book, files, Options())
    assert [(r.added, r.credits) for r in reports] == [(11, 10), (1, 1), (1, 1)]
    first = bank_sheet_bytes(book_path)
    for _ in range(2):
        with open_book(book_path) as book:
            reports = import_bank_files(book, files, Options())
        assert sum(r.added for r in reports) == 0 and sum(r.duplicates for r in reports) == 13
        assert bank_sheet_bytes(book_path) == first
    with open_book(book_path) as book:
        bank = book.read("Bank")
        log = book.read("Log")
    assert len(bank) == 13 and bank["Bank Ref"].is_unique
    assert (bank["Status"] == "excluded").sum() == 1 and bank.loc[bank["Amount"] < 0, "Status"].eq("excluded").all()
    assert (log["Action"] == "import bank").sum() == 9


def test_overlapping_statements_add_only_new_lines(book_path, tmp_path):
    first_half = bank_csv("us", [SynthLine(date(2026, 10, d), D(d), "P", f"m{d}") for d in (1, 2, 3)])
    overlap = bank_csv("us", [SynthLine(date(2026, 10, d), D(d), "P", f"m{d}") for d in (2, 3, 4, 5)])
    (tmp_path / "a.csv").write_bytes(first_half)
    (tmp_path / "b.csv").write_bytes(overlap)
    with open_book(book_path) as book:
        reports = import_bank_files(book, [tmp_path / "a.csv", tmp_path / "b.csv"], Options())
    assert [(r.added, r.duplicates) for r in reports] == [(3, 0), (2, 2)]


def test_identical_lines_inside_one_file_are_both_kept(book_path, tmp_path):
    same = SynthLine(date(2026, 10, 1), D(500), "SAME PAYER", "same memo")
    (tmp_path / "d.csv").write_bytes(bank_csv("us", [same, same, same]))
    for _ in range(2):
        with open_book(book_path) as book:
            import_bank_files(book, [tmp_path / "d.csv"], Options())
    with open_book(book_path) as book:
        bank = book.read("Bank")
    assert len(bank) == 3 and bank["Fingerprint"].is_unique and bank["Bank Ref"].is_unique


def test_one_bad_file_means_nothing_is_imported(book_path, tmp_path, capsys):
    files = write_files(tmp_path)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(zengin_03(Account(), D(0), OCT, date(2026, 10, 31)).replace(b"8000010", b"8000011"))
    before = book_path.read_bytes()
    with pytest.raises(SystemExit) as info:
        main(["import", str(book_path), *map(str, files), str(bad)])
    assert info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"arbook: {bad}:12: credit_count: trailer says 11") and len(err.splitlines()) == 1
    assert book_path.read_bytes() == before


def test_profile_saved_once_then_reused(book_path, tmp_path, capsys):
    headerless = tmp_path / "h.csv"
    headerless.write_text("31-10-2026,ACME BV,12.50,INV-1\n", encoding="utf-8")
    main(["import", str(book_path), str(headerless), "--map", "date=1", "--map", "payer=2", "--map", "amount=3",
          "--map", "memo=4", "--currency", "eur", "--save-profile", "asn"])
    headerless.write_text("01-11-2026,BETA BV,7.00,INV-2\n", encoding="utf-8")
    main(["import", str(book_path), str(headerless), "--profile", "asn"])
    with open_book(book_path) as book:
        bank = book.read("Bank")
        profiles = book.read("Profiles")
    assert bank["Payer"].tolist() == ["ACME BV", "BETA BV"] and set(bank["Currency"]) == {"EUR"}
    assert ("asn", "Default Currency", "EUR") in set(zip(profiles["Profile"], profiles["Setting"], profiles["Value"]))
    with pytest.raises(SystemExit):
        main(["import", str(book_path), str(headerless), "--profile", "nope"])
    assert "no bank profile 'nope'" in capsys.readouterr().err


def test_home_currency_setting_is_the_last_resort(book_path, tmp_path):
    with open_book(book_path) as book:
        settings = book.read("Settings")
        settings.loc[settings["Key"] == "Home Currency", "Value"] = "JPY"
        book.replace("Settings", settings)
    with open_book(book_path) as book:
        options = profile_options(book, None, [], None, None)
        assert options.home_currency == "JPY" and options.currency is None
        assert profile_options(book, None, [], "USD", None).currency == "USD"
    (tmp_path / "n.csv").write_text("Date,Amount\n2026-10-31,100\n", encoding="utf-8")
    (tmp_path / "c.csv").write_text("币种:,人民币\n交易日期,金额\n2026-10-31,100.50\n", encoding="utf-8")
    with open_book(book_path) as book:
        import_bank_files(book, [tmp_path / "n.csv", tmp_path / "c.csv"], profile_options(book, None, [], None, None))
        assert book.read("Bank")["Currency"].tolist() == ["JPY", "CNY"]  # the file's own word beats the home currency


def test_amount_with_too_many_decimals_for_its_currency(book_path, tmp_path):
    (tmp_path / "x.csv").write_text("Date,Amount,Currency\n2026-10-31,100.5,JPY\n", encoding="utf-8")
    with open_book(book_path) as book, pytest.raises(InputError, match="x.csv:2: amount: 100.5 has more than 0"):
        import_bank_files(book, [tmp_path / "x.csv"], Options())


# -- what a new user's careless files showed (trial of round 2) ------------------------------------

def _import(book_path, tmp_path, text, *flags):
    """The CLI's exit code for importing ``text`` as s.csv."""
    (tmp_path / "s.csv").write_text(text, encoding="utf-8")
    try:
        main(["import", str(book_path), str(tmp_path / "s.csv"), *flags])
    except SystemExit as done:
        return done.code
    return 0


def test_a_last_row_with_a_date_like_but_impossible_date_and_an_amount_is_refused(book_path, tmp_path, capsys):
    before = book_path.read_bytes()
    code = _import(book_path, tmp_path, "Date,Payer,Amount\n2026-10-01,Alpha,100.00\n2026-13-45,Beta,250.00\n",
                   "--currency", "USD")
    assert code != 0 and "s.csv:3: date: not a calendar date: '2026-13-45'" in capsys.readouterr().err
    assert book_path.read_bytes() == before


def test_rows_left_out_are_counted_with_their_lines_and_why(book_path, tmp_path, capsys):
    text = ("Date,Payer,Amount\n2026-10-01,Alpha,100.00\n2026-10-02,Beta,\n2026-10-03,Gamma,250.00\n"
            "Closing balance,,9999.00\n")
    assert _import(book_path, tmp_path, text, "--currency", "USD") == 0
    out = capsys.readouterr().out
    assert "2 lines: 2 new (2 credits to match, 0 debits excluded)" in out
    assert "2 rows left out: 1 no amount (line 3), 1 not a dated transaction (line 5)" in out


@pytest.mark.parametrize("text", ["Date,Payer,Memo,Amount\n2026-10-01,Alpha Co,paid with $ card,100.00\n",
                                  "Date,Payer,Amount\n2026-10-01,Euro Café € Shop,100.00\n"])
def test_a_currency_sign_in_a_payer_or_memo_does_not_name_the_files_currency(book_path, tmp_path, capsys, text):
    assert _import(book_path, tmp_path, text) != 0
    assert "the file names no currency; pass --currency" in capsys.readouterr().err


def test_a_currency_sign_in_the_amount_still_names_it(book_path, tmp_path):
    assert _import(book_path, tmp_path, 'Date,Payer,Amount\n2026-10-01,Alpha Co,"€100,00"\n') == 0
    with open_book(book_path) as book:
        assert book.read("Bank")["Currency"].tolist() == ["EUR"]


def test_an_unknown_currency_code_is_refused_before_anything_is_written(book_path, tmp_path, capsys):
    before = book_path.read_bytes()
    assert _import(book_path, tmp_path, "Date,Payer,Amount\n2026-10-01,Alpha,100.00\n", "--currency", "XYZ") != 0
    assert "--currency XYZ: not a currency code the book knows" in capsys.readouterr().err
    assert book_path.read_bytes() == before


@pytest.mark.parametrize("position", ["0", "4", "99"])
def test_a_mapped_position_outside_the_file_is_refused(book_path, tmp_path, capsys, position):
    code = _import(book_path, tmp_path, "Date,Payer,Amount\n2026-10-01,Alpha,100.00\n", "--currency", "USD",
                   "--map", f"payer={position}")
    assert code != 0
    assert f"--map payer={position}: the file has 3 columns (positions 1 to 3)" in capsys.readouterr().err


def test_payer_and_memo_are_one_line_of_visible_text_and_raw_text_keeps_the_banks(book_path, tmp_path):
    text = 'Date,Payer,Memo,Amount\n2026-10-01,"Jane\nDoe","Ver\u00adwendung\tINV-1",100.00\n'
    assert _import(book_path, tmp_path, text, "--currency", "EUR") == 0
    with open_book(book_path) as book:
        line = book.read("Bank").iloc[0]
    assert (line["Payer"], line["Memo"]) == ("Jane Doe", "Verwendung INV-1")
    assert "\t" in line["Raw Text"] and "\u00ad" in line["Raw Text"]


def test_a_mapping_given_for_a_file_whose_format_names_its_fields_is_refused(book_path, tmp_path, capsys):
    camt = tmp_path / "c.xml"
    camt.write_bytes(camt053(Account(currency="USD"), D("0"), [SynthLine(date(2026, 10, 5), D("99.50"), "ACME", "")],
                             datetime(2026, 10, 31, 9)))
    with pytest.raises(SystemExit):
        main(["import", str(book_path), str(camt), "--map", "payer=2"])
    assert "--map is for CSV and spreadsheet exports; this is a camt file" in capsys.readouterr().err
