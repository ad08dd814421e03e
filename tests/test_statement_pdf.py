"""One statement per language rendered to PDF by LibreOffice and to PNG by poppler, read back through
the PDF's text layer (pdftotext): what a client receiving it would see."""
import re
import shutil
import subprocess

import pytest

from arbook.adapters.book import open_book
from arbook.model.words import words
from arbook.cli import main
from arbook.services.demo import REPO_SAMPLES

TOOLS = [shutil.which(t) for t in ("soffice", "pdftotext", "pdftoppm", "pdffonts")]
pytestmark = pytest.mark.skipif(None in TOOLS, reason="needs LibreOffice and poppler-utils (.ci/run installs them)")
CLIENTS = {"ja": "C00001", "zh": "C00009", "en": "C00007"}  # C00007 has 50 USD left unapplied


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pdf")
    for name in ("book.xlsx", "zengin_03.txt", "bank_cn_gb18030.csv", "camt053_usd.xml"):
        shutil.copyfile(REPO_SAMPLES / name, tmp / name)
    book = tmp / "book.xlsx"
    main(["import", str(book), *(str(tmp / n) for n in ("zengin_03.txt", "bank_cn_gb18030.csv", "camt053_usd.xml"))])
    main(["match", str(book)])
    main(["statements", str(book), "--out", str(tmp / "st"), "--as-of", "2026-11-16", "--from", "2026-09-01", "--pdf",
          *(x for cid in CLIENTS.values() for x in ("--customer", cid))])
    with open_book(book) as handle:
        customers = handle.read("Customers").set_index("Customer ID")
    pages = {}
    for language, cid in CLIENTS.items():
        pdf = tmp / "st" / f"{cid}-statement-2026-11-16.pdf"
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                              text=True).stdout
        fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(tmp / language)], check=True)
        pages[language] = (text, fonts, sorted(tmp.glob(f"{language}-*.png")), customers.loc[cid])
    return pages


@pytest.mark.parametrize("language", ["ja", "zh", "en"])
def test_statement_pdf_reads_right(rendered, language):
    text, fonts, pngs, customer = rendered[language]
    t = words(language)
    flat = re.sub(r"\s+", " ", text)
    assert "###" not in text
    assert t["title"] in flat and customer["Name"] in flat
    assert customer["Address"].splitlines()[0] in flat and customer["Postal Code"] in flat  # the address block
    honorific = {"ja": "様" if customer["Contact"] else "御中", "zh": "收" if customer["Contact"] else "台鉴",
                 "en": "Attn." if customer["Contact"] else customer["Name"]}[language]
    assert honorific in flat
    assert t["balance_text"].replace("{{ as_of }}", "2026-11-16") in flat  # the balance line to confirm
    assert t["reply_date"].split("：")[0].split(":")[0] in flat  # the reply block
    amounts = re.findall(r"(JPY|USD|CNY) (-?[\d,]+(?:\.\d+)?)", flat)
    assert amounts
    for currency, amount in amounts:
        assert ("." in amount) == (currency != "JPY"), (currency, amount)  # yen without decimals
        assert currency == customer["Currency"]
    if language == "en":
        assert t["unapplied"] in flat and "-USD 50.00" in flat
    if language != "en":
        assert "CJK" in fonts  # the hanzi / kana are real glyphs, not boxes
    assert len(pngs) == 2 and all(p.stat().st_size > 5000 for p in pngs)  # statement on one page + Confirm
