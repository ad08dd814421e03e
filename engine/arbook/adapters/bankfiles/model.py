"""What every bank-file importer produces: statements of normalized lines."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from arbook.model.errors import Problem, InputError


@dataclass(slots=True)
class BankLine:
    """One booked movement: signed amount (credits positive), the bank's reference if any.
    (Not frozen: a frozen dataclass is made five times slower, and a file can hold a million lines.)"""

    date: date
    amount: Decimal
    currency: str | None = None
    payer: str = ""
    memo: str = ""
    ref: str = ""
    account: str = ""
    line: int | None = None  # where the line starts in its file, for messages and the audit trail
    raw: str = ""      # the bank's description text as written (payer and memo are read from it)
    content: str = ""  # the line's own record in the file, decoded: its fingerprint, whatever the mapping
    charges: Decimal | None = None  # what the bank states it deducted from this credit (camt), in its currency


@dataclass
class Statement:
    """One account's statement from a file, with the balances and totals the file states."""

    source: str
    format: str
    lines: list[BankLine] = field(default_factory=list)
    account: str = ""
    currency: str | None = None
    opening: Decimal | None = None
    closing: Decimal | None = None
    line: int | None = None  # where the statement starts (for balance errors)
    skipped: dict[str, list[int]] = field(default_factory=dict)  # why -> lines of rows left out on purpose

    def skip(self, why: str, line: int) -> None:
        """Note a row left out on purpose (pending, no amount, neither in nor out), for the summary."""
        self.skipped.setdefault(why, []).append(line)

    def difference(self) -> Decimal:
        """Stated closing minus (opening + movements); 0 when the file does not state both."""
        if self.opening is None or self.closing is None:
            return Decimal(0)
        return self.closing - (self.opening + sum((ln.amount for ln in self.lines), Decimal(0)))

    def unbalanced_note(self) -> str:
        """'' when the stated balances add up, else a note saying by how much they do not."""
        off = self.difference()
        return f"stated balances off by {off}: closing {self.closing}, account {self.account or '?'}" if off else ""

    def check_balance(self, allow_unbalanced: bool = False) -> None:
        """InputError unless opening + movements == closing (when the file states both), naming the flag."""
        off = self.difference()
        if off and not allow_unbalanced:
            moved = sum((ln.amount for ln in self.lines), Decimal(0))
            raise InputError([Problem(self.source, self.line, "balance",
                                      f"closing balance {self.closing} is not opening {self.opening} + movements "
                                      f"{moved} = {self.opening + moved} (account {self.account or '?'}); "
                                      "the file is incomplete or damaged (import it anyway with --allow-unbalanced)")])


@dataclass(frozen=True)
class Options:
    """What the user told the importer; everything else is detected."""

    currency: str | None = None        # currency of files that name none (given by the user or a profile)
    home_currency: str | None = None   # the book's Home Currency: used only when nothing else tells
    date_order: str | None = None      # "dmy", "mdy" or "ymd" for CSV day/month ambiguity
    mapping: tuple[tuple[str, str], ...] = ()  # CSV role -> column header (from --map or a profile)
    encoding: str | None = None        # text encoding of the file, when detection must be overridden
    allow_unbalanced: bool = False     # import statements whose stated balances do not add up


class Importer(Protocol):
    """One bank file format: detect it from the first bytes, parse it into statements."""

    name: str

    def detect(self, head: bytes, suffix: str) -> bool:
        """True when the file looks like this format (``head``: its first 4 KiB)."""

    def parse(self, data: bytes, source: str, options: Options) -> list[Statement]:
        """Every statement in the file; InputError naming file, line and field when unreadable."""
