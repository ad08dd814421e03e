"""Every matching rule on a small hand-made book, and the decisions around them."""
from datetime import date
from decimal import Decimal as D

import pandas as pd
import pytest

from arbook.model.frames import make_frame
from arbook.domain.matching.engine import run_matching
from arbook.model.schema import ALLOCATIONS, BANK, CUSTOMERS, INVOICES

CUSTOMERS_ROWS = [
    {"Customer ID": "C1", "Name": "株式会社山田商事", "Name Kana": "ヤマダショウジ", "Language": "ja", "Currency": "JPY",
     "Fee Deduction": D(880)},
    {"Customer ID": "C2", "Name": "上海华贸有限公司", "Language": "zh", "Currency": "CNY", "Fee Deduction": D(0)},
    {"Customer ID": "C3", "Name": "Acme Traders Inc.", "Language": "en", "Currency": "USD", "Fee Deduction": D(25)},
    {"Customer ID": "C4", "Name": "Beta Foods LLC", "Language": "en", "Currency": "USD", "Fee Deduction": D(0)},
]
INVOICE_ROWS = [  # (number, customer, issued, currency, amount, disputed)
    ("INV-1001", "C1", date(2026, 7, 1), "JPY", D(110000), False),
    ("INV-1002", "C1", date(2026, 8, 1), "JPY", D(55000), False),
    ("INV-1003", "C1", date(2026, 9, 1), "JPY", D(33000), False),
    ("INV-1010", "C2", date(2026, 8, 5), "CNY", D("12345.67"), False),
    ("INV-1020", "C3", date(2026, 8, 1), "USD", D("500.00"), False),   # monthly plan
    ("INV-1021", "C3", date(2026, 9, 1), "USD", D("500.00"), False),
    ("INV-1022", "C3", date(2026, 10, 1), "USD", D("500.00"), False),
    ("INV-1030", "C4", date(2026, 9, 3), "USD", D("750.00"), True),    # disputed
    ("INV-1031", "C4", date(2026, 9, 10), "USD", D("500.00"), False),  # same amount as C3's plan
]


