"""Paths and arguments reach Python intact whatever their names: the VBA ``PythonString`` (run in
LibreOffice Basic where available) and its Python mirror give the same ASCII literals, and the
generated command parses back to the original values. LibreOffice Basic also compiles both ribbon
modules and runs the generated label/ask/filter tables."""
import ast
import re

import pytest
from lobasic import AVAILABLE, module_body, run_basic

from arbook.adapters.excel import (BUTTONS, group_id, group_labels, groups, labels_module, python_string,
                                   ribbon_command, vba_string)
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


@pytest.mark.skipif(not AVAILABLE, reason="LibreOffice not installed (.ci/run installs it)")
def test_the_vba_function_itself_gives_the_mirrors_literals(tmp_path):
    """Runs ``PythonString`` from macros/ArbookRibbon.bas in LibreOffice Basic (VBA support on)."""
    printed = run_basic(tmp_path, function_source(), [f"PythonString({vba_string(name)})" for name in NAMES])
    assert printed == [python_string(name) for name in NAMES]


@pytest.mark.skipif(not AVAILABLE, reason="LibreOffice not installed (.ci/run installs it)")
def test_the_ribbon_modules_compile_and_the_generated_tables_answer_from_the_action_table(tmp_path):
    """Both modules whole (dispatcher and generated tables) in LibreOffice Basic: they compile there, and
    ArbookLabel/ArbookAsk/ArbookFilter give each button's words, input kind and file filter."""
    code = module_body((MACROS / "ArbookRibbon.bas").read_text(encoding="ascii")) + "\n" + \
        module_body(labels_module())
    prints, expected = [], []
    for button in BUTTONS.values():
        for language in ("en", "ja", "zh"):
            prints.append(f'PythonString(ArbookLabel("{button.control_id}", "{language}"))')
            expected.append(python_string(button.labels[language]))
        prints.append(f'ArbookAsk("{button.control_id}") & "|" & ArbookFilter("{button.control_id}")')
        expected.append(f"{button.asks.kind if button.asks else ''}|{button.ribbon.filter}")
    for group in groups():
        prints.append(f'PythonString(ArbookLabel("{group_id(group)}", "ja"))')
        expected.append(python_string(group_labels(group)["ja"]))
    assert run_basic(tmp_path, code, prints) == expected
