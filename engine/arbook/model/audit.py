"""The Log's hash chain: each row's Hash is ``SEQ:SHA256(previous hash, seq, time, user, action, details)``.

An edited row no longer matches its hash, a deleted row leaves a gap in the sequence and an
inserted row has no valid link; ``verify_chain`` names each.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any, Sequence

GENESIS = "arbook-log"


def _stamp(time: Any) -> str:
    if isinstance(time, datetime):
        # Excel keeps times as day fractions: round back to the second that was written
        time = (time + timedelta(microseconds=500_000)).replace(microsecond=0)
        return time.isoformat(sep=" ")
    return str(time)


def row_hash(previous: str | None, seq: int, time: Any, user: Any, action: Any, details: Any) -> str:
    """The Hash cell of a Log row chained to ``previous`` (the prior row's Hash, None for the first)."""
    text = "\x1f".join([previous or GENESIS, str(seq), _stamp(time), str(user or ""), str(action or ""),
                        str(details or "")])
    return f"{seq}:{hashlib.sha256(text.encode('utf-8')).hexdigest()}"


def parse_hash(value: Any) -> tuple[int, str] | None:
    """(sequence, digest) of a Hash cell, or None when it is empty or malformed."""
    seq, sep, digest = str(value or "").partition(":")
    if not sep or not seq.isdigit() or len(digest) != 64:
        return None
    return int(seq), digest


def verify_chain(rows: Sequence[dict], first_line: int = 2) -> tuple[int, list[str]]:
    """(rows checked, problems) of Log rows in sheet order; rows before the first hashed one are
    older than the chain and are not judged."""
    problems: list[str] = []
    previous: str | None = None
    expected = 1
    started = False
    checked = 0
    for offset, row in enumerate(rows):
        line = first_line + offset
        parsed = parse_hash(row.get("Hash"))
        if parsed is None:
            if started:
                problems.append(f"Log line {line}: inserted row (no valid hash): {row.get('Action')} {row.get('Details')}")
            continue
        started = True
        checked += 1
        seq, _ = parsed
        if seq > expected:
            problems.append(f"Log line {line}: {seq - expected} row(s) deleted before this one (sequence {expected}"
                            f"{'-' + str(seq - 1) if seq - 1 > expected else ''} missing)")
        elif seq < expected:
            problems.append(f"Log line {line}: inserted or repeated row (sequence {seq} after {expected - 1})")
        own = row_hash(previous, seq, row.get("Time"), row.get("User"), row.get("Action"), row.get("Details"))
        if seq == expected and own != row.get("Hash"):
            problems.append(f"Log line {line}: edited row (content does not match its hash): {row.get('Action')}")
        previous = row.get("Hash")
        expected = seq + 1
    return checked, problems
