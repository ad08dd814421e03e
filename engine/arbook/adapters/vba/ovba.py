"""A source-only VBA project (MS-OVBA) from module texts: Excel compiles it when the book opens.

Writes the dir stream (project information, the type-library references Excel itself writes,
module records), compressed module streams, _VBA_PROJECT with version 0xFFFF (no compiled
code, so any Office version recompiles), PROJECT with the CMG/DPB/GC protection values
encrypted as MS-OVBA 2.4.3 says (seeded, so the output is reproducible) and PROJECTwm, inside
a compound file. Source text is written as Windows-1252 with CRLF. The layout follows the
Excel-made projects shipped in the xlwings wheel (tests/test_vba_structure.py compares them).
"""
from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

from arbook.adapters.vba.cfb import Node, write_cfb

DOCUMENT_ATTRIBUTES = ('Attribute VB_Base = "0{{{clsid}}}"\r\n'
                       "Attribute VB_GlobalNameSpace = False\r\nAttribute VB_Creatable = False\r\n"
                       "Attribute VB_PredeclaredId = True\r\nAttribute VB_Exposed = True\r\n"
                       "Attribute VB_TemplateDerived = False\r\nAttribute VB_Customizable = True\r\n")
WORKBOOK_CLSID = "00020819-0000-0000-C000-000000000046"
WORKSHEET_CLSID = "00020820-0000-0000-C000-000000000046"
CODEPAGE = "cp1252"
KINDS = {"procedural": "Module", "class": "Class", "document": "Document"}  # PROJECT stream keys


@dataclass(frozen=True)
class Module:
    """A VBA module: standard (``procedural``), ``class``, or the code behind the workbook or a sheet
    (``document``)."""

    name: str
    source: str
    kind: str = "procedural"
    clsid: str = WORKSHEET_CLSID

    def text(self) -> bytes:
        """The stored module text, CRLF: the source as exported by the VBE (it starts with its
        ``Attribute VB_Name`` line), or, for a bare source, those attribute lines made up."""
        body = self.source.replace("\r\n", "\n").replace("\n", "\r\n")
        if body.startswith("Attribute VB_Name"):
            return body.encode(CODEPAGE)
        head = f'Attribute VB_Name = "{self.name}"\r\n'
        if self.kind == "document":
            head += DOCUMENT_ATTRIBUTES.format(clsid=self.clsid)
        return (head + body).encode(CODEPAGE)


@dataclass(frozen=True)
class Reference:
    """A reference to a registered type library, as Excel writes it (REFERENCENAME + REFERENCEREGISTERED).

    ``libid`` is ``*\\G{GUID}#major.minor#lcid#path#description``, the path being where the library
    is on the machine that wrote the reference."""

    name: str
    libid: str


# The libids as Excel 2016+ (64-bit, Windows) writes them; the xlwings add-in carries both.
STDOLE = Reference("stdole", r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\Windows\System32\stdole2.tlb"
                             r"#OLE Automation")
OFFICE = Reference("Office", r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#C:\Program Files\Common Files"
                             r"\Microsoft Shared\OFFICE16\MSO.DLL#Microsoft Office 16.0 Object Library")


