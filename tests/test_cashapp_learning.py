"""Learning that pays off, through the CLI: month one is matched, the accountant settles every
Review row (accepting the right proposal or typing the invoices into Apply To) and applies the
unmatched lines by hand; month two's bank file from the same payers is then applied automatically."""
import random
from collections import defaultdict
from datetime import date, timedelta

from arbook.adapters.book import open_book
from arbook.cli import main
from arbook.model.schema import CUSTOMERS, INVOICES
from samplegen.realism import Realism
from samplegen.sampledata import make_customers, make_invoices
from samplegen.samplepay import make_payments, write_bank_files
from arbook.services.export import export_csv

# Japanese clients (Zengin references carry the date, so two months never share one), a
# quarter without Name Kana, twins of the same reading, long names cut by the bank, and one
# client in six paid by a third party.
REALISM = Realism(kanji_only=0.25, homonyms=0.05, long_names=0.06, third_parties=0.15, diverse_amounts=True)
WHOLE = {"exact_memo", "exact_plain", "fee", "multi", "multi_fee", "over", "plan", "third_party"}


def month(rng, customers, invoices, plans, as_of, folder):
    payments = [p for p in make_payments(rng, customers, invoices, plans, as_of, noise_share=0.0, realism=REALISM)
                if p.language == "ja"]
    files = write_bank_files(payments, folder, as_of)
    truth = {p.bank_ref: p for p in payments if p.customer}
    return files, truth


def auto_applied(book, refs):
    """{bank ref: (customer, {invoice: amount})} of the lines among ``refs`` applied automatically."""
    with open_book(book) as handle:
        allocations = handle.read("Allocations")
    autos = defaultdict(lambda: (None, {}))
    for ref, number, cid, amount, status in allocations[
            ["Bank Ref", "Invoice No", "Customer ID", "Applied Amount", "Status"]].itertuples(index=False):
        if status == "auto" and ref in refs:
            autos[ref] = (cid, {**autos[ref][1], **({number: amount} if number else {})})
    return autos


def settle_review(book, truth):
    """The accountant: yes on the proposal that is right, else the right invoices in Apply To;
    returns the bank lines still unmatched (to apply by hand)."""
    with open_book(book) as handle:
        review = handle.read("Review")
        bank = handle.read("Bank")
    accept, apply_to, done = [], [], set()
    for ref, cid, invoices in zip(review["Bank Ref"], review["Customer ID"], review["Invoices"]):
        payment = truth.get(ref)
        right = payment is not None and cid == payment.customer and set(str(invoices).split(", ")) == set(payment.applied)
        accept.append("yes" if right and ref not in done else None)
        done |= {ref} if right else set()
        apply_to.append(None)
    for position, ref in enumerate(review["Bank Ref"]):
        if ref not in done and ref in truth:
            apply_to[position] = ", ".join(f"{n}={a}" for n, a in truth[ref].applied.items())
            done.add(ref)
    review["Accept"], review["Apply To"] = accept, apply_to
    with open_book(book) as handle:
        handle.replace("Review", review)
    unmatched = set(bank.loc[bank["Status"] == "unmatched", "Bank Ref"]) & set(truth)
    return sorted(unmatched), done


def test_second_month_from_confirmed_payers_is_applied_automatically(tmp_path, capsys):
    rng = random.Random(2026)
    customers = make_customers(rng, 360, mix=(1.0, 0.0, 0.0), realism=REALISM)
    invoices, plans = make_invoices(rng, customers, 1750, date(2026, 12, 31), months=4, plan_share=0.15,
                                    realism=REALISM)
    first = invoices[invoices["Issue Date"] <= date(2026, 10, 31)]
    second = invoices[invoices["Issue Date"] > date(2026, 10, 31)]
    book = tmp_path / "ar.xlsx"
    export_csv(CUSTOMERS, customers, tmp_path / "customers.csv")
    export_csv(INVOICES, first, tmp_path / "invoices1.csv")
    export_csv(INVOICES, second, tmp_path / "invoices2.csv")
    files1, truth1 = month(random.Random(1), customers, first, plans, date(2026, 11, 20), tmp_path / "m1")
    for args in (["new", book], ["customers", book, tmp_path / "customers.csv"],
                 ["invoices", book, tmp_path / "invoices1.csv"], ["import", book, *files1], ["match", book]):
        main([str(a) for a in args])
    wrong = [ref for ref, got in auto_applied(book, truth1).items() if got != (truth1[ref].customer, truth1[ref].applied)]
    for ref in wrong:  # the accountant reverses the few wrong automatic matches
        main(["unmatch", str(book), ref])
    unmatched, reviewed = settle_review(book, truth1)
    main(["confirm", str(book)])
    for ref in unmatched:
        main(["apply", str(book), ref, *(f"{n}={a}" for n, a in truth1[ref].applied.items())])
    confirmed = {truth1[ref].customer for ref in reviewed | set(unmatched)}
    assert len(wrong) <= 3
    assert len(confirmed) >= 30, "month one must give the accountant real work"
    with open_book(book) as handle:
        customers_now = handle.read("Customers")
    assert customers_now["Paid By"].notna().sum() >= 5  # third parties learned

    # month two: new invoices, a bank file from the same payers
    files2, truth2 = month(random.Random(2), customers, second, plans, date(2027, 1, 20), tmp_path / "m2")
    for args in (["invoices", book, tmp_path / "invoices2.csv"], ["import", book, *files2], ["match", book]):
        main([str(a) for a in args])
    autos = auto_applied(book, truth2)
    lines = [ref for ref, p in truth2.items() if p.customer in confirmed and p.kind in WHOLE]
    right = [ref for ref in lines if autos[ref] == (truth2[ref].customer, truth2[ref].applied)]
    assert len(lines) >= 50
    share = len(right) / len(lines)
    capsys.readouterr()
    assert share >= 0.98, f"{len(right)} of {len(lines)} month-two lines of confirmed payers applied automatically"
