"""Crash-safe file replacement and the Excel lock check.

A save writes ``.NAME.<pid>.arbook-tmp`` beside the book, fsyncs it, keeps the previous book as
``NAME.bak`` (a hard link where the file system allows, else a copy) and renames the temp file
over the book: at every instant the path holds either the old or the new complete file.
"""
from __future__ import annotations

import contextlib
import os
import shutil
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


def atomic_write(path: Path, write: Callable[[BinaryIO], None], backup: bool = True) -> None:
    """Write ``path`` through ``write(file)`` so that a crash at any moment leaves a whole file."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}{TMP_SUFFIX}")
    try:
        with open(tmp, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if backup and path.exists():
            _keep_backup(path)
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


@contextlib.contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold an advisory lock on ``path`` so two arbook processes never interleave their saves."""
    lock_path = path.with_name(f".{path.name}.arbook-lock")
    try:
        import fcntl
    except ImportError:  # Windows: Excel's own owner file is the guard there
        yield
        return
    with open(lock_path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
