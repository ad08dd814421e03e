"""Aging: a hand-checked book with known answers for every column, and property tests on random books."""
from datetime import date, timedelta
from decimal import Decimal as D

from hypothesis import given, settings, strategies as st

from arbook.domain.aging import Policy, age
from arbook.model.frames import make_frame
from arbook.model.schema import ALLOCATIONS, BANK, CUSTOMERS, INVOICES

AS_OF = date(2026, 10, 31)


def frames(invoices, payments, customers=None):
    customers = customers or [
        {"Customer ID": "C1", "Name": "山田商事", "Language": "ja", "Currency": "JPY", "Credit Limit": D(300000)},
        {"Customer ID": "C2", "Name": "Acme", "Language": "en", "Currency": "USD", "Credit Limit": D("1000.00")}]
    inv = make_frame(INVOICES, [{"Invoice No": n, "Customer ID": c, "Issue Date": i, "Due Date": d, "Currency": ccy,
                                 "Amount": a, "Disputed": x} for n, c, i, d, ccy, a, x in invoices])
    bank = make_frame(BANK, [{"Bank Ref": f"B{k}", "Date": day, "Amount": amt, "Currency": ccy}
                             for k, (_, day, amt, ccy, _, _) in enumerate(payments)])
    alloc = make_frame(ALLOCATIONS, [{"Bank Ref": f"B{k}", "Invoice No": n, "Customer ID": cid, "Applied Amount": amt,
                                      "Status": status, "Rule": "unapplied cash" if n is None else "test"}
                                     for k, (n, _, amt, _, cid, status) in enumerate(payments)])
    return make_frame(CUSTOMERS, customers), inv, alloc, bank


def test_hand_checked_example():
    invoices = [
        ("I1", "C1", date(2026, 6, 1), date(2026, 6, 30), "JPY", D(100000), None),   # 123 days late, unpaid
        ("I2", "C1", date(2026, 9, 1), date(2026, 9, 30), "JPY", D(50000), None),    # 31 days, part paid
        ("I3", "C1", date(2026, 10, 1), date(2026, 10, 31), "JPY", D(70000), None),  # due today: current
        ("I4", "C1", date(2026, 8, 1), date(2026, 8, 31), "JPY", D(20000), True),    # disputed, 61 days
        ("I5", "C2", date(2026, 9, 10), date(2026, 10, 10), "USD", D("400.00"), None),  # paid 5 days late
        ("I6", "C2", date(2026, 11, 5), date(2026, 12, 5), "USD", D("999.00"), None),   # issued after as-of
    ]
    payments = [  # (invoice, bank date, amount, currency, customer, status)
        ("I2", date(2026, 10, 5), D(20000), "JPY", "C1", "auto"),
        ("I5", date(2026, 10, 15), D("400.00"), "USD", "C2", "confirmed"),
        (None, date(2026, 10, 15), D("50.00"), "USD", "C2", "auto"),          # unapplied cash
        ("I3", date(2026, 11, 2), D(70000), "JPY", "C1", "auto"),             # after as-of: not yet paid
        ("I1", date(2026, 10, 1), D(100000), "JPY", "C1", "suggested"),       # not decided: not paid
    ]
    result = age(*frames(invoices, payments), Policy(), AS_OF)
    inv = result.invoices.set_index("Invoice No")
    expect = {  # Applied, Open, Days Overdue, Bucket, Status, Reminder Level
        "I1": (D(0), D(100000), 123, ">120", "open", 3),
        "I2": (D(20000), D(30000), 31, "31-60", "partial", 2),
        "I3": (D(0), D(70000), 0, "Current", "open", None),
        "I4": (D(0), D(20000), 61, "61-90", "disputed", None),
        "I5": (D("400.00"), D("0.00"), None, None, "paid", None),
        "I6": (None, None, None, None, None, None),
    }
    for number, values in expect.items():
        got = tuple(inv.loc[number, c] for c in ("Applied", "Open", "Days Overdue", "Bucket", "Status", "Reminder Level"))
        assert got == values, number
    customers = result.customers.set_index("Customer ID")
    c1, c2 = customers.loc["C1"], customers.loc["C2"]
    assert (c1["Balance"], c1["Overdue"], c1["Unapplied"], c1["Credit Used %"]) == (D(220000), D(150000), D(0), 73.3)
    assert c1["Credit Status"] == "Hold"  # something is more than 90 days overdue
    assert (c2["Balance"], c2["Unapplied"], c2["Credit Status"], c2["Avg Days Late"]) == (D("-50.00"), D("50.00"), "OK", 5.0)
    assert c2["Last Payment"] == date(2026, 10, 15) and c1["Last Payment"] == date(2026, 10, 5)
    assert c1["Grade"] == "A" and c2["Grade"] == "A"
    aging = result.aging.set_index("Customer")
    jpy = aging.loc["Total JPY"]
    assert (jpy["Current"], jpy["31-60"], jpy["61-90"], jpy[">120"], jpy["Total Open"]) == (
        D(70000), D(30000), D(20000), D(100000), D(220000))
    assert aging.loc["Total USD", "Unapplied"] == D("50.00") and aging.loc["Total USD", "Net"] == D("-50.00")


