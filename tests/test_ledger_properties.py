"""Random month-end sequences through the library; after every step the ledger must add up.

Invariants: each applied bank line's allocations add up to its amount (applied + unapplied +
fee); each client's net balance per currency = invoices - credit notes - cash received -
written off + refunds; aging buckets add up to Total Open; an undo brings every sheet back.
Bounded (few examples, short sequences) so the suite stays fast.
"""
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, Phase, event, given, settings, strategies as st

from arbook.adapters.bankfiles import Options
from arbook.adapters.book import new_book, open_book
from arbook.adapters.book.history import generations
from arbook.adapters.tabular import TableFile
from arbook.domain.aging import Policy
from arbook.domain.credits import REFUND_RULE, WRITEOFF_RULES, age_ledger, credits_on_account, is_credit_note
from arbook.domain.matching.engine import APPLIED_STATUSES, FEE_RULE
from arbook.model.errors import ArbookError
from arbook.model.schema import CUSTOMERS, INVOICES
from arbook.services.adjustments import refund_book, writeoff_book
from arbook.services.bankimport import import_bank_files
from arbook.services.cashapp import confirm_book, match_book, unmatch_book
from arbook.services.history import undo_book
from arbook.services.masterdata import import_master

CLIENTS = [("C1", "Acme Trading", "USD", ""), ("C2", "Beta Kogyo", "JPY", "JPY;USD"), ("C3", "Gamma Ltd", "USD", "")]
DATA_SHEETS = ("Customers", "Invoices", "Bank", "Allocations", "Review", "Settings", "Profiles", "FX Rates")
START = date(2026, 9, 1)
FAR = date(2027, 12, 31)

amount_usd = st.integers(1, 50_000).map(lambda c: Decimal(c).scaleb(-2))
amount_jpy = st.integers(1, 500_000).map(Decimal)
document = st.tuples(st.integers(1, 8), st.sampled_from(range(3)), st.booleans(), st.integers(0, 40),
                     st.sampled_from(["invoice", "credit note"]), st.integers(1, 500_000))
invoice_step = st.tuples(st.just("invoices"), st.lists(document, min_size=1, max_size=4), st.booleans())
bank_step = st.tuples(st.just("bank"), st.lists(st.tuples(st.integers(0, 7), st.integers(0, 2), st.booleans(),
                                                          st.integers(0, 3)), min_size=1, max_size=3))
steps = st.one_of(
    invoice_step,
    bank_step,
    st.tuples(st.just("match")),
    st.tuples(st.just("confirm"), st.lists(st.booleans(), max_size=4)),
    st.tuples(st.just("unmatch"), st.integers(0, 5)),
    st.tuples(st.just("writeoff"), st.integers(-1, 7)),
    st.tuples(st.just("refund"), st.integers(0, 3)),
    st.tuples(st.just("undo")),
)


def table(path, header, rows):
    return TableFile(path, header, [list(map(str, r)) for r in rows], list(range(2, 2 + len(rows))), "utf-8")


def data(book):
    return {name: book.read(name).reset_index(drop=True).to_dict("records") for name in DATA_SHEETS}


def run_step(book_path, tmp_path, step, counter):
    """Apply one random step; a refusal (ArbookError) is a valid outcome that must change nothing."""
    kind = step[0]
    with open_book(book_path) as book:
        invoices = book.read("Invoices")
        if kind == "invoices":
            rows = []
            for number, client, _, days, doc_type, units in step[1]:
                cid, _, currency, _ = CLIENTS[client]
                amount = Decimal(units).scaleb(-2) if currency == "USD" else Decimal(units)
                ref = ""
                if doc_type == "credit note":
                    plain = invoices[(invoices["Customer ID"] == cid) & invoices["Type"].isna()]
                    ref = plain["Invoice No"].iloc[0] if len(plain) and units % 2 else ""
                    amount = (amount / 10).quantize(Decimal("0.01") if currency == "USD" else Decimal(1)) or amount
                prefix = "CN" if doc_type == "credit note" else "INV"
                rows.append([f"{prefix}-{number}", cid, START + timedelta(days=days), currency, amount, doc_type, ref])
            seen, unique = set(), []
            for row in rows:
                if row[0] not in seen:
                    seen.add(row[0])
                    unique.append(row)
            import_master(book, INVOICES, table("inv.csv", ["Invoice No", "Customer ID", "Issue Date", "Currency",
                                                            "Amount", "Type", "Ref"], unique), force=step[2])
        elif kind == "bank":
            lines = ["Date,Amount,Currency,Payer,Memo"]
            plain = invoices[[not is_credit_note(t) for t in invoices["Type"]]].reset_index(drop=True)
            for pick, client, name_it, shape in step[1]:
                counter[0] += 1
                cid, name, currency, _ = CLIENTS[client]
                if len(plain):
                    row = plain.iloc[pick % len(plain)]
                    cid, currency = row["Customer ID"], row["Currency"]
                    name = next(c[1] for c in CLIENTS if c[0] == cid)
                    amount = row["Amount"] - (Decimal(1) if shape == 1 else 0) + (Decimal(7) if shape == 2 else 0)
                    memo = f"{row['Invoice No']} ref{counter[0]}" if name_it else f"ref{counter[0]}"
                else:
                    amount, memo = Decimal(100), f"ref{counter[0]}"
                if shape == 3:
                    amount = -amount  # a debit: excluded unless a refund
                lines.append(f"{START + timedelta(days=30 + counter[0])},{amount},{currency},{name.upper()},{memo}")
            path = tmp_path / f"bank{counter[0]}.csv"
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            import_bank_files(book, [path], Options())
        elif kind == "match":
            match_book(book)
        elif kind == "confirm":
            review = book.read("Review")
            decisions = step[1] + [False] * len(review)
            taken = set()
            accept = []
            for ref, yes in zip(review["Bank Ref"], decisions):
                accept.append("yes" if yes and ref not in taken else "no")
                taken.add(ref) if yes else None
            review["Accept"] = accept
            book.replace("Review", review)
            confirm_book(book)
        elif kind == "unmatch":
            allocations = book.read("Allocations")
            refs = sorted(set(allocations.loc[allocations["Status"].isin(APPLIED_STATUSES) &
                                              ~allocations["Rule"].isin(WRITEOFF_RULES), "Bank Ref"]))
            unmatch_book(book, refs[step[1] % len(refs)] if refs else "nothing")
        elif kind == "writeoff":
            plain = invoices[[not is_credit_note(t) for t in invoices["Type"]]]
            if step[1] < 0 or plain.empty:
                writeoff_book(book, None, None, FAR)
            else:
                writeoff_book(book, [plain["Invoice No"].iloc[step[1] % len(plain)]], "bankrupt", FAR)
        elif kind == "refund":
            credits = credits_on_account(invoices, book.read("Allocations"), book.read("Bank"))
            if credits:
                (cid, currency), sources = sorted(credits.items())[step[1] % len(credits)]
                counter[0] += 1
                name = next(c[1] for c in CLIENTS if c[0] == cid).upper()
                path = tmp_path / f"refund{counter[0]}.csv"
                path.write_text(f"Date,Amount,Currency,Payer,Memo\n{START + timedelta(days=60 + counter[0])},"
                                f"{-sources[0][1]},{currency},{name},refund {counter[0]}\n", encoding="utf-8")
                import_bank_files(book, [path], Options())
            refund_book(book, confirm=True)
        elif kind == "undo":
            undo_book(book)


