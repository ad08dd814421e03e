"""MT940/MT942 as file transfers and banks really deliver them: wrapped tags and amounts,
continuation lines, fragments without header tags, MT942 interim reports, currency from the file
else --currency. Shapes follow the corpus (../shared/bank-samples/mt940: mBank MT942 :34F:/:13D:,
ING :86: wrapped mid-token) and SWIFT's 65-character line limit."""
from decimal import Decimal as D

import pytest

from arbook.adapters.bankfiles import Options, detect, read_statements
from arbook.model.errors import InputError

HEAD = ":20:STMT1\n:25:NL02ABNA0123456789\n:28C:1/1\n:60F:C261001EUR1000,00\n"


def read(tmp_path, text, **options):
    path = tmp_path / "s.sta"
    path.write_text(text, encoding="utf-8")
    return read_statements(path, Options(**options))


def test_amount_wrapped_onto_the_next_line(tmp_path):
    text = HEAD + ":61:2610021002C1\n00,00NTRFNONREF//B1\n:86:ACME\n:62F:C261002EUR1100,00\n-\n"
    (statement,) = read(tmp_path, text)
    assert [ln.amount for ln in statement.lines] == [D(100)]


def test_lone_colon_line_before_86(tmp_path):
    text = HEAD + ":61:2610021002C100,00NTRFNONREF\n:\n86:BY ORDER OF ACME TRADING LTD\n:62F:C261002EUR1100,00\n"
    (line,) = read(tmp_path, text)[0].lines
    assert line.payer == "ACME TRADING LTD"


def test_86_continuation_lines_are_joined(tmp_path):
    first = "TRANSFER FROM CRESCENT INDUSTRIES CORP INVOICE INV-2026-0001 AND INV"  # 65+ characters: cut mid-word
    assert len(first) >= 65
    text = HEAD + f":61:2610021002C100,00NTRFNONREF\n:86:{first[:65]}\n{first[65:]}-2026-0002 PAID\n:62F:C261002EUR1100,00\n"
    (line,) = read(tmp_path, text)[0].lines
    assert "INV-2026-0002" in line.memo and "INV-2026-0001" in line.memo
    assert line.payer == "CRESCENT INDUSTRIES CORP"


def test_fragment_without_20_and_25_needs_and_takes_the_currency(tmp_path):
    text = ":61:2610021002C100,00NTRFNONREF\n:86:ZELLE FROM JOHN SMITH\n:61:2610031003D20,00NTRFNONREF\n:86:FEE\n"
    assert detect(text.encode(), "frag.txt").name == "mt940"
    with pytest.raises(InputError, match="--currency"):
        read(tmp_path, text)
    (statement,) = read(tmp_path, text, currency="USD")
    assert [(ln.amount, ln.payer) for ln in statement.lines] == [(D(100), "JOHN SMITH"), (D(-20), "")]
    assert statement.currency == "USD"


def test_mt942_currency_from_34F(tmp_path):
    text = (":20:ST1\n:25:PL29114010810000267002001002\n:28C:1/1\n:34F:PLN0\n:13D:1701191815+0100\n"
            ":61:1701190119CN0,01NTRFNONREF//MB1\n:86:911 TRANSAKCJA; OD: JAN NOWAK  UL. NIJAKA 1; TYT.: PRZELEW\n"
            ":90C:1PLN0,01\n-\n")
    (statement,) = read(tmp_path, text)
    assert statement.format == "mt942" and statement.currency == "PLN"
    assert statement.lines[0].payer == "JAN NOWAK"


def test_balance_wrapped(tmp_path):
    text = HEAD + ":61:2610021002C100,00NTRFNONREF\n:86:x\n:62F:C261002EUR11\n00,00\n"
    (statement,) = read(tmp_path, text)
    assert statement.closing == D(1100)


def test_ing_counterparty_name_from_cntp_wrapped_mid_token(tmp_path):
    """ING NL structured :86: (shape of ../shared nl_ing_structured86.sta): /CNTP/account/BIC/name/city/."""
    text = (HEAD + ":61:2610021002C100,00NTRFEREF//00000000001\n"
            ":86:/EREF/EV123//CNTP/NL32INGB0000012345/INGBNL2\nA/ING BANK NV INZAKE WEB///REMI/USTD//Factuurnr 123456/\n"
            ":62F:C261002EUR1100,00\n")
    (line,) = read(tmp_path, text)[0].lines
    assert (line.payer, line.memo) == ("ING BANK NV INZAKE WEB", "Factuurnr 123456")
