"""The workbook schema: every sheet, column, type and role, in one place.

The book builder, the readers and writers of both adapters, validation, CSV export and the
VBA constants module are all derived from the declarations below; nothing else names a header.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from arbook.model.errors import ArbookError
from arbook.model.money import CURRENCIES
from arbook.model.statuses import (Accept, AllocationStatus, BankStatus, Confirmation, CreditStatus, Delivery,
                                   DocumentType, InvoiceStatus, choices)


class Kind(str, Enum):
    """Value type of a column, as held in DataFrames (Python objects) and in Excel."""

    TEXT = "text"          # str
    INT = "int"            # int
    MONEY = "money"        # decimal.Decimal, exact, at most the currency's minor digits
    NUMBER = "number"      # float: scores and ratios, never money
    DATE = "date"          # datetime.date
    DATETIME = "datetime"  # datetime.datetime (audit log)
    BOOL = "bool"          # bool
    CHOICE = "choice"      # str from a closed list


class Role(str, Enum):
    """Who fills a column: the user or an import (INPUT) or the engine's recalculation (COMPUTED)."""

    INPUT = "input"
    COMPUTED = "computed"


#: Excel number formats per kind (money is shown with two decimals; the value itself is exact).
NUMBER_FORMATS: dict[Kind, str] = {
    Kind.INT: "0",
    Kind.MONEY: "#,##0.00;[Red]-#,##0.00",
    Kind.NUMBER: "0.00",
    Kind.DATE: "yyyy-mm-dd",
    Kind.DATETIME: "yyyy-mm-dd hh:mm:ss",
}


@dataclass(frozen=True)
class Column:
    """One column of a sheet table."""

    name: str
    kind: Kind = Kind.TEXT
    role: Role = Role.INPUT
    required: bool = False
    choices: tuple[str, ...] = ()
    width: float = 14
    currency_col: str | None = None  # for MONEY: the column of the same row naming its currency
    minimum: int | None = None  # an input value below this is refused (0: no negative limits, fees, terms)
    doc: str = ""

    @property
    def number_format(self) -> str | None:
        """The Excel number format for this column, or None for General/text."""
        return NUMBER_FORMATS.get(self.kind)


