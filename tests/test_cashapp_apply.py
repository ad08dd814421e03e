"""Manual allocation (``arbook apply`` and the Review sheet's Apply To column), learning third
parties into Paid By, and a customer master re-import that keeps what was learned."""
from datetime import date
from decimal import Decimal as D

import pytest

from arbook.adapters.book import open_book
from arbook.cli import main
from arbook.model.errors import ArbookError
from arbook.model.frames import make_frame
from arbook.model.schema import BANK, CUSTOMERS, INVOICES
from arbook.services.cashapp import apply_book, confirm_book, match_book


@pytest.fixture
def ar_book(book_path):
    with open_book(book_path) as book:
        book.replace("Customers", make_frame(CUSTOMERS, [
            {"Customer ID": "C1", "Name": "株式会社山田商事", "Name Kana": "ヤマダショウジ", "Language": "ja",
             "Currency": "JPY", "Fee Deduction": D(660)},
            {"Customer ID": "C2", "Name": "株式会社佐藤製作所", "Name Kana": "サトウセイサクショ", "Language": "ja",
             "Currency": "JPY"},
            {"Customer ID": "U1", "Name": "Acme Traders Inc.", "Language": "en", "Currency": "USD"}]))
        book.replace("Invoices", make_frame(INVOICES, [
            {"Invoice No": n, "Customer ID": c, "Issue Date": date(2026, 9, d), "Due Date": date(2026, 10, d),
             "Currency": ccy, "Amount": D(a)}
            for n, c, d, ccy, a in (("INV-1", "C1", 1, "JPY", 30000), ("INV-2", "C1", 2, "JPY", 45000),
                                    ("INV-3", "C2", 3, "JPY", 20000), ("INV-4", "U1", 4, "USD", "100.00"))]))
        book.replace("Bank", make_frame(BANK, [
            {"Bank Ref": ref, "Date": date(2026, 10, 30), "Amount": D(a), "Currency": "JPY", "Payer": payer,
             "Status": "new"}
            for ref, a, payer in (("B1", 70000, "ｶ)ﾐﾗｲﾌｱｸﾀ-"), ("B2", 95000, "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ"),
                                  ("B3", 12345, "ﾀﾞﾚｶ"))]))
    return book_path


def allocations_of(path, ref):
    with open_book(path) as book:
        frame = book.read("Allocations")
    rows = frame[(frame["Bank Ref"] == ref) & frame["Status"].isin(["auto", "confirmed"])]
    return sorted((r["Invoice No"] or "", r["Rule"], r["Applied Amount"]) for r in rows.to_dict("records"))


def test_apply_an_unrecognised_line_by_hand_learns_the_third_party(ar_book, capsys):
    main(["match", str(ar_book)])
    capsys.readouterr()
    main(["apply", str(ar_book), "B1", "INV-1", "INV-2=40,000"])  # thousands separators as typed
    assert capsys.readouterr().out.strip() == ("B1 applied to INV-1 JPY 30,000, INV-2 JPY 40,000 (C1); "
                                               "C1: payer name 'ｶ)ﾐﾗｲﾌｱｸﾀ-' added to Paid By")
    assert allocations_of(ar_book, "B1") == [("INV-1", "manual", D(30000)), ("INV-2", "manual", D(40000))]
    with open_book(ar_book) as book:
        customers = book.read("Customers").set_index("Customer ID")
        bank = book.read("Bank").set_index("Bank Ref")
        log = book.read("Log")
        review = book.read("Review")
        allocations = book.read("Allocations")
    assert customers.loc["C1", "Paid By"] == "ｶ)ﾐﾗｲﾌｱｸﾀ-" and customers.loc["C1", "Payer Names"] is None
    assert bank.loc["B1", "Status"] == "matched" and bank.loc["B1", "Applied"] == D(70000)
    assert "B1" not in set(review["Bank Ref"])
    assert set(allocations.loc[allocations["Bank Ref"] == "B1", "Status"]) <= {"confirmed", "rejected"}
    assert {"apply", "learn"} <= set(log["Action"])