def check(book_path):
    with open_book(book_path) as book:
        customers, invoices = book.read("Customers"), book.read("Invoices")
        bank, allocations = book.read("Bank"), book.read("Allocations")
        result = age_ledger(customers, invoices, allocations, bank, Policy(), FAR)
    in_force = allocations[allocations["Status"].isin(APPLIED_STATUSES)]
    for rule in sorted(set(in_force["Rule"])):
        event(f"rule in force: {rule}")
    amount_of = dict(zip(bank["Bank Ref"], bank["Amount"]))
    sums = defaultdict(Decimal)
    for ref, value, rule in zip(in_force["Bank Ref"], in_force["Applied Amount"], in_force["Rule"]):
        if ref in amount_of:
            sums[ref] += value
    for ref, total in sums.items():
        assert total == abs(amount_of[ref]), f"bank line {ref}: allocations {total} != amount {amount_of[ref]}"
    expected = defaultdict(Decimal)
    owner = {n: (c, k) for n, c, k in zip(invoices["Invoice No"], invoices["Customer ID"], invoices["Currency"])}
    for number, cid, currency, amount, kind in zip(invoices["Invoice No"], invoices["Customer ID"],
                                                   invoices["Currency"], invoices["Amount"], invoices["Type"]):
        expected[(cid, currency)] += -amount if is_credit_note(kind) else amount
    bank_currency = dict(zip(bank["Bank Ref"], bank["Currency"]))
    for ref, number, cid, value, rule in zip(in_force["Bank Ref"], in_force["Invoice No"], in_force["Customer ID"],
                                             in_force["Applied Amount"], in_force["Rule"]):
        if rule == REFUND_RULE:
            expected[(cid, bank_currency[ref])] += value
        elif rule in WRITEOFF_RULES:
            expected[owner[number]] -= value
        elif ref in bank_currency and rule != FEE_RULE:
            expected[(cid, bank_currency[ref])] -= value
    aging = result.aging[result.aging["Customer ID"].notna()]
    net = {(c, k): n for c, k, n in zip(aging["Customer ID"], aging["Currency"], aging["Net"])}
    for key in set(expected) | set(net):
        assert net.get(key, Decimal(0)) == expected.get(key, Decimal(0)), f"balance of {key}"
    buckets = ["Current", *Policy().labels]
    for record in result.aging.to_dict("records"):
        assert sum((record[b] for b in buckets), Decimal(0)) == record["Total Open"]
    for cid, currency, balance in zip(result.customers["Customer ID"], result.customers["Currency"],
                                      result.customers["Balance"]):
        assert balance == net.get((cid, currency), Decimal(0))


@settings(max_examples=12, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no slow shrinking
          database=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(st.tuples(invoice_step, bank_step, st.lists(steps, min_size=1, max_size=6)).map(lambda t: [t[0], t[1], *t[2]]))
def test_random_month_end_sequences_keep_the_ledger_right(tmp_path_factory, sequence):
    tmp_path = tmp_path_factory.mktemp("prop")
    book_path = new_book(tmp_path / "p.xlsx")
    with open_book(book_path) as book:
        snapshots = [data(book)]
        import_master(book, CUSTOMERS, table("c.csv", ["Customer ID", "Name", "Language", "Currency", "Currencies"],
                                             [[c, n, "en", k, more] for c, n, k, more in CLIENTS]))
    counter = [0]
    for step in sequence:
        with open_book(book_path) as book:
            before = data(book)
        kept = len(generations(book_path))
        try:
            run_step(book_path, tmp_path, step, counter)
        except ArbookError:
            with open_book(book_path) as book:
                assert data(book) == before, f"{step[0]} was refused but changed the book"
            continue
        event(f"step done: {step[0]}")
        if step[0] == "undo":
            with open_book(book_path) as book:
                assert data(book) == snapshots.pop(), "undo did not bring the book back"
            snapshots.append(before)  # the undo is itself undoable
        elif len(generations(book_path)) != kept:
            snapshots.append(before)
        check(book_path)
