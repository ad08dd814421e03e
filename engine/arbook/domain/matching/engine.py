"""Cash application: every unmatched bank credit -> proposals from named rules -> auto or review.

Pure: DataFrames in, DataFrames out. Lines are taken in date order; an auto allocation
consumes the invoices' open amounts, so two payments never settle the same invoice twice and
a subscription client's payments take its oldest invoices of that amount one after another.

A proposal is auto-applied only when its score is at least ``AUTO_SCORE`` and no proposal
for a different allocation comes within ``MARGIN`` of it: a wrong auto-match is far worse
than a suggestion. Otherwise the best ``SUGGESTIONS`` proposals go to the Review sheet, and the
best one, when it is strong (``RESERVE_SCORE``, not a guess of ``WEAK_RULES``), holds its
invoices, so that a later payment, say of a monthly plan, does not take the invoice an earlier
payment waiting for review most likely paid; a guess holds nothing, so a later payment of
exactly those invoices still gets them. Shortfalls are bank fees only when banks charge them
(``fees``); invoices issued after a payment's date are not what it pays.
"""
from __future__ import annotations

import os
from bisect import bisect_right
from collections import defaultdict
from operator import attrgetter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable
from decimal import Decimal

import pandas as pd

from arbook.model.frames import make_frame
from arbook.domain.forking import fork_map
from arbook.model.money import from_minor, to_minor
from arbook.model.schema import ALLOCATIONS, CREDIT_NOTE, REVIEW, Sheet
from arbook.domain.matching.fees import fee_reason, fee_steps, largest_fee
from arbook.domain.matching.names import THIRD_PARTY, CustomerIndex, NameHit
from arbook.domain.matching.normalize import digit_runs, fold, invoice_core, name_key, payer_key, pays_for_others
from arbook.domain.matching.readings import needs_reading, reading
from arbook.domain.matching.subset import find_combination
from arbook.model.statuses import APPLIED, AllocationStatus, BankStatus, Rule

AUTO_SCORE = 0.9
MARGIN = 0.1
SUGGESTIONS = 3
RESERVE_SCORE = 0.8  # a suggestion this good (not a fallback) holds its invoices while it waits for review
# Suggestions that never hold invoices: guesses a later payment of exactly those invoices must be able to take.
WEAK_RULES = frozenset({Rule.AMOUNT_ONLY, Rule.THIRD_PARTY_AMOUNT, Rule.NAME_OLDEST_FIRST, Rule.NAME_PART_OF_ONE,
                        Rule.NAME_OVERPAID})
THIRD_PARTY_SCORE = 0.7  # an unknown payer whose amount one client's open items explain: a suggestion
APPLIED_STATUSES = APPLIED
FEE_RULE = Rule.FEE
UNAPPLIED_RULE = Rule.UNAPPLIED
OPEN_BANK_STATUSES = (BankStatus.NEW, BankStatus.UNMATCHED, BankStatus.SUGGESTED, None, "")
PARALLEL_FROM = 5_000  # fewer lines than this are matched in one process
HOMONYM_SCORE = 0.85  # several clients fit the payer and their open items too: never automatic
OUTWEIGHED_SCORE = 0.8  # a fit that another client's repeated payment outweighs
CLEAR_FIT = 0.9  # a proposal scoring this share of its name's score explains the amount on its own
PART_PAID_SCORE = 0.85  # a real part payment is proposed with its residual, never applied automatically
# Work per bank line relative to others: Japanese payers are read against kanji names (speed set: 220 vs 138 µs).
LINE_COST = {"JPY": 1.6}


_ISSUED = attrgetter("issued")
_SCORE = attrgetter("score")


@dataclass(eq=False)
class OpenItem:
    """An invoice with money still owed on it (integer minor units)."""

    number: str
    customer: str
    currency: str
    open: int
    issued: date
    disputed: bool


@dataclass
class Proposal:
    """One way to explain a payment: which invoices get how much, plus fee and unapplied cash."""

    customer: str
    applied: list[tuple[OpenItem, int]]
    rule: str
    reason: str
    score: float
    fee: int = 0
    unapplied: int = 0
    key: frozenset = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        self.key = frozenset([self.customer, *(item.number for item, _ in self.applied)])

    @property
    def disputed(self) -> bool:
        return any(item.disputed for item, _ in self.applied)


@dataclass
class MatchResult:
    """What one run produced: the new Allocations, Bank and Review tables and counts."""

    allocations: pd.DataFrame
    bank: pd.DataFrame
    review: pd.DataFrame
    considered: int = 0
    auto: int = 0
    suggested: int = 0
    unmatched: int = 0

    def summary(self) -> str:
        return (f"Matched {self.auto} of {self.considered} credits automatically; {self.suggested} to review; "
                f"{self.unmatched} without a candidate")


def open_items(invoices: pd.DataFrame, allocations: pd.DataFrame) -> dict[str, OpenItem]:
    """Every invoice with an open amount, after auto and confirmed allocations."""
    applied: dict[str, Decimal] = defaultdict(Decimal)
    for number, amount, status in zip(allocations["Invoice No"], allocations["Applied Amount"], allocations["Status"]):
        if number and status in APPLIED_STATUSES:
            applied[number] += amount
    items = {}
    kinds = invoices["Type"] if "Type" in invoices.columns else [None] * len(invoices)
    for number, cid, currency, amount, issued, disputed, kind in zip(
            invoices["Invoice No"], invoices["Customer ID"], invoices["Currency"], invoices["Amount"],
            invoices["Issue Date"], invoices["Disputed"], kinds):
        if kind == CREDIT_NOTE:  # a credit is applied to invoices, never paid by a bank credit
            continue
        paid = applied.get(number)
        remaining = to_minor(amount - paid if paid is not None else amount, currency)
        if remaining > 0:
            items[number] = OpenItem(number, cid, currency, remaining, _day(issued), bool(disputed))
    return items


