"""The book's statement key, keyed checksums, and the signed manifest written beside each statement.

The key is a random 256-bit secret kept in the book's Settings (``Statement Key``), created on
the first statement run; it never goes into a statement, an email or a manifest. A manifest
(``<statement>.manifest.json``) fixes the client, the as-of date, the addresses, the checksum of
the lines and the SHA-256 of the file, signed with the key, so an encrypted statement can be
emailed and any edit of the file or the manifest is detected.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from pathlib import Path
from typing import Any

from arbook.model.book import Book
from arbook.model.errors import ArbookError
from arbook.model.frames import make_frame
from arbook.model.schema import SETTINGS

KEY_SETTING = "Statement Key"
MANIFEST_SUFFIX = ".manifest.json"
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$", re.I)
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


def book_key(book: Book, create: bool = False) -> bytes | None:
    """The book's statement key; with ``create``, a new one is staged in Settings when there is none."""
    value = book.settings().get(KEY_SETTING, "").strip()
    if value:
        try:
            return bytes.fromhex(value)
        except ValueError:
            raise ArbookError(f"{book.source} [Settings]: {KEY_SETTING}: not a hex key; clear it to make a new "
                              "one (statements already sent can then no longer be verified)") from None
    if not create:
        return None
    value = secrets.token_hex(32)
    settings = book.read(SETTINGS.name)
    row = make_frame(SETTINGS, [{"Key": KEY_SETTING, "Value": value,
                                 "Note": "Secret of the statement checksums. Never share it; changing it "
                                         "makes returned statements unverifiable."}])
    book.replace(SETTINGS.name, make_frame(SETTINGS, settings.to_dict("records") + row.to_dict("records")))
    return bytes.fromhex(value)


def keyed_digest(key: bytes, text: str) -> str:
    """HMAC-SHA256 of ``text`` under ``key`` (hex)."""
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def safe_stem(customer_id: str) -> str:
    """A file-name form of a Customer ID: no path separators or characters Windows refuses, no
    reserved device names, no trailing dot or space; a changed ID gets a short hash of the
    original, so two IDs never map to one name."""
    text = str(customer_id)
    clean = _UNSAFE.sub("_", text).strip().rstrip(". ") or "_"
    if _RESERVED.match(clean):
        clean = "_" + clean
    if clean != text:
        clean = f"{clean[:60]}~{hashlib.sha256(text.encode('utf-8')).hexdigest()[:8]}"
    return clean


def _body_text(body: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in body.items() if k != "signature"}, sort_keys=True, ensure_ascii=False)


def write_manifest(key: bytes, statement: Path, fields: dict[str, Any], data: bytes | None = None) -> Path:
    """Write ``<statement>.manifest.json``: ``fields``, the file's name and SHA-256 (of ``data``, the
    file's bytes, when given), signed."""
    data = statement.read_bytes() if data is None else data
    body = {**fields, "file": statement.name, "sha256": hashlib.sha256(data).hexdigest()}
    body["signature"] = keyed_digest(key, _body_text(body))
    target = statement.with_name(statement.name + MANIFEST_SUFFIX)
    partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")  # like the statements: rename, no fsync
    partial.write_bytes(json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))
    os.replace(partial, target)
    return target


def read_manifest(key: bytes | None, statement: Path, data: bytes) -> dict[str, Any]:
    """The verified manifest of a statement whose bytes are ``data``; ArbookError saying what is wrong."""
    path = statement.with_name(statement.name + MANIFEST_SUFFIX)
    if key is None:
        raise ArbookError(f"{path}: the book has no {KEY_SETTING}; these statements were not written from it")
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArbookError(f"{statement}: no manifest beside it ({path.name}); write it again with "
                          "'arbook statements'") from None
    except (OSError, ValueError) as exc:
        raise ArbookError(f"{path}: unreadable manifest ({exc})") from None
    if not isinstance(body, dict) or not hmac.compare_digest(str(body.get("signature", "")),
                                                             keyed_digest(key, _body_text(body))):
        raise ArbookError(f"{path}: the manifest's signature does not match this book's key (edited, or from "
                          "another book)")
    if body.get("file") != statement.name or body.get("sha256") != hashlib.sha256(data).hexdigest():
        raise ArbookError(f"{statement}: the file differs from the one its manifest describes (changed after "
                          "it was written)")
    return body
