"""Cash application: every unmatched bank credit -> proposals from named rules -> auto or review.

Pure: DataFrames in, DataFrames out. Lines are taken in date order; an auto allocation
consumes the invoices' open amounts, so two payments never settle the same invoice twice and
a subscription client's payments take its oldest invoices of that amount one after another.

A proposal is auto-applied only when its score is at least ``AUTO_SCORE`` and no proposal
for a different allocation comes within ``MARGIN`` of it: a wrong auto-match is far worse
than a suggestion. Otherwise the best ``SUGGESTIONS`` proposals go to the Review sheet, and the
best one (when the client was recognised) holds its invoices, so that a later payment, say of
a monthly plan, does not take the invoice an earlier payment waiting for review most likely paid.
"""
from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pandas as pd

from arbook.model.frames import make_frame
from arbook.domain.forking import fork_map
from arbook.model.money import from_minor, to_minor
from arbook.model.schema import ALLOCATIONS, CREDIT_NOTE, REVIEW
from arbook.domain.matching.names import CustomerIndex, NameHit
from arbook.domain.matching.normalize import digit_runs, fold, invoice_core
from arbook.domain.matching.subset import find_combination
from arbook.model.statuses import APPLIED, AllocationStatus, BankStatus, Rule

AUTO_SCORE = 0.9
MARGIN = 0.1
SUGGESTIONS = 3
RESERVE_SCORE = 0.5  # a suggestion this good holds its invoices while it waits for review
APPLIED_STATUSES = APPLIED
FEE_RULE = Rule.FEE
UNAPPLIED_RULE = Rule.UNAPPLIED
OPEN_BANK_STATUSES = (BankStatus.NEW, BankStatus.UNMATCHED, BankStatus.SUGGESTED, None, "")
PARALLEL_FROM = 5_000  # fewer lines than this are matched in one process


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
            items[number] = OpenItem(number, cid, currency, remaining, issued, bool(disputed))
    return items


