"""What every benchmark prints first, and where it leaves its result."""
from __future__ import annotations

import platform
from datetime import date
from pathlib import Path

RESULTS = Path(__file__).with_name("results")


def machine() -> str:
    """The machine line: architecture, Python and the day of the run."""
    return (f"Machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
            f"run {date.today().isoformat()}.")


def publish(name: str, lines: list[str]) -> None:
    """Print the result and keep it as benchmarks/results/<name>.md."""
    text = "\n".join(lines).rstrip() + "\n"
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.md").write_text(text, encoding="utf-8")
