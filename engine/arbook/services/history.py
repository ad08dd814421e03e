"""History, undo and Log verification of a book file."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from arbook.adapters.book.history import Generation, generations, pick, saved_head
from arbook.model.audit import parse_hash, verify_chain
from arbook.model.errors import ArbookError
from arbook.model.schema import LOG


def history(book: Any) -> list[Generation]:
    """The kept versions of the book, newest first."""
    return list(reversed(generations(book.path)))


@dataclass
class Undone:
    """The version restored and the later ones whose commands were undone with it."""

    target: Generation
    later: list[Generation]

    def summary(self) -> str:
        return (f"restored version {self.target.number} (before: {self.target.command}); "
                f"{1 + len(self.later)} command(s) undone")


def undo_book(book: Any, number: int | str | None = None) -> Undone:
    """Restore the book as it was before command ``number`` (default: the last one) and log the undo
    (naming every command undone). The state replaced is kept, so an undo can itself be undone."""
    if isinstance(number, str):
        if not number.strip().isdigit():
            raise ArbookError(f"--to: {number!r} is not a version number (see 'arbook history')")
        number = int(number)
    target, later = pick(book.path, number)
    book.restore(target)
    undone = "; ".join(f"#{g.number} {g.command} ({g.time}, {g.user})" for g in [target, *later])
    book.log("undo", f"restored version {target.number}; undone: {undone}")
    book.generations = False  # the restored state plus this Log row is not a version of its own
    try:
        book.commit()
    finally:
        book.generations = True
    return Undone(target, later)


@dataclass
class Verification:
    checked: int
    problems: list[str]

    def summary(self) -> str:
        if self.problems:
            return f"Log: {len(self.problems)} problem(s) in {self.checked} chained row(s)"
        return f"Log: {self.checked} chained row(s), no edited, inserted or deleted row"


def verify_book(book: Any) -> Verification:
    """Check the Log's hash chain: edited, inserted and deleted rows, and rows missing at the end
    compared with the newest kept version."""
    log = book.read(LOG.name)
    checked, problems = verify_chain(log.to_dict("records"))
    head = saved_head(book.path) if hasattr(book, "path") else None
    last = next((h for h in reversed(log["Hash"].tolist()) if parse_hash(h)), None)
    if head and parse_hash(head) and head != last:
        seq = parse_hash(head)[0]
        have = parse_hash(last)[0] if last else 0
        problems.append(f"Log: the last save ended at sequence {seq}, the book's Log at {have}"
                        + (f": {seq - have} row(s) deleted at the end" if seq > have else ": rows changed at the end"))
    return Verification(checked, problems)
