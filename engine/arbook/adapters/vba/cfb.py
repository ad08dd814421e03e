"""A minimal writer of Compound File Binary files (MS-CFB, version 3, 512-byte sectors).

Enough for a VBA project: storages and streams, small streams in the mini stream, every
directory entry black with siblings chained in the CFB name order (a valid search tree).
Deterministic: no timestamps, no random CLSIDs.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field

SECTOR = 512
MINI = 64
CUTOFF = 4096
FREE, END, FAT_SECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


@dataclass
class Node:
    """A storage (children) or a stream (data)."""

    name: str
    data: bytes | None = None
    children: list["Node"] = field(default_factory=list)

    @property
    def is_stream(self) -> bool:
        return self.data is not None


def _order(name: str) -> tuple[int, str]:
    return (len(name), name.upper())  # MS-CFB 2.6.4: shorter names first, then case-insensitive


def write_cfb(root_children: list[Node]) -> bytes:
    """The bytes of a compound file holding ``root_children`` under the Root Entry."""
    root = Node("Root Entry", None, root_children)
    entries: list[Node] = []

    def collect(node: Node) -> None:
        entries.append(node)
        for child in sorted(node.children, key=lambda n: _order(n.name)):
            collect(child)

    collect(root)
    index = {id(node): n for n, node in enumerate(entries)}
    mini = bytearray()
    mini_fat: list[int] = []
    big: list[bytes] = []  # sector payloads after the header, assigned below
    starts: dict[int, int] = {}
    for node in entries:
        if node.is_stream and len(node.data) < CUTOFF:
            first = len(mini_fat)
            count = max(1, -(-len(node.data) // MINI)) if node.data else 0
            if count:
                starts[id(node)] = first
                mini_fat += [first + i + 1 for i in range(count - 1)] + [END]
                mini += node.data.ljust(count * MINI, b"\0")
            else:
                starts[id(node)] = END
    fat: list[int] = []

    def place(payload: bytes) -> int:
        if not payload:
            return END
        first = len(fat)
        count = -(-len(payload) // SECTOR)
        fat.extend([first + i + 1 for i in range(count - 1)] + [END])
        big.append(payload.ljust(count * SECTOR, b"\0"))
        return first

    for node in entries:
        if node.is_stream and len(node.data) >= CUTOFF:
            starts[id(node)] = place(node.data)
    mini_stream_start = place(bytes(mini))
    mini_fat_bytes = b"".join(struct.pack("<I", v) for v in mini_fat)
    mini_fat_start = place(mini_fat_bytes.ljust(-(-len(mini_fat_bytes) // SECTOR) * SECTOR, b"\xff"))
    directory = bytearray()
    for node in entries:
        directory += _entry(node, entries, index, starts, mini_stream_start, len(mini))
    while len(directory) % SECTOR:  # unused entries: empty, pointing nowhere
        directory += struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, b"\0" * 16,
                                 0, 0, 0, 0, 0)
    directory_start = place(bytes(directory))
    # the FAT describes itself too: grow until it fits
    fat_sectors = 1
    while (len(fat) + fat_sectors) > fat_sectors * (SECTOR // 4):
        fat_sectors += 1
    fat_start = len(fat)
    fat.extend([FAT_SECT] * fat_sectors)
    fat_bytes = b"".join(struct.pack("<I", v) for v in fat).ljust(fat_sectors * SECTOR, b"\xff")
    if fat_sectors > 109:
        raise ValueError("compound file too large for this writer (more than 109 FAT sectors)")
    difat = [fat_start + i for i in range(fat_sectors)] + [FREE] * (109 - fat_sectors)
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII", bytes.fromhex("D0CF11E0A1B11AE1"), b"\0" * 16, 0x3E, 3,
                         0xFFFE, 9, 6, b"\0" * 6, 0, fat_sectors, directory_start, 0, CUTOFF,
                         mini_fat_start if mini_fat else END, -(-len(mini_fat_bytes) // SECTOR), END, 0)
    header += b"".join(struct.pack("<I", v) for v in difat)
    assert len(header) == SECTOR
    return header + b"".join(big) + fat_bytes


def _entry(node: Node, entries: list[Node], index: dict[int, int], starts: dict[int, int], mini_start: int,
           mini_size: int) -> bytes:
    name = node.name.encode("utf-16-le") + b"\0\0"
    if len(name) > 64:
        raise ValueError(f"name too long for a compound file entry: {node.name!r}")
    kind = 5 if node.name == "Root Entry" else (2 if node.is_stream else 1)
    children = sorted(node.children, key=lambda n: _order(n.name))
    child = index[id(children[0])] if children else NOSTREAM
    parent_siblings = _siblings_of(node, entries)
    right = index[id(parent_siblings[parent_siblings.index(node) + 1])] if parent_siblings and \
        parent_siblings.index(node) + 1 < len(parent_siblings) else NOSTREAM
    if kind == 5:
        start, size = (mini_start if mini_size else END), mini_size
    elif node.is_stream:
        start, size = starts.get(id(node), END), len(node.data)
    else:
        start, size = 0, 0
    return struct.pack("<64sHBBIII16sIQQIQ", name.ljust(64, b"\0"), len(name), kind, 1, NOSTREAM, right, child,
                       b"\0" * 16, 0, 0, 0, start, size)


def _siblings_of(node: Node, entries: list[Node]) -> list[Node]:
    for parent in entries:
        if any(child is node for child in parent.children):
            return sorted(parent.children, key=lambda n: _order(n.name))
    return []