def test_apply_leaves_the_rest_unapplied_then_applies_that_cash(ar_book):
    with open_book(ar_book) as book:
        apply_book(book, "B2", ["INV-1"])
    assert allocations_of(ar_book, "B2") == [("", "unapplied cash", D(65000)), ("INV-1", "manual", D(30000))]
    with open_book(ar_book) as book:
        apply_book(book, "B2", "INV-2")  # the unapplied 65,000 pays INV-2 (45,000); one text as the CLI takes it
        bank = book.read("Bank").set_index("Bank Ref")
    assert bank.loc["B2", "Applied"] == D(75000) and bank.loc["B2", "Unapplied"] == D(20000)


def test_a_line_with_no_cash_left_is_refused_in_one_line(ar_book):
    with open_book(ar_book) as book:
        apply_book(book, "B1", ["INV-1", "INV-2=40000"])  # all of B1's 70,000; INV-2 keeps 5,000 open
    before = ar_book.read_bytes()
    with open_book(ar_book) as book, pytest.raises(ArbookError, match="left no unapplied cash"):
        apply_book(book, "B1", ["INV-2=1"])
    assert ar_book.read_bytes() == before


def test_apply_with_a_fee_within_the_clients_deduction(ar_book):
    with open_book(ar_book) as book:
        book.replace("Bank", make_frame(BANK, [{"Bank Ref": "B9", "Date": date(2026, 10, 30), "Amount": D(74340),
                                                "Currency": "JPY", "Payer": "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "Status": "new"}]))
        apply_book(book, "B9", ["INV-1", "INV-2"])
    assert allocations_of(ar_book, "B9") == [("", "bank fee", D(-660)), ("INV-1", "manual", D(30000)),
                                             ("INV-2", "manual", D(45000))]


@pytest.mark.parametrize("targets,message", [
    (["INV-9"], "INV-9: no such invoice"),
    (["INV-4"], "INV-4: invoice is in USD, the payment in JPY"),
    (["INV-1", "INV-3"], "the invoices belong to C1, C2"),
    (["INV-1=50000"], "INV-1: amount must be more than 0 and at most the open 30,000"),
    (["INV-1", "INV-2"], "the invoices come to 75,000 but the payment has 12,345"),
    (["INV-1=1.5"], "more than 0 decimal places"),
    (["INV-1=abc"], "INV-1: not an amount: 'abc'"),
    (["INV-1=-5"], "INV-1: amount must be more than 0"),
    (["INV-1=", "INV-2"], "write each as INVOICE or INVOICE=AMOUNT"),
    (["INV-1=1e3"], "INV-1: not an amount: '1e3'"),
    (["INV-1=1_000"], "INV-1: not an amount: '1_000'"),
    (["INV-1=20000", "inv-1=10000"], "INV-1: named twice"),  # 30,000 would pass each check alone
])
def test_apply_checks_refuse_and_write_nothing(ar_book, targets, message):
    before = ar_book.read_bytes()
    with pytest.raises(ArbookError, match=message), open_book(ar_book) as book:
        apply_book(book, "B3", targets)
    assert ar_book.read_bytes() == before


def test_apply_cli_errors_are_one_line(ar_book, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["apply", str(ar_book), "B7", "INV-1"])
    assert exit_.value.code == 1 and "bank line 'B7' is not on the Bank sheet" in capsys.readouterr().err


def test_apply_to_typed_on_the_review_sheet_is_honoured_by_confirm(ar_book, capsys):
    main(["match", str(ar_book)])
    with open_book(ar_book) as book:
        review = book.read("Review")
        assert list(review["Bank Ref"]) == ["B2"]  # 95,000 from Yamada: more than everything open
        review["Apply To"] = ["INV-2"]
        book.replace("Review", review)
    capsys.readouterr()
    main(["confirm", str(ar_book)])
    assert "1 proposals confirmed, 0 rejected, 0 payer names learned; 0 still to review" in capsys.readouterr().out
    assert allocations_of(ar_book, "B2") == [("", "unapplied cash", D(50000)), ("INV-2", "manual", D(45000))]
    with open_book(ar_book) as book:
        assert book.read("Review").empty
        assert book.read("Log")["Action"].iloc[-1] == "apply"
        assert book.read("Customers").set_index("Customer ID").loc["C1", "Payer Names"] is None  # its own name


def test_an_own_name_variant_is_learned_as_payer_name(ar_book):
    with open_book(ar_book) as book:
        book.replace("Bank", make_frame(BANK, [{"Bank Ref": "B5", "Date": date(2026, 10, 30), "Amount": D(30000),
                                                "Currency": "JPY", "Payer": "ﾔﾏﾀﾞｼﾖｳｼﾞ ｵｵｻｶ", "Status": "new"}]))
        apply_book(book, "B5", ["INV-1"])
        customers = book.read("Customers").set_index("Customer ID")
    assert customers.loc["C1", "Payer Names"] == "ﾔﾏﾀﾞｼﾖｳｼﾞ ｵｵｻｶ" and customers.loc["C1", "Paid By"] is None


def test_customer_reimport_keeps_learned_payer_names_and_paid_by(ar_book, tmp_path, capsys):
    with open_book(ar_book) as book:
        customers = book.read("Customers")
        customers.loc[customers["Customer ID"] == "C1", ["Payer Names", "Paid By"]] = ["ﾔﾏﾀﾞｼﾖｳｼﾞ ｵｵｻｶ", "ｶ)ﾐﾗｲﾌｱｸﾀ-"]
        book.replace("Customers", customers)
    master = tmp_path / "customers.csv"
    master.write_text("Customer ID,Name,Name Kana,Payer Names,Paid By,Language,Currency\n"
                      "C1,株式会社山田商事,ヤマダショウジ,ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ;ﾔﾏﾀﾞｼﾖｳｼﾞ ｵｵｻｶ,,ja,JPY\n"
                      "C2,株式会社佐藤製作所,サトウセイサクショ,,ｻﾄｳ ｲﾁﾛｳ,ja,JPY\n", encoding="utf-8")
    main(["customers", str(ar_book), str(master)])
    with open_book(ar_book) as book:
        customers = book.read("Customers").set_index("Customer ID")
    assert customers.loc["C1", "Payer Names"] == "ﾔﾏﾀﾞｼﾖｳｼﾞ ｵｵｻｶ;ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ"
    assert customers.loc["C1", "Paid By"] == "ｶ)ﾐﾗｲﾌｱｸﾀ-" and customers.loc["C2", "Paid By"] == "ｻﾄｳ ｲﾁﾛｳ"


def test_a_rejected_line_can_be_applied_by_hand(ar_book, capsys):
    main(["match", str(ar_book)])
    with open_book(ar_book) as book:
        review = book.read("Review")
        review["Accept"] = "no"
        book.replace("Review", review)
    main(["confirm", str(ar_book)])
    with open_book(ar_book) as book:
        assert book.read("Bank").set_index("Bank Ref").loc["B2", "Status"] == "unmatched"
    main(["apply", str(ar_book), "B2", "INV-1", "INV-2"])
    assert allocations_of(ar_book, "B2") == [("", "unapplied cash", D(20000)), ("INV-1", "manual", D(30000)),
                                             ("INV-2", "manual", D(45000))]
    main(["match", str(ar_book)])  # a later run leaves the hand-applied line alone
    assert allocations_of(ar_book, "B2")[1:] == [("INV-1", "manual", D(30000)), ("INV-2", "manual", D(45000))]


def test_a_payer_learned_for_several_clients_may_pay_their_invoices_together(ar_book):
    with open_book(ar_book) as book:
        customers = book.read("Customers")
        customers.loc[customers["Customer ID"].isin(["C1", "C2"]), "Paid By"] = "ｶ)ﾐﾗｲﾌｱｸﾀ-"
        book.replace("Customers", customers)
        apply_book(book, "B1", ["INV-1", "INV-3"])
    assert allocations_of(ar_book, "B1") == [("", "unapplied cash", D(20000)), ("INV-1", "manual", D(30000)),
                                             ("INV-3", "manual", D(20000))]


def test_a_payer_recognised_as_another_client_needs_third_party(ar_book, capsys):
    before = ar_book.read_bytes()  # B2's payer ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ is C1; INV-3 is C2's
    with pytest.raises(ArbookError, match=r"the payer 'ｶ\)ﾔﾏﾀﾞｼﾖｳｼﾞ' is C1, not C2: check the invoice numbers"), \
            open_book(ar_book) as book:
        apply_book(book, "B2", ["INV-3"])
    assert ar_book.read_bytes() == before
    main(["apply", str(ar_book), "B2", "INV-3", "--third-party"])
    assert "B2 applied to INV-3 JPY 20,000, unapplied cash JPY 75,000 (C2); C2: payer name 'ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ' added to Paid By" in capsys.readouterr().out


def test_a_hand_shortfall_is_a_fee_only_when_it_is_a_real_one(ar_book):
    with open_book(ar_book) as book:
        book.replace("Bank", make_frame(BANK, [
            {"Bank Ref": ref, "Date": date(2026, 10, 30), "Amount": D(amount), "Currency": "JPY",
             "Payer": "ｶ)ｻﾄｳｾｲｻｸｼﾖ", "Status": "new"} for ref, amount in (("S1", 19999), ("S2", 19560))]))
    before = ar_book.read_bytes()
    with pytest.raises(ArbookError, match="short by no known bank fee"), open_book(ar_book) as book:
        apply_book(book, "S1", ["INV-3"])  # 1 yen short is no bank fee
    assert ar_book.read_bytes() == before
    with open_book(ar_book) as book:
        apply_book(book, "S2", ["INV-3"])  # 440 yen: a published transfer fee
    assert allocations_of(ar_book, "S2") == [("", "bank fee", D(-440)), ("INV-3", "manual", D(20000))]


def test_accept_no_beside_a_typed_apply_to_is_refused(ar_book, capsys):
    main(["match", str(ar_book)])
    with open_book(ar_book) as book:
        review = book.read("Review")
        review["Apply To"], review["Accept"] = ["INV-2"], ["no"]
        book.replace("Review", review)
    before = ar_book.read_bytes()
    with pytest.raises(SystemExit):
        main(["confirm", str(ar_book)])
    assert "Apply To: Accept says no but Apply To is filled in: clear one of them" in capsys.readouterr().err
    assert ar_book.read_bytes() == before


def test_unmatching_a_hand_applied_line_forgets_the_payer_it_taught(ar_book, capsys):
    """Applied to the wrong client, then corrected: the wrong client must not keep the payer as Paid By."""
    main(["apply", str(ar_book), "B3", "INV-3=12345"])
    assert "C2: payer name 'ﾀﾞﾚｶ' added to Paid By" in capsys.readouterr().out
    main(["unmatch", str(ar_book), "B3"])
    out = capsys.readouterr().out
    assert "reversed 1 allocation row(s) of B3" in out and "apply it by hand" in out
    assert "C2: payer name 'ﾀﾞﾚｶ' removed from Paid By (learned from this payment)" in out
    with open_book(ar_book) as book:
        customers = book.read("Customers").set_index("Customer ID")
        log = book.read("Log")
    assert customers.loc["C2", "Paid By"] is None and log["Action"].iloc[-1] == "unlearn"
    main(["apply", str(ar_book), "B3", "INV-1=12345"])
    with open_book(ar_book) as book:
        customers = book.read("Customers").set_index("Customer ID")
    assert customers.loc["C1", "Paid By"] == "ﾀﾞﾚｶ" and customers.loc["C2", "Paid By"] is None


def test_unmatching_keeps_a_payer_name_the_accountant_entered(ar_book, capsys):
    with open_book(ar_book) as book:
        customers = book.read("Customers")
        customers.loc[customers["Customer ID"] == "C2", "Paid By"] = "ﾀﾞﾚｶ"
        book.replace("Customers", customers)
    main(["match", str(ar_book)])
    main(["apply", str(ar_book), "B3", "INV-3=12345"])
    main(["unmatch", str(ar_book), "B3"])
    assert "removed from" not in capsys.readouterr().out
    with open_book(ar_book) as book:
        assert book.read("Customers").set_index("Customer ID").loc["C2", "Paid By"] == "ﾀﾞﾚｶ"


def test_an_invoice_number_typed_in_lower_case_is_that_invoice(ar_book):
    with open_book(ar_book) as book:
        apply_book(book, "B3", ["inv-3=12345"])
    assert allocations_of(ar_book, "B3") == [("INV-3", "manual", D(12345))]


def test_another_clients_invoice_is_named_before_any_amount_check(ar_book, capsys):
    """ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ is C1: INV-3 is C2's, whatever amount was typed."""
    with open_book(ar_book) as book, pytest.raises(ArbookError, match="the payer 'ｶ\\)ﾔﾏﾀﾞｼﾖｳｼﾞ' is C1, not C2"):
        apply_book(book, "B2", ["INV-3=99999"])


def test_a_shortfall_with_amounts_given_asks_to_lower_them(ar_book):
    with open_book(ar_book) as book, pytest.raises(ArbookError, match="lower the amounts given"):
        apply_book(book, "B3", ["INV-3=15000"])
