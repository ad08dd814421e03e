"""Where things live inside an .xlsx/.xlsm package: sheet parts and their table parts."""
from __future__ import annotations

import posixpath
import struct
import xml.etree.ElementTree as ET
import zipfile
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
TABLE_REL = NS_REL + "/table"
CALC_CHAIN = "xl/calcChain.xml"

try:  # ISA-L deflates at level 1 about 3.5 times as fast as zlib (to the same size) and inflates twice as fast
    from isal import isal_zlib as zlib
except ImportError:  # a platform it has no wheels for (see pyproject.toml)
    import zlib  # type: ignore[no-redef]

#: Deflate level of every part written (ISA-L takes 0 to 3 only).
LEVEL = 1


@dataclass(frozen=True)
class SheetPart:
    """A worksheet's part name and, when it has one, its first table's part name."""

    name: str
    path: str
    table_path: str | None


def _rels(zf: zipfile.ZipFile, rels_path: str, base_dir: str) -> dict[str, tuple[str, str]]:
    """Relationship Id -> (type, absolute part name) from a .rels part ({} when absent)."""
    try:
        root = ET.fromstring(zf.read(rels_path))
    except KeyError:
        return {}
    out = {}
    for rel in root.iter(f"{{{NS_PKG_REL}}}Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join(base_dir, target))
        out[rel.get("Id", "")] = (rel.get("Type", ""), part)
    return out


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, SheetPart]:
    """Every worksheet of the package by sheet name."""
    workbook = ET.fromstring(zf.read("xl/workbook.xml"))
    book_rels = _rels(zf, "xl/_rels/workbook.xml.rels", "xl")
    parts: dict[str, SheetPart] = {}
    for node in workbook.iter(f"{{{NS_MAIN}}}sheet"):
        rel_id = node.get(f"{{{NS_REL}}}id", "")
        if rel_id not in book_rels:
            continue
        path = book_rels[rel_id][1]
        directory, filename = posixpath.split(path)
        sheet_rels = _rels(zf, f"{directory}/_rels/{filename}.rels", directory)
        tables = sorted(p for t, p in sheet_rels.values() if t == TABLE_REL)
        parts[node.get("name", "")] = SheetPart(node.get("name", ""), path, tables[0] if tables else None)
    return parts


@dataclass(frozen=True)
class Deflated:
    """A part's bytes already compressed (raw deflate, or stored), in consecutive pieces, with the CRC and size of
    the bytes a zip entry records."""

    pieces: tuple[bytes, ...]
    crc: int
    size: int


#: Writes a part's bytes piece by piece through the callable it is given.
Producer = Callable[[Callable[[bytes], Any]], Any]

SPLIT_FROM = 8 << 20  # a part this large is compressed in pieces at once (as pigz does)


def _piece(data: bytes | memoryview, last: bool) -> bytes:
    """Raw deflate of one piece of a part: the last closes the stream; the others end on a byte boundary (a sync
    flush), so the next piece, compressed on its own, continues it as one valid deflate stream."""
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


def deflate(data: bytes) -> Deflated:
    """Compress a part (zlib releases the GIL, so parts compress on threads beside the rendering); a large
    part's halves compress on two threads (see ``_piece``)."""
    if len(data) < SPLIT_FROM:
        return Deflated((_piece(data, last=True),), zlib.crc32(data), len(data))
    view, half = memoryview(data), len(data) // 2
    with ThreadPoolExecutor(max_workers=1) as pool:
        head = pool.submit(_piece, view[:half], False)
        tail = _piece(view[half:], last=True)
        return Deflated((head.result(), tail), zlib.crc32(data), len(data))


def deflate_produced(produce: Producer, pool: Executor) -> Deflated:
    """Compress a part as ``produce(write)`` gives it, each ``SPLIT_FROM`` bytes or so on ``pool`` while the next
    are made (pieces of one stream, see ``_piece``): a few long calls into zlib, where compressing piece after
    piece of a stream on one thread would wait for the GIL at every piece while this thread renders."""
    pieces: list[Future[bytes]] = []
    held: list[bytes] = []
    crc = size = waiting = 0

    def write(data: bytes) -> None:
        nonlocal crc, size, waiting
        crc, size, waiting = zlib.crc32(data, crc), size + len(data), waiting + len(data)
        held.append(data)
        if waiting >= SPLIT_FROM:
            pieces.append(pool.submit(_piece, b"".join(held), False))
            held.clear()
            waiting = 0

    produce(write)
    pieces.append(pool.submit(_piece, b"".join(held), True))
    return Deflated(tuple(piece.result() for piece in pieces), crc, size)


def stored(zin: zipfile.ZipFile, info: zipfile.ZipInfo) -> Deflated:
    """A part of ``zin`` as it is stored (compressed bytes copied, never inflated)."""
    fp = zin.fp
    assert fp is not None
    fp.seek(info.header_offset)
    header = fp.read(zipfile.sizeFileHeader)
    if header[:4] != zipfile.stringFileHeader:
        raise zipfile.BadZipFile(f"{info.filename}: no local header where the directory puts it")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    fp.seek(info.header_offset + zipfile.sizeFileHeader + name_length + extra_length)
    return Deflated((fp.read(info.compress_size),), info.CRC, info.file_size)


def inflated(zf: zipfile.ZipFile, name: str) -> bytes:
    """A part's bytes (as ``zf.read``, a few times faster for a deflated part); BadZipFile when its stream is
    damaged or its bytes do not match the CRC and size the package records."""
    info = zf.getinfo(name)
    if info.compress_type != zipfile.ZIP_DEFLATED:
        return zf.read(name)
    try:
        data = zlib.decompress(stored(zf, info).pieces[0], -15, max(info.file_size, 1))
    except zlib.error as exc:  # the module in use's own (ISA-L's is not zlib's)
        raise zipfile.BadZipFile(f"{name}: the compressed stream is damaged ({exc})") from None
    if zlib.crc32(data) != info.CRC or len(data) != info.file_size:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {name!r}")
    return data


def write_part(zout: zipfile.ZipFile, info: zipfile.ZipInfo, part: Deflated) -> None:
    """Append an entry whose compressed bytes are ready (``info`` says the method: deflate or stored)."""
    assert zout.fp is not None
    info.CRC, info.compress_size, info.file_size = part.crc, sum(map(len, part.pieces)), part.size
    info.flag_bits &= ~0x08  # sizes are in the header, no data descriptor follows
    info.header_offset = zout.fp.tell()
    zout.fp.write(info.FileHeader())
    for piece in part.pieces:
        zout.fp.write(piece)
    zout.filelist.append(info)  # zipfile has no public call for pre-compressed data: keep its directory
    zout.NameToInfo[info.filename] = info
    zout.start_dir = zout.fp.tell()
    zout._didModify = True


def schema_version(zf: zipfile.ZipFile) -> int:
    """The schema version a book records (hidden defined name ``_arbook_schema``); 1 when it records none."""
    from arbook.model.schema import VERSION_NAME

    workbook = ET.fromstring(zf.read("xl/workbook.xml"))
    for node in workbook.iter(f"{{{NS_MAIN}}}definedName"):
        if node.get("name") == VERSION_NAME:
            text = (node.text or "").strip().strip('"')
            return int(text) if text.isdigit() else 1
    return 1
