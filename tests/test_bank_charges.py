"""The bank charges a camt.053 statement states for a credit: read, stored on Bank, used by `arbook match`.

Fixtures are hand-written from the published ISO 20022 schemas: camt.053.001.02 ``AmountAndCurrencyExchange3``
(``AmtDtls/InstdAmt/Amt``, ``AmtDtls/TxAmt/Amt``, ``AmtDtls/CntrValAmt/Amt``) and ``ChargesInformation6``
(``Chrgs`` repeated, each with ``Amt`` and ``CdtDbtInd``); camt.053.001.04+ ``Charges`` (``Chrgs/Rcrd/Amt``
with ``ChrgInclInd``). None of the public camt files in /work/shared/bank-samples states charges.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D
from pathlib import Path

from arbook.adapters.book import new_book, open_book
from arbook.adapters.bankfiles import Options, detect
from arbook.cli import main
from arbook.domain.matching.engine import open_items
from arbook.model.frames import make_frame
from arbook.model.schema import CUSTOMERS, INVOICES
from samplegen.samplebank import Account, SynthLine, camt053

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{v}"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-11-03T08:00:00</CreDtTm></GrpHdr><Stmt><Id>S1</Id>
<Acct><Id><Othr><Id>US-4711</Id></Othr></Id><Ccy>USD</Ccy></Acct>
"""
TAIL = "</Stmt></BkToCstmrStmt></Document>"


def entry(amount: str, ref: str, inner: str = "", details: str = "", sign: str = "CRDT") -> str:
    """One booked entry of ``amount`` USD; ``inner``: entry-level elements after BkTxCd; ``details``: TxDtls."""
    return (f'<Ntry><Amt Ccy="USD">{amount}</Amt><CdtDbtInd>{sign}</CdtDbtInd><Sts>BOOK</Sts>'
            f"<BookgDt><Dt>2026-11-02</Dt></BookgDt><AcctSvcrRef>{ref}</AcctSvcrRef>"
            f"<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>XBCT</SubFmlyCd></Fmly></Domn></BkTxCd>"
            f"{inner}" + (f"<NtryDtls>{details}</NtryDtls>" if details else "") + "</Ntry>\n")


def tx(amount: str | None, payer: str, memo: str, amt_dtls: str = "", charges: str = "") -> str:
    """One camt.053.001.02 TxDtls (Refs, AmtDtls, Chrgs, RltdPties, RmtInf); ``amount``: its own TxAmt."""
    amt_dtls += f'<TxAmt><Amt Ccy="USD">{amount}</Amt></TxAmt>' if amount else ""
    return ("<TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>"
            + (f"<AmtDtls>{amt_dtls}</AmtDtls>" if amt_dtls else "") + charges
            + f"<RltdPties><Dbtr><Nm>{payer}</Nm></Dbtr></RltdPties><RmtInf><Ustrd>{memo}</Ustrd></RmtInf></TxDtls>")


def instructed(amount: str, currency: str = "USD") -> str:
    return f'<InstdAmt><Amt Ccy="{currency}">{amount}</Amt></InstdAmt>'


def parse(xml: str) -> dict[str, D | None]:
    """Bank ref -> the stated charges of each line of a camt file."""
    data = xml.encode()
    importer = detect(data, "s.xml")
    assert importer.name == "camt"
    return {line.ref: line.charges for s in importer.parse(data, "s.xml", Options()) for line in s.lines}


