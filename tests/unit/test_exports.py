"""CSV and XLSX files that are safe to open in a spreadsheet (pitchday.services.exports)."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from pitchday.services.exports import TimeOfDay, csv_bytes, safe_cell, xlsx_bytes

pytestmark = pytest.mark.unit

HOSTILE = ['=HYPERLINK("http://evil.example.org","clic")', "+33 1 99 00 10 01", "-2+3", "@SUM(A1:A2)", "\t=1+1",
           "\r=1+1", "\n=1+1", " =1+1", "\u00a0=1+1",
           # full-width and small forms: the same signs to a spreadsheet
           "＝1+1", "＋33 1 99", "－2+3", "＠SUM(A1:A2)", "﹦1+1", "﹢1", "﹣1"]


@pytest.mark.parametrize("value", HOSTILE)
def test_safe_cell_neutralises_what_a_spreadsheet_would_run(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value, expected", [("Qualité de l'air", "Qualité de l'air"), (42, 42), (-3, -3), (None, ""),
                                             (True, "oui"), (datetime(2020, 1, 23, 17, 25, tzinfo=timezone.utc),
                                                             "23/01/2020 18:25:00"),  # Paris wall time
                                             (datetime(2020, 1, 23, 17, 25), "2020-01-23T17:25"),
                                             (date(2020, 1, 23), "2020-01-23"),
                                             (timedelta(minutes=5, seconds=3), "0:05:03"),
                                             (timedelta(hours=26), "26:00:00"),
                                             (TimeOfDay(datetime(2020, 7, 1, 16, 5, tzinfo=timezone.utc)), "18:05:00")])
def test_safe_cell_keeps_ordinary_values(value, expected):
    assert safe_cell(value) == expected


def test_csv_is_utf8_with_a_bom_and_every_hostile_cell_neutralised():
    data = csv_bytes(["nom", "note"], [[value, i] for i, value in enumerate(HOSTILE)] + [["Élodie, « test »", 5]])

    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["nom", "note"]
    # A leading tab or line break is a separator of its own: the sign after it gets its apostrophe too.
    expected = ["'" + v if v[0] not in "\t\r\n" else "'" + v[0] + "'" + v[1:] for v in HOSTILE]
    assert expected[4:7] == ["'\t'=1+1", "'\r'=1+1", "'\n'=1+1"]
    assert [r[0] for r in rows[1:-1]] == expected
    assert rows[-1] == ["Élodie, « test »", "5"]


def test_xlsx_stores_hostile_text_as_text_and_numbers_as_numbers():
    data = xlsx_bytes([("Demandes", ["nom", "votes"], [[v, 3] for v in HOSTILE])])

    sheet = load_workbook(io.BytesIO(data))["Demandes"]
    values = [(row[0].value, row[0].data_type, row[1].value) for row in sheet.iter_rows(min_row=2)]
    # The XLSX format stores a line break as "\n", whichever the text held.
    assert values == [("'" + v.replace("\r", "\n"), "s", 3) for v in HOSTILE]


def test_csv_is_semicolon_separated_with_every_cell_quoted():
    data = csv_bytes(["nom", "note"], [["Élodie", 5], ["x;=2+5;y", 7]])

    assert data.decode("utf-8-sig") == '"nom";"note"\r\n"Élodie";"5"\r\n"x;\'=2+5;y";"7"\r\n'


@pytest.mark.parametrize("separator", [";", ",", "\t"])
@pytest.mark.parametrize("value", ["x;=2+5;y", "x,=2+5,y", "x\t=2+5", 'a";"=1+1', "a\r\n=1+1", "x; ＝2+5", "x,﹢1"])
def test_no_split_of_a_csv_line_starts_a_cell_with_a_formula(separator, value):
    """Read back with whatever separator a spreadsheet's region uses, no cell starts a formula."""
    data = csv_bytes(["texte"], [[value]]).decode("utf-8-sig")

    cells = [cell for row in csv.reader(io.StringIO(data), delimiter=separator) for cell in row]
    assert not [cell for cell in cells if cell.lstrip()[:1] in ("=", "+", "-", "@", "＝", "﹢")]


@pytest.mark.parametrize("value", ["Qualité ＝ santé", "a-b", "e-mail@exemple.org", "１２３"])
def test_signs_inside_a_cell_stay_as_they_are(value):
    assert safe_cell(value) == value


def test_xlsx_types_times_dates_and_lengths_with_their_number_formats_and_freezes_the_header():
    moment = datetime(2020, 7, 1, 16, 5, 30, tzinfo=timezone.utc)  # 18:05:30 in Paris (summer time)
    data = xlsx_bytes([("Typé", ["moment", "heure", "jour", "durée", "texte"],
                        [[moment, TimeOfDay(moment), date(2020, 7, 1), timedelta(hours=1, minutes=2), "x" * 80]])])

    sheet = load_workbook(io.BytesIO(data))["Typé"]
    cells = sheet[2]
    assert [c.value for c in cells] == [datetime(2020, 7, 1, 18, 5, 30), datetime(2020, 7, 1, 18, 5, 30),
                                        datetime(2020, 7, 1), timedelta(hours=1, minutes=2), "x" * 80]
    assert [c.number_format for c in cells] == ["dd/mm/yyyy hh:mm:ss", "hh:mm:ss", "dd/mm/yyyy", "[h]:mm:ss", "General"]
    assert sheet.freeze_panes == "A2"
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDE"]
    assert widths == [21, 10, 12, 10, 60]  # as wide as what is shown, between 10 and 60 characters
