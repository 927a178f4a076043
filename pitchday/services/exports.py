"""Files for the organisers' spreadsheets: CSV and XLSX, safe to open.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` is a formula to Excel and LibreOffice: an
applicant who writes ``=HYPERLINK(...)`` in a form would run it on the organiser's computer.
Every text cell that starts so (after spaces, and in any width: ``＝ ＋ － ＠`` and their small forms
are the same signs to a spreadsheet) gets a leading apostrophe, which spreadsheets show as plain
text. Numbers stay numbers.

CSV files are written as a French Excel opens them with a double click: UTF-8 with a BOM, ``;``
between cells, every cell quoted. A spreadsheet of another region splits on ``,`` (or a tab) and
can lose track of the quotes: so inside a text cell a formula sign right after a separator or a
line break gets an apostrophe too (``x;'=2+5;y``), and no split of a line can start a formula.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import datetime
from typing import Any, Iterable, Sequence

FORMULA_SIGNS = ("=", "+", "-", "@")
CONTROL_STARTS = ("\t", "\r", "\n")
CSV_SEPARATOR = ";"
# A separator (of any region) or a line break, spaces, then a formula sign in any width.
_SIGN_AFTER_SEPARATOR = re.compile(r"([,;\t\r\n][ \u00a0]*)(?=[=+\-@\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b])")


def starts_a_formula(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula (or a DDE call)."""
    if text.startswith(CONTROL_STARTS):
        return True
    first = text.lstrip()[:1]
    # NFKC folds the full-width (＝ ＋ － ＠) and small (﹦ ﹢ ﹣ ﹫) forms onto the ASCII signs.
    return bool(first) and unicodedata.normalize("NFKC", first) in FORMULA_SIGNS


def safe_cell(value: Any) -> Any:
    """The value as it may go into a spreadsheet cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    text = str(value)
    return "'" + text if starts_a_formula(text) else text


def _csv_cell(value: Any) -> Any:
    cell = safe_cell(value)
    return _SIGN_AFTER_SEPARATOR.sub(r"\1'", cell) if isinstance(cell, str) else cell


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a BOM (so that Excel reads the accents), ``;``-separated, every cell quoted and made safe."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_SEPARATOR, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([_csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """A workbook of ``(title, header, rows)`` sheets; text cells are stored as text, never as formulas."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        sheet.append([safe_cell(h) for h in header])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # openpyxl would read "=..." as a formula otherwise
        for column in sheet.columns:
            width = max(len(str(c.value or "")) for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, width + 2))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
