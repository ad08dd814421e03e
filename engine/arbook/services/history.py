"""History, undo and Log verification of a book file."""
from __future__ import annotations

from dataclasses import dataclass

from arbook.adapters.book.filebook import FileBook
from arbook.adapters.book.history import Generation, generations, pick, saved_head
from arbook.model.audit import parse_hash, verify_chain
from arbook.model.errors import ArbookError
from arbook.model.schema import LOG


def history(book: FileBook) -> list[Generation]:
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


def undo_book(book: FileBook, number: int | str | None = None) -> Undone:
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


def verify_book(book: FileBook) -> Verification:
    """Check the Log's hash chain: edited, inserted and deleted rows, and rows missing at the end
    compared with the newest kept version."""
    log = book.read(LOG.name)
    checked, problems = verify_chain(log.to_dict("records"))
    head = parse_hash(saved_head(book.path)) if hasattr(book, "path") else None
    if head:
        seq, digest = head
        chained = {parse_hash(h)[0]: parse_hash(h)[1] for h in log["Hash"] if parse_hash(h)}
        last = max(chained, default=0)
        if seq not in chained and seq > last:
            problems.append(f"Log: {seq - last} row(s) deleted at the end (the last save ended at sequence {seq}, "
                            f"the Log now at {last})")
        elif chained.get(seq) != digest:
            problems.append(f"Log: the row with sequence {seq} is not the one the last save wrote")
    return Verification(checked, problems)
