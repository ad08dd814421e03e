"""Paths and arguments reach Python intact whatever their names: the VBA ``PythonString`` (run in
LibreOffice Basic where available) and its Python mirror give the same ASCII literals, and the
generated command parses back to the original values."""
import ast
import os
import re
import shutil
import signal
import subprocess
from xml.sax.saxutils import escape

import pytest

from arbook.adapters.excel import vba_string, python_string, ribbon_command
from arbook.adapters.vba.build import MACROS

NAMES = [
    r"C:\Users\O'Brien\Documents\bank.csv",
    "D:\\",
    r"\\server\share\AR team\2026-10",
    r"C:\Users\山田 太郎\Desktop\入金明細.csv",
    r"C:\Users\张伟\文档\对账单",
    "/Users/Müller/Library/Containers/com.microsoft.Excel/Data/Ausgänge",
    "/Users/ana/Desktop/it's \"$HOME\" `date` | pipe & more!",
    "tab\tnew\nline and trailing space ",
    "emoji 😀 and a lone surrogate \ud800",
    "",
]


def function_source() -> str:
    source = (MACROS / "ArbookRibbon.bas").read_bytes().decode("ascii").replace("\r\n", "\n")
    return re.search(r"^Function PythonString\(.*?^End Function\n", source, re.S | re.M).group(0)


@pytest.mark.parametrize("name", NAMES)
def test_literal_evaluates_back_to_the_name_and_is_shell_safe_ascii(name):
    literal = python_string(name)
    assert ast.literal_eval(literal) == name
    assert literal.isascii() and not set(literal[1:-1]) & set("'\"$`|!&;<>\n\t")
    assert re.fullmatch(r"[A-Za-z0-9 _.,:/()-]*", re.sub(r"\\u[0-9A-F]{4}|\\U[0-9A-F]{8}", "", literal[1:-1]))


def test_the_dispatcher_command_parses_to_the_given_arguments():
    for arg in (NAMES[0], NAMES[1:4], NAMES[5]):
        command = ribbon_command("0.37.8", "arImport", arg)
        tree = ast.parse(command)
        call = tree.body[-1].value
        assert ast.unparse(call.func) == "x.ribbon"
        assert [ast.literal_eval(a) for a in call.args] == ["0.37.8", "arImport", arg]
    source = (MACROS / "ArbookRibbon.bas").read_text(encoding="ascii")
    # the VBA builds the same string: the call, then ", " & PythonString(...) or ", [" & PythonString(...) & ","... "]"
    assert 'RunPython "import arbook.adapters.excel as x; x.ribbon(" & PythonString(XLWINGS_VERSION) & ", " ' \
           '& PythonString(control.Id) & args & ")"' in source
    assert 'text = ", ["' in source and 'text = text & PythonString(CStr(chosen(i))) & ","' in source
    assert 'PickFiles = text & "]"' in source and 'PickFolder = ", " & PythonString(' in source


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed (.ci/run installs it)")
def test_the_vba_function_itself_gives_the_mirrors_literals(tmp_path):
    """Runs ``PythonString`` from macros/ArbookRibbon.bas in LibreOffice Basic (VBA support on)."""
    profile = tmp_path / "lo"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{profile}", "--terminate_after_init"],
                   check=True, capture_output=True, timeout=180)
    out = tmp_path / "out.txt"
    lines = ["Option VBASupport 1", "Option Explicit", function_source(), "Sub Main", "    Dim f As Integer",
             "    On Error GoTo failed", "    f = FreeFile", f'    Open "{out}" For Output As #f']
    lines += [f"    Print #f, PythonString({vba_string(name)})" for name in NAMES]
    lines += ["    Close #f", "    StarDesktop.terminate", "    Exit Sub", "failed:",
              '    Print #f, "ERROR " & Err.Description', "    Close #f", "    StarDesktop.terminate", "End Sub"]
    module = profile / "user" / "basic" / "Standard" / "Module1.xba"
    module.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE script:module PUBLIC '
                      '"-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">\n<script:module '
                      'xmlns:script="http://openoffice.org/2000/script" script:name="Module1" '
                      'script:language="StarBasic" script:moduleType="normal">' + escape("\n".join(lines))
                      + "</script:module>", encoding="utf-8")
    process = subprocess.Popen(["soffice", "--headless", f"-env:UserInstallation=file://{profile}",
                                "macro:///Standard.Module1.Main"], start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        process.wait(timeout=120)
    except subprocess.TimeoutExpired:  # a Basic error dialog would wait for ever
        os.killpg(process.pid, signal.SIGKILL)
        raise
    printed = out.read_text(encoding="ascii").split("\n")
    assert printed[:len(NAMES)] == [python_string(name) for name in NAMES]