class Matcher:
    """Indexes of customers and open invoices, and the rules that turn a credit into proposals."""

    def __init__(self, customers: pd.DataFrame, items: dict[str, OpenItem],
                 history: dict[tuple[str, str, int], set[str]] | None = None,
                 fees: dict[tuple[str, str], frozenset[int]] | None = None):
        records = customers.to_dict("records")
        self.history = history or {}  # (payer key, currency, amount) -> clients it was applied to before
        self.learned_fees = fees or {}  # (client, currency) -> fees it deducted before (minor units)
        self._fee_terms: dict[tuple[str, str], tuple[int | None, frozenset[int]]] = {}
        self.names = CustomerIndex(records)
        self.customer_names = {r["Customer ID"]: r["Name"] for r in records}
        self.fee_caps = {r["Customer ID"]: r.get("Fee Deduction") for r in records}
        self.by_customer: dict[tuple[str, str], list[OpenItem]] = defaultdict(list)
        self.by_core: dict[str, list[OpenItem]] = defaultdict(list)
        self._by_amount_index: dict[tuple[str, int], list[OpenItem]] | None = None  # built on first use
        self._all = items
        self._settled: dict[tuple[str, str], int] = {}  # invoices settled since the client's list was cleaned
        self.day: date | None = None  # the date of the payment being matched: later invoices are not yet owed
        self.charged: int | None = None  # the charges the bank statement states for that payment (minor units)
        self.held: set[str] = set()  # invoices a weak suggestion proposed first: equal ones are proposed before them
        self._runs: dict[tuple[str, int], list[tuple[OpenItem, ...]]] | None = None  # built on first use
        self.contacts = {r["Customer ID"]: r.get("Contact") for r in records if r.get("Contact")}
        self.contacts_language = {r["Customer ID"]: r.get("Language") for r in records if r.get("Contact")}
        for item in sorted(items.values(), key=lambda i: (i.issued, i.number)):
            if not item.disputed:  # disputed invoices are on hold: only an explicit reference reaches them
                self.by_customer[(item.customer, item.currency)].append(item)
            core = invoice_core(item.number)
            self.by_core[core].append(item)

    # -- evidence ------------------------------------------------------------------------
    def referenced(self, payer: str, memo: str, currency: str) -> list[OpenItem]:
        """Open invoices whose number appears in the memo or payer text (mangled forms too)."""
        text = f"{memo} {payer}"
        runs = digit_runs(text)
        if not runs:
            return []
        folded = fold(text).replace(" ", "") if any(len(r) < 4 for r in runs) else ""
        found: dict[str, OpenItem] = {}
        for run in runs:
            for key in {run, run.lstrip("0")}:
                for item in self.by_core.get(key, ()):
                    if item.currency != currency or item.open <= 0:
                        continue
                    if len(run) < 4 and not self._prefixed(folded, run, item.number):
                        continue
                    found[item.number] = item
        return sorted(found.values(), key=lambda i: (i.issued, i.number))

    @staticmethod
    def _prefixed(folded: str, run: str, number: str) -> bool:
        core = invoice_core(number)
        prefix = fold(number)[: fold(number).find(core)].replace("-", "").replace(" ", "")
        return bool(prefix) and (prefix + run) in folded.replace("-", "")

    def customer_items(self, customer: str, currency: str) -> list[OpenItem]:
        """The client's open, undisputed invoices in a currency issued by the payment's date, oldest first."""
        key = (customer, currency)
        items = self.by_customer.get(key, [])
        settled = self._settled.pop(key, 0)
        if settled:
            lead = 0
            while lead < len(items) and items[lead].open <= 0:
                lead += 1
            if lead == settled:  # the usual case: the oldest ones were paid
                del items[:lead]
            else:
                items[:] = [i for i in items if i.open > 0]
        day = self.day
        if day is None or not items or items[-1].issued <= day:
            return items
        return items[:bisect_right(items, day, key=_ISSUED)]  # issued after the payment: not what it pays

    def fee_terms(self, customer: str, currency: str) -> tuple[int | None, frozenset[int]]:
        """(the client's Fee Deduction in minor units or None when not stated, fees it deducted before)."""
        key = (customer, currency)
        terms = self._fee_terms.get(key)
        if terms is None:
            stated = stated_fee(self.fee_caps.get(customer), currency)
            terms = self._fee_terms[key] = (stated, self.learned_fees.get(key, frozenset()))
        return terms

    def fee_why(self, customer: str, currency: str, shortfall: int) -> str | None:
        """Why ``shortfall`` is a bank fee this client deducted (for the reason), or None when it is not one."""
        stated, learned = self.fee_terms(customer, currency)
        return fee_reason(shortfall, currency, stated, learned, self.charged)

    def fee_ceiling(self, customer: str, currency: str) -> int:
        """The largest shortfall that could be a fee of this client (a search bound)."""
        return max(largest_fee(currency, *self.fee_terms(customer, currency)), self.charged or 0)

    # -- rules -----------------------------------------------------------------------------
    def proposals(self, amount: int, currency: str, payer: str, memo: str, day: date | None = None,
                  charged: int | None = None) -> list[Proposal]:
        """Every rule's proposal for a credit of ``amount`` minor units paid on ``day``, unsorted;
        ``charged``: the charges the bank statement states it deducted (a shortfall of exactly that is a fee)."""
        self.day = _day(day) if day is not None else None
        self.charged = charged or None
        hits = {h.customer: h for h in self.names.identify(payer, memo)}
        refs = self.referenced(payer, memo, currency)
        out: list[Proposal] = []
        by_owner: dict[str, list[OpenItem]] = defaultdict(list)
        for item in refs:
            by_owner[item.customer].append(item)
        for customer, items in by_owner.items():
            out.extend(self._by_reference(amount, currency, customer, items, hits.get(customer)))
        named = [h for h in hits.values() if h.customer not in by_owner]  # the payment's invoice numbers govern
        top = max((h.score for h in named), default=0.0)
        contenders = [h for h in named if h.score >= max(AUTO_SCORE, top - MARGIN)]
        by_name: list[Proposal] = []
        if len(contenders) > 1:
            before = self.history.get((payer_key(payer), currency, amount), set())
            by_name.extend(self._homonyms(amount, currency, contenders, before))
        for hit in named:
            if len(contenders) > 1 and hit in contenders:
                continue
            by_name.extend(self._by_name(amount, currency, hit, search=contenders == [hit]))
        # an invoice named in the payment outweighs another client that fits the payer only by name
        referred = [c for c in by_owner if c in hits and hits[c].score >= max(AUTO_SCORE, top - MARGIN)]
        for proposal in by_name:
            if referred:
                proposal.score = min(proposal.score, OUTWEIGHED_SCORE)
                proposal.reason += f"; the payment names an invoice of {referred[0]}, which fits the payer too"
        out.extend(by_name)
        out.extend(self._unlearned_clients(amount, currency, payer, hits, by_name))
        if not refs and max(map(_SCORE, hits.values()), default=0.0) < AUTO_SCORE:  # nobody known paid
            seen = {p.key for p in out}
            out.extend(p for p in self._third_party(amount, currency, payer) if p.key not in seen)
        if not out:
            out.extend(self._by_amount(amount, currency))
        return out

    def _third_party(self, amount: int, currency: str, payer: str) -> list[Proposal]:
        """A payer that is no client (a parent, a factoring company, a director paying on first
        sight): the clients whose open invoices the amount pays whole (one, or the oldest run of
        up to four, or all; exactly or less a real bank fee) are suggested. Applied only when the
        payer says who it is (group/factoring word, the Contact in full) and one client fits exactly."""
        fits: dict[str, tuple[int, tuple[OpenItem, ...]]] = {}
        runs = self._runs_index()
        for fee in (*fee_steps(currency), *([self.charged] if self.charged else [])):
            if (currency, amount + fee) not in runs:
                continue
            for items in self._runs_of(currency, amount + fee):
                owner = items[0].customer
                if owner in fits or (fee and self.fee_why(owner, currency, fee) is None):
                    continue
                if self.day is not None and any(i.issued > self.day for i in items):
                    continue
                fits[owner] = (fee, items)
        if not fits:
            return []
        key = name_key(payer, drop_digits=True)
        group = pays_for_others(payer)
        out = []
        for owner, (fee, items) in fits.items():
            fmt = lambda units: _fmt(units, currency)
            name = self.customer_names.get(owner, owner)
            why = (f"payer not a client; amount equals {name}'s open "
                   f"{'invoice' if len(items) == 1 else 'invoices'} {', '.join(i.number for i in items)}"
                   + (f" less a bank fee of {fmt(fee)} ({self.fee_why(owner, currency, fee)})" if fee else ""))
            score = (THIRD_PARTY_SCORE if len(fits) == 1 else 0.5) - (0.05 if fee else 0.0)
            contact = self._contact_keys(owner)
            vouched = False  # the payer says who it is: the client's contact in full, or a group/factoring firm
            if key and any(k in key or key in k for k in contact):
                why += f"; the payer is the client's contact ({', '.join(sorted(contact))})"
                score += 0.1
                vouched = any(len(k) >= 4 and k in key for k in contact)
            elif group:
                why += f"; the payer's name ({group}) is a parent or factoring company's"
                score += 0.05
                vouched = True
            if len(fits) > 1:
                why += f"; {len(fits)} clients have open items equal to the amount: choose one"
            elif vouched and self._known_fee(owner, currency, fee):  # a guessed fee makes coincidences likelier
                why += ("; no other client's open items equal the amount: applied (not learned as the client's "
                        "payer: apply or confirm a payment of it by hand to teach it)")
                score = AUTO_SCORE
            rule = Rule.AMOUNT_ONLY if len(items) == 1 and not fee and not vouched else Rule.THIRD_PARTY_AMOUNT
            out.append(Proposal(owner, [(i, i.open) for i in items], rule, why, round(score, 3), fee=fee))
        return sorted(out, key=lambda p: (-p.score, p.applied[0][0].issued))[:SUGGESTIONS]

    def _known_fee(self, customer: str, currency: str, fee: int) -> bool:
        """Whether ``fee`` is none or one the bank stated, the client's Fee Deduction or a fee it deducted before."""
        stated, learned = self.fee_terms(customer, currency)
        return not fee or fee in (stated, self.charged) or fee in learned

    def _contact_keys(self, customer: str) -> set[str]:
        """The client's Contact as a payer key, and as its kana reading when written in kanji (a
        director paying personally: 山田太郎 pays as ﾔﾏﾀﾞ ﾀﾛｳ)."""
        contact = str(self.contacts.get(customer) or "")
        keys = {name_key(contact, drop_digits=True)}
        if needs_reading(contact, self.contacts_language.get(customer) or "ja"):
            keys.add(name_key(reading(contact), drop_digits=True))
        return {k for k in keys if len(k) >= 2}

    def _runs_of(self, currency: str, total: int) -> list[tuple[OpenItem, ...]]:
        """Clients' invoice sets that come to ``total``: one invoice, the oldest two to four, or all."""
        found = [items for items in self._runs_index().get((currency, total), ())
                 if all(i.open > 0 for i in items) and sum(i.open for i in items) == total]
        return sorted(found, key=lambda items: any(i.number in self.held for i in items)) if self.held else found

    def _runs_index(self) -> dict[tuple[str, int], list[tuple[OpenItem, ...]]]:
        """(currency, total) -> clients' invoice sets of that total when they were indexed (built on first use)."""
        if self._runs is None:
            self._runs = defaultdict(list)
            for (customer, cur), items in self.by_customer.items():
                for item in items:
                    self._runs[(cur, item.open)].append((item,))
                running, run = items[0].open if items else 0, items[:1]
                for item in items[1:4]:
                    running += item.open
                    run.append(item)
                    self._runs[(cur, running)].append(tuple(run))
                if len(items) > 4:
                    self._runs[(cur, sum(i.open for i in items))].append(tuple(items))
        return self._runs

    def _homonyms(self, amount: int, currency: str, contenders: list[NameHit], before: set[str]) -> list[Proposal]:
        """Several clients fit the payer about equally: the open items decide. Only the one
        client whose invoices (or a combination, less the usual fee) equal the amount is a clear
        fit; when several are, the one this payer paid this same amount for before (``before``:
        a monthly plan paid by a factoring company) is."""
        fits = {h.customer: self._fits(amount, currency, h, search=True) for h in contenders}
        # a combination that other combinations equal too is chance, not a fit
        fitting = [h for h in contenders if any(p.score >= CLEAR_FIT * h.score for p in fits[h.customer])]
        repeated = [h for h in fitting if h.customer in before]
        if len(fitting) > 1 and len(repeated) == 1:
            for proposal in fits[repeated[0].customer]:
                proposal.reason += (f"; {len(fitting)} of the clients fitting the payer have open items equal to "
                                    "the amount: this payer paid the same amount for this one before")
            fitting = repeated
            contenders = [h for h in contenders if h not in fitting or h in repeated]
        who = ", ".join(f"{h.customer} {self.customer_names.get(h.customer, '')}".strip() for h in contenders)
        out: list[Proposal] = []
        for hit in contenders:
            found = fits[hit.customer]
            if not found:
                out.extend(self._fallback(hit.customer, self.customer_items(hit.customer, currency), amount,
                                          currency, hit))
                continue
            for proposal in found:
                if hit not in fitting:
                    proposal.score = min(proposal.score, OUTWEIGHED_SCORE)
                elif repeated and len(fitting) == 1:
                    pass
                elif len(fitting) == 1:
                    proposal.reason += (f"; {len(contenders)} clients fit the payer ({who}): only this one has "
                                        "open items equal to the amount")
                    if proposal.score >= CLEAR_FIT * hit.score:  # the unique fit decides (a lesser one stays)
                        proposal.score = max(proposal.score, AUTO_SCORE)
                else:
                    proposal.reason += (f"; {len(fitting)} of the {len(contenders)} clients fitting the payer "
                                        f"({who}) have open items equal to the amount: choose one")
                    proposal.score = min(proposal.score, HOMONYM_SCORE)
                out.append(proposal)
        return out

    def _by_reference(self, amount: int, currency: str, customer: str, items: list[OpenItem],
                      hit: NameHit | None) -> list[Proposal]:
        numbers = ", ".join(i.number for i in items)
        total = sum(i.open for i in items)
        named = hit is not None and hit.score >= 0.9
        who = f"; {hit.why}" if hit else "; payer not recognised (paid by someone else?)"
        base = f"invoice no {numbers} in the payment{who}"
        fmt = lambda units: _fmt(units, currency)
        full = [(i, i.open) for i in items]
        if amount == total:
            return [Proposal(customer, full, Rule.INVOICE_AMOUNT, f"{base}; amount equals the open amount",
                             0.99 if named else 0.96)]
        why = self.fee_why(customer, currency, total - amount)
        if why:
            return [Proposal(customer, full, Rule.INVOICE_AMOUNT_FEE,
                             f"{base}; amount is the open amount less a bank fee of {fmt(total - amount)} ({why}): "
                             "settled, the fee booked as bank charges", 0.97 if named else 0.93, fee=total - amount)]
        named_here = set(map(id, items))
        others = [i for i in self.customer_items(customer, currency) if id(i) not in named_here]
        if amount > total and others:  # the memo names some of the invoices paid: find the rest
            found = self._complete(customer, currency, others, amount - total)
            if found is not None:
                extra, ambiguous = found
                paid = items + extra
                fee = sum(i.open for i in paid) - amount
                return [Proposal(customer, [(i, i.open) for i in paid], Rule.INVOICE_OTHERS,
                                 f"{base}; with {', '.join(i.number for i in extra)} the amount equals the open "
                                 "amounts" + (f" less a bank fee of {fmt(fee)} "
                                              f"({self.fee_why(customer, currency, fee)})" if fee else "")
                                 + ("; other combinations fit too" if ambiguous else ""),
                                 0.95 if named and not ambiguous else 0.8, fee=fee)]
        if amount < total:
            return [Proposal(customer, _oldest_first(items, amount), Rule.INVOICE_PART_PAID,
                             f"{base}; a part payment: pays {fmt(amount)} of {fmt(total)}, "
                             f"{fmt(total - amount)} stays open", PART_PAID_SCORE if named else 0.75)]
        # An overpayment is only clear when nothing else of the client's could explain the surplus:
        # the explanation that uses the money is preferred, so a near fit goes to review beside it.
        surplus, ceiling = amount - total, self.fee_ceiling(customer, currency)
        near = _complete(others, surplus, surplus + ceiling) if others else None
        overpaid = Proposal(customer, full, Rule.INVOICE_OVERPAID,
                            f"{base}; pays {fmt(surplus)} more than the open amount: left as unapplied cash"
                            + ("; no other open invoice of the client explains the surplus" if others and not near
                               else ""), 0.92 if named and not near else 0.75, unapplied=surplus)
        if near is None and ceiling < surplus < sum(i.open for i in others):
            # More than a fee's worth over while other invoices are open: a surplus on account, or part of
            # the next invoice paid; the accountant decides. Only the named invoice is held meanwhile.
            overpaid.score = min(overpaid.score, RESERVE_SCORE)
            overpaid.reason += ", but it may pay part of another open invoice: check"
            spread = _oldest_first(others, surplus)
            last, paid = spread[-1]
            return [overpaid, Proposal(customer, full + spread, Rule.INVOICE_PART_PAID,
                                       f"{base}; the {fmt(surplus)} over it pays "
                                       f"{', '.join(i.number for i, _ in spread)} oldest first, "
                                       f"{fmt(last.open - paid)} staying open on {last.number}: check",
                                       overpaid.score - 0.02)]
        if near is None:
            return [overpaid]
        extra = near[0]
        gap = sum(i.open for i in extra) - (amount - total)
        overpaid.reason += (f"; {', '.join(i.number for i in extra)} come to within {fmt(gap)} of the surplus "
                            "(not a usual bank fee): check")
        return [overpaid, Proposal(customer, [(i, i.open) for i in items + extra], Rule.INVOICE_OTHERS,
                                   f"{base}; with {', '.join(i.number for i in extra)} the amount is the open "
                                   f"amounts less {fmt(gap)}, which is not a usual bank fee: check", 0.78, fee=gap)]

    def _complete(self, customer: str, currency: str, items: list[OpenItem],
                  surplus: int) -> tuple[list[OpenItem], bool] | None:
        """The oldest invoice or combination among ``items`` that the surplus pays, exactly or
        less a plausible fee of this client, and whether others fit too."""
        ceiling = self.fee_ceiling(customer, currency)
        return _complete(items, surplus, surplus + ceiling,
                         lambda total: total == surplus or self.fee_why(customer, currency, total - surplus) is not None)

    def _by_name(self, amount: int, currency: str, hit: NameHit, search: bool = True) -> list[Proposal]:
        """Rules for an identified client: whole invoices first (``_fits``), else the fallback.

        Combinations are searched (``search``) only for the one clearly best-named client: for a
        weaker or tied name the result could not be applied automatically anyway.
        """
        return (self._fits(amount, currency, hit, search=search and hit.score >= AUTO_SCORE)
                or self._fallback(hit.customer, self.customer_items(hit.customer, currency), amount, currency, hit))

    def _fits(self, amount: int, currency: str, hit: NameHit, search: bool) -> list[Proposal]:
        """The client's open invoices that the amount pays whole: one invoice, one less a usual
        fee, or (``search``) several together, with or without a fee. Disputed invoices are on
        hold, so never chosen by amount. Equal amounts (a monthly plan) are taken oldest first."""
        customer, s = hit.customer, hit.score
        items = self.customer_items(customer, currency)
        if not items:
            return []
        fmt = lambda units: _fmt(units, currency)
        exact = [i for i in items if i.open == amount]
        if exact:
            item = exact[0]
            why = (f"{hit.why}; amount equals the open amount of {item.number}" if len(exact) == 1 else
                   f"{hit.why}; {len(exact)} open invoices of this amount: the oldest, {item.number}, is settled "
                   "first (the usual convention; the memo names none)")
            return [Proposal(customer, [(item, item.open)], Rule.NAME_AMOUNT, why, round(s * 0.97, 3))]
        ceiling = self.fee_ceiling(customer, currency)
        with_fee = [(i, why) for i in items if 0 < i.open - amount <= ceiling
                    and (why := self.fee_why(customer, currency, i.open - amount))]
        if with_fee:
            item, why = with_fee[0]
            rivals = len({i.open for i, _ in with_fee}) > 1  # another invoice less another fee fits too
            return [Proposal(customer, [(item, item.open)], Rule.NAME_AMOUNT_FEE,
                             f"{hit.why}; amount is the open amount of {item.number} less a bank fee of "
                             f"{fmt(item.open - amount)} ({why}): settled, the fee booked as bank charges"
                             + ("; another invoice less another fee fits too" if rivals else ""),
                             round(s * (0.7 if rivals else 0.95), 3), fee=item.open - amount)]
        if not search:
            return []
        opens = [i.open for i in items]
        plausible = lambda total: self.fee_why(customer, currency, total - amount) is not None
        # one combination alone, less a real fee or none, is as clear as one invoice less a fee
        for high, rule in ((amount, Rule.NAME_SEVERAL), (amount + ceiling, Rule.NAME_SEVERAL_FEE)):
            if high == amount and rule is Rule.NAME_SEVERAL_FEE:
                break  # no fee possible: the same search again would find nothing new
            combo = find_combination(opens, amount if high == amount else amount + 1, high,
                                     fits=None if high == amount else plausible)
            if not combo:
                continue
            chosen = [items[p] for p in combo.positions]
            fee = combo.total - amount
            same = len({i.open for i in chosen}) == 1
            why = (f"{hit.why}; amount is {len(chosen)} open invoices together "
                   f"({', '.join(i.number for i in chosen)})"
                   + (f" less a bank fee of {fmt(fee)} ({self.fee_why(customer, currency, fee)})" if fee else "")
                   + ("; invoices of equal amount are settled oldest first (the usual convention)" if same else "")
                   + ("; other combinations fit too" if combo.ambiguous else ""))
            return [Proposal(customer, [(i, i.open) for i in chosen], rule, why,
                             round(s * (0.7 if combo.ambiguous else 0.95), 3), fee=fee)]
        return []

    def _fallback(self, customer: str, items: list[OpenItem], amount: int, currency: str,
                  hit: NameHit) -> list[Proposal]:
        """Over-payment of everything open, else oldest first with the residual shown: for review, never auto."""
        if not items:
            return []
        s, fmt = hit.score, (lambda units: _fmt(units, currency))
        total = sum(i.open for i in items)
        if amount > total:
            return [Proposal(customer, [(i, i.open) for i in items], Rule.NAME_OVERPAID,
                             f"{hit.why}; pays all {len(items)} open invoices and {fmt(amount - total)} more "
                             "(unapplied cash)", round(s * 0.6, 3), unapplied=amount - total)]
        applied = _oldest_first(items, amount)
        last, paid = applied[-1]
        residual = f"; {fmt(last.open - paid)} stays open on {last.number}" if paid < last.open else ""
        out = [Proposal(customer, applied, Rule.NAME_OLDEST_FIRST,
                        f"{hit.why}; amount fits no open invoice or combination: a part payment, applied to the "
                        f"oldest ({', '.join(i.number for i, _ in applied)}){residual}", round(s * 0.5, 3))]
        closest = min((i for i in items if i.open > amount), key=lambda i: i.open - amount, default=None)
        if closest is not None and [closest] != [i for i, _ in applied]:  # a short payment of one invoice
            out.append(Proposal(customer, [(closest, amount)], Rule.NAME_PART_OF_ONE,
                                f"{hit.why}; a part payment of {closest.number}, the invoice closest above the "
                                f"amount: {fmt(closest.open - amount)} stays open on it", round(s * 0.45, 3)))
        return out

    def _unlearned_clients(self, amount: int, currency: str, payer: str, hits: dict[str, NameHit],
                           by_name: list[Proposal]) -> list[Proposal]:
        """A third party (a factoring company, a parent) also pays for clients it was not learned
        for yet: when another client is owed exactly this amount, a fit among the learned ones is
        no proof, unless this payer paid this amount for that client before. Returns the other
        clients' invoices as suggestions."""
        learned = [p for p in by_name if p.score >= AUTO_SCORE and hits[p.customer].label == THIRD_PARTY]
        if not learned or (sum(h.label == THIRD_PARTY for h in hits.values()) < 2 and not pays_for_others(payer)):
            return []  # learned for one client only, no factor or parent (a director, an own account): that one
        before = self.history.get((payer_key(payer), currency, amount), set())
        others = [p for p in self._by_amount(amount, currency) if p.customer not in hits]
        if not others or all(p.customer in before for p in learned):
            return []
        for proposal in learned:
            proposal.score = min(proposal.score, HOMONYM_SCORE)
            proposal.reason += (f"; {others[0].customer} {self.customer_names.get(others[0].customer, '')} is owed "
                                "this amount too, and a third party may pay for clients it was not learned for")
        return others[:SUGGESTIONS - 1]

    def _by_amount(self, amount: int, currency: str) -> list[Proposal]:
        if self._by_amount_index is None:
            self._by_amount_index = defaultdict(list)
            for item in sorted(self._all.values(), key=lambda i: (i.issued, i.number)):
                self._by_amount_index[(item.currency, item.open)].append(item)
        day = self.day
        items = sorted((i for i in self._by_amount_index.get((currency, amount), ())
                        if i.open == amount and (day is None or i.issued <= day)),
                       key=lambda i: i.number in self.held)  # one a waiting suggestion proposed: after the others
        score = 0.6 if len({i.customer for i in items}) == 1 else 0.4  # one client's plan: its oldest first
        return [Proposal(i.customer, [(i, i.open)], Rule.AMOUNT_ONLY,
                         f"payer not recognised; amount equals the open amount of {i.number} "
                         f"({self.customer_names.get(i.customer, i.customer)})"
                         + ("" if len(items) == 1 else f"; {len(items)} invoices have this amount"), score)
                for i in items[:SUGGESTIONS]]

    def consume(self, proposal: Proposal) -> None:
        """Take the proposal's amounts off its invoices' open amounts."""
        for item, amount in proposal.applied:
            item.open -= amount
            if item.open <= 0:
                key = (item.customer, item.currency)
                self._settled[key] = self._settled.get(key, 0) + 1


