"""The built VBA projects against projects Excel wrote: the quickstart book and ribbon add-in shipped in
the installed xlwings wheel (and its plain quickstart book, the one Excel saved with compiled code).

The reader here is independent of arbook's writer: olefile opens the compound file, oletools
decompresses the streams, and the records are walked as MS-OVBA 2.3.4.2 lays them out.
"""
import io
import re
import struct
import zipfile
from pathlib import Path

import olefile
import pytest
from oletools.olevba import decompress_stream

from arbook.adapters.vba.build import build_addin_bytes, build_workbook_bytes, xlwings_folder

ORACLES = {"xlsm": "quickstart_standalone.xlsm", "xlam": "quickstart_addin_ribbon.xlam"}
EXCEL_SAVED = "quickstart.xlsm"  # saved by Excel with its performance cache: carries PROJECTCOMPATVERSION
COMPAT_VERSION, REFERENCE_NAME, REGISTERED, CONTROL, MODULES, MODULE_NAME, MODULE_END = (
    0x4A, 0x16, 0x0D, 0x2F, 0x0F, 0x19, 0x2B)
OFFICE_GUID = "{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}"


def records(data: bytes) -> list[tuple[int, bytes]]:
    """The (id, body) records of a decompressed dir stream."""
    out, pos = [], 0
    while pos < len(data):
        kind, size = struct.unpack_from("<HI", data, pos)
        if kind == 0x09:  # PROJECTVERSION: its size field is a constant 4, the body is 6 bytes
            size = 6
        out.append((kind, bytes(data[pos + 6:pos + 6 + size])))
        pos += 6 + size
    return out


