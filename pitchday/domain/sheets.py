"""A spreadsheet as the imports see it, once read (``services.spreadsheets`` reads CSV and XLSX files).

A ``Table`` is the header and the rows as text, whatever the file's format; this module finds the
columns an import needs in it, by their code or by a label people use (compared without regard to
case, accents, spaces or punctuation), and refuses the file as a whole when it cannot be used.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Mapping, Sequence


class FileRefused(ValueError):
    """The file as a whole cannot be read; ``code`` says why (``detail`` names columns or a line, if any)."""

    def __init__(self, code: str, detail: tuple[str, ...] = ()):
        super().__init__(code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Table:
    """The header (stripped) and the non-blank rows of a sheet, as ``(line, cells)``: ``line`` is where the row
    starts in the file (the header is line 1 of a CSV, its own row of a workbook; cells may span lines)."""

    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]


def fold(text: str) -> str:
    """Lower case, no accents, one kind of apostrophe, single spaces: how a label or a choice is compared."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def fold_label(text: str) -> str:
    """``fold`` without punctuation nor spaces: "E-mail du référent" and "e_mail du referent" are one column."""
    return re.sub(r"[\W_]+", "", fold(text))


def records(table: Table, required: Sequence[str], *, aliases: Mapping[str, Sequence[str]] | None = None,
            ) -> list[tuple[int, dict[str, str]]]:
    """The rows of ``table`` as ``(line, {column: text})`` keyed by the columns' codes.

    A header cell is its column's code, or one of ``aliases[code]``; other columns are kept under
    their own name. Every ``required`` code must be there (``FileRefused("missing_columns")``).
    """
    names = {fold_label(code): code for code in (aliases or {})}
    for code, words in (aliases or {}).items():
        for word in words:
            names.setdefault(fold_label(word), code)
    columns = [names.get(fold_label(cell), cell) if cell else "" for cell in table.header]
    missing = tuple(code for code in required if code not in columns)
    if missing:
        raise FileRefused("missing_columns", missing)
    found = []
    for line, cells in table.rows:
        record: dict[str, str] = {}
        for column, cell in zip(columns, cells):
            if column and not record.get(column):  # a column given twice: its first non-empty cell
                record[column] = cell
        found.append((line, record))
    if not found:
        raise FileRefused("empty")
    return found
