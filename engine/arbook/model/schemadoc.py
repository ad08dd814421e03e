"""The schema as readable text or Markdown (``arbook schema``; the README's schema section)."""
from __future__ import annotations

from arbook.model.schema import SHEETS, Column


def _describe(column: Column) -> str:
    parts = [column.kind.value]
    if column.choices:
        parts.append("one of " + "/".join(column.choices) if len(column.choices) <= 6 else "ISO code")
    if column.required:
        parts.append("required")
    if column.minimum is not None:
        parts.append(f">= {column.minimum}")
    return ", ".join(parts)


def schema_text(markdown: bool = False) -> str:
    """Every sheet with its columns: type, input or computed, and what it means."""
    lines: list[str] = []
    for sheet in SHEETS:
        key = f" Key: {', '.join(sheet.key)}." if sheet.key else ""
        if markdown:
            lines += [f"### {sheet.name} (table `{sheet.table_name}`)", "", f"{sheet.doc}{key}", "",
                      "| Column | Type | Role | Meaning |", "|---|---|---|---|"]
            lines += [f"| {c.name} | {_describe(c)} | {c.role.value} | {c.doc} |" for c in sheet.columns]
        else:
            lines.append(f"{sheet.name} ({sheet.table_name}): {sheet.doc}{key}")
            lines += [f"  {c.name:<16} {c.role.value:<8} {_describe(c):<28} {c.doc}".rstrip()
                      for c in sheet.columns]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
