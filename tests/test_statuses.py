"""Status and rule words live in model/statuses.py only; the schema's choices come from there."""
import ast
from pathlib import Path

from arbook.model import schema, statuses
from arbook.model.statuses import AllocationStatus, BankStatus, CreditStatus, InvoiceStatus, Rule

ENGINE = Path(__file__).resolve().parents[1] / "engine" / "arbook"
# Words that also mean something else in the code (a command name, a label key, an English word).
AMBIGUOUS = {"new", "open", "partial", "paid", "OK", "yes", "no"}


def test_schema_choices_are_the_enums():
    assert schema.ALLOCATIONS.column("Status").choices == tuple(AllocationStatus)
    assert schema.BANK.column("Status").choices == tuple(BankStatus)
    assert schema.INVOICES.column("Status").choices == tuple(InvoiceStatus)
    assert schema.CUSTOMERS.column("Credit Status").choices == tuple(CreditStatus)


def test_no_status_or_rule_literals_outside_statuses():
    words = {m.value for e in (AllocationStatus, BankStatus, InvoiceStatus, CreditStatus, Rule) for m in e} - AMBIGUOUS
    found = []
    for path in ENGINE.rglob("*.py"):
        if path.name == "statuses.py" or path.parent.name == "bankfiles":  # bank files' own status words
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in words:
                found.append(f"{path.relative_to(ENGINE)}:{node.lineno}: {node.value!r}")
    assert not found
    assert statuses.choices(Rule)[-1] == "unapplied cash"