def _day(value: object) -> date:
    """A cell's date as a ``date`` (pandas gives Timestamps for some frames; none known: the earliest)."""
    return value.date() if isinstance(value, datetime) else value if isinstance(value, date) else date.min


def _oldest_first(items: list[OpenItem], amount: int) -> list[tuple[OpenItem, int]]:
    """``amount`` spread over the invoices oldest first; the last one may be part paid."""
    applied, left = [], amount
    for item in items:
        if not left:
            break
        take = min(item.open, left)
        applied.append((item, take))
        left -= take
    return applied


def _complete(items: list[OpenItem], low: int, high: int,
              fits: Callable[[int], bool] | None = None) -> tuple[list[OpenItem], bool] | None:
    """(the oldest single invoice or combination with open total in [low, high] that ``fits``
    accepts, whether others fit)."""
    singles = [i for i in items if low <= i.open <= high and (fits is None or fits(i.open))]
    if singles:
        return [singles[0]], len({i.open for i in singles}) > 1
    combo = find_combination([i.open for i in items], low, high, fits=fits)
    if combo is None:
        return None
    return [items[p] for p in combo.positions], combo.ambiguous


def _fmt(units: int, currency: str) -> str:
    return f"{currency} {from_minor(units, currency):,}"


def decide(proposals: list[Proposal], rejected: set[frozenset]) -> tuple[Proposal | None, list[Proposal]]:
    """(the proposal to apply automatically or None, the proposals to suggest)."""
    ranked = sorted((p for p in proposals if p.key not in rejected),
                    key=lambda p: (-p.score, min((i.issued for i, _ in p.applied), default=date.max),
                                   sorted(p.key)))
    unique: list[Proposal] = []
    for proposal in ranked:
        if all(proposal.key != other.key for other in unique):
            unique.append(proposal)
    if not unique:
        return None, []
    best = unique[0]
    runner_up = unique[1].score if len(unique) > 1 else 0.0
    if best.score >= AUTO_SCORE and best.score - runner_up >= MARGIN and not best.disputed:
        return best, []
    return None, unique[:SUGGESTIONS]


