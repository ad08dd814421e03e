"""Conformance on real public bank files (../shared/bank-samples), checked against independent oracles.

Skipped when the corpus is absent. A file whose stated balances do not add up must be rejected
with a balance error; every other file must import with the movements its own data states.
"""
import logging
import re
from decimal import Decimal

import pytest
from lxml import etree

from arbook.adapters.bankfiles import Options, read_statements
from arbook.model.errors import InputError

SHARED_SAMPLES = __import__("pathlib").Path(__file__).resolve().parents[2] / "shared" / "bank-samples"
pytestmark = pytest.mark.skipif(not SHARED_SAMPLES.is_dir(), reason="../shared/bank-samples not present")


def corpus(folder):
    return sorted((SHARED_SAMPLES / folder).glob("*")) if SHARED_SAMPLES.is_dir() else []


def camt_oracle(path):
    """Per statement: (opening, closing, booked movements) by plain XPath, independent of the importer."""
    root = etree.parse(str(path)).getroot()
    out = []
    for stmt in root.xpath("//*[local-name()='Stmt' or local-name()='Rpt' or local-name()='Ntfctn']"):
        def balance(codes):
            for bal in stmt.xpath("./*[local-name()='Bal']"):
                code = "".join(bal.xpath(".//*[local-name()='CdOrPrtry']/*/text()"))
                if code in codes:
                    value = Decimal(bal.xpath("./*[local-name()='Amt']/text()")[0])
                    return -value if bal.xpath("./*[local-name()='CdtDbtInd']/text()") == ["DBIT"] else value
            return None
        moved = Decimal(0)
        for entry in stmt.xpath("./*[local-name()='Ntry']"):
            status = "".join(t.strip() for t in entry.xpath("./*[local-name()='Sts']//text()"))
            if status and status != "BOOK":
                continue
            value = Decimal(entry.xpath("./*[local-name()='Amt']/text()")[0])
            moved += -value if entry.xpath("./*[local-name()='CdtDbtInd']/text()") == ["DBIT"] else value
        out.append((balance(("OPBD", "PRCD")), balance(("CLBD",)), moved))
    return out


@pytest.mark.parametrize("path", corpus("camt"), ids=lambda p: p.name)
def test_camt_corpus(path):
    expected = camt_oracle(path)
    consistent = all(o is None or c is None or o + m == c for o, c, m in expected)
    if not consistent:
        with pytest.raises(InputError, match="balance: closing balance"):
            read_statements(path)
        return
    statements = read_statements(path)
    assert len(statements) == len(expected)
    for statement, (opening, closing, moved) in zip(statements, expected):
        assert sum((ln.amount for ln in statement.lines), Decimal(0)) == moved
        assert (statement.opening, statement.closing) == (opening, closing)


@pytest.mark.parametrize("path", corpus("mt940"), ids=lambda p: p.name)
def test_mt940_corpus(path):
    mt940 = pytest.importorskip("mt940")
    logging.getLogger("mt940").setLevel(logging.CRITICAL)
    try:
        oracle = mt940.parse(str(path))
    except Exception:  # the library cannot read a few real files; ours must still import them
        oracle = None
    if oracle is None:
        assert sum(len(s.lines) for s in read_statements(path)) > 0
        return
    amounts = [Decimal(str(t.data["amount"].amount)) for t in oracle]
    opening, closing = oracle.data.get("final_opening_balance"), oracle.data.get("final_closing_balance")
    blocks = re.split(r"\n:6[02][FM]:", path.read_text(encoding="utf-8", errors="replace"))
    try:
        statements = read_statements(path)
    except InputError as exc:  # must be a genuine mismatch: recompute every block's balance ourselves
        assert "balance: closing balance" in str(exc)
        assert _some_block_unbalanced(path)
        return
    assert [ln.amount for s in statements for ln in s.lines] == amounts
    assert not _some_block_unbalanced(path)
    if opening is not None and closing is not None and len(blocks) == 3:
        assert statements[0].opening == Decimal(str(opening.amount.amount))


def _some_block_unbalanced(path):
    """Independent check: any :60x: ... :62x: block whose :61: amounts do not add up."""
    text = path.read_text(encoding="utf-8", errors="replace").replace("\r", "")
    for block in re.findall(r":60[FM]:(.*?):62[FM]:([^\n]*)", text, re.S):
        body, closing = block
        opening = re.match(r"([CD])\d{6}[A-Z]{3}([\d,]+)", body)
        sign = lambda mark, value: (-1 if mark in ("D", "RC") else 1) * Decimal(value.replace(",", ".").rstrip("."))
        total = sign(opening[1], opening[2])
        for mark, value in re.findall(r"\n:61:\d{6}(?:\d{4})?(RC|RD|C|D)[A-Z]?(\d[\d,]*)", body):
            total += sign(mark, value)
        end = re.match(r"([CD])\d{6}[A-Z]{3}([\d,]+)", closing)
        if total != sign(end[1], end[2]):
            return True
    return False


@pytest.mark.parametrize("path", corpus("ofx"), ids=lambda p: p.name)
def test_ofx_corpus(path):
    text = path.read_bytes().decode("latin-1")
    expected = len(re.findall(r"<STMTTRN>", text, re.I))
    statements = read_statements(path)
    assert sum(len(s.lines) for s in statements) == expected
    fitids = [v for v in re.findall(r"<FITID>([^<\r\n]*)", text, re.I) if v.strip()]
    assert sorted(ln.ref for s in statements for ln in s.lines if ln.ref) == sorted(v.strip() for v in fitids)


# A € or $ in a payer's or memo's text ("Café €Rémy", "CAFÉ — €20 REÇU") does not name the file's currency.
NEEDS_CURRENCY = {"ca_bmo_debit.csv": "CAD", "cn_generic_gb18030.csv": "CNY", "fr_credit_mutuel_latin9.csv": "EUR",
                  "fr_style_preamble_debit_credit.csv": "EUR", "semicolon_preamble.csv": "USD",
                  "windows1252_euro.csv": "EUR", "fr_sample_cp1252.csv": "EUR"}
NEEDS_MAPPING = {"nl_asn_noheader.csv": (("date", "1"), ("payer", "4"), ("amount", "11"), ("memo", "18"))}


@pytest.mark.parametrize("path", corpus("csv"), ids=lambda p: p.name)
def test_csv_corpus_imports_after_at_most_a_currency_or_mapping(path):
    name = path.name
    if name in NEEDS_CURRENCY:
        with pytest.raises(InputError, match="currency"):
            read_statements(path)
    if name in NEEDS_MAPPING:  # header-less: understood from its content, and the same with the mapping
        unmapped = read_statements(path, Options(currency="EUR"))[0].lines
        mapped = read_statements(path, Options(currency="EUR", mapping=NEEDS_MAPPING[name]))[0].lines
        assert [(ln.date, ln.amount) for ln in unmapped] == [(ln.date, ln.amount) for ln in mapped]
    options = Options(currency=NEEDS_CURRENCY.get(name, "EUR" if name in NEEDS_MAPPING else None),
                      mapping=NEEDS_MAPPING.get(name, ()))
    (statement,) = read_statements(path, options)
    assert statement.lines
    assert all(ln.currency and re.fullmatch(r"[A-Z]{3}", ln.currency) for ln in statement.lines)
    physical_rows = [ln for ln in path.read_bytes().splitlines() if ln.strip()]
    headerless = name in NEEDS_MAPPING
    assert len(statement.lines) <= len(physical_rows) - (0 if headerless else 1)  # a header is no transaction
