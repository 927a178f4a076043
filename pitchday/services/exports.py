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

Times and lengths are typed, so that a spreadsheet sorts and adds them: an aware ``datetime`` is
a moment, ``TimeOfDay`` a moment shown as its time of day, a ``date`` a day, a ``timedelta`` a
length. In the XLSX they are real Excel datetimes (Paris wall time: Excel has no time zones),
dates and durations (``[h]:mm:ss``); in the CSV, Paris wall time as ``dd/mm/yyyy hh:mm:ss`` and
lengths as ``h:mm:ss``, which French Excel reads back as dates and times.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Iterable, Sequence

from ..timeutil import PARIS, as_utc

FORMULA_SIGNS = ("=", "+", "-", "@")
CONTROL_STARTS = ("\t", "\r", "\n")
CSV_SEPARATOR = ";"
# A separator (of any region) or a line break, spaces, then a formula sign in any width.
_SIGN_AFTER_SEPARATOR = re.compile(r"([,;\t\r\n][ \u00a0]*)(?=[=+\-@\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b])")


# Excel number formats (locale-independent codes: French Excel shows them its own way).
MOMENT_FORMAT = "dd/mm/yyyy hh:mm:ss"
TIME_FORMAT = "hh:mm:ss"
DATE_FORMAT = "dd/mm/yyyy"
DURATION_FORMAT = "[h]:mm:ss"
CSV_MOMENT = "%d/%m/%Y %H:%M:%S"  # as French Excel writes a date and time, and reads it back as one
COLUMN_WIDTHS = (10, 60)  # the narrowest and widest a column gets, in characters


@dataclass(frozen=True)
class TimeOfDay:
    """A moment that a table shows as its time of day (the date stays in the XLSX cell's value)."""

    at: datetime  # aware


def _paris(moment: datetime) -> datetime:
    """Paris wall time, naive: what a spreadsheet cell holds."""
    return as_utc(moment).astimezone(PARIS).replace(tzinfo=None)


def _length(length: timedelta) -> str:
    seconds = round(length.total_seconds())
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    return f"{sign}{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


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
    if isinstance(value, TimeOfDay):
        return _paris(value.at).strftime("%H:%M:%S")
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return _paris(value).strftime(CSV_MOMENT)
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return _length(value)
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


def _xlsx_cell(value: Any) -> tuple[Any, str | None]:
    """The value an XLSX cell holds and its number format (None: the default)."""
    if isinstance(value, TimeOfDay):
        return _paris(value.at), TIME_FORMAT
    if isinstance(value, datetime):
        return (_paris(value) if value.tzinfo is not None else value), MOMENT_FORMAT
    if isinstance(value, date):
        return value, DATE_FORMAT
    if isinstance(value, timedelta):
        return value, DURATION_FORMAT
    return safe_cell(value), None


def _shown_width(value: Any) -> int:
    """About how many characters a cell shows (the longest line of a text)."""
    if isinstance(value, (TimeOfDay, timedelta)):
        return 8
    if isinstance(value, datetime):
        return 19
    if isinstance(value, date):
        return 10
    return max((len(line) for line in str(safe_cell(value)).splitlines()), default=0)


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """A workbook of ``(title, header, rows)`` sheets: text stored as text (never as a formula),
    times, dates and lengths typed, the header row bold and frozen, columns as wide as they need."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    narrowest, widest = COLUMN_WIDTHS
    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        sheet.append([safe_cell(h) for h in header])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"  # the header stays in view while scrolling
        widths = [len(str(h)) for h in header]
        for row in rows:
            typed = [_xlsx_cell(v) for v in row]
            sheet.append([value for value, _ in typed])
            for cell, (value, number_format) in zip(sheet[sheet.max_row], typed):
                if number_format:
                    cell.number_format = number_format
                elif isinstance(value, str):
                    cell.data_type = "s"  # openpyxl would read "=..." as a formula otherwise
            for index, value in enumerate(row):
                width = _shown_width(value)
                if index < len(widths):
                    widths[index] = max(widths[index], width)
                else:
                    widths.append(width)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(widest, max(narrowest, width + 2))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
