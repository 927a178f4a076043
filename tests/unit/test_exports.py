"""CSV and XLSX files that are safe to open in a spreadsheet (pitchday.services.exports)."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

import pytest
from openpyxl import load_workbook

from pitchday.services.exports import csv_bytes, safe_cell, xlsx_bytes

pytestmark = pytest.mark.unit

HOSTILE = ['=HYPERLINK("http://evil.example.org","clic")', "+33 1 99 00 10 01", "-2+3", "@SUM(A1:A2)", "\t=1+1"]


@pytest.mark.parametrize("value", HOSTILE)
def test_safe_cell_neutralises_what_a_spreadsheet_would_run(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value, expected", [("Qualité de l'air", "Qualité de l'air"), (42, 42), (-3, -3), (None, ""),
                                             (True, "oui"), (datetime(2020, 1, 23, 17, 25, tzinfo=timezone.utc),
                                                             "2020-01-23T17:25+00:00")])
def test_safe_cell_keeps_ordinary_values(value, expected):
    assert safe_cell(value) == expected


def test_csv_is_utf8_with_a_bom_and_every_hostile_cell_neutralised():
    data = csv_bytes(["nom", "note"], [[value, i] for i, value in enumerate(HOSTILE)] + [["Élodie, « test »", 5]])

    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["nom", "note"]
    assert [r[0] for r in rows[1:-1]] == ["'" + v for v in HOSTILE]
    assert rows[-1] == ["Élodie, « test »", "5"]


def test_xlsx_stores_hostile_text_as_text_and_numbers_as_numbers():
    data = xlsx_bytes([("Demandes", ["nom", "votes"], [[v, 3] for v in HOSTILE])])

    sheet = load_workbook(io.BytesIO(data))["Demandes"]
    values = [(row[0].value, row[0].data_type, row[1].value) for row in sheet.iter_rows(min_row=2)]
    assert values == [("'" + v, "s", 3) for v in HOSTILE]