def test_camt_053_001_02_instructed_amount_at_entry_and_transaction_level_and_repeated_charges():
    xml = HEAD.format(v="02") + "".join((
        entry("2485.63", "E1", f"<AmtDtls>{instructed('2500.00')}</AmtDtls>",
              tx(None, "ACME TRADING INC", "INV-9001")),
        entry("490.00", "E2", details=tx(None, "BETA LLC", "INV-9002",
                                         instructed("500.00") + '<TxAmt><Amt Ccy="USD">490.00</Amt></TxAmt>')),
        entry("1500.00", "E3", details=tx("1000.00", "GAMMA", "INV-1", instructed("1012.50")).replace(
            "NOTPROVIDED", "TX-A") + tx("500.00", "DELTA", "INV-2").replace("NOTPROVIDED", "TX-B")),
        entry("985.63", "E4", details=tx(None, "EPS LTD", "INV-9004", charges=(
            '<Chrgs><Amt Ccy="USD">12.50</Amt><CdtDbtInd>DBIT</CdtDbtInd></Chrgs>'
            '<Chrgs><Amt Ccy="USD">1.87</Amt></Chrgs>'
            '<Chrgs><Amt Ccy="EUR">3.00</Amt></Chrgs>'))),  # a charge in another currency is not this line's
        entry("920.00", "E5", details=tx(None, "ZETA GMBH", "INV-9005", instructed("1000.00", "EUR"))),
        entry("930.00", "E6", details=tx(None, "ETA SA", "INV-9006", instructed("1000.00", "EUR")
                                         + '<CntrValAmt><Amt Ccy="USD">945.00</Amt></CntrValAmt>')),
        entry("100.00", "E7", f"<AmtDtls>{instructed('110.00')}</AmtDtls>", sign="DBIT"),
        entry("300.00", "E8", f"<AmtDtls>{instructed('300.00')}</AmtDtls>"),
    )) + TAIL
    charges = parse(xml)
    assert charges == {"E1": D("14.37"), "E2": D("10.00"), "TX-A": D("12.50"), "TX-B": None,
                       "E4": D("14.37"), "E5": None, "E6": D("15.00"), "E7": None, "E8": None}


def test_camt_053_001_08_charge_records_count_only_when_deducted():
    records = ('<Chrgs><TtlChrgsAndTaxAmt Ccy="USD">25.00</TtlChrgsAndTaxAmt>'
               '<Rcrd><Amt Ccy="USD">14.37</Amt><CdtDbtInd>DBIT</CdtDbtInd><ChrgInclInd>true</ChrgInclInd></Rcrd>'
               '<Rcrd><Amt Ccy="USD">10.63</Amt><CdtDbtInd>DBIT</CdtDbtInd><ChrgInclInd>false</ChrgInclInd></Rcrd>'
               "</Chrgs>")
    xml = HEAD.format(v="08") + entry("2485.63", "R1", records, tx(None, "ACME TRADING INC", "INV-9001")) + TAIL
    assert parse(xml) == {"R1": D("14.37")}  # the 10.63 billed separately (not included) was not deducted


CUSTOMER = {"Customer ID": "C-ACME", "Name": "Acme Trading Inc.", "Language": "en", "Currency": "USD"}


def wire(folder: Path, stated: bool = True) -> Path:
    """A camt.053 of one USD 2,485.63 wire from Acme: USD 2,500.00 instructed (when ``stated``), 14.37 lost."""
    amt_dtls = f"<AmtDtls>{instructed('2500.00')}</AmtDtls>" if stated else ""
    folder.mkdir(exist_ok=True)
    path = folder / "camt053.xml"
    path.write_text(HEAD.format(v="02") + entry("2485.63", "WIRE-1", amt_dtls, tx(None, "ACME TRADING INC", "PAYMENT"))
                    + TAIL)
    return path


def _book_with_invoice(book_path: Path) -> Path:
    with open_book(book_path) as book:
        book.replace("Customers", make_frame(CUSTOMERS, [CUSTOMER]))
        book.replace("Invoices", make_frame(INVOICES, [
            {"Invoice No": "INV-9001", "Customer ID": "C-ACME", "Issue Date": date(2026, 9, 30),
             "Due Date": date(2026, 10, 31), "Currency": "USD", "Amount": D("2500.00")}]))
    return book_path


def test_match_closes_an_invoice_short_by_the_charge_the_statement_states(book_path, tmp_path, capsys):
    """USD 14.37 is no round wire fee: only the statement's InstdAmt makes the shortfall a fee."""
    statement = wire(tmp_path)
    _book_with_invoice(book_path)
    assert main(["import", str(book_path), str(statement)]) in (None, 0)
    assert main(["import", str(book_path), str(statement)]) in (None, 0)  # a re-import adds nothing
    assert main(["match", str(book_path)]) in (None, 0)
    capsys.readouterr()
    with open_book(book_path) as book:
        bank, allocations, invoices = book.read("Bank"), book.read("Allocations"), book.read("Invoices")
    assert list(bank["Bank Ref"]) == ["WIRE-1"] and bank["Charges"].iloc[0] == D("14.37")
    rows = allocations[allocations["Bank Ref"] == "WIRE-1"]
    assert set(rows["Status"]) == {"auto"}
    assert sorted(zip(rows["Invoice No"].fillna(""), rows["Applied Amount"])) == [("", D("-14.37")),
                                                                                  ("INV-9001", D("2500.00"))]
    fee = rows[rows["Rule"] == "bank fee"]
    assert len(fee) == 1
    assert "the charge the bank statement states for this payment" in rows["Reason"].iloc[0]
    assert "INV-9001" not in open_items(invoices, allocations)