def allocation_rows(bank_ref: str, currency: str, proposal: Proposal, status: str, number: int) -> list[dict]:
    """Allocation records for one proposal: one per invoice, plus fee and unapplied-cash rows."""
    tag = f"{bank_ref}#{number}"
    base = {"Bank Ref": bank_ref, "Customer ID": proposal.customer, "Status": str(status), "Rule": str(proposal.rule),
            "Reason": proposal.reason, "Score": proposal.score, "Proposal": tag}
    rows = [{**base, "Invoice No": item.number, "Applied Amount": from_minor(units, currency)}
            for item, units in proposal.applied]
    if proposal.fee:
        rows.append({**base, "Invoice No": None, "Applied Amount": -from_minor(proposal.fee, currency),
                     "Rule": FEE_RULE.value})
    if proposal.unapplied:
        rows.append({**base, "Invoice No": None, "Applied Amount": from_minor(proposal.unapplied, currency),
                     "Rule": UNAPPLIED_RULE.value})
    return rows


def review_row(line: dict, proposal: Proposal, tag: str, customer_name: str) -> dict:
    currency = line["Currency"]
    return {"Accept": None, "Proposal": tag, "Bank Ref": line["Bank Ref"], "Date": line["Date"],
            "Amount": line["Amount"], "Currency": currency, "Payer": line["Payer"], "Memo": line["Memo"],
            "Customer ID": proposal.customer, "Customer": customer_name,
            "Invoices": ", ".join(item.number for item, _ in proposal.applied),
            "Applied": from_minor(sum(u for _, u in proposal.applied), currency),
            "Fee": from_minor(proposal.fee, currency) if proposal.fee else None,
            "Unapplied": from_minor(proposal.unapplied, currency) if proposal.unapplied else None,
            "Rule": str(proposal.rule), "Reason": proposal.reason, "Score": proposal.score}


