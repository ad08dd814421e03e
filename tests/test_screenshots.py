"""The README's pictures are made by tools/screenshots.py from the demo book; it must keep running."""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from arbook.services.demo import run_demo

SCRIPT = Path(__file__).resolve().parents[1] / "tools" / "screenshots.py"


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftoppm")),
                    reason="needs LibreOffice and poppler-utils (.ci/run installs them)")
def test_screenshot_script_makes_a_png_of_a_demo_sheet(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("screenshots", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    run_demo(tmp_path / "demo")
    assert module.main(["--demo", str(tmp_path / "demo"), "--out", str(tmp_path / "img"), "--sheet", "aging"]) == 0
    png = (tmp_path / "img" / "aging.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 5_000
