"""`arbook doctor`: each broken condition is reported with its fix (each test breaks one on purpose)."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from arbook.adapters.book import new_book
from arbook.adapters.book.atomic import exclusive
from arbook.services import doctor
from arbook.services.doctor import (check_book, check_cjk_fonts, check_interpreter, check_libreoffice, check_smtp,
                                    check_xlwings, diagnose)

FIXTURES = Path(__file__).parent / "fixtures" / "books"


def test_a_current_book_on_a_complete_machine_is_all_ok(tmp_path: Path) -> None:
    book = new_book(tmp_path / "ar.xlsx")
    checks = {c.name: c for c in diagnose(book)}
    assert {checks[n].state for n in ("python", "xlwings", "book", "lock", "ribbon")} == {"ok"}
    assert "arbook build-addin" in checks["ribbon"].detail  # an .xlsx has no macros: the add-in brings the ribbon
    assert "ribbon" not in {c.name for c in diagnose(new_book(tmp_path / "ar.xlsm"))}


def test_missing_libreoffice_and_fonts_are_named_with_the_package_to_install() -> None:
    nothing = check_libreoffice(which=lambda name: None)
    assert nothing.state == "warn" and "libreoffice-calc-nogui" in nothing.fix
    no_fc = check_cjk_fonts(which=lambda name: None)
    assert no_fc.state == "warn" and "fonts-noto-cjk" in no_fc.fix


@pytest.mark.skipif(not shutil.which("fc-list"), reason="needs fontconfig")
def test_fonts_without_cjk_are_reported(tmp_path: Path, monkeypatch) -> None:
    conf = tmp_path / "fonts.conf"  # a fontconfig that knows no font directory at all
    conf.write_text('<?xml version="1.0"?><fontconfig><cachedir>%s</cachedir></fontconfig>' % tmp_path)
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    found = check_cjk_fonts()
    assert found.state == "warn" and "ja/zh" in found.detail


def test_xlwings_version_mismatch_names_both_versions_and_the_fix(monkeypatch) -> None:
    import xlwings

    workbook = doctor.resource("workbook", "arbook.xlsm")
    embedded = doctor.embedded_xlwings_version(workbook)
    assert embedded and embedded == xlwings.__version__
    monkeypatch.setattr(xlwings, "__version__", "0.1.0")
    found = check_xlwings(workbook)
    assert found.state == "fail" and embedded in found.detail and "0.1.0" in found.detail
    assert f"xlwings=={embedded}" in found.fix


def _with_conf(path: Path, rows: list[tuple[str, str]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "xlwings.conf"
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def test_interpreter_pointing_nowhere_fails_and_empty_rows_warn(tmp_path: Path) -> None:
    gone = _with_conf(tmp_path / "a.xlsm", [("Interpreter_Win", r"C:\nowhere\pythonw.exe")])
    found = check_interpreter(gone, platform_name="win32")
    assert found.state == "fail" and "nowhere" in found.detail
    empty = _with_conf(tmp_path / "b.xlsm", [("Interpreter_Mac", "")])
    assert check_interpreter(empty, platform_name="darwin").state == "warn"
    real = _with_conf(tmp_path / "c.xlsm", [("Interpreter_Mac", sys.executable)])
    assert check_interpreter(real, platform_name="darwin").state == "ok"


def test_smtp_that_does_not_answer_fails() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    found = check_smtp(f"127.0.0.1:{port}", timeout=1)
    assert found.state == "fail" and str(port) in found.detail


def test_old_book_and_locks_are_reported(tmp_path: Path) -> None:
    old = tmp_path / "old.xlsx"
    shutil.copyfile(FIXTURES / "schema1-sample.xlsx", old)
    version, lock = check_book(old)
    assert version.state == "fail" and version.fix == f"arbook upgrade {old}"
    (tmp_path / "~$old.xlsx").write_text("")
    assert "open in Excel" in check_book(old)[1].detail
    current = new_book(tmp_path / "cur.xlsx")
    with exclusive(current):  # held by this process; doctor runs as another
        out = subprocess.run([sys.executable, "-m", "arbook", "doctor", str(current)], capture_output=True, text=True)
    assert "another arbook command is working on" in out.stdout


def test_cli_exits_non_zero_when_something_fails(tmp_path: Path) -> None:
    old = tmp_path / "old.xlsx"
    shutil.copyfile(FIXTURES / "schema1-sample.xlsx", old)
    out = subprocess.run([sys.executable, "-m", "arbook", "doctor", str(old)], capture_output=True, text=True)
    assert out.returncode == 1 and "arbook upgrade" in out.stdout and "must be fixed" in out.stderr


def test_empty_company_settings_are_a_warning_naming_them(tmp_path):
    from arbook.services.doctor import check_settings

    book = new_book(tmp_path / "b.xlsx")
    (found,) = check_settings(book)
    assert found.state == "warn" and "Company Name, Payment Instructions, Sender Email" in found.detail
    assert "Settings sheet" in found.fix
