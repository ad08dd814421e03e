"""The ``arbook`` command line: a thin layer over the library; one-line errors, exit code 1."""
from __future__ import annotations

import re
import sys
from pathlib import Path
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import click

from arbook import __version__
from arbook.actions import ACTIONS, Action, Param
from arbook.model.errors import ArbookError, InputError

LISTED = 20  # further problems of a bad input listed under its one-line error


class Steps:
    """A progress bar over a command's named steps, shown only on a terminal."""

    def __init__(self, labels: list[str]):
        self._bar = None
        if sys.stderr.isatty():
            self._bar = click.progressbar(length=len(labels), label=labels[0], file=sys.stderr,
                                          show_eta=False, width=24)
            self._bar.__enter__()

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        if self._bar is not None:
            self._bar.label = label
            self._bar.render_progress()
        yield
        if self._bar is not None:
            self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show the full traceback on errors.")
@click.option("--lock-timeout", type=float, metavar="SECONDS",
              help="How long to wait for a book another arbook command is using (default 30).")
@click.version_option(__version__, prog_name="arbook")
def cli(debug: bool, lock_timeout: float | None) -> None:
    """arbook: accounts receivable in an Excel workbook.

    Keep customers and invoices in BOOK (.xlsx or .xlsm), import bank statements, match
    payments to invoices, age the ledger and send statements. Every change is saved
    atomically (BOOK.bak keeps the previous version; 'arbook undo' goes back further) and
    logged on the Log sheet.
    """
    if lock_timeout is not None:
        import os

        from arbook.adapters.book.atomic import LOCK_TIMEOUT_ENV

        os.environ[LOCK_TIMEOUT_ENV] = str(lock_timeout)


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> object:
    from arbook.model.textparse import parse_date

    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _pairs(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list[tuple[str, str]]:
    pairs = []
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise click.BadParameter(f"{item!r}: use ROLE=COLUMN, e.g. date=1 or amount=Betrag")
        pairs.append((key.strip().lower(), value.strip()))
    return pairs


def _click_param(param: Param) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """The click argument or option of an action parameter."""
    types: dict[str, Any] = {
        "file": click.Path(dir_okay=False, exists=param.exists), "files": click.Path(dir_okay=False, exists=param.exists),
        "folder": click.Path(file_okay=False, exists=param.exists), "path": click.Path(dir_okay=False, exists=param.exists),
        "choice": click.Choice(list(param.choices)) if param.choices else None, "count": click.IntRange(min=0),
    }
    extra: dict[str, Any] = {"type": types.get(param.kind), "metavar": param.metavar}
    if param.kind == "date":
        extra["callback"] = _date
    if param.kind == "pairs":
        extra["callback"] = _pairs
    if param.option is None:
        if param.kind == "files" or param.multiple:
            extra.update(nargs=-1, required=not param.optional)
        elif param.optional:
            extra.update(required=False)
        return click.argument(param.name, **extra)
    if param.kind == "flag":
        return click.option(param.option, param.name, is_flag=True, help=param.help)
    return click.option(param.option, param.name, help=param.help, required=param.required, multiple=param.multiple,
                        default=param.default, show_default=param.default is not None, **extra)


def _command(action: Action) -> click.Command:
    """The click command of an action: parse, open the book if it takes one, run, print the message."""
    def run(**values: Any) -> None:
        values = {k: (list(v) or None) if isinstance(v, tuple) else v for k, v in values.items()}
        if not action.book:
            result, message = action.outcome(None, values)
            click.echo(message)
            if not action.ok(result):
                raise ArbookError(f"{action.name}: something must be fixed (see above)")
            return
        from arbook.adapters.book import open_book

        steps = Steps(["reading book", action.labels["en"], "saving"])
        try:
            with steps.step("reading book"), open_book(values.pop("book")) as handle:
                with steps.step(action.labels["en"]):
                    result, message = action.outcome(handle, values)
                with steps.step("saving"):
                    handle.commit()
        finally:
            steps.close()
        click.echo(message)
        if not action.ok(result):
            raise ArbookError(f"{action.name}: something must be fixed (see above)")

    for param in reversed(action.params):
        run = _click_param(param)(run)
    if action.book:
        run = click.argument("book", type=click.Path(dir_okay=False))(run)
    return click.command(action.name, help=action.help)(run)


for _action in ACTIONS:
    if _action.cli:
        cli.add_command(_command(_action))


def _user_path(name: object) -> str:
    """The path the user named, for a system error on one of arbook's temp files beside it."""
    if not name:
        return ""
    path = Path(str(name))
    match = re.fullmatch(r"\.(.+)\.\d+\.arbook-tmp", path.name)
    return str(path.with_name(match.group(1)) if match else path)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script: ArbookError -> one line on stderr and exit code 1."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="arbook", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("arbook: aborted", err=True)
        sys.exit(1)
    except click.UsageError as exc:  # one line, with where to read more
        command = exc.ctx.command_path if exc.ctx is not None else "arbook"
        click.echo(f"{command}: {exc.format_message()} (see '{command} --help')", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ArbookError as exc:
        if debug:
            raise
        click.echo(f"arbook: {exc}", err=True)
        more = exc.problems[1:] if isinstance(exc, InputError) else []
        for problem in more[:LISTED]:  # the first line says how many; these say which
            click.echo(f"  also {problem}", err=True)
        if len(more) > LISTED:
            click.echo(f"  ... {len(more) - LISTED} more not shown", err=True)
        sys.exit(1)
    except OSError as exc:  # a folder or file the system refuses: the user's to fix, not a bug
        if debug:
            raise
        where = _user_path(exc.filename)
        click.echo(f"arbook: {where + ': ' if where else ''}{exc.strerror or exc}", err=True)
        sys.exit(1)
    except Exception as exc:  # a bug: still one line unless --debug
        if debug:
            raise
        click.echo(f"arbook: internal error: {type(exc).__name__}: {exc} (run with --debug for details)", err=True)
        sys.exit(2)
