"""One table of user-facing words: complete in every language, and no Japanese/Chinese output words elsewhere."""
import ast
from pathlib import Path

from arbook.domain.ledger import ledger_report
from arbook.model.words import LANGUAGES, WORDS, words

ENGINE = Path(__file__).resolve().parents[1] / "engine" / "arbook"
# Modules whose CJK strings are words read from input (bank headers, dates, names), not output.
READERS = {"sampledata.py", "samplebank.py", "samplepay.py", "model/textparse.py", "domain/matching/normalize.py", "adapters/bankfiles/csvbank.py",
           "adapters/bankfiles/zengin.py", "adapters/bankfiles/payers.py", "domain/matching/names.py", "domain/matching/readings.py",
           "model/words.py"}


def _cjk(text: str) -> bool:
    """Japanese or Chinese words, not an English help text with a gloss such as (入金消込; 核销)."""
    count = sum("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)
    return count > 0 and count * 5 > len(text)


def test_every_word_exists_in_every_language():
    assert all(len(forms) == len(LANGUAGES) and all(f.strip() for f in forms) for forms in WORDS.values())


def test_no_japanese_or_chinese_output_words_outside_the_table():
    found = []
    for path in ENGINE.rglob("*.py"):
        relative = path.relative_to(ENGINE).as_posix()
        if relative in READERS:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
                      and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        found += [f"{relative}:{n.lineno}" for n in ast.walk(tree) if isinstance(n, ast.Constant)
                  and isinstance(n.value, str) and id(n) not in docstrings and _cjk(n.value)]
    assert not found


def test_ledger_and_statement_describe_a_deducted_fee_with_the_same_word():
    from datetime import date
    from decimal import Decimal as D

    from arbook.domain.ledger import AccountRows, ledger_events
    from arbook.model.frames import make_frame
    from arbook.model.schema import ALLOCATIONS, BANK, INVOICES
    from arbook.services.statements import statement_context

    invoices = make_frame(INVOICES, [{"Invoice No": "I1", "Customer ID": "C1", "Issue Date": date(2026, 9, 1),
                                      "Currency": "JPY", "Amount": D(110000)}])
    bank = make_frame(BANK, [{"Bank Ref": "B1", "Date": date(2026, 9, 30), "Amount": D(109120), "Currency": "JPY"}])
    allocations = make_frame(ALLOCATIONS, [
        {"Bank Ref": "B1", "Invoice No": "I1", "Customer ID": "C1", "Applied Amount": D(110000), "Status": "auto",
         "Rule": "name + amount - fee"},
        {"Bank Ref": "B1", "Invoice No": None, "Customer ID": "C1", "Applied Amount": D(-880), "Status": "auto",
         "Rule": "bank fee"}])
    rows = AccountRows.of(invoices, allocations, bank)
    for language in LANGUAGES:
        customer = {"Customer ID": "C1", "Name": "Client", "Language": language}
        ledger = ledger_report(customer, rows)
        statement = statement_context(customer, ledger_events("C1", rows), [], date(2026, 10, 31),
                                      date(2026, 9, 1), False, {})
        fee = words(language)["kind_fee"]
        assert [r[2] for r in ledger.rows if r[2] == fee] == [l["description"] for l in statement["lines"]
                                                               if l["description"] == fee] == [fee]
    assert words("ja")["kind_fee"] == "振込手数料（差引）"