def rejected_keys(allocations: pd.DataFrame) -> dict[str, set[frozenset]]:
    """Per bank line, the proposals the accountant rejected (never suggested again)."""
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    for ref, tag, cid, number, status in zip(allocations["Bank Ref"], allocations["Proposal"],
                                             allocations["Customer ID"], allocations["Invoice No"],
                                             allocations["Status"]):
        if status == AllocationStatus.REJECTED:
            group = groups[(ref, tag or "")]
            group.add(cid)
            if number:
                group.add(number)
    out: dict[str, set[frozenset]] = defaultdict(set)
    for (ref, _), members in groups.items():
        out[ref].add(frozenset(members))
    return out


@dataclass
class _Run:
    """What one pass over a set of bank lines produced (one currency group)."""

    rows: list[tuple[int, tuple]] = field(default_factory=list)  # (line position, allocation row as a tuple)
    review: list[tuple[int, tuple]] = field(default_factory=list)  # tuples: a child process pickles them fast
    status: dict[str, str] = field(default_factory=dict)
    auto: int = 0
    suggested: int = 0
    unmatched: int = 0


def _match_lines(currencies: frozenset[str], customers: pd.DataFrame, invoices: pd.DataFrame, kept: pd.DataFrame,
                 declined: dict[str, set[frozenset]], used_tags: dict[str, int], lines: pd.DataFrame,
                 history: dict[tuple[str, str, int], set[str]], fees: dict[tuple[str, str], frozenset[int]]) -> _Run:
    """Match the bank ``lines`` of the given currencies, in date order (invoices of other
    currencies can never be touched, so currency groups run independently)."""
    items = open_items(invoices[invoices["Currency"].isin(currencies)], kept)
    owners = {item.customer for item in items.values()}
    matcher = Matcher(customers[customers["Customer ID"].isin(owners)], items, history, fees)
    run = _Run()
    tags = dict(used_tags)
    fields = ("Bank Ref", "Date", "Amount", "Currency", "Payer", "Memo", "Charges")
    columns = [lines[f].tolist() if f in lines else [None] * len(lines) for f in fields]  # Charges: camt only
    for position, values in enumerate(zip(*columns)):
        if values[3] not in currencies:
            continue
        line = dict(zip(fields, values))
        currency, ref = line["Currency"], line["Bank Ref"]
        amount = to_minor(line["Amount"], currency)
        proposals = matcher.proposals(amount, currency, line["Payer"] or "", line["Memo"] or "", line["Date"],
                                      stated_charge(line["Charges"], currency))
        best, suggestions = decide(proposals, declined.get(ref, set()))
        if best is not None:
            tags[ref] = tags.get(ref, 0) + 1
            run.rows += [(position, _cells(ALLOCATIONS, r))
                         for r in allocation_rows(ref, currency, best, AllocationStatus.AUTO, tags[ref])]
            matcher.consume(best)
            run.status[ref] = BankStatus.MATCHED.value
            run.auto += 1
        elif suggestions:
            if suggestions[0].score >= RESERVE_SCORE and suggestions[0].rule not in WEAK_RULES:
                matcher.consume(suggestions[0])  # held for this payment, so later ones do not take it
            else:  # a guess holds nothing, but a later equal guess proposes the next invoice first
                matcher.held.update(item.number for item, _ in suggestions[0].applied)
            for proposal in suggestions:
                tags[ref] = tags.get(ref, 0) + 1
                run.rows += [(position, _cells(ALLOCATIONS, r))
                             for r in allocation_rows(ref, currency, proposal, AllocationStatus.SUGGESTED, tags[ref])]
                run.review.append((position, _cells(REVIEW, review_row(line, proposal, f"{ref}#{tags[ref]}",
                                                                       matcher.customer_names.get(proposal.customer,
                                                                                                  "")))))
            run.status[ref] = BankStatus.SUGGESTED.value
            run.suggested += 1
        else:
            run.status[ref] = BankStatus.UNMATCHED.value
            run.unmatched += 1
    return run