def test_the_same_short_payment_without_a_stated_charge_stays_a_suggestion(book_path, tmp_path, capsys):
    statement = wire(tmp_path, stated=False)
    _book_with_invoice(book_path)
    assert main(["import", str(book_path), str(statement)]) in (None, 0)
    assert main(["match", str(book_path)]) in (None, 0)
    capsys.readouterr()
    with open_book(book_path) as book:
        bank, allocations, invoices = book.read("Bank"), book.read("Allocations"), book.read("Invoices")
    assert bank["Charges"].isna().all() or list(bank["Charges"]) == [None]
    rows = allocations[allocations["Bank Ref"] == "WIRE-1"]
    assert not rows.empty and set(rows["Status"]) == {"suggested"}
    assert "bank fee" not in set(rows["Rule"])
    assert "INV-9001" in open_items(invoices, allocations)


def test_a_line_imported_before_charges_existed_is_not_duplicated_and_gets_its_charge(book_path, tmp_path, capsys):
    """The fingerprint is the entry's own XML: a schema-4 book's line (no Charges) is the same line."""
    statement = wire(tmp_path)
    assert main(["import", str(book_path), str(statement)]) in (None, 0)
    with open_book(book_path) as book:
        bank = book.read("Bank")
        printed = list(bank["Fingerprint"])
        bank["Charges"] = None  # as the line stood when imported by schema 4
        book.replace("Bank", bank)
    assert main(["import", str(book_path), str(statement)]) in (None, 0)
    capsys.readouterr()
    with open_book(book_path) as book:
        bank = book.read("Bank")
    assert list(bank["Fingerprint"]) == printed and list(bank["Charges"]) == [D("14.37")]


def test_a_schema_4_book_upgrades_to_an_empty_charges_column_that_an_import_fills(tmp_path, capsys):
    book_path = tmp_path / "old.xlsx"
    book_path.write_bytes((Path(__file__).parent / "fixtures" / "books" / "schema4-sample.xlsx").read_bytes())
    assert main(["upgrade", str(book_path)]) in (None, 0)
    statement = wire(tmp_path)
    assert main(["import", str(book_path), str(statement)]) in (None, 0)
    capsys.readouterr()
    with open_book(book_path) as book:
        bank = book.read("Bank")
    assert list(bank.columns)[-1] == "Charges" and list(bank["Charges"]) == [D("14.37")]


def test_the_generators_camt_writer_states_the_instructed_amount():
    """samplegen writes InstdAmt for a wire paid short by an odd charge; the adapter reads the charge back."""
    lines = [SynthLine(date(2026, 11, 2), D("2485.63"), "ACME TRADING INC", "INV-9001", "US1", D("2500.00")),
             SynthLine(date(2026, 11, 2), D("300.00"), "BETA LLC", "INV-9002", "US2")]
    data = camt053(Account(currency="USD", iban="US00ARBK0000012345678"), D(0), lines, datetime(2026, 11, 3))
    assert parse(data.decode()) == {"US1": D("14.37"), "US2": None}


def test_apply_by_hand_takes_the_stated_charge_as_the_fee(book_path, tmp_path, capsys):
    """`arbook apply` of the short wire to its invoice books the stated USD 14.37 as a fee; without it, refused."""
    _book_with_invoice(book_path)
    assert main(["import", str(book_path), str(wire(tmp_path))]) in (None, 0)
    assert main(["apply", str(book_path), "WIRE-1", "INV-9001"]) in (None, 0)
    capsys.readouterr()
    with open_book(book_path) as book:
        allocations, invoices = book.read("Allocations"), book.read("Invoices")
    rows = allocations[allocations["Bank Ref"] == "WIRE-1"]
    assert sorted(zip(rows["Invoice No"].fillna(""), rows["Applied Amount"])) == [("", D("-14.37")),
                                                                                  ("INV-9001", D("2500.00"))]
    assert "INV-9001" not in open_items(invoices, allocations)
    unstated = _book_with_invoice(new_book(tmp_path / "other.xlsx"))
    assert main(["import", str(unstated), str(wire(tmp_path / "plain", stated=False))]) in (None, 0)
    try:
        main(["apply", str(unstated), "WIRE-1", "INV-9001"])
    except SystemExit as exc:
        assert exc.code == 1
    assert "short by no known bank fee" in capsys.readouterr().err