def test_policy_from_settings_and_labels():
    policy = Policy.from_settings({"Aging Buckets": "15,45", "Reminder Days": "1,10", "Hold Days Overdue": "30"})
    assert policy.labels == ["1-15", "16-45", ">45"] and policy.bucket(16) == "16-45" and policy.bucket(0) == "Current"
    assert policy.reminder(10) == 2 and policy.hold_days == 30


invoice_strategy = st.lists(st.tuples(
    st.sampled_from(["C1", "C2"]), st.integers(0, 400), st.integers(0, 90), st.integers(1, 10**7), st.booleans(),
    st.integers(0, 3)), min_size=1, max_size=25)


@settings(max_examples=60, deadline=None)
@given(invoice_strategy, st.integers(0, 500))
def test_aging_properties(rows, as_of_offset):
    start = date(2025, 6, 1)
    as_of = start + timedelta(days=as_of_offset)
    invoices, payments = [], []
    for k, (cid, issue_day, terms, amount, disputed, paid_quarters) in enumerate(rows):
        currency = "JPY" if cid == "C1" else "USD"
        value = D(amount) if currency == "JPY" else D(amount) / 100
        issued = start + timedelta(days=issue_day)
        invoices.append((f"I{k}", cid, issued, issued + timedelta(days=terms), currency, value, disputed or None))
        if paid_quarters:
            part = value if paid_quarters == 3 else (value / 4 * paid_quarters).quantize(D(1) if currency == "JPY" else D("0.01"))
            payments.append((f"I{k}", issued + timedelta(days=terms // 2), part, currency, cid, "auto"))
    result = age(*frames(invoices, payments), Policy(), as_of)
    inv = result.invoices
    for row in inv.to_dict("records"):
        issued = row["Issue Date"]
        if issued > as_of:
            assert row["Open"] is None and row["Bucket"] is None
            continue
        assert row["Open"] == row["Amount"] - row["Applied"]
        if row["Open"] <= 0:
            assert row["Bucket"] is None and row["Status"] == "paid"
    totals = result.aging[result.aging["Customer ID"].isna()].set_index("Currency")
    for currency in ("JPY", "USD"):
        mine = inv[(inv["Currency"] == currency) & inv["Open"].notna()]
        open_ar = sum((o for o in mine["Open"] if o > 0), D(0))
        buckets = ["Current", *Policy().labels]
        if currency in totals.index:
            assert sum((totals.loc[currency, b] for b in buckets), D(0)) == open_ar == totals.loc[currency, "Total Open"]
        else:
            assert open_ar == 0
