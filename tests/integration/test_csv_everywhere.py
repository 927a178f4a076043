"""Every CSV pitchday gives is made one way (services/exports.csv_bytes): UTF-8 with a BOM so that
Excel reads the accents, ";" between cells as French Excel expects, formulas neutralised."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from pitchday.extensions import db
from pitchday.models import Talk

pytestmark = pytest.mark.integration

SOURCE = Path(__file__).resolve().parents[2] / "pitchday"


def test_no_module_writes_csv_but_the_exports_one():
    writers = [str(path.relative_to(SOURCE)) for path in SOURCE.rglob("*.py")
               if re.search(r"csv\.(writer|DictWriter)\(", path.read_text(encoding="utf-8"))]

    assert writers == ["services/exports.py"]


def test_every_csv_download_has_a_bom_and_semicolons(app, organiser, edition):
    with app.app_context(), db.read() as session:
        talk_id = session.scalar(select(Talk.id).where(Talk.edition_id == edition.id).order_by(Talk.position))
    urls = [f"/organiser/editions/{edition.id}/report.csv", f"/organiser/editions/{edition.id}/rundown.csv",
            f"/organiser/editions/{edition.id}/talks/{talk_id}/digest.csv", "/organiser/audit.csv"]

    found = {}
    for url in urls:
        response = organiser.get(url)
        assert response.status_code == 200, url
        header = next(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
        found[url] = (response.data[:3], response.mimetype, len(header) > 1, ";" in response.data.decode()[:200])

    assert found == {url: (b"\xef\xbb\xbf", "text/csv", True, True) for url in urls}
