"""What every benchmark prints first, and where it leaves its result."""
from __future__ import annotations

import platform
import sys
from datetime import date
from pathlib import Path

RESULTS = Path(__file__).with_name("results")
# The data generators live in tools/samplegen (not in the installed package); benchmarks import this first.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))


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
