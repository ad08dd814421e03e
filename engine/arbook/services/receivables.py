"""Aging and dunning on a book: recalculate the computed columns, write reminder messages.

The calculations are the pure ``aging`` module; this module reads and writes through the
Book interface (either adapter), renders the jinja2 reminder templates and logs every action.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from arbook.model.book import Book
from arbook.model.statuses import Confirmation
from arbook.model.words import words
from arbook.domain.aging import READS, AgingResult, Policy
from arbook.domain.credits import age_ledger
from arbook.domain.forking import collector_paused
from arbook.adapters.book.atomic import atomic_write
from arbook.model.errors import ArbookError
from arbook.model.money import format_money
from arbook.domain.ledger import AccountRows, ledger_report
from arbook.model.schema import AGING, ALLOCATIONS, BANK, CUSTOMERS, DASHBOARD, INVOICES, Role
from arbook.resources import resource

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES = resource("templates")


def company_details(settings: dict[str, str]) -> dict[str, str]:
    """The company header of statements, reminders and emails, from the Settings sheet."""
    return {"name": settings.get("Company Name", ""), "address": settings.get("Company Address", ""),
            "payment": settings.get("Payment Instructions", "")}


def missing_details(settings: dict[str, str], keys: tuple[str, ...] = ("Company Name", "Payment Instructions",
                                                                         "Sender Email")) -> list[str]:
    """The Settings a client's statement or email would go out without (empty ones among ``keys``)."""
    return [key for key in keys if not settings.get(key, "").strip()]


def currency_display(settings: dict[str, str]) -> str:
    """How amounts are written on statements, reminders and emails: ``symbol`` (¥1,000) or ``code`` (JPY 1,000)."""
    return "symbol" if settings.get("Currency Display", "").strip().lower() == "symbol" else "code"


def select_customers(customers: Any, customer_ids: list[str] | None) -> set[str]:
    """The requested Customer IDs (all when none given); ArbookError naming any unknown one."""
    wanted = set(customer_ids or customers["Customer ID"])
    unknown = wanted - set(customers["Customer ID"])
    if unknown:
        raise ArbookError(f"no such customer: {', '.join(sorted(unknown))}")
    return wanted


def aging_of(book: Book, as_of: date | None = None, rewrite: Sequence[str] = ()) -> AgingResult:
    """One aging pass over the book as of a date (default today), reading only the columns aging
    uses; nothing is staged, so reports can share it without touching the book. ``rewrite``: the sheets
    the caller saves next with only their computed columns changed (the book may read them ahead)."""
    as_of = as_of or date.today()
    sheets = (CUSTOMERS, ALLOCATIONS, INVOICES, BANK)
    with collector_paused():
        book.prefetch({sheet.name: READS[sheet.name] for sheet in sheets}, rewrite)
        customers, allocations, invoices, bank = (book.read(sheet.name, READS[sheet.name]) for sheet in sheets)
        return age_ledger(customers, invoices, allocations, bank, Policy.from_settings(book.settings()),
                          as_of)  # credit notes, write-offs, refunds too


def age_book(book: Book, as_of: date | None = None) -> AgingResult:
    """Recalculate Invoices, Customers and the Aging sheet as of a date (default today); staged."""
    result = aging_of(book, as_of, rewrite=[INVOICES.name, CUSTOMERS.name])
    add_home_totals(book, result)
    book.replace(INVOICES.name, result.invoices, changed=[c.name for c in INVOICES.columns if c.role is Role.COMPUTED])
    book.replace(CUSTOMERS.name, result.customers, changed=[c.name for c in CUSTOMERS.columns if c.role is Role.COMPUTED])
    book.replace(AGING.name, result.aging)
    book.replace(DASHBOARD.name, result.dashboard)
    book.log("age", result.summary())
    return result


def add_home_totals(book: Book, result: AgingResult) -> None:
    """Fill Customers' Home Balance / Home Credit Used % and add the Dashboard's Home rows when the
    Home Currency setting is set (FX Rates as of the aging date; a missing rate is an error)."""
    import pandas as pd

    from arbook.domain.fx import Rates, home_columns
    from arbook.model.errors import BookFormatError
    from arbook.model.frames import empty_frame, make_frame
    from arbook.model.schema import FX_RATES

    home = book.settings().get("Home Currency", "").strip().upper()
    if not home:
        return
    try:
        frame = book.read(FX_RATES.name)
    except BookFormatError:  # a book from before the FX Rates sheet (arbook upgrade adds it)
        frame = empty_frame(FX_RATES)
    try:
        result.customers, extra = home_columns(result.customers, result.aging, Rates(frame, home), result.as_of)
    except ArbookError as exc:  # a rate missing for the aging date: name the book it is missing from
        raise ArbookError(f"{book.source}: {exc}") from None
    if extra and result.dashboard is not None:
        result.dashboard = pd.concat([result.dashboard, make_frame(DASHBOARD, extra)], ignore_index=True)