class Matcher:
    """Indexes of customers and open invoices, and the rules that turn a credit into proposals."""

    def __init__(self, customers: pd.DataFrame, items: dict[str, OpenItem]):
        records = customers.to_dict("records")
        self.names = CustomerIndex(records)
        self.customer_names = {r["Customer ID"]: r["Name"] for r in records}
        self.fee_caps = {r["Customer ID"]: (r.get("Fee Deduction") or Decimal(0)) for r in records}
        self.by_customer: dict[tuple[str, str], list[OpenItem]] = defaultdict(list)
        self.by_core: dict[str, list[OpenItem]] = defaultdict(list)
        self._by_amount_index: dict[tuple[str, int], list[OpenItem]] | None = None  # built on first use
        self._all = items
        self._settled: set[tuple[str, str]] = set()
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
        """The client's open, undisputed invoices in a currency, oldest first."""
        key = (customer, currency)
        items = self.by_customer.get(key, [])
        if key in self._settled:
            items[:] = [i for i in items if i.open > 0]
            self._settled.discard(key)
        return items

    def fee_cap(self, customer: str, currency: str) -> int:
        return to_minor(self.fee_caps.get(customer) or Decimal(0), currency)

    # -- rules -----------------------------------------------------------------------------
    def proposals(self, amount: int, currency: str, payer: str, memo: str) -> list[Proposal]:
        """Every rule's proposal for a credit of ``amount`` minor units, unsorted."""
        hits = {h.customer: h for h in self.names.identify(payer, memo)}
        refs = self.referenced(payer, memo, currency)
        out: list[Proposal] = []
        by_owner: dict[str, list[OpenItem]] = defaultdict(list)
        for item in refs:
            by_owner[item.customer].append(item)
        for customer, items in by_owner.items():
            out.extend(self._by_reference(amount, currency, customer, items, hits.get(customer)))
        top = max((h.score for h in hits.values()), default=0.0)
        clear = sum(1 for h in hits.values() if h.score == top) == 1
        for hit in hits.values():
            if hit.customer not in by_owner:  # where the payment names the client's invoices, they govern
                out.extend(self._by_name(amount, currency, hit, search=clear and hit.score == top))
        if not out:
            out.extend(self._by_amount(amount, currency))
        return out

    def _by_reference(self, amount: int, currency: str, customer: str, items: list[OpenItem],
                      hit: NameHit | None) -> list[Proposal]:
        numbers = ", ".join(i.number for i in items)
        total = sum(i.open for i in items)
        cap = self.fee_cap(customer, currency)
        named = hit is not None and hit.score >= 0.9
        who = f"; {hit.why}" if hit else "; payer not recognised (paid by someone else?)"
        base = f"invoice no {numbers} in the payment{who}"
        fmt = lambda units: _fmt(units, currency)
        full = [(i, i.open) for i in items]
        if amount == total:
            return [Proposal(customer, full, Rule.INVOICE_AMOUNT, f"{base}; amount equals the open amount",
                             0.99 if named else 0.96)]
        if 0 < total - amount <= cap:
            return [Proposal(customer, full, Rule.INVOICE_AMOUNT_FEE,
                             f"{base}; amount is the open amount less a bank fee of {fmt(total - amount)} "
                             f"(client may deduct up to {fmt(cap)})", 0.97 if named else 0.93, fee=total - amount)]
        named_here = set(map(id, items))
        others = [i for i in self.customer_items(customer, currency) if id(i) not in named_here]
        if amount > total and others:  # the memo names some of the invoices paid: find the rest
            found = _complete(others, amount - total, amount - total + cap)
            if found is not None:
                extra, ambiguous = found
                paid = items + extra
                fee = sum(i.open for i in paid) - amount
                return [Proposal(customer, [(i, i.open) for i in paid], Rule.INVOICE_OTHERS,
                                 f"{base}; with {', '.join(i.number for i in extra)} the amount equals the open "
                                 "amounts" + (f" less a bank fee of {fmt(fee)}" if fee else "")
                                 + ("; other combinations fit too" if ambiguous else ""),
                                 0.95 if named and not ambiguous else 0.8, fee=fee)]
        if amount < total:
            return [Proposal(customer, _oldest_first(items, amount), Rule.INVOICE_PART_PAID,
                             f"{base}; pays {fmt(amount)} of {fmt(total)}, the rest stays open",
                             0.92 if named else 0.75)]
        # An overpayment is only clear when nothing else of the client's could explain the surplus.
        return [Proposal(customer, full, Rule.INVOICE_OVERPAID,
                         f"{base}; pays {fmt(amount - total)} more than the open amount: left as unapplied cash"
                         + ("; no other open invoice of the client explains the surplus" if others else ""),
                         0.92 if named else 0.75, unapplied=amount - total)]

    def _by_name(self, amount: int, currency: str, hit: NameHit, search: bool = True) -> list[Proposal]:
        """Rules for an identified client; disputed invoices are on hold, so never chosen by amount.

        Combinations are searched (``search``) only for the one clearly best-named client: for a
        weaker or tied name the result could not be applied automatically anyway.
        """
        customer, s = hit.customer, hit.score
        items = self.customer_items(customer, currency)
        if not items:
            return []
        fmt = lambda units: _fmt(units, currency)
        cap = self.fee_cap(customer, currency)
        exact = [i for i in items if i.open == amount]
        if exact:
            item = exact[0]
            why = (f"{hit.why}; amount equals the open amount of {item.number}" if len(exact) == 1 else
                   f"{hit.why}; {len(exact)} open invoices of this amount: the oldest, {item.number}, is settled first")
            return [Proposal(customer, [(item, item.open)], Rule.NAME_AMOUNT, why, round(s * 0.97, 3))]
        with_fee = [i for i in items if 0 < i.open - amount <= cap]
        if with_fee:
            item = with_fee[0]
            return [Proposal(customer, [(item, item.open)], Rule.NAME_AMOUNT_FEE,
                             f"{hit.why}; amount is the open amount of {item.number} less a bank fee of "
                             f"{fmt(item.open - amount)} (up to {fmt(cap)} allowed)", round(s * 0.95, 3),
                             fee=item.open - amount)]
        opens = [i.open for i in items]
        if s < AUTO_SCORE or not search:
            return self._fallback(customer, items, amount, currency, hit)
        combo = find_combination(opens, amount, amount)
        if combo:
            chosen = [items[p] for p in combo.positions]
            return [Proposal(customer, [(i, i.open) for i in chosen], Rule.NAME_SEVERAL,
                             f"{hit.why}; amount equals {len(chosen)} open invoices together "
                             f"({', '.join(i.number for i in chosen)})" + ("; other combinations fit too"
                                                                            if combo.ambiguous else ""),
                             round(s * (0.7 if combo.ambiguous else 0.94), 3))]
        if cap:
            combo = find_combination(opens, amount, amount + cap)
            if combo and combo.total > amount:
                chosen = [items[p] for p in combo.positions]
                return [Proposal(customer, [(i, i.open) for i in chosen], Rule.NAME_SEVERAL_FEE,
                                 f"{hit.why}; amount is {len(chosen)} open invoices together "
                                 f"({', '.join(i.number for i in chosen)}) less a bank fee of "
                                 f"{fmt(combo.total - amount)}", round(s * (0.65 if combo.ambiguous else 0.92), 3),
                                 fee=combo.total - amount)]
        return self._fallback(customer, items, amount, currency, hit)

    def _fallback(self, customer: str, items: list[OpenItem], amount: int, currency: str,
                  hit: NameHit) -> list[Proposal]:
        """Over-payment of everything open, else oldest first: always for review, never auto."""
        s, fmt = hit.score, (lambda units: _fmt(units, currency))
        total = sum(i.open for i in items)
        if amount > total:
            return [Proposal(customer, [(i, i.open) for i in items], Rule.NAME_OVERPAID,
                             f"{hit.why}; pays all {len(items)} open invoices and {fmt(amount - total)} more "
                             "(unapplied cash)", round(s * 0.6, 3), unapplied=amount - total)]
        applied = _oldest_first(items, amount)
        return [Proposal(customer, applied, Rule.NAME_OLDEST_FIRST,
                         f"{hit.why}; amount fits no open invoice or combination: applied to the oldest "
                         f"({', '.join(i.number for i, _ in applied)}), the last one part paid", round(s * 0.5, 3))]

    def _by_amount(self, amount: int, currency: str) -> list[Proposal]:
        if self._by_amount_index is None:
            self._by_amount_index = defaultdict(list)
            for item in sorted(self._all.values(), key=lambda i: (i.issued, i.number)):
                self._by_amount_index[(item.currency, item.open)].append(item)
        items = [i for i in self._by_amount_index.get((currency, amount), ()) if i.open == amount]
        score = 0.6 if len(items) == 1 else 0.4
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
                self._settled.add((item.customer, item.currency))


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