def read_project(package: Path | bytes) -> dict:
    """Everything the comparison needs from a book's or add-in's ``xl/vbaProject.bin``."""
    with zipfile.ZipFile(package if isinstance(package, Path) else io.BytesIO(package)) as z:
        ole = olefile.OleFileIO(z.read("xl/vbaProject.bin"))
    recs = records(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
    kinds = [k for k, _ in recs]
    first_ref = next(i for i, k in enumerate(kinds) if k in (REFERENCE_NAME, MODULES))
    modules_at = kinds.index(MODULES)
    references, current = [], None
    for kind, body in recs[first_ref:modules_at]:
        if kind == REFERENCE_NAME and not (current and current[-1][0] == CONTROL):
            current = []
            references.append(current)
        current.append((kind, body))
    modules, current = [], None
    for kind, body in recs[modules_at + 2:]:
        if kind == MODULE_NAME:
            current = []
            modules.append(current)
        if current is not None:
            current.append((kind, body))
        if kind == MODULE_END:
            current = None
    text = ole.openstream("PROJECT").read().decode("cp1252")
    sources = {}
    for module in modules:
        name = dict(module)[MODULE_NAME].decode("cp1252")
        offset = struct.unpack("<I", dict(module)[0x31])[0]
        raw = ole.openstream(f"VBA/{name}").read()
        sources[name] = bytes(decompress_stream(bytearray(raw[offset:]))).decode("cp1252")
    wm = ole.openstream("PROJECTwm").read()
    container = {"header": (ole.dll_version, ole.sector_size, ole.mini_sector_size, ole.minisectorcutoff),
                 "paths": sorted("/".join(path) for path in ole.listdir(streams=True, storages=True)),
                 "entries": {(e.entry_type, e.color, e.createTime, e.modifyTime) for e in ole.direntries if e}}
    return {"container": container, "vba_project": ole.openstream("VBA/_VBA_PROJECT").read()[:7], "info": recs[:first_ref],
            "references": references, "modules": modules, "project": text.split("\r\n"), "sources": sources,
            "wm": name_map(wm)}


def name_map(data: bytes) -> list[str]:
    """The module names of a PROJECTwm stream (MBCS name, NUL, UTF-16 name, NUL NUL; then NUL NUL)."""
    names, pos = [], 0
    while data[pos:pos + 2] != b"\0\0":
        end = data.index(b"\0", pos)
        name = data[pos:end].decode("cp1252")
        wide = end + 1
        while data[wide:wide + 2] != b"\0\0":
            wide += 2
        assert data[end + 1:wide].decode("utf-16-le") == name
        names.append(name)
        pos = wide + 2
    assert pos + 2 == len(data)
    return names


def libid(reference: list[tuple[int, bytes]]) -> str:
    body = dict(reference)[REGISTERED]
    size = struct.unpack_from("<I", body)[0]
    assert body[4 + size:] == bytes(6)  # Reserved1 (4) and Reserved2 (2), as Excel writes them
    return body[4:4 + size].decode("cp1252")


def module_name(module) -> str:
    return dict(module)[MODULE_NAME].decode("cp1252")


def module_type(module) -> int:
    return next(k for k, _ in module if k in (0x21, 0x22))


@pytest.fixture(scope="module", params=sorted(ORACLES))
def pair(request):
    built = build_workbook_bytes() if request.param == "xlsm" else build_addin_bytes()
    return read_project(built), read_project(xlwings_folder() / ORACLES[request.param])


@pytest.fixture(scope="module")
def excel_saved():
    return read_project(xlwings_folder() / EXCEL_SAVED)


def test_project_information_records_in_excels_order_and_values(pair, excel_saved):
    ours, oracle = pair
    ours_kinds = [k for k, _ in ours["info"]]
    assert ours_kinds == [k for k, _ in excel_saved["info"]]
    assert [k for k in ours_kinds if k != COMPAT_VERSION] == [k for k, _ in oracle["info"]]
    ours_values, oracle_values = dict(ours["info"]), dict(oracle["info"])
    for kind in (0x02, 0x14, 0x03, 0x07, 0x08):  # LCID, LCID invoke, code page 1252, help context, lib flags
        assert ours_values[kind] == oracle_values[kind], hex(kind)
    assert ours_values[COMPAT_VERSION] == dict(excel_saved["info"])[COMPAT_VERSION]
    assert ours_values[0x01] in (oracle_values[0x01], dict(excel_saved["info"])[0x01])  # a Windows SYSKIND


def test_references_are_the_office_library_and_stdole_as_excel_writes_them(pair):
    ours, oracle = pair
    assert all([k for k, _ in ref] == [REFERENCE_NAME, 0x3E, REGISTERED] for ref in ours["references"])
    names = {dict(ref)[REFERENCE_NAME].decode(): libid(ref) for ref in ours["references"]}
    oracle_office = next(libid(ref) for ref in oracle["references"] if dict(ref)[REFERENCE_NAME] == b"Office")
    assert [k for k, _ in next(r for r in oracle["references"] if dict(r)[REFERENCE_NAME] == b"Office")] == \
        [REFERENCE_NAME, 0x3E, REGISTERED]
    ours_parts, oracle_parts = names["Office"].split("#"), oracle_office.split("#")
    assert ours_parts[0] == oracle_parts[0] == rf"*\G{OFFICE_GUID}"
    assert ours_parts[1:3] == oracle_parts[1:3] and ours_parts[4] == oracle_parts[4]
    assert ours_parts[3].upper().endswith(r"\MICROSOFT SHARED\OFFICE16\MSO.DLL")
    xlwings_addin = read_project(xlwings_folder() / "addin" / "xlwings.xlam")
    stdole = next(libid(r) for r in xlwings_addin["references"] if dict(r)[REFERENCE_NAME] == b"stdole")
    assert names["stdole"] == stdole
    uses_office = any("IRibbon" in source for source in ours["sources"].values())
    assert uses_office and "Office" in names
    # the oracles also reference MSForms (a control reference the VBE adds with a UserForm); no module here uses it
    assert not any(re.search(r"\bMSForms\b|\bDataObject\b|\bUserForm\b", source) for source in ours["sources"].values())


def test_module_records_and_kinds_match_excels(pair):
    ours, oracle = pair
    oracle_shapes = {module_type(m): [k for k, _ in m] for m in oracle["modules"]}
    for module in ours["modules"]:
        assert [k for k, _ in module] == oracle_shapes[module_type(module)], module_name(module)
    oracle_types = {module_name(m): module_type(m) for m in oracle["modules"]}
    ours_types = {module_name(m): module_type(m) for m in ours["modules"]}
    assert {n: t for n, t in ours_types.items() if n in oracle_types} == \
        {n: t for n, t in oracle_types.items() if n in ours_types}
    assert {"ThisWorkbook", "xlwings", "Dictionary"} <= set(ours_types) & set(oracle_types)
    assert ours["vba_project"] == oracle["vba_project"]  # source only: version 0xFFFF, no performance cache


def test_project_stream_declarations_and_keys_match_excels(pair):
    ours, oracle = pair

    def declarations(project):
        return {line.split("=", 1)[1].split("/")[0]: line for line in project["project"]
                if line.split("=", 1)[0] in ("Module", "Class", "Document")}

    def keys(project):
        out = []
        for line in project["project"][:project["project"].index("")]:
            key = line.split("=", 1)[0]
            if key in ("Module", "Class", "Document"):
                key = "module"
            if not out or out[-1] != key:
                out.append(key)
        return out

    ours_decl, oracle_decl = declarations(ours), declarations(oracle)
    assert ours_decl["Dictionary"] == "Class=Dictionary" == oracle_decl["Dictionary"]
    for name in set(ours_decl) & set(oracle_decl):
        assert ours_decl[name] == oracle_decl[name]
    assert keys(ours) == keys(oracle)
    kinds = {"Module": 0x21, "Class": 0x22, "Document": 0x22}
    assert {n: kinds[line.split("=")[0]] for n, line in ours_decl.items()} == \
        {module_name(m): module_type(m) for m in ours["modules"]}
    host = ours["project"].index("[Host Extender Info]")
    assert ours["project"][host:host + 2] == oracle["project"][oracle["project"].index("[Host Extender Info]"):][:2]
    assert ours["wm"] == [module_name(m) for m in ours["modules"]] and \
        oracle["wm"] == [module_name(m) for m in oracle["modules"]]


def test_document_and_class_module_attributes_match_excels(pair):
    ours, oracle = pair
    assert ours["sources"]["Dictionary"] == oracle["sources"]["Dictionary"]
    for name in ("ThisWorkbook",):
        assert ours["sources"][name].strip() == oracle["sources"][name].strip()
    sheet = next(n for n, s in oracle["sources"].items() if s.startswith('Attribute VB_Name = "Sheet'))
    ours_sheet = next(module_name(m) for m in ours["modules"]
                      if module_type(m) == 0x22 and module_name(m) not in ("ThisWorkbook", "Dictionary"))
    assert ours["sources"][ours_sheet].split("\r\n")[1:] == oracle["sources"][sheet].split("\r\n")[1:]


def test_compound_file_container_like_excels(pair):
    ours, oracle = pair
    assert ours["container"]["header"] == oracle["container"]["header"]  # version 3, 512-byte sectors, 4096 cutoff
    assert ours["container"]["entries"] <= oracle["container"]["entries"]  # kinds, colours, no timestamps

    def layout(project):
        modules = {f"VBA/{module_name(m)}" for m in project["modules"]}
        return sorted(modules ^ set(project["container"]["paths"]))

    assert layout(ours) == layout(oracle) == ["PROJECT", "PROJECTwm", "VBA", "VBA/_VBA_PROJECT", "VBA/dir"]
