"""Errors a person can act on: each renders as one line; the CLI prints it and exits non-zero."""
from __future__ import annotations

from dataclasses import dataclass


class ArbookError(Exception):
    """Base of every error the CLI reports as one line without a traceback."""


class BookLockedError(ArbookError):
    """The book is open in Excel (its ``~$`` owner file exists); nothing was written."""


class BookFormatError(ArbookError):
    """The book is not an arbook workbook (missing sheet, table or header)."""


@dataclass(frozen=True)
class Problem:
    """One bad value in an input file: where it is and what is wrong with it."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class InputError(ArbookError):
    """One or more problems in an input file; the first is the message, all are kept."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        extra = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{problems[0]}{extra}")


def fail(file: str, line: int | None, field: str | None, message: str) -> InputError:
    """An InputError for a single problem (``raise fail(...)``)."""
    return InputError([Problem(file, line, field, message)])
