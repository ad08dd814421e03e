"""Bank statement importers, one per format behind one protocol: detect -> parse -> statements.

``read_statements`` picks the importer from the file's first bytes (the CSV importer is the
fallback) and turns any failure into an InputError naming the file and, where known, the line.
"""
from __future__ import annotations

import csv
from decimal import InvalidOperation
from pathlib import Path

from lxml import etree

from arbook.model.errors import InputError, Problem
from arbook.adapters.bankfiles.camt import CamtImporter
from arbook.adapters.bankfiles.csvbank import CsvImporter
from arbook.adapters.bankfiles.model import BankLine, Importer, Options, Statement
from arbook.adapters.bankfiles.mt940 import MT940Importer
from arbook.adapters.bankfiles.ofx import OFXImporter
from arbook.adapters.bankfiles.zengin import ZenginImporter

IMPORTERS: tuple[Importer, ...] = (ZenginImporter(), CamtImporter(), OFXImporter(), MT940Importer(), CsvImporter())
#: Errors a damaged file can raise inside a parser; reported as one line, never as a traceback.
DATA_ERRORS = (ValueError, KeyError, IndexError, UnicodeError, InvalidOperation, csv.Error, OverflowError,
               etree.LxmlError, TypeError, AttributeError)


def detect(data: bytes, path: str) -> Importer:
    """The importer for a file's bytes (the CSV importer when nothing else claims it)."""
    head, suffix = data[:4096], Path(path).suffix.lower()
    return next(importer for importer in IMPORTERS if importer.detect(head, suffix))


def read_statements(path: str | Path, options: Options = Options()) -> list[Statement]:
    """Every statement in the bank file at ``path``; InputError when it cannot be read."""
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError([Problem(source, None, None, exc.strerror or str(exc))]) from None
    if not data.strip(b" \r\n\t\x1a\x00"):
        raise InputError([Problem(source, 1, None, "the file is empty")])
    importer = detect(data, source)
    if options.mapping and importer.name != "csv":
        raise InputError([Problem(source, None, "map", f"--map is for CSV and spreadsheet exports; this is a "
                                                       f"{importer.name} file, whose fields are read as the format says")])
    try:
        return importer.parse(data, source, options)
    except InputError:
        raise
    except RecursionError:
        raise InputError([Problem(source, None, None, f"cannot read as {importer.name}: nested too deeply")]) from None
    except DATA_ERRORS as exc:
        raise InputError([Problem(source, None, None,
                                  f"cannot read as {importer.name}: {type(exc).__name__}: {exc}")]) from None


__all__ = ["BankLine", "Options", "Statement", "IMPORTERS", "detect", "read_statements"]
