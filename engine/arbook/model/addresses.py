"""Email addresses from the book, parsed with the email package's header registry.

An Email cell holds exactly one address; CC Emails holds addresses separated by ';' or ','.
Control characters (CR/LF: header injection), lists in the Email cell, defects the parser
reports and addresses without a dotted domain are refused with a reason a person can read.
"""
from __future__ import annotations

import re
from email.headerregistry import Address
from email.policy import default

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class AddressError(ValueError):
    """A cell that does not hold the address(es) it should."""


def _parse(text: str) -> list[Address]:
    if _CONTROL.search(text):
        raise AddressError(f"{text!r} contains a line break or control character")
    try:
        header = default.header_factory("To", text)
    except Exception as exc:  # the parser raises IndexError and friends on some broken input
        raise AddressError(f"{text!r} is not an email address ({exc})") from None
    if header.defects:
        raise AddressError(f"{text!r} is not a valid address list ({header.defects[0]})")
    found = []
    for address in header.addresses:
        if not address.username or "." not in address.domain or address.domain.startswith(".") \
                or address.domain.endswith("."):
            raise AddressError(f"{text!r}: {address.addr_spec!r} is not a complete address (name@domain.tld)")
        found.append(address)
    return found


def one_address(text: str | None) -> str:
    """The single address of an Email cell, its display name kept ('Bob <bob@x.com>'; '' when empty);
    AddressError for a list or a bad address."""
    text = (text or "").strip()
    if not text:
        return ""
    found = [] if ";" in text else _parse(text)
    if len(found) != 1:
        raise AddressError(f"{text!r} holds more than one address; put copies in CC Emails")
    return str(found[0])


def address_list(text: str | None) -> list[str]:
    """The addresses of a CC Emails cell (separated by ';' or ','), display names kept, in order, without
    repeats of the same mailbox."""
    found: dict[str, str] = {}
    for part in (text or "").split(";"):  # the header parser itself splits on ','
        if part.strip():
            for address in _parse(part.strip()):
                found.setdefault(address.addr_spec.lower(), str(address))
    return list(found.values())