def _complete(items: list[OpenItem], low: int, high: int) -> tuple[list[OpenItem], bool] | None:
    """(the oldest single invoice or combination with open total in [low, high], whether others fit)."""
    singles = [i for i in items if low <= i.open <= high]
    if singles:
        return [singles[0]], len({i.open for i in singles}) > 1
    combo = find_combination([i.open for i in items], low, high)
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

    rows: list[tuple[int, dict]] = field(default_factory=list)  # (line position, allocation row)
    review: list[tuple[int, dict]] = field(default_factory=list)
    status: dict[str, str] = field(default_factory=dict)
    auto: int = 0
    suggested: int = 0
    unmatched: int = 0


def _match_lines(currencies: frozenset[str], customers: pd.DataFrame, invoices: pd.DataFrame, kept: pd.DataFrame,
                 declined: dict[str, set[frozenset]], used_tags: dict[str, int], lines: pd.DataFrame) -> _Run:
    """Match the bank ``lines`` of the given currencies, in date order (invoices of other
    currencies can never be touched, so currency groups run independently)."""
    items = open_items(invoices[invoices["Currency"].isin(currencies)], kept)
    owners = {item.customer for item in items.values()}
    matcher = Matcher(customers[customers["Customer ID"].isin(owners)], items)
    run = _Run()
    tags = dict(used_tags)
    fields = ("Bank Ref", "Date", "Amount", "Currency", "Payer", "Memo")
    for position, values in enumerate(zip(*(lines[f].tolist() for f in fields))):
        if values[3] not in currencies:
            continue
        line = dict(zip(fields, values))
        currency, ref = line["Currency"], line["Bank Ref"]
        amount = to_minor(line["Amount"], currency)
        proposals = matcher.proposals(amount, currency, line["Payer"] or "", line["Memo"] or "")
        best, suggestions = decide(proposals, declined.get(ref, set()))
        if best is not None:
            tags[ref] = tags.get(ref, 0) + 1
            run.rows += [(position, r)
                         for r in allocation_rows(ref, currency, best, AllocationStatus.AUTO, tags[ref])]
            matcher.consume(best)
            run.status[ref] = BankStatus.MATCHED.value
            run.auto += 1
        elif suggestions:
            if suggestions[0].score >= RESERVE_SCORE and suggestions[0].rule != Rule.AMOUNT_ONLY:
                matcher.consume(suggestions[0])  # held for this payment, so later ones do not take it
            for proposal in suggestions:
                tags[ref] = tags.get(ref, 0) + 1
                run.rows += [(position, r)
                         for r in allocation_rows(ref, currency, proposal, AllocationStatus.SUGGESTED, tags[ref])]
                run.review.append((position, review_row(line, proposal, f"{ref}#{tags[ref]}",
                                                        matcher.customer_names.get(proposal.customer, ""))))
            run.status[ref] = BankStatus.SUGGESTED.value
            run.suggested += 1
        else:
            run.status[ref] = BankStatus.UNMATCHED.value
            run.unmatched += 1
    return run


def _currency_groups(counts: dict[str, int], workers: int) -> list[frozenset[str]]:
    """Currencies split into at most ``workers`` groups of similar line counts (largest first)."""
    groups: list[tuple[int, set[str]]] = [(0, set()) for _ in range(max(1, min(workers, len(counts))))]
    for currency, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        load, members = min(groups, key=lambda g: g[0])
        groups[groups.index((load, members))] = (load + count, members | {currency})
    return [frozenset(members) for _, members in groups if members]


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
        "used_tags": used_tags, "lines": lines})
    result = MatchResult(allocations, bank, pd.DataFrame(), considered=len(lines),
                         auto=sum(r.auto for r in runs), suggested=sum(r.suggested for r in runs),
                         unmatched=sum(r.unmatched for r in runs))
    rows = [row for _, row in sorted((item for r in runs for item in r.rows), key=lambda item: item[0])]
    review = [row for _, row in sorted((item for r in runs for item in r.review), key=lambda item: item[0])]
    status = {ref: state for r in runs for ref, state in r.status.items()}
    combined = pd.concat([kept, make_frame(ALLOCATIONS, rows)], ignore_index=True) if rows else kept
    result.allocations = combined.astype(object).where(combined.notna(), None)
    result.bank = bank_totals(bank, result.allocations, status)
    result.review = make_frame(REVIEW, review)
    return result


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