def book(lines):
    customers = make_frame(CUSTOMERS, CUSTOMERS_ROWS)
    invoices = make_frame(INVOICES, [{"Invoice No": n, "Customer ID": c, "Issue Date": d, "Due Date": d,
                                      "Currency": ccy, "Amount": a, "Disputed": x}
                                     for n, c, d, ccy, a, x in INVOICE_ROWS])
    bank = make_frame(BANK, [{"Bank Ref": f"B{i}", "Date": date(2026, 10, 20 + i // 10), "Amount": D(a),
                              "Currency": ccy, "Payer": payer, "Memo": memo, "Status": "new"}
                             for i, (a, ccy, payer, memo) in enumerate(lines)])
    return customers, invoices, bank


def match(lines, allocations=None):
    customers, invoices, bank = book(lines)
    return run_matching(customers, invoices, bank, allocations if allocations is not None else make_frame(ALLOCATIONS, []))


def rows(result, ref="B0"):
    frame = result.allocations[result.allocations["Bank Ref"] == ref]
    return [(r["Invoice No"], r["Applied Amount"], r["Status"], r["Rule"]) for r in frame.to_dict("records")]


def reason(result, ref="B0"):
    return result.allocations.loc[result.allocations["Bank Ref"] == ref, "Reason"].iloc[0]


@pytest.mark.parametrize("memo", ["INV-1002", "INV 1002", "inv-1002.", "ＩＮＶ－１００２", "1002", "ｾｲｷﾕｳ1002"])
def test_invoice_number_in_memo_any_form(memo):
    result = match([("55000", "JPY", "ﾀﾆﾝ", memo)])
    assert rows(result) == [("INV-1002", D(55000), "auto", "invoice no + amount")]
    assert "invoice no INV-1002 in the payment" in reason(result) and "amount equals the open amount" in reason(result)


def test_number_glued_to_the_payer_name():
    result = match([("55000", "JPY", "1002 ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "")])
    assert rows(result) == [("INV-1002", D(55000), "auto", "invoice no + amount")]
    assert "payer equals kana" in reason(result)


def test_name_and_amount_without_memo():
    result = match([("33000", "JPY", "ﾔﾏﾀﾞｼﾖｳｼﾞ(ｶ", "")])
    assert rows(result) == [("INV-1003", D(33000), "auto", "name + amount")]


def test_fee_deducted_within_the_clients_allowance():
    result = match([("54340", "JPY", "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "")])  # 55,000 less 660
    assert rows(result) == [("INV-1002", D(55000), "auto", "name + amount - fee"), (None, D(-660), "auto", "bank fee")]
    too_much = match([("54000", "JPY", "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "")])  # 1,000 is more than the 880 allowed
    assert all(status != "auto" for _, _, status, _ in rows(too_much))


def test_several_invoices_together_with_and_without_fee():
    result = match([("165000", "JPY", "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "")])
    assert [r[0] for r in rows(result)] == ["INV-1001", "INV-1002"] and rows(result)[0][3] == "name + several invoices"
    with_fee = match([("197120", "JPY", "ﾔﾏﾀﾞｼﾖｳｼﾞ", "")])  # all three less 880
    assert [r[0] for r in rows(with_fee)] == ["INV-1001", "INV-1002", "INV-1003", None]
    assert rows(with_fee)[-1] == (None, D(-880), "auto", "bank fee")


def test_partial_payment_of_the_referenced_invoice_is_proposed_with_its_residual():
    result = match([("50000", "JPY", "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "INV-1001")])
    assert rows(result) == [("INV-1001", D(50000), "suggested", "invoice no, part paid")]
    assert "JPY 60,000 stays open" in reason(result)


def test_overpayment_leaves_unapplied_cash():
    result = match([("12400.00", "CNY", "上海华贸有限公司", "INV-1010")])
    assert rows(result) == [("INV-1010", D("12345.67"), "auto", "invoice no, overpaid"),
                            (None, D("54.33"), "auto", "unapplied cash")]
    bank = result.bank.set_index("Bank Ref")
    assert bank.loc["B0", "Applied"] == D("12345.67") and bank.loc["B0", "Unapplied"] == D("54.33")


def test_overpayment_of_the_named_invoice_with_others_open_part_pays_the_oldest_for_review():
    result = match([("75000", "JPY", "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "INV-1002")])  # 55,000 named + 20,000 towards another
    assert rows(result) == [("INV-1002", D(55000), "suggested", "invoice no, overpaid"),
                            (None, D(20000), "suggested", "unapplied cash"),
                            ("INV-1002", D(55000), "suggested", "invoice no, part paid"),  # the reading beside it
                            ("INV-1001", D(20000), "suggested", "invoice no, part paid")]
    assert "the JPY 20,000 over it pays INV-1001 oldest first, JPY 90,000 staying open on INV-1001" in \
        " ".join(result.review["Reason"])
    small = match([("55500", "JPY", "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "INV-1002")])  # 500 over: no part payment, a surplus
    assert rows(small)[0] == ("INV-1002", D(55000), "auto", "invoice no, overpaid")


def test_subscription_payments_take_the_oldest_invoice_of_that_amount_in_turn():
    result = match([("500.00", "USD", "ACME TRADERS", ""), ("500.00", "USD", "ACME TRADERS INC", "")])
    assert rows(result, "B0")[0][0] == "INV-1020" and rows(result, "B1")[0][0] == "INV-1021"
    assert "3 open invoices of this amount: the oldest, INV-1020" in reason(result, "B0")


def test_third_party_paying_with_the_invoice_number():
    result = match([("12345.67", "CNY", "代付服务有限公司", "货款 INV-1010")])
    assert rows(result) == [("INV-1010", D("12345.67"), "auto", "invoice no + amount")]
    assert "payer not recognised" in reason(result)


def test_same_amount_at_two_clients_and_unknown_payer_is_only_suggested():
    result = match([("500.00", "USD", "JOHN SMITH", "")])
    assert {r[2] for r in rows(result)} == {"suggested"}
    assert set(result.review["Customer ID"]) == {"C3", "C4"} and set(result.review["Rule"]) == {"amount only"}


def test_credits_that_pay_nothing_stay_unmatched():
    result = match([("123", "JPY", "ﾘｿｸ", "ﾘｿｸ"), ("99999.00", "USD", "OWN ACCOUNT TRANSFER", "")])
    assert result.unmatched == 2 and result.allocations.empty
    assert set(result.bank["Status"]) == {"unmatched"}


def test_disputed_invoice_is_never_applied_automatically():
    referenced = match([("750.00", "USD", "BETA FOODS LLC", "INV-1030")])
    assert {r[2] for r in rows(referenced)} == {"suggested"}
    by_amount = match([("750.00", "USD", "BETA FOODS LLC", "")])
    assert all(r[0] != "INV-1030" or r[2] != "auto" for r in rows(by_amount))


def test_rejected_proposal_is_not_made_again_and_rerun_adds_no_duplicates():
    first = match([("33000", "JPY", "ﾔﾏﾀﾞｼﾖｳｼﾞ", "")])
    allocations = first.allocations.copy()
    again = run_matching(*book([("33000", "JPY", "ﾔﾏﾀﾞｼﾖｳｼﾞ", "")]), allocations)
    assert again.considered == 0 and len(again.allocations) == len(allocations)
    allocations.loc[:, "Status"] = "rejected"
    after_reject = run_matching(*book([("33000", "JPY", "ﾔﾏﾀﾞｼﾖｳｼﾞ", "")]), allocations)
    assert not (after_reject.allocations["Status"] == "auto").any()


def test_matching_is_deterministic_and_parallel_equals_single():
    lines = [("55000", "JPY", "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", ""), ("500.00", "USD", "ACME TRADERS", ""),
             ("12345.67", "CNY", "上海华贸有限公司", ""), ("500.00", "USD", "JOHN SMITH", "")]
    customers, invoices, bank = book(lines)
    empty = make_frame(ALLOCATIONS, [])
    single = run_matching(customers, invoices, bank, empty, workers=1)
    parallel = run_matching(customers, invoices, bank, empty, workers=2, parallel_from=1)
    assert single.allocations.equals(parallel.allocations) and single.review.equals(parallel.review)
    assert single.allocations.equals(run_matching(customers, invoices, bank, empty, workers=1).allocations)


def test_every_allocation_adds_up_to_its_bank_line():
    lines = [("54340", "JPY", "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", ""), ("12400.00", "CNY", "上海华贸有限公司", "INV-1010"),
             ("500.00", "USD", "ACME TRADERS", "")]
    result = match(lines)
    totals = result.allocations.groupby("Bank Ref")["Applied Amount"].apply(lambda s: sum(s, D(0)))
    amounts = dict(zip(result.bank["Bank Ref"], result.bank["Amount"]))
    assert all(totals[ref] == amounts[ref] for ref in totals.index)
    assert isinstance(result.allocations, pd.DataFrame)
