"""arbook age / reminders on the sample book: columns filled, messages per client language."""
import shutil
import zipfile
from datetime import date

from arbook.adapters.book import open_book
from arbook.cli import main
from arbook.services.demo import REPO_SAMPLES
from arbook.services.receivables import aging_of


def test_age_and_reminders_on_the_sample(tmp_path, capsys):
    for name in ("book.xlsx", "zengin_03.txt", "bank_cn_gb18030.csv", "camt053_usd.xml"):
        shutil.copyfile(REPO_SAMPLES / name, tmp_path / name)
    book = tmp_path / "book.xlsx"
    main(["import", str(book), *(str(tmp_path / n) for n in ("zengin_03.txt", "bank_cn_gb18030.csv", "camt053_usd.xml"))])
    main(["match", str(book)])
    main(["age", str(book), "--as-of", "2026-11-16"])
    out = capsys.readouterr().out
    assert "Aged as of 2026-11-16: CNY" in out and "JPY" in out and "USD" in out
    with open_book(book) as handle:
        invoices = handle.read("Invoices")
        aging = handle.read("Aging")
        customers = handle.read("Customers")
    assert set(invoices["Status"].dropna()) <= {"open", "partial", "paid", "disputed"}
    assert invoices["Open"].notna().all() and (invoices["Status"] == "paid").sum() > 50
    assert set(aging.loc[aging["Customer ID"].isna(), "Customer"]) == {"Total CNY", "Total JPY", "Total USD"}
    assert customers["Credit Status"].notna().all()
    main(["reminders", str(book), "--out", str(tmp_path / "rem"), "--as-of", "2026-11-16"])
    files = sorted((tmp_path / "rem").iterdir())
    assert files and all(f.name.split("-")[1].startswith("level") for f in files)
    by_language = {f.name.rsplit("-", 1)[1][:2]: f.read_text(encoding="utf-8") for f in files}
    if "ja" in by_language:
        assert "御中" in by_language["ja"] and "株式会社エーアールブック" in by_language["ja"]
    if "en" in by_language:
        assert "Dear " in by_language["en"] and "days overdue" in by_language["en"]
    with open_book(book) as handle:
        assert {"age", "reminders"} <= set(handle.read("Log")["Action"])


def test_bad_as_of_is_a_usage_error(book_path, capsys):
    try:
        main(["age", str(book_path), "--as-of", "someday"])
    except SystemExit as exc:
        assert exc.code == 2
    assert "not a date" in capsys.readouterr().err


def test_reports_for_another_date_leave_the_stored_aging_alone(tmp_path):
    """reminders and statements as of another date write their files and a Log row; statements also
    record the book's Statement Key (Settings) and each client's awaited reply (Customers); nothing else."""
    for name in ("book.xlsx", "zengin_03.txt"):
        shutil.copyfile(REPO_SAMPLES / name, tmp_path / name)
    book = tmp_path / "book.xlsx"
    main(["import", str(book), str(tmp_path / "zengin_03.txt")])
    main(["match", str(book)])
    main(["age", str(book), "--as-of", "2026-11-16"])

    def sheets_but_log() -> dict[str, bytes]:
        with zipfile.ZipFile(book) as zf, open_book(book) as handle:
            log = {getattr(handle._parts[name], part) for name in ("Log", "Settings", "Customers")
                   for part in ("path", "table_path")}
            return {n: zf.read(n) for n in zf.namelist() if n not in log}

    before = sheets_but_log()
    main(["reminders", str(book), "--out", str(tmp_path / "rem"), "--as-of", "2027-02-28"])
    assert any((tmp_path / "rem").iterdir())
    main(["statements", str(book), "--out", str(tmp_path / "st"), "--as-of", "2027-02-28"])
    assert any((tmp_path / "st").glob("*-statement-2027-02-28.xlsx"))
    assert sheets_but_log() == before
    with open_book(book) as handle:
        assert list(handle.read("Log")["Action"])[-2:] == ["reminders", "statements"]
        assert set(handle.read("Customers")["Confirmation"]) == {"no reply"}
        assert handle.settings()["Statement Key"]
        stored = handle.read("Invoices")["Days Overdue"].tolist()
        assert stored == aging_of(handle, date(2026, 11, 16)).invoices["Days Overdue"].tolist()
        assert stored != aging_of(handle, date(2027, 2, 28)).invoices["Days Overdue"].tolist()
