"""The documentation is made from the code: the command reference and the README's quick start run as written."""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_command_reference_is_current() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "tools" / "commandref.py"), "--check"], capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr


def quick_start_commands() -> list[str]:
    """The `arbook ...` lines of the README's month-end walkthrough code blocks, in order."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- walkthrough:start -->")[1].split("<!-- walkthrough:end -->")[0]
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", section, re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip().startswith("arbook ")]


def test_readme_walkthrough_runs_as_written(tmp_path: Path) -> None:
    commands = quick_start_commands()
    assert len(commands) >= 8
    arbook = Path(sys.executable).with_name("arbook")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    for line in commands:
        args = shlex.split(line)
        out = subprocess.run([str(arbook), *args[1:]], cwd=tmp_path, capture_output=True, text=True, env=env)
        assert out.returncode == 0, f"{line}\n{out.stdout}\n{out.stderr}"