def stated_fee(value: object, currency: str) -> int | None:
    """A client's Fee Deduction cell in minor units, or None when empty (None, NaN)."""
    return to_minor(value, currency) if value is not None and value == value else None


def stated_charge(charges: object, currency: str) -> int | None:
    """A Bank line's Charges cell in minor units, or None when empty (None, NaN) or not positive."""
    if not isinstance(charges, Decimal | int) or not charges > 0:
        return None
    return to_minor(Decimal(charges), currency)


def _cells(sheet: Sheet, record: dict) -> tuple:
    """A record as a tuple in the sheet's column order."""
    return tuple(map(record.get, sheet.headers))


def _frame(sheet: Sheet, rows: list[tuple]) -> pd.DataFrame:
    """A sheet DataFrame (object columns) from tuples in its column order."""
    if not rows:
        return make_frame(sheet, [])
    return pd.DataFrame({c: pd.Series(values, dtype=object) for c, values in zip(sheet.headers, zip(*rows))},
                        columns=sheet.headers)


def _currency_groups(counts: dict[str, int], workers: int) -> list[frozenset[str]]:
    """Currencies split into at most ``workers`` groups of similar work (``LINE_COST`` per line),
    the most work first."""
    groups: list[tuple[float, set[str]]] = [(0.0, set()) for _ in range(max(1, min(workers, len(counts))))]
    work = {currency: count * LINE_COST.get(currency, 1.0) for currency, count in counts.items()}
    for currency in sorted(work, key=lambda c: (-work[c], c)):
        load, members = min(groups, key=lambda g: g[0])
        groups[groups.index((load, members))] = (load + work[currency], members | {currency})
    return [frozenset(members) for _, members in sorted(groups, key=lambda g: -g[0]) if members]


