"""Run VBA source in LibreOffice Basic (``Option VBASupport 1``) headless: a stand-in compiler and
interpreter for the parts of our VBA that need no Excel (string building, the generated tables).
LibreOffice accepting a module does not prove Excel will; it does catch syntax errors and wrong logic."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path
from xml.sax.saxutils import escape

AVAILABLE = shutil.which("soffice") is not None


def module_body(source: str) -> str:
    """A .bas module's code without its ``Attribute`` and ``Option Explicit`` lines (LF)."""
    lines = source.replace("\r\n", "\n").split("\n")
    return "\n".join(line for line in lines if not line.startswith(("Attribute ", "Option Explicit")))


def run_basic(tmp_path: Path, code: str, prints: list[str]) -> list[str]:
    """Run ``code`` (procedures) plus a Main that prints each expression of ``prints`` on a line of a
    file; the printed lines (empty when the module does not compile or Main fails)."""
    profile, out = tmp_path / "lo", tmp_path / "basic-out.txt"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{profile}", "--terminate_after_init"],
                   check=True, capture_output=True, timeout=180)
    main = ["Sub Main", "    Dim f As Integer", "    On Error GoTo failed", "    f = FreeFile",
            f'    Open "{out}" For Output As #f']
    main += [f"    Print #f, {expression}" for expression in prints]
    main += ["    Close #f", "    StarDesktop.terminate", "    Exit Sub", "failed:",
             '    Print #f, "ERROR " & Err.Description', "    Close #f", "    StarDesktop.terminate", "End Sub"]
    text = "\n".join(["Option VBASupport 1", "Option Explicit", code] + main)
    (profile / "user" / "basic" / "Standard" / "Module1.xba").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE script:module PUBLIC '
        '"-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">\n<script:module '
        'xmlns:script="http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic" '
        'script:moduleType="normal">' + escape(text) + "</script:module>", encoding="utf-8")
    process = subprocess.Popen(["soffice", "--headless", f"-env:UserInstallation=file://{profile}",
                                "macro:///Standard.Module1.Main"], start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        process.wait(timeout=120)
    except subprocess.TimeoutExpired:  # a Basic error dialog would wait for ever
        os.killpg(process.pid, signal.SIGKILL)
        raise
    return out.read_text(encoding="ascii").split("\n")[:len(prints)] if out.exists() else []
