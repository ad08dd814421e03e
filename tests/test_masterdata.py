from datetime import date
from decimal import Decimal

import pytest

from arbook.model.frames import empty_frame, make_frame
from arbook.model.errors import InputError
from arbook.services.masterdata import complete_invoices, load_input, upsert
from arbook.model.schema import CUSTOMERS, INVOICES
from arbook.adapters.tabular import TableFile


def table(header, *rows):
    return TableFile("f.csv", list(header), [list(r) for r in rows], list(range(2, 2 + len(rows))))


def test_upsert_updates_only_present_columns_and_appends_new():
    current = make_frame(CUSTOMERS, [
        {"Customer ID": "C1", "Name": "Old", "Email": "keep@x", "Language": "en", "Currency": "USD", "Balance": Decimal(5)},
        {"Customer ID": "C2", "Name": "Same", "Language": "en", "Currency": "USD"},
    ])
    incoming, present = load_input(CUSTOMERS, table(["Customer ID", "name", "Language", "Currency"],
                                                    ["C1", "New", "en", "USD"], ["C2", "Same", "en", "USD"],
                                                    ["C3", "Added", "ja", "JPY"]))
    assert present == ["Customer ID", "Name", "Language", "Currency"]
    result = upsert(CUSTOMERS, current, incoming, present)
    assert (result.added, result.updated, result.unchanged) == (1, 1, 1)
    rows = result.frame.set_index("Customer ID")
    assert rows.loc["C1", "Name"] == "New" and rows.loc["C1", "Email"] == "keep@x"
    assert rows.loc["C1", "Balance"] == Decimal(5)  # computed values stay until recalculated
    assert rows.loc["C3", "Currency"] == "JPY" and list(result.frame["Customer ID"]) == ["C1", "C2", "C3"]


def test_computed_columns_in_a_file_are_ignored():
    incoming, present = load_input(CUSTOMERS, table(["Customer ID", "Name", "Language", "Currency", "Balance"],
                                                    ["C1", "A", "en", "USD", "999"]))
    assert "Balance" not in present and incoming["Balance"].iloc[0] is None


def test_due_date_defaults_from_terms_and_must_not_precede_issue():
    customers = make_frame(CUSTOMERS, [{"Customer ID": "C1", "Name": "A", "Language": "ja", "Currency": "JPY",
                                        "Terms Days": 45}])
    invoices, _ = load_input(INVOICES, table(INVOICES.headers[:6], ["I1", "C1", "2026-10-01", "", "JPY", "100"]))
    assert complete_invoices(invoices, customers, "f.csv")["Due Date"].iloc[0] == date(2026, 11, 15)
    bad, _ = load_input(INVOICES, table(INVOICES.headers[:6], ["I1", "C1", "2026-10-01", "2026-09-01", "JPY", "100"]))
    with pytest.raises(InputError, match="f.csv:2: Due Date: 2026-09-01 is before Issue Date"):
        complete_invoices(bad, customers, "f.csv")


def test_all_problems_are_collected_first_is_reported():
    with pytest.raises(InputError) as info:
        load_input(INVOICES, table(INVOICES.headers[:6], ["I1", "", "bad", "", "JPY", "1.5"],
                                   ["I2", "C1", "2026-10-01", "", "JPY", "x"]))
    assert len(info.value.problems) == 4
    assert str(info.value).startswith("f.csv:2: Customer ID: is required (and 3 more)")


def test_empty_frame_has_schema_columns():
    assert list(empty_frame(INVOICES).columns) == INVOICES.headers


def test_an_empty_cell_that_empties_a_field_is_named_in_the_summary():
    current = make_frame(CUSTOMERS, [
        {"Customer ID": "C2", "Name": "東和電器", "Name Kana": "トウワデンキ", "Language": "ja", "Currency": "JPY"}])
    incoming, present = load_input(CUSTOMERS, table(["Customer ID", "Name", "Name Kana", "Language", "Currency"],
                                                    ["C2", "東和電器", "", "ja", "JPY"]))
    result = upsert(CUSTOMERS, current, incoming, present)
    assert result.frame.loc[0, "Name Kana"] is None  # the file says so: emptied, and told
    assert "1 updated" in result.summary("Customers") and "emptied by empty cells: C2 Name Kana" in result.summary(
        "Customers")