def ledger_book(book: Book, customer_ids: list[str] | None = None) -> int:
    """Write (or rewrite) one ledger sheet per client, or for the given clients; staged. Returns the count."""
    customers = book.read(CUSTOMERS.name)
    wanted = select_customers(customers, customer_ids)
    rows = AccountRows.of(book.read(INVOICES.name), book.read(ALLOCATIONS.name), book.read(BANK.name))
    count = 0
    for customer in customers.to_dict("records"):
        if customer["Customer ID"] in wanted:
            book.put_report(ledger_report(customer, rows))
            count += 1
    book.log("ledger", f"{count} customer ledger sheet(s) written")
    return count


def _environment() -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined  # reminders only: not loaded for aging

    folder = TEMPLATES / "reminders"
    if not folder.is_dir():
        raise ArbookError(f"reminder templates not found in {folder}")
    return Environment(loader=FileSystemLoader(str(folder)), undefined=StrictUndefined, keep_trailing_newline=True,
                       autoescape=False)


def unanswered(book: Book, days: int, today: date | None = None) -> list[dict]:
    """Clients whose statement (Confirmed On) is at least ``days`` old with Confirmation 'no reply'."""
    limit = (today or date.today()) - timedelta(days=days)
    return [r for r in book.read(CUSTOMERS.name).to_dict("records")
            if r.get("Confirmation") == Confirmation.NO_REPLY and r.get("Confirmed On") and r["Confirmed On"] <= limit]


def write_reminders(book: Book, out_dir: Path, as_of: date | None = None, aged: AgingResult | None = None,
                    unconfirmed_days: int | None = None) -> list[Path]:
    """One reminder message per client and level, in the client's language, from each invoice's
    Reminder Level as of ``as_of`` (``aged`` when that pass is at hand); disputed invoices get none.
    With ``unconfirmed_days``, also one asking each client who has not answered its statement for that
    many days to confirm its balance. The book's stored aging is left as it is. Returns the files."""
    as_of = as_of or date.today()
    result = aged if aged is not None and aged.as_of == as_of else aging_of(book, as_of)
    settings = book.settings()
    company = company_details(settings)
    policy = Policy.from_settings(settings)
    display = currency_display(settings)
    customers = {r["Customer ID"]: r for r in result.customers.to_dict("records")}
    groups: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for row in result.invoices.to_dict("records"):
        if row["Reminder Level"]:
            groups[(row["Customer ID"], row["Reminder Level"])].append(row)
    env = _environment()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for (cid, level), rows in sorted(groups.items()):
        customer = customers.get(cid)
        if customer is None:
            continue
        language = customer.get("Language") or "en"
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for row in rows:
            totals[row["Currency"]] += row["Open"]
        text = env.get_template(f"{language}.txt.j2").render(
            t=words(language), level=level, days=policy.reminder_days[level - 1], as_of=as_of.isoformat(),
            company=company, customer={"id": cid, "name": customer["Name"], "email": customer.get("Email")},
            invoices=[{"number": r["Invoice No"], "due": r["Due Date"].isoformat(), "currency": r["Currency"],
                       "open": format_money(r["Open"], r["Currency"], display), "days": r["Days Overdue"]}
                      for r in rows],
            totals={c: format_money(t, c, display) for c, t in totals.items()})
        path = out_dir / f"{cid}-level{level}-{language}.txt"
        atomic_write(path, lambda handle, data=text.encode("utf-8"): handle.write(data), backup=False)
        written.append(path)
    for customer in unanswered(book, unconfirmed_days, as_of) if unconfirmed_days is not None else []:
        language = customer.get("Language") or "en"
        text = env.get_template(f"confirm-{language}.txt.j2").render(
            company=company, customer={"id": customer["Customer ID"], "name": customer["Name"]},
            statement_date=customer["Confirmed On"].isoformat())
        path = out_dir / f"{customer['Customer ID']}-confirm-{language}.txt"
        atomic_write(path, lambda handle, data=text.encode("utf-8"): handle.write(data), backup=False)
        written.append(path)
    book.log("reminders", f"{len(written)} reminder message(s) written to {out_dir} as of {as_of}")
    return written
