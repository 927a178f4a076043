"""Reading an uploaded spreadsheet, CSV or XLSX, into a ``domain.sheets.Table``: the one place every import
reads files (applications, the rundown). Anything unreadable is ``FileRefused`` with a code the pages explain.

- CSV: UTF-8 only (with or without the BOM Excel writes): guessing another encoding would import
  garbled names without anyone noticing. Comma, semicolon or tab separated; RFC 4180 quoting.
- XLSX: the first sheet, values as the cells show them (dates as ``10/12/2026 14:32``, times as
  ``17:30``, whole numbers without ``.0``); formulas are read as their last computed value, never run.
"""
from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime, time, timedelta
from typing import Any

from ..domain.sheets import FileRefused, Table

__all__ = ["FileRefused", "MAX_CELL_CHARS", "MAX_FILE_BYTES", "XLSX_MAGIC", "read_table"]

MAX_FILE_BYTES = 2 * 1024 * 1024  # the request's own limit (PITCHDAY's MAX_CONTENT_LENGTH)
MAX_UNPACKED_BYTES = 40 * 1024 * 1024  # an XLSX is a zip: what it may unpack to (a zip bomb is refused)
MAX_CELL_CHARS = 32_767  # Excel's own limit for a cell
MAX_COLUMNS = 100
XLSX_MAGIC = b"PK\x03\x04"


def read_table(data: bytes, filename: str, *, max_rows: int) -> Table:
    """The header and the non-blank rows of a CSV or XLSX file (told apart by content, then by name).

    ``FileRefused`` codes: ``empty``, ``too_large``, ``not_utf8``, ``not_xlsx``, ``cell_too_large``
    (detail: the line), ``too_many_rows``.
    """
    if len(data) > MAX_FILE_BYTES:
        raise FileRefused("too_large")
    if data.startswith(XLSX_MAGIC) or (filename or "").lower().endswith((".xlsx", ".xlsm")):
        header, rows = _xlsx_rows(data)
    else:
        header, rows = _csv_rows(data)
    kept: list[tuple[int, tuple[str, ...]]] = []
    for line, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue  # a blank line, as spreadsheets leave at the end
        if len(kept) >= max_rows:
            raise FileRefused("too_many_rows")
        if any(len(cell) > MAX_CELL_CHARS for cell in cells):
            raise FileRefused("cell_too_large", (str(line),))
        kept.append((line, tuple(cells[:MAX_COLUMNS])))
    if not header or not kept:
        raise FileRefused("empty")
    return Table(tuple(cell.strip() for cell in header[:MAX_COLUMNS]), tuple(kept))


def _csv_rows(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused("not_utf8") from None
    if not text.strip():
        raise FileRefused("empty")
    first = text.splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=max(",;\t", key=first.count))
    try:
        header = next(reader)
    except csv.Error:
        # A header cell beyond the csv module's field limit (131072 characters): refused as a whole.
        raise FileRefused("cell_too_large", ("1",)) from None

    def rows():
        end_of_previous = reader.line_num
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error:
                raise FileRefused("cell_too_large", (str(end_of_previous + 1),)) from None
            yield end_of_previous + 1, cells  # where the row starts: its cells may span lines
            end_of_previous = reader.line_num

    return header, rows()


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise FileRefused("too_large")
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except FileRefused:
        raise
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise FileRefused("not_xlsx") from None
    if not book.worksheets:
        raise FileRefused("empty")
    rows = book.worksheets[0].iter_rows(values_only=True)
    header: list[str] = []
    line = 0
    for values in rows:
        line += 1
        header = [_cell_text(v) for v in values]
        if any(cell.strip() for cell in header):
            break  # the first row with anything in it names the columns

    def body(start: int):
        for number, values in enumerate(rows, start=start + 1):
            yield number, [_cell_text(v) for v in values]
        book.close()

    return header, body(line)


def _cell_text(value: Any) -> str:
    """A cell's value as a person reads it in the sheet (and as the imports parse text)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M" + (":%S" if value.second else ""))
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        # As typed: Excel reads "5:00" (a length) and "17:30" (a start) as times of day.
        return f"{value.hour}:{value.minute:02d}" + (f":{value.second:02d}" if value.second else "")
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds())
        return f"{seconds // 3600}:{seconds // 60 % 60:02d}" + (f":{seconds % 60:02d}" if seconds % 60 else "")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number or a count typed in a number cell
    return str(value)