def run_matching(customers: pd.DataFrame, invoices: pd.DataFrame, bank: pd.DataFrame,
                 allocations: pd.DataFrame, workers: int | None = None,
                 parallel_from: int = PARALLEL_FROM) -> MatchResult:
    """Match every open bank credit; returns the new Allocations, Bank (statuses) and Review.

    Lines are processed per currency; with ``parallel_from`` lines or more and a platform that
    can fork, currency groups run in ``workers`` processes (default: the cores). The result is
    the same as a single pass.
    """
    applied_refs = set(allocations.loc[allocations["Status"].isin(APPLIED_STATUSES), "Bank Ref"])
    kept = allocations[~allocations["Status"].eq(AllocationStatus.SUGGESTED)].reset_index(drop=True)
    used_tags: dict[str, int] = {}
    for tag in kept["Proposal"].dropna():
        ref, _, n = str(tag).rpartition("#")
        used_tags[ref] = max(used_tags.get(ref, 0), int(n) if n.isdigit() else 0)
    lines = bank[(bank["Amount"] > 0) & bank["Status"].isin(OPEN_BANK_STATUSES) & ~bank["Bank Ref"].isin(applied_refs)]
    lines = lines.sort_values(["Date", "Bank Ref"], kind="stable")
    counts = lines["Currency"].value_counts().to_dict()
    groups = _currency_groups(counts, (workers or os.cpu_count() or 1) if len(lines) >= parallel_from else 1)
    runs = fork_map(_match_lines, groups or [frozenset()], {
        "customers": customers, "invoices": invoices, "kept": kept, "declined": rejected_keys(kept),
        "used_tags": used_tags, "lines": lines, "history": payment_history(bank, kept),
        "fees": fee_history(bank, kept)})
    result = MatchResult(allocations, bank, pd.DataFrame(), considered=len(lines),
                         auto=sum(r.auto for r in runs), suggested=sum(r.suggested for r in runs),
                         unmatched=sum(r.unmatched for r in runs))
    rows = [row for _, row in sorted((item for r in runs for item in r.rows), key=lambda item: item[0])]
    review = [row for _, row in sorted((item for r in runs for item in r.review), key=lambda item: item[0])]
    status = {ref: state for r in runs for ref, state in r.status.items()}
    combined = pd.concat([kept, _frame(ALLOCATIONS, rows)], ignore_index=True) if rows else kept
    result.allocations = combined.astype(object).where(combined.notna(), None)
    result.bank = bank_totals(bank, result.allocations, status)
    result.review = _frame(REVIEW, review)
    return result


