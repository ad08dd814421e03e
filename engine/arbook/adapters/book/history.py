"""Generations of a book file: the state before each committing command, for ``history`` and ``undo``.

Each save first keeps the file it replaces in ``.NAME.arbook-history/NNNNNN.xlsx`` (a hard link
where the file system allows: the old file is never rewritten, so this costs no copy) with a
JSON note of when, who and which command; the last N (Settings ``Undo Generations``) are kept.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from arbook.model.errors import ArbookError

HISTORY_SUFFIX = ".arbook-history"
DEFAULT_GENERATIONS = 20
HEAD_FILE = "log-head"


@dataclass(frozen=True)
class Generation:
    """The book as it was before command ``number`` ran."""

    number: int
    time: str
    user: str
    command: str
    file: Path

    def line(self) -> str:
        """``  12  2026-11-24 15:40:00  yamada  match: ...`` as ``history`` lists it."""
        return f"{self.number:>4}  {self.time}  {self.user}  {self.command}"


def history_dir(path: Path) -> Path:
    """The folder holding ``path``'s generations (beside it, hidden)."""
    return path.with_name(f".{path.name}{HISTORY_SUFFIX}")


def generations(path: Path) -> list[Generation]:
    """Every kept generation of ``path``, oldest first."""
    folder = history_dir(Path(path))
    found = []
    for note in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        with contextlib.suppress(ValueError, OSError, KeyError):
            meta = json.loads(note.read_text(encoding="utf-8"))
            file = note.with_suffix(Path(path).suffix)
            if file.is_file():
                found.append(Generation(int(note.stem), meta["time"], meta["user"], meta["command"], file))
    return found


def keep_generation(path: Path, user: str, command: str, limit: int = DEFAULT_GENERATIONS) -> Generation | None:
    """Keep ``path`` as it is now as the next generation (call under the book lock, before replacing
    it); drop the oldest beyond ``limit``. Nothing kept when ``limit`` is 0 or the file is absent."""
    path = Path(path)
    if limit <= 0 or not path.is_file():
        return None
    folder = history_dir(path)
    folder.mkdir(exist_ok=True)
    existing = generations(path)
    number = (existing[-1].number + 1) if existing else 1
    file = folder / f"{number:06d}{path.suffix}"
    with contextlib.suppress(FileNotFoundError):
        file.unlink()
    try:
        os.link(path, file)
    except OSError:
        shutil.copy2(path, file)
    generation = Generation(number, datetime.now().replace(microsecond=0).isoformat(sep=" "), user, command, file)
    note = file.with_suffix(".json")
    note.write_text(json.dumps({"time": generation.time, "user": user, "command": command}, ensure_ascii=False),
                    encoding="utf-8")
    for old in (existing + [generation])[:-limit]:
        for stale in (old.file, old.file.with_suffix(".json")):
            with contextlib.suppress(OSError):
                stale.unlink()
    return generation


def record_head(path: Path, head: str | None) -> None:
    """Remember the Hash of the Log's last row as saved (so ``verify`` sees rows cut from the end)."""
    if head:
        folder = history_dir(Path(path))
        folder.mkdir(exist_ok=True)
        (folder / HEAD_FILE).write_text(head, encoding="utf-8")


def saved_head(path: Path) -> str | None:
    """The Hash of the Log's last row at the last save, if recorded."""
    with contextlib.suppress(OSError):
        return (history_dir(Path(path)) / HEAD_FILE).read_text(encoding="utf-8").strip() or None
    return None


def pick(path: Path, number: int | None) -> tuple[Generation, list[Generation]]:
    """The generation to restore (the latest when ``number`` is None) and the later ones it undoes."""
    kept = generations(path)
    if not kept:
        raise ArbookError(f"{path}: no earlier version kept (history starts with the next change)")
    if number is None:
        return kept[-1], []
    for i, generation in enumerate(kept):
        if generation.number == number:
            return generation, kept[i + 1:]
    raise ArbookError(f"{path}: no version {number} (kept: {kept[0].number}-{kept[-1].number}; see 'arbook history')")
