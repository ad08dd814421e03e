"""Crash-safe file replacement and the Excel lock check.

A save writes ``.NAME.<pid>.arbook-tmp`` beside the book, fsyncs it, keeps the previous book as
``NAME.bak`` (a hard link where the file system allows, else a copy) and renames the temp file
over the book: at every instant the path holds either the old or the new complete file.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from arbook.model.errors import BookLockedError

TMP_SUFFIX = ".arbook-tmp"


def excel_owner_files(path: Path) -> list[Path]:
    """The owner ("lock") files Excel creates beside an open workbook (``~$`` + name)."""
    name = path.name
    candidates = {path.with_name("~$" + name)}
    if len(name) > 2:
        candidates.add(path.with_name("~$" + name[2:]))
    return sorted(candidates)


def check_not_locked(path: Path) -> None:
    """Raise BookLockedError when Excel has ``path`` open."""
    for owner in excel_owner_files(path):
        if owner.exists():
            raise BookLockedError(
                f"{path}: the book is open in Excel ({owner.name} exists); close it there and try again,"
                " or use the AR ribbon inside Excel")


def _fsync_dir(directory: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _keep_backup(path: Path) -> None:
    backup = path.with_name(path.name + ".bak")
    staging = path.with_name(f".{path.name}.bak.{os.getpid()}{TMP_SUFFIX}")
    with contextlib.suppress(FileNotFoundError):
        staging.unlink()
    try:
        os.link(path, staging)
    except OSError:
        shutil.copy2(path, staging)
    os.replace(staging, backup)


def atomic_write(path: Path, write: Callable[[BinaryIO], None], backup: bool = True,
                 before_replace: Callable[[], None] | None = None) -> None:
    """Write ``path`` through ``write(file)`` so that a crash at any moment leaves a whole file.

    A symbolic link is followed: its target is replaced and the link stays. ``before_replace``
    runs once the new file is complete, just before it takes the old one's place."""
    path = Path(path).resolve() if Path(path).is_symlink() else Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}{TMP_SUFFIX}")
    try:
        with open(tmp, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if backup and path.exists():
            _keep_backup(path)
        if before_replace is not None:
            before_replace()
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def remove_stale_temps(path: Path) -> None:
    """Delete temp files that a killed save left beside ``path`` (call while holding the book lock)."""
    for stale in path.parent.glob(f".{path.name}.*{TMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            stale.unlink()


DEFAULT_LOCK_TIMEOUT = 30.0
LOCK_TIMEOUT_ENV = "ARBOOK_LOCK_TIMEOUT"


def lock_path(path: Path) -> Path:
    """The advisory lock file of a book (beside its resolved path, so every link shares it)."""
    real = Path(path).resolve()
    return real.with_name(f".{real.name}.arbook-lock")


def lock_timeout() -> float:
    """Seconds a writer waits for the book lock: ARBOOK_LOCK_TIMEOUT (set by --lock-timeout), else 30."""
    text = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    try:
        return float(text) if text else DEFAULT_LOCK_TIMEOUT
    except ValueError:
        raise BookLockedError(f"{LOCK_TIMEOUT_ENV}={text!r} is not a number of seconds") from None


def _holder(lock: Path) -> str:
    with contextlib.suppress(OSError):
        text = lock.read_text(encoding="utf-8").strip()
        if text:
            return text
    return "another arbook process"


def _tell(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


@contextlib.contextmanager
def exclusive(path: Path, timeout: float | None = None,
              on_wait: Callable[[str], None] = _tell) -> Iterator[None]:
    """Hold an advisory lock on the book at ``path`` (links resolved) so two arbook processes never
    interleave their saves. A second writer says who holds it and gives up after ``timeout`` seconds."""
    lock = lock_path(path)
    try:
        import fcntl
    except ImportError:  # Windows: Excel's own owner file is the guard there
        yield
        return
    limit = lock_timeout() if timeout is None else timeout
    with open(lock, "a+b") as handle:
        start = time.monotonic()
        told = False
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _holder(lock)
                if time.monotonic() - start >= limit:
                    raise BookLockedError(f"{path}: gave up after {limit:g} s waiting for the book, held by {holder}; "
                                          "try again when that command has finished (or raise --lock-timeout)") from None
                if not told:
                    on_wait(f"waiting for {path} held by {holder} (giving up after {limit:g} s)")
                    told = True
                time.sleep(0.05)
        from arbook.adapters.book.base import current_user

        since = datetime.now().replace(microsecond=0).isoformat(sep=" ")
        handle.truncate(0)
        handle.write(f"PID {os.getpid()}/{current_user()} since {since}".encode("utf-8"))
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            handle.flush()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