def compress(data: bytes) -> bytes:
    """MS-OVBA 2.4.1 compression (signature byte, then 4096-byte chunks of literal and copy tokens)."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), 4096):
        chunk = data[start:start + 4096]
        body = _compress_chunk(chunk)
        if len(body) < 4096:
            out += struct.pack("<H", 0xB000 | (len(body) + 2 - 3)) + body
        else:  # incompressible: stored raw, always 4096 bytes
            out += struct.pack("<H", 0x3FFF) + chunk.ljust(4096, b"\0")
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    out = bytearray()
    position = 0
    seen: dict[bytes, list[int]] = {}
    while position < len(chunk):
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if position >= len(chunk):
                break
            offset, length = _longest_match(chunk, position, seen)
            if length >= 3:
                bit_count = max((position - 1).bit_length(), 4)
                token = ((offset - 1) << (16 - bit_count)) | (length - 3)
                out += struct.pack("<H", token)
                flags |= 1 << bit
                step = length
            else:
                out.append(chunk[position])
                step = 1
            for i in range(position, position + step):
                seen.setdefault(chunk[i:i + 3], []).append(i)
            position += step
        out[flag_at] = flags
    return bytes(out)


def _longest_match(chunk: bytes, position: int, seen: dict[bytes, list[int]]) -> tuple[int, int]:
    if position == 0:
        return 0, 0
    bit_count = max((position - 1).bit_length(), 4)
    maximum = (0xFFFF >> bit_count) + 3
    best_offset, best_length = 0, 0
    for candidate in reversed(seen.get(chunk[position:position + 3], ())[-64:]):
        offset = position - candidate
        if offset > (1 << bit_count):
            continue
        length = 0
        while (length < maximum and position + length < len(chunk)
               and chunk[candidate + length] == chunk[position + length]):
            length += 1
        if length > best_length:
            best_offset, best_length = offset, length
            if length == maximum:
                break
    return best_offset, best_length


def _record(kind: int, data: bytes) -> bytes:
    return struct.pack("<HI", kind, len(data)) + data


def _reference(reference: Reference) -> bytes:
    name, libid = reference.name.encode(CODEPAGE), reference.libid.encode(CODEPAGE)
    return (_record(0x0016, name) + _record(0x003E, reference.name.encode("utf-16-le"))  # REFERENCENAME
            + _record(0x000D, struct.pack("<I", len(libid)) + libid + bytes(6)))     # REFERENCEREGISTERED


def _dir_stream(modules: list[Module], project: str, references: tuple[Reference, ...]) -> bytes:
    name = project.encode(CODEPAGE)
    out = bytearray()
    out += _record(0x0001, struct.pack("<I", 3))            # PROJECTSYSKIND: 64-bit Windows
    out += _record(0x004A, struct.pack("<I", 5))            # PROJECTCOMPATVERSION (as Excel 365 writes it)
    out += _record(0x0002, struct.pack("<I", 0x0409))       # PROJECTLCID
    out += _record(0x0014, struct.pack("<I", 0x0409))       # PROJECTLCIDINVOKE
    out += _record(0x0003, struct.pack("<H", 1252))         # PROJECTCODEPAGE
    out += _record(0x0004, name)                            # PROJECTNAME
    out += _record(0x0005, b"") + _record(0x0040, b"")      # PROJECTDOCSTRING (+ unicode)
    out += _record(0x0006, b"") + _record(0x003D, b"")      # PROJECTHELPFILEPATH (1 and 2)
    out += _record(0x0007, struct.pack("<I", 0))            # PROJECTHELPCONTEXT
    out += _record(0x0008, struct.pack("<I", 0))            # PROJECTLIBFLAGS
    out += struct.pack("<HIIH", 0x0009, 4, 1, 0)            # PROJECTVERSION (major 1, minor 0)
    out += _record(0x000C, b"") + _record(0x003C, b"")      # PROJECTCONSTANTS (+ unicode)
    for reference in references:
        out += _reference(reference)
    out += _record(0x000F, struct.pack("<H", len(modules)))  # PROJECTMODULES
    out += _record(0x0013, struct.pack("<H", 0xFFFF))       # PROJECTCOOKIE
    for module in modules:
        ascii_name, wide_name = module.name.encode(CODEPAGE), module.name.encode("utf-16-le")
        out += _record(0x0019, ascii_name) + _record(0x0047, wide_name)          # MODULENAME (+ unicode)
        out += _record(0x001A, ascii_name) + _record(0x0032, wide_name)          # MODULESTREAMNAME
        out += _record(0x001C, b"") + _record(0x0048, b"")                       # MODULEDOCSTRING
        out += _record(0x0031, struct.pack("<I", 0))                             # MODULEOFFSET: source first
        out += _record(0x001E, struct.pack("<I", 0))                             # MODULEHELPCONTEXT
        out += _record(0x002C, struct.pack("<H", 0xFFFF))                        # MODULECOOKIE
        out += _record(0x0021 if module.kind == "procedural" else 0x0022, b"")   # MODULETYPE
        out += _record(0x002B, b"")                                              # module terminator
    out += _record(0x0010, b"")                                                  # dir terminator
    return bytes(out)


def _encrypt(data: bytes, seed: int, project_id: str) -> str:
    """MS-OVBA 2.4.3.2 data encryption, as hexadecimal text (for CMG, DPB and GC)."""
    project_key = sum(project_id.encode(CODEPAGE)) & 0xFF
    version_enc, key_enc = seed ^ 2, seed ^ project_key
    out = [seed, version_enc, key_enc]
    unencrypted1, encrypted1, encrypted2 = project_key, key_enc, version_enc
    ignored = (seed & 6) // 2
    for value in [0] * ignored + list(struct.pack("<I", len(data))) + list(data):
        byte = value ^ ((encrypted2 + unencrypted1) & 0xFF)
        out.append(byte)
        encrypted2, encrypted1, unencrypted1 = encrypted1, byte, value
    return bytes(out).hex().upper()


def _project_stream(modules: list[Module], project: str, project_id: str) -> bytes:
    seeds = hashlib.sha256(project_id.encode()).digest()
    lines = [f'ID="{project_id}"']
    for module in modules:
        suffix = "/&H00000000" if module.kind == "document" else ""
        lines.append(f"{KINDS[module.kind]}={module.name}{suffix}")
    lines += [f'Name="{project}"', 'HelpContextID="0"', 'VersionCompatible32="393222000"',
              f'CMG="{_encrypt(struct.pack("<I", 0), seeds[0], project_id)}"',
              f'DPB="{_encrypt(bytes(1), seeds[1], project_id)}"',
              f'GC="{_encrypt(bytes([0xFF]), seeds[2], project_id)}"', "",
              "[Host Extender Info]", "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000", "",
              "[Workspace]"]
    lines += [f"{module.name}=0, 0, 0, 0, C" for module in modules]
    return ("\r\n".join(lines) + "\r\n").encode(CODEPAGE)


def _project_wm(modules: list[Module]) -> bytes:
    return b"".join(m.name.encode(CODEPAGE) + b"\0" + m.name.encode("utf-16-le") + b"\0\0" for m in modules) + b"\0\0"


def vba_project(modules: list[Module], project: str = "VBAProject",
                references: tuple[Reference, ...] = (STDOLE, OFFICE)) -> bytes:
    """The bytes of ``xl/vbaProject.bin`` holding ``modules`` as source (deterministic)."""
    project_id = "{" + str(hashlib.md5("|".join(m.name for m in modules).encode()).hexdigest()).upper()
    project_id = f"{project_id[:9]}-{project_id[9:13]}-{project_id[13:17]}-{project_id[17:21]}-{project_id[21:33]}}}"
    vba = Node("VBA", children=[Node("_VBA_PROJECT", bytes([0xCC, 0x61, 0xFF, 0xFF, 0x00, 0x01, 0x00])),
                                Node("dir", compress(_dir_stream(modules, project, references)))]
               + [Node(m.name, compress(m.text())) for m in modules])
    return write_cfb([vba, Node("PROJECT", _project_stream(modules, project, project_id)),
                      Node("PROJECTwm", _project_wm(modules))])
