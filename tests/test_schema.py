
from arbook.model import schema
from arbook.model.schema import Kind, Role
from arbook.model.schemadoc import schema_text

ISSUE_INPUT_HEADERS = {
    "Customers": ["Customer ID", "Name", "Name Kana", "Payer Names", "Email", "Language", "Currency",
                  "Terms Days", "Credit Limit", "Fee Deduction", "Currencies", "Paid By", "CC Emails", "Address",
                  "Postal Code", "Contact", "Department", "Honorific", "Delivery", "Confirmation", "Confirmed Balance",
                  "Confirmed On"],
    "Invoices": ["Invoice No", "Customer ID", "Issue Date", "Due Date", "Currency", "Amount", "Disputed", "Type", "Ref"],
    "Bank": ["Bank Ref", "Date", "Amount", "Currency", "Payer", "Memo", "Account", "Source", "Fingerprint", "Status",
             "Raw Text", "Charges"],
    "Allocations": ["Bank Ref", "Invoice No", "Customer ID", "Applied Amount", "Status", "Rule", "Reason", "Score",
                    "Date", "Account"],
}


def test_input_headers_are_exactly_the_agreed_ones():
    for name, headers in ISSUE_INPUT_HEADERS.items():
        assert [c.name for c in schema.sheet(name).input_columns] == headers


#: Input columns added after a sheet's computed ones (new columns go at the end so older books upgrade).
APPENDED_INPUTS = {"Currencies", "Type", "Ref", "Date", "Account", "Paid By", "CC Emails", "Address", "Postal Code",
                   "Contact", "Department", "Honorific", "Delivery", "Confirmation", "Confirmed Balance",
                   "Confirmed On", "Apply To", "Charges"}


def test_computed_columns_follow_inputs_and_are_declared():
    for sheet in schema.SHEETS:
        roles = [c.role for c in sheet.columns if c.name not in APPENDED_INPUTS or c.role is Role.COMPUTED]
        assert roles == sorted(roles, key=lambda r: r is Role.COMPUTED), sheet.name
    assert {"Applied", "Open", "Days Overdue", "Bucket", "Status"} <= {c.name for c in schema.INVOICES.computed_columns}
    assert {"Balance", "Credit Status"} <= {c.name for c in schema.CUSTOMERS.computed_columns}


def test_headers_unique_and_money_currency_columns_exist():
    for sheet in schema.SHEETS:
        assert len(set(sheet.headers)) == len(sheet.headers)
        assert sheet.table_name.isidentifier()
        for column in sheet.columns:
            if column.currency_col:
                assert sheet.column(column.currency_col).kind is Kind.CHOICE
            if column.kind is Kind.CHOICE:
                assert column.choices, column.name
        for key in sheet.key:
            assert sheet.column(key).required


def test_sheet_lookup_is_case_insensitive_and_errors_name_the_choices():
    assert schema.sheet("invoices") is schema.INVOICES
    try:
        schema.sheet("Invoice")
    except Exception as exc:
        assert "Customers" in str(exc) and "'Invoice'" in str(exc)
    else:
        raise AssertionError("unknown sheet accepted")


def test_schema_text_lists_every_column():
    text = schema_text(markdown=True)
    for sheet in schema.SHEETS:
        assert f"### {sheet.name}" in text
        for column in sheet.columns:
            assert f"| {column.name} |" in text


def test_schema_reference_is_current():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "docs" / "schema.md").read_text(encoding="utf-8")
    section = readme.split("<!-- schema:start -->\n")[1].split("<!-- schema:end -->")[0]
    assert section == schema_text(markdown=True), "run: arbook schema --markdown and paste into docs/schema.md"
