"""Runtime files shipped inside the package (``arbook/_data``): templates, macros, samples, workbook."""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def resource(*parts: str) -> Path:
    """The installed path of a shipped file or folder, e.g. ``resource("templates", "email")``."""
    return Path(str(files("arbook").joinpath("_data", *parts)))