@dataclass(frozen=True)
class Sheet:
    """One worksheet holding one Excel table (ListObject) named ``tbl<Name>``."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    append_only: bool = False
    tab_color: str = "1F4E78"
    doc: str = ""
    _by_name: dict[str, Column] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_name.update({c.name: c for c in self.columns})

    @property
    def table_name(self) -> str:
        """The Excel table name (ListObject), e.g. ``tblInvoices``."""
        return "tbl" + self.name.replace(" ", "")

    @property
    def headers(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def input_columns(self) -> list[Column]:
        return [c for c in self.columns if c.role is Role.INPUT]

    @property
    def computed_columns(self) -> list[Column]:
        return [c for c in self.columns if c.role is Role.COMPUTED]

    def column(self, name: str) -> Column:
        """The column called ``name``; KeyError names the sheet when there is none."""
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"sheet {self.name} has no column {name!r}") from None

    def has(self, name: str) -> bool:
        return name in self._by_name


C, K, R = Column, Kind, Role
LANGUAGES = ("ja", "zh", "en")
ALLOCATION_STATUSES = choices(AllocationStatus)
BANK_STATUSES = choices(BankStatus)
INVOICE_STATUSES = choices(InvoiceStatus)
CREDIT_STATUSES = choices(CreditStatus)
CURRENCY_CODES = tuple(CURRENCIES)
DELIVERIES = choices(Delivery)
CONFIRMATIONS = choices(Confirmation)
INVOICE_TYPE, CREDIT_NOTE, DEBIT_NOTE = DocumentType.INVOICE, DocumentType.CREDIT_NOTE, DocumentType.DEBIT_NOTE
DOCUMENT_TYPES = choices(DocumentType)

CUSTOMERS = Sheet("Customers", (
    C("Customer ID", required=True, width=13, doc="Your code for the client; the key."),
    C("Name", required=True, width=30, doc="Legal name as on invoices."),
    C("Name Kana", width=24, doc="Furigana reading (Japanese clients), used to recognise bank payer names."),
    C("Payer Names", width=30, doc="Names the client pays under, separated by ';' (learned on confirm)."),
    C("Email", width=28),
    C("Language", K.CHOICE, required=True, choices=LANGUAGES, width=10, doc="Statement and email language."),
    C("Currency", K.CHOICE, required=True, choices=CURRENCY_CODES, width=10),
    C("Terms Days", K.INT, width=11, minimum=0, doc="Payment terms; Due Date defaults to Issue Date + this."),
    C("Credit Limit", K.MONEY, currency_col="Currency", width=15, minimum=0),
    C("Fee Deduction", K.MONEY, currency_col="Currency", width=14, minimum=0,
      doc="The bank fee this client deducts from payments (yen: that exact fee; other currencies: the largest). "
          "Published transfer fees and fees it deducted before are recognised without it."),
    C("Balance", K.MONEY, R.COMPUTED, currency_col="Currency", width=15),
    C("Overdue", K.MONEY, R.COMPUTED, currency_col="Currency", width=15),
    C("Unapplied", K.MONEY, R.COMPUTED, currency_col="Currency", width=14),
    C("Credit Used %", K.NUMBER, R.COMPUTED, width=13),
    C("Credit Status", K.CHOICE, R.COMPUTED, choices=CREDIT_STATUSES, width=13),
    C("DSO", K.NUMBER, R.COMPUTED, width=8),
    C("Avg Days Late", K.NUMBER, R.COMPUTED, width=13),
    C("Last Payment", K.DATE, R.COMPUTED, width=13),
    C("Grade", K.CHOICE, R.COMPUTED, choices=("A", "B", "C"), width=8),
    C("Currencies", width=14, doc="Currencies the client is billed in, separated by ';' (empty = its Currency)."),
    C("Home Balance", K.MONEY, R.COMPUTED, width=15,
      doc="Balance over every currency in the Home Currency (FX Rates as of the aging date)."),
    C("Home Credit Used %", K.NUMBER, R.COMPUTED, width=13, doc="Home Balance against the Credit Limit in the Home Currency."),
    C("Paid By", width=30, doc="Third parties that pay for the client (parent, factoring company, a director), "
                               "separated by ';' (learned on confirm)."),
    C("CC Emails", width=30, doc="Copies of statement emails: addresses separated by ';' (Email holds one address)."),
    C("Address", width=36, doc="Postal address printed on statements (lines separated by line breaks)."),
    C("Postal Code", width=11),
    C("Contact", width=18, doc="Person the statement is addressed to (empty = the company)."),
    C("Department", width=18),
    C("Honorific", width=10, doc="御中 / 様 / 台启 / Attn.; empty = by language (company, or person when Contact is set)."),
    C("Delivery", K.CHOICE, choices=DELIVERIES, width=10, doc="How statements go out: email, post or both "
                                                              "(empty = email)."),
    C("Confirmation", K.CHOICE, choices=CONFIRMATIONS, width=13,
      doc="The client's answer to the last statement: confirmed, disputed or no reply (set by confirmations)."),
    C("Confirmed Balance", K.TEXT, width=18, doc="Balance the client confirmed or stated, per currency."),
    C("Confirmed On", K.DATE, width=13, doc="As-of date of the statement the client answered."),
), key=("Customer ID",), tab_color="2E75B6", doc="One row per client.")

INVOICES = Sheet("Invoices", (
    C("Invoice No", required=True, width=14),
    C("Customer ID", required=True, width=13),
    C("Issue Date", K.DATE, required=True, width=12),
    C("Due Date", K.DATE, width=12, doc="Defaults to Issue Date + the client's Terms Days."),
    C("Currency", K.CHOICE, required=True, choices=CURRENCY_CODES, width=10),
    C("Amount", K.MONEY, required=True, currency_col="Currency", width=15),
    C("Disputed", K.BOOL, width=10),
    C("Applied", K.MONEY, R.COMPUTED, currency_col="Currency", width=15),
    C("Open", K.MONEY, R.COMPUTED, currency_col="Currency", width=15),
    C("Days Overdue", K.INT, R.COMPUTED, width=13),
    C("Bucket", K.TEXT, R.COMPUTED, width=10),
    C("Status", K.CHOICE, R.COMPUTED, choices=INVOICE_STATUSES, width=10),
    C("Reminder Level", K.INT, R.COMPUTED, width=14),
    C("Type", K.CHOICE, choices=DOCUMENT_TYPES, width=12,
      doc="invoice, credit note or debit note (empty = invoice); every amount is positive."),
    C("Ref", width=14, doc="For a credit or debit note: the invoice it corrects."),
), key=("Invoice No",), tab_color="548235", doc="One row per invoice issued.")

BANK = Sheet("Bank", (
    C("Bank Ref", required=True, width=22, doc="The bank's reference for the line, else a fingerprint."),
    C("Date", K.DATE, required=True, width=12),
    C("Amount", K.MONEY, required=True, currency_col="Currency", width=15, doc="Credits positive."),
    C("Currency", K.CHOICE, required=True, choices=CURRENCY_CODES, width=10),
    C("Payer", width=28),
    C("Memo", width=36),
    C("Account", width=22),
    C("Source", width=22, doc="File the line was imported from."),
    C("Fingerprint", width=20, doc="Content hash that makes imports idempotent."),
    C("Status", K.CHOICE, choices=BANK_STATUSES, width=11),
    C("Raw Text", width=40, doc="The bank's description as written; Payer and Memo are read from it."),
    C("Applied", K.MONEY, R.COMPUTED, currency_col="Currency", width=15),
    C("Unapplied", K.MONEY, R.COMPUTED, currency_col="Currency", width=15),
    C("Charges", K.MONEY, currency_col="Currency", width=12,
      doc="Charges the bank states it deducted from this credit (camt.053); a shortfall of exactly this is a fee."),
), key=("Bank Ref",), tab_color="BF8F00", doc="Imported bank statement lines.")

ALLOCATIONS = Sheet("Allocations", (
    C("Bank Ref", required=True, width=22),
    C("Invoice No", width=14, doc="Empty for unapplied cash left on the client's account."),
    C("Customer ID", width=13),
    C("Applied Amount", K.MONEY, required=True, width=15),
    C("Status", K.CHOICE, required=True, choices=ALLOCATION_STATUSES, width=11),
    C("Rule", width=18),
    C("Reason", width=48),
    C("Score", K.NUMBER, width=8),
    C("Proposal", K.TEXT, R.COMPUTED, width=16, doc="Groups the rows of one proposal (Bank Ref#n)."),
    C("Date", K.DATE, width=12, doc="When a row not paid by a bank line takes effect (credit note, write-off)."),
    C("Account", width=14, doc="Ledger account of a write-off (from Settings)."),
), tab_color="7030A0", doc="Which payment pays which invoice, and why. Rows without an invoice are a bank fee "
                          "(negative) or unapplied cash left on the client's account.")

REVIEW = Sheet("Review", (
    C("Accept", K.CHOICE, choices=choices(Accept), width=9, doc="yes = apply this proposal, no = reject it (はい/いいえ, 是/否, y/n read the same)."),
    C("Proposal", K.TEXT, R.COMPUTED, width=16),
    C("Bank Ref", K.TEXT, R.COMPUTED, width=22),
    C("Date", K.DATE, R.COMPUTED, width=12),
    C("Amount", K.MONEY, R.COMPUTED, currency_col="Currency", width=14),
    C("Currency", K.CHOICE, R.COMPUTED, choices=CURRENCY_CODES, width=9),
    C("Payer", K.TEXT, R.COMPUTED, width=26),
    C("Memo", K.TEXT, R.COMPUTED, width=26),
    C("Customer ID", K.TEXT, R.COMPUTED, width=12),
    C("Customer", K.TEXT, R.COMPUTED, width=26),
    C("Invoices", K.TEXT, R.COMPUTED, width=22),
    C("Applied", K.MONEY, R.COMPUTED, currency_col="Currency", width=14),
    C("Fee", K.MONEY, R.COMPUTED, currency_col="Currency", width=10),
    C("Unapplied", K.MONEY, R.COMPUTED, currency_col="Currency", width=12),
    C("Rule", K.TEXT, R.COMPUTED, width=18),
    C("Reason", K.TEXT, R.COMPUTED, width=50),
    C("Score", K.NUMBER, R.COMPUTED, width=8),
    C("Apply To", width=24, doc="Invoice numbers to apply this payment to instead (INV-1, INV-2=5000); "
                                "confirm applies them by hand."),
), tab_color="C00000", doc="Proposals waiting for the accountant: set Accept to yes or no, then run confirm.")

AGING = Sheet("Aging", (
    C("Customer ID", K.TEXT, R.COMPUTED, width=13, doc="Empty on the per-currency total rows."),
    C("Customer", K.TEXT, R.COMPUTED, width=30),
    C("Currency", K.CHOICE, R.COMPUTED, choices=CURRENCY_CODES, width=9),
    C("Total Open", K.MONEY, R.COMPUTED, currency_col="Currency", width=15),
    C("Unapplied", K.MONEY, R.COMPUTED, currency_col="Currency", width=13),
    C("Net", K.MONEY, R.COMPUTED, currency_col="Currency", width=15, doc="Total Open less unapplied cash."),
    C("Current", K.MONEY, R.COMPUTED, currency_col="Currency", width=14, doc="Not yet due."),
    *(C(label, K.MONEY, R.COMPUTED, currency_col="Currency", width=13, doc="Days past due (default buckets).")
      for label in ("1-30", "31-60", "61-90", "91-120", ">120")),
), tab_color="375623", doc="Open amounts by days past due, per client and currency (never JPY added to USD); the "
                          "bucket columns follow the Aging Buckets setting.")

DASHBOARD = Sheet("Dashboard", (
    C("Section", K.TEXT, R.COMPUTED, width=12),
    C("Currency", K.TEXT, R.COMPUTED, width=9),
    C("Item", K.TEXT, R.COMPUTED, width=30),
    *(C(label, K.MONEY, R.COMPUTED, width=13) for label in ("Current", "1-30", "31-60", "61-90", "91-120", ">120")),
    C("Total", K.MONEY, R.COMPUTED, width=14),
    C("Note", K.TEXT, R.COMPUTED, width=30),
), tab_color="FFC000", doc="Filled by age: aging by bucket per currency (rows 2-6), top overdue clients (rows 7-16), "
                          "clients per credit status (rows 17-20), then the credit alerts; the charts read these rows.")

SETTINGS = Sheet("Settings", (
    C("Key", required=True, width=26),
    C("Value", width=40),
    C("Note", width=60),
), key=("Key",), tab_color="808080", doc="Company details, aging buckets and thresholds.")

LOG = Sheet("Log", (
    C("Time", K.DATETIME, required=True, width=20),
    C("User", width=14),
    C("Action", required=True, width=14),
    C("Details", width=80),
    C("Hash", width=24, doc="Sequence and SHA-256 chained to the previous row (arbook verify checks it)."),
), append_only=True, tab_color="404040", doc="Audit log: every import, match, confirm and send. Append-only.")

PROFILES = Sheet("Profiles", (
    C("Profile", required=True, width=18, doc="Name given with --save-profile / --profile."),
    C("Setting", required=True, width=16,
      doc="A column role (date, amount, credit, debit, dc, payer, memo, ref, currency...) or Default Currency / Date Order."),
    C("Value", required=True, width=30, doc="The column's header text or number (1 = first), or the setting's value."),
), tab_color="808080", doc="Saved column mappings for bank files that are not recognised on their own.")

FX_RATES = Sheet("FX Rates", (
    C("Date", K.DATE, required=True, width=12, doc="The rate applies from this date until the next row's."),
    C("Currency", K.CHOICE, required=True, choices=CURRENCY_CODES, width=10),
    C("Rate", K.NUMBER, required=True, width=14, doc="Home Currency units per one unit of Currency."),
), tab_color="808080", doc="Exchange rates to the Home Currency for home-currency balances and credit use.")

#: The schema's version, kept in every book as the hidden defined name ``_arbook_schema``. Bump it with
#: every change to the sheets or columns above (a test holds the schema's fingerprint per version).
#: 1: books made before versions were recorded (arbook 0.1.0). 2: schema versions recorded.
#: 3: document types (Invoices Type, Ref), allocation Date/Account, Log Hash, Customers Currencies and
#: home-currency columns, the FX Rates sheet.
#: 4: Customers gain CC Emails, the address block, Honorific, Delivery, the Confirmation columns and Paid By;
#:    Review gains Apply To, Bank gains Raw Text.
#: 5: Bank gains Charges (the charges a camt statement states for a credit).
SCHEMA_VERSION = 5
VERSION_NAME = "_arbook_schema"

SHEETS: tuple[Sheet, ...] = (CUSTOMERS, INVOICES, BANK, ALLOCATIONS, REVIEW, AGING, DASHBOARD, SETTINGS, PROFILES, LOG,
                             FX_RATES)
_BY_NAME = {s.name.lower(): s for s in SHEETS}

#: Settings rows every new book starts with: (key, value, note).
DEFAULT_SETTINGS: tuple[tuple[str, str, str], ...] = (
    ("Company Name", "", "Printed on statements and emails."),
    ("Company Address", "", "Printed on statements."),
    ("Payment Instructions", "", "Bank account details printed on statements."),
    ("Sender Email", "", "From address of statement emails."),
    ("Language", "en", "Ribbon and message language: ja, zh or en."),
    ("Home Currency", "", "Currency of bank files that name none (e.g. JPY); empty = ask."),
    ("Aging Buckets", "30,60,90,120", "Upper edges (days past due) of the aging buckets after Current."),
    ("Watch Threshold %", "80", "Credit used at or above this share of the limit is 'Watch'."),
    ("Hold Days Overdue", "90", "Anything overdue more than this many days puts the client on 'Hold'."),
    ("Reminder Days", "7,30,60", "Days past due at which reminder levels 1, 2, 3 start."),
    ("Currency Display", "code", "Amounts on statements and reminders: code (JPY 1,000) or symbol (¥1,000)."),
    ("Paper Size", "A4", "Printed sheets and statements: A4 or Letter."),
    ("Undo Generations", "20", "How many previous versions of the book 'arbook undo' keeps."),
    ("Credit Notes", "oldest", "A credit note without an open Ref invoice: 'oldest' applies it to the client's "
                               "oldest open invoices, 'balance' keeps it as a credit."),
    ("Write-off Threshold", "JPY 1000; USD 10; CNY 50; EUR 10",
     "Largest residual 'arbook writeoff' (without --invoice) clears, per currency."),
    ("Write-off Account", "Small differences", "Account recorded on small-residual write-offs."),
    ("Bad Debt Account", "Bad debts", "Account recorded on bad-debt write-offs."),
)


def sheet(name: str) -> Sheet:
    """The sheet declaration called ``name`` (case-insensitive); ArbookError lists the valid names."""
    try:
        return _BY_NAME[name.lower()]
    except KeyError:
        valid = ", ".join(s.name for s in SHEETS)
        raise ArbookError(f"unknown sheet {name!r} (sheets: {valid})") from None