def payment_history(bank: pd.DataFrame, allocations: pd.DataFrame) -> dict[tuple[str, str, int], set[str]]:
    """(payer key, currency, amount) -> the clients such payments were applied to (auto or confirmed)."""
    paid_for: dict[str, str] = {}
    for ref, number, cid, state in zip(allocations["Bank Ref"], allocations["Invoice No"],
                                       allocations["Customer ID"], allocations["Status"]):
        if number and state in APPLIED_STATUSES:
            paid_for[ref] = cid
    history: dict[tuple[str, str, int], set[str]] = defaultdict(set)
    if not paid_for:
        return history
    done = bank[bank["Bank Ref"].isin(paid_for.keys())]
    for ref, payer, currency, amount in zip(done["Bank Ref"], done["Payer"], done["Currency"], done["Amount"]):
        key = payer_key(str(payer or ""))
        if key:
            history[(key, currency, to_minor(amount, currency))].add(paid_for[ref])
    return history


def fee_history(bank: pd.DataFrame, allocations: pd.DataFrame) -> dict[tuple[str, str], frozenset[int]]:
    """(client, currency) -> the bank fees (minor units) it deducted in payments applied before."""
    fees = allocations[allocations["Rule"].eq(FEE_RULE) & allocations["Status"].isin(APPLIED_STATUSES)]
    if fees.empty:
        return {}
    currency = dict(zip(bank["Bank Ref"], bank["Currency"]))
    found: dict[tuple[str, str], set[int]] = defaultdict(set)
    for ref, cid, amount in zip(fees["Bank Ref"], fees["Customer ID"], fees["Applied Amount"]):
        if ref in currency and cid and amount:
            found[(cid, currency[ref])].add(-to_minor(amount, currency[ref]))
    return {key: frozenset(v for v in values if v > 0) for key, values in found.items()}


def bank_totals(bank: pd.DataFrame, allocations: pd.DataFrame, status: dict[str, str]) -> pd.DataFrame:
    """Bank with new statuses and its Applied / Unapplied columns recomputed from allocations."""
    applied: dict[str, Decimal] = defaultdict(Decimal)
    unapplied: dict[str, Decimal] = defaultdict(Decimal)
    for ref, number, amount, rule, state in zip(allocations["Bank Ref"], allocations["Invoice No"],
                                                allocations["Applied Amount"], allocations["Rule"],
                                                allocations["Status"]):
        if state not in APPLIED_STATUSES:
            continue
        if number:
            applied[ref] += amount
        elif rule == UNAPPLIED_RULE:
            unapplied[ref] += amount
    out = bank.copy()
    refs = out["Bank Ref"].tolist()
    out["Status"] = [status.get(r, s) for r, s in zip(refs, out["Status"])]
    out["Applied"] = [applied.get(r) for r in refs]
    out["Unapplied"] = [unapplied.get(r) for r in refs]
    return out
