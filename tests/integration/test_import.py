"""Importing applications from a CSV file: upload, preview, confirm (all or nothing), cancel."""
from __future__ import annotations

import csv
import html
import io
import re
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, select, update

from pitchday.extensions import db
from pitchday.models import Application, AuditEntry, ImportDraft

from .conftest import csrf_token, post_form
from .test_apply_form import new_edition

pytestmark = pytest.mark.integration

SAMPLE = Path(__file__).resolve().parents[2] / "pitchday" / "data" / "candidatures-qualite-air.csv"
SAMPLE_REFERENCES = [f"AMI-QA-{n:03d}" for n in range(1, 15)]


@pytest.fixture()
def target(app, edition):
    """Jeudi du numérique n° 11, applications closing on 13 January 2020 at 10:00 (Paris), and no
    application stored anywhere yet (the demo edition's are erased, so the sample can be imported)."""
    with app.app_context():
        with db.write() as session:
            session.execute(delete(Application))
    return new_edition(app, number=11, day="2020-01-30", deadline_day="2020-01-13", deadline_time="10:00")


def upload(organiser, edition, data: bytes, filename: str = "candidatures.csv"):
    page = organiser.get(f"/organiser/editions/{edition.id}/applications/import").text
    return organiser.post(f"/organiser/editions/{edition.id}/applications/import",
                          data={"csrf_token": csrf_token(page), "file": (io.BytesIO(data), filename)},
                          content_type="multipart/form-data")


def preview_of(organiser, edition, data: bytes):
    response = upload(organiser, edition, data)
    assert response.status_code == 303, response.text
    return response.headers["Location"], organiser.get(response.headers["Location"])


def confirm(organiser, preview_url: str, page: str):
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]*)"', page)
    return post_form(organiser, preview_url, {"fingerprint": fingerprint.group(1) if fingerprint else ""})


def stored(app, **where) -> dict[str, Application]:
    with app.app_context():
        with db.write() as session:
            query = select(Application).filter_by(**where)
            return {a.reference: a for a in session.scalars(query)}


def drafts(app) -> list[ImportDraft]:
    with app.app_context():
        with db.write() as session:
            return list(session.scalars(select(ImportDraft)))


def audit(app) -> list[tuple[str, int, dict]]:
    with app.app_context():
        with db.write() as session:
            return [(e.action, e.edition_id, e.detail) for e in session.scalars(
                select(AuditEntry).where(AuditEntry.action == "import_applications"))]


def rows_csv(rows: list[dict]) -> bytes:
    """A file with the sample's columns, from the sample's first row changed as given.

    That row's description holds a line break: each row takes two lines (2-3, 4-5, 6-7…).
    """
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns, base = reader.fieldnames, next(reader)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for changes in rows:
        writer.writerow({**base, **changes})
    return out.getvalue().encode("utf-8")


def summary(page: str) -> str:
    found = re.search(r'id="import-summary">(.*?)</p>', page, re.S).group(1)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", found)).split())


def line(page: str, number: int) -> str:
    """The text of the preview's row for that line of the file."""
    found = re.search(rf'<tr class="row-\w+" id="line-{number}">(.*?)</tr>', page, re.S).group(1)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found)).split())


def test_sample_file_imports_its_fourteen_applications_and_flags_the_late_one(app, organiser, target):
    preview_url, preview = preview_of(organiser, target, SAMPLE.read_bytes())

    assert preview.status_code == 200
    page = preview.text
    assert summary(page) == "14 lignes : 14 prêtes (dont 1 hors délai)"
    assert "AMI-QA-001" in line(page, 2) and "prête" in line(page, 2) and "hors délai" not in line(page, 2)
    assert "AMI-QA-002" in line(page, 4)  # the first row's description spans two lines of the file
    assert "AMI-QA-014" in line(page, 16) and "hors délai" in line(page, 16) and "prête" in line(page, 16)
    assert "Importer les 14 candidatures prêtes" in page
    assert stored(app) == {}  # nothing before the confirmation

    response = confirm(organiser, preview_url, page)

    assert response.status_code == 303
    assert response.headers["Location"] == f"/organiser/editions/{target.id}/applications"
    imported = stored(app, edition_id=target.id)
    assert sorted(imported) == SAMPLE_REFERENCES
    assert [r for r, a in sorted(imported.items()) if a.late] == ["AMI-QA-014"]
    assert {(a.source, a.status) for a in imported.values()} == {("import", "received")}
    assert imported["AMI-QA-014"].received_at == datetime(2020, 1, 13, 10, 20, tzinfo=timezone.utc)
    assert audit(app) == [("import_applications", target.id, {"imported": 14, "skipped": 0})]
    assert drafts(app) == []
    listing = html.unescape(organiser.get(response.headers["Location"]).text)
    assert "14 candidatures importées." in listing and "ignorée" not in listing
    assert listing.count("hors délai</span>") == 1


def test_importing_the_same_file_twice_imports_nothing_the_second_time(app, organiser, target):
    first_url, first = preview_of(organiser, target, SAMPLE.read_bytes())
    confirm(organiser, first_url, first.text)

    again_url, again = preview_of(organiser, target, SAMPLE.read_bytes())
    response = confirm(organiser, again_url, again.text)

    page = html.unescape(again.text)
    assert summary(again.text) == "14 lignes : aucune prête · 14 déjà importées"
    assert "déjà importée" in line(again.text, 2)
    assert 'id="import-confirm"' not in again.text
    assert "Aucune candidature à importer" in page
    assert response.status_code == 409
    assert "Rien n'a été importé : aucune candidature de ce fichier n'est prête" in html.unescape(response.text)
    assert len(stored(app)) == 14
    assert audit(app) == [("import_applications", target.id, {"imported": 14, "skipped": 0})]


def test_references_already_in_another_edition_are_skipped(app, organiser, demo_edition):
    """The demo's applications (AMI-QA-…, two of them deferred to the next edition) are already stored."""
    edition = demo_edition
    later = new_edition(app, number=11, day="2020-01-30", deadline_day="2020-01-13")
    extra = rows_csv([{"reference": "AMI-QA-099", "nom_projet": "Nouveau projet"}, {"reference": "AMI-QA-003"}])

    preview_url, preview = preview_of(organiser, later, extra)
    response = confirm(organiser, preview_url, preview.text)

    assert "prête" in line(preview.text, 2) and "déjà importée" in line(preview.text, 4)
    assert response.status_code == 303
    assert sorted(stored(app, edition_id=later.id)) == ["AMI-QA-006", "AMI-QA-011", "AMI-QA-099"]  # + the adopted two
    assert stored(app)["AMI-QA-003"].edition_id == edition.id
    assert audit(app) == [("import_applications", later.id, {"imported": 1, "skipped": 1})]


def test_broken_rows_are_shown_with_their_line_and_the_good_ones_imported(app, organiser, target):
    data = rows_csv([
        {"reference": "T-001"},
        {"reference": "T-002", "referent_email": "", "type_presentation": "keynote", "recu_le": "13 janvier"},
        {"reference": "T-003", "description": "Une ligne\nDeux lignes"},
        {"reference": "T-001", "nom_projet": "Doublon"},
    ])

    preview_url, preview = preview_of(organiser, target, data)
    response = confirm(organiser, preview_url, preview.text)

    page = preview.text
    assert "prête" in line(page, 2)
    broken = line(page, 4)
    assert "E-mail du référent : Ce champ est obligatoire." in broken
    assert ("Type de présentation : Valeur non reconnue. Valeurs acceptées : solution (Pitch projet, Solution, "
            "Project pitch) ; besoin (Pitch inversé, Besoin, Reverse pitch) ; retour_experience (Retour d'expérience, "
            "Experience feedback).") in broken
    assert ("Reçue le : Date non reconnue : écrivez-la comme 10/12/2026 14:32, 10/12/2026 (heure de Paris) ou "
            "2026-12-10T14:32:00+01:00.") in broken
    assert "prête" in line(page, 6)
    assert "Cette référence apparaît plusieurs fois dans le fichier." in line(page, 8)
    assert summary(page) == "4 lignes : 2 prêtes · 2 en erreur"
    assert "Importer les 2 candidatures prêtes" in page
    assert response.status_code == 303
    assert sorted(stored(app, edition_id=target.id)) == ["T-001", "T-003"]
    assert stored(app)["T-003"].description == "Une ligne\nDeux lignes"
    assert audit(app) == [("import_applications", target.id, {"imported": 2, "skipped": 2})]


def test_file_in_another_encoding_is_refused_and_nothing_is_stored(app, organiser, target):
    latin = SAMPLE.read_text(encoding="utf-8").encode("cp1252")

    response = upload(organiser, target, latin)

    assert response.status_code == 400
    assert "« CSV UTF-8 »" in html.unescape(response.text)
    assert 'aria-invalid="true"' in response.text
    assert drafts(app) == [] and stored(app) == {}


def test_missing_columns_are_named(app, organiser, target):
    text = SAMPLE.read_text(encoding="utf-8").replace("referent_email,", "mel_perso,", 1).replace(",description,", ",desc,", 1)

    response = upload(organiser, target, text.encode("utf-8"))

    assert response.status_code == 400
    assert ("Il manque 2 colonnes : referent_email (« E-mail du référent »), description (« Description et objectif "
            "du projet »).") in html.unescape(response.text)
    assert drafts(app) == []


@pytest.mark.parametrize(("data", "message"), [(b"", "Le fichier est vide"), (b"\xef\xbb\xbf  \r\n", "Le fichier est vide")])
def test_empty_file_is_refused(app, organiser, target, data, message):
    response = upload(organiser, target, data)

    assert response.status_code == 400 and message in response.text
    assert drafts(app) == []


def test_no_file_chosen_is_refused(organiser, target):
    page = organiser.get(f"/organiser/editions/{target.id}/applications/import").text

    response = organiser.post(f"/organiser/editions/{target.id}/applications/import",
                              data={"csrf_token": csrf_token(page)}, content_type="multipart/form-data")

    assert response.status_code == 400 and "Choisissez un fichier CSV ou XLSX." in response.text


def test_formula_cells_are_imported_as_plain_text_and_shown_as_text(app, organiser, target):
    data = rows_csv([{"reference": "F-001", "nom_projet": '=HYPERLINK("http://evil.example","clic")',
                      "description": "+cmd|' /C calc'!A0", "situation": "@SUM(A1:A2)",
                      "referent_fonction": "<script>alert(1)</script>"}])

    preview_url, preview = preview_of(organiser, target, data)
    confirm(organiser, preview_url, preview.text)

    assert "=HYPERLINK(&#34;http://evil.example&#34;,&#34;clic&#34;)" in preview.text
    application = stored(app)["F-001"]
    assert (application.project_name, application.description, application.situation, application.referent_role) == (
        '=HYPERLINK("http://evil.example","clic")', "+cmd|' /C calc'!A0", "@SUM(A1:A2)", "<script>alert(1)</script>")
    dossier = organiser.get(f"/organiser/editions/{target.id}/applications/{application.id}").text
    assert "<script>alert(1)" not in dossier and "&lt;script&gt;alert(1)&lt;/script&gt;" in dossier


def test_reference_stored_between_preview_and_confirmation_stores_nothing(app, organiser, target):
    preview_url, preview = preview_of(organiser, target, SAMPLE.read_bytes())
    other = new_edition(app, number=12, day="2020-03-19", deadline_day="2020-03-09")
    rows = rows_csv([{"reference": "AMI-QA-005"}])
    with app.app_context(), db.write() as session:  # another import, by someone else, of one of these references
        from pitchday.domain.applications import MAX_ROWS, parse_table
        from pitchday.services.applications import import_rows
        from pitchday.services.editions import get_edition
        from pitchday.services.spreadsheets import read_table

        import_rows(session, get_edition(other.id), parse_table(read_table(rows, "c.csv", max_rows=MAX_ROWS)))

    response = confirm(organiser, preview_url, preview.text)

    assert response.status_code == 409
    assert "Rien n'a été importé" in html.unescape(response.text)
    assert stored(app, edition_id=target.id) == {}
    assert list(stored(app)) == ["AMI-QA-005"]
    assert audit(app) == []
    assert "13 prêtes" in html.unescape(response.text)  # the preview, updated
    assert len(drafts(app)) == 1  # kept: the organiser may import the 13 now


def test_reference_stored_while_the_import_runs_stores_nothing(app, organiser, target):
    """A concurrent import commits one of the references while this one is writing: all or nothing."""
    preview_url, preview = preview_of(organiser, target, SAMPLE.read_bytes())
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]+)"', preview.text).group(1)
    token = csrf_token(preview.text)
    answer = {}
    now = datetime.now(timezone.utc)
    with app.app_context():
        dialect = db.engine.dialect.name
        with db.engine.connect() as other:
            pending = other.begin()
            other.execute(insert(Application.__table__).values(
                edition_id=target.id, reference="AMI-QA-007", received_at=now, source="import", late=False,
                status="received", project_name="Concurrent", applicant_type="entreprise", address="Lille",
                referent_name="X", referent_role="Y", referent_email="x@example.org", talk_kind="solution",
                description="D", situation="S", created_at=now))
            worker = threading.Thread(target=lambda: answer.update(response=organiser.post(
                preview_url, data={"fingerprint": fingerprint, "csrf_token": token})))
            worker.start()
            worker.join(1.0)
            waiting = worker.is_alive()  # the import is blocked on the other transaction's row or lock
            pending.commit()
        worker.join(30)

    assert waiting
    assert answer["response"].status_code == 409
    # SQLite serialises writers: the import starts after the other commit and sees the row. PostgreSQL
    # lets both write: the unique reference fails the import's insert, and its transaction rolls back whole.
    expected = ("une autre importation a enregistré certaines de ces candidatures au même moment"
                if dialect == "postgresql" else "entre l'aperçu et votre confirmation")
    assert f"Rien n'a été importé : {expected}" in html.unescape(answer["response"].text)
    assert list(stored(app, edition_id=target.id)) == ["AMI-QA-007"]
    assert audit(app) == []


def test_cancel_deletes_the_draft(app, organiser, target):
    preview_url, _preview = preview_of(organiser, target, SAMPLE.read_bytes())

    response = post_form(organiser, f"{preview_url}/cancel", {}, page=preview_url)

    assert response.status_code == 303
    assert drafts(app) == []
    assert organiser.get(preview_url).status_code == 404
    assert stored(app) == {}


def test_draft_older_than_a_day_is_gone_and_purged(app, organiser, target):
    from pitchday.services import privacy

    preview_url, _preview = preview_of(organiser, target, SAMPLE.read_bytes())
    with app.app_context():
        with db.write() as session:
            session.execute(update(ImportDraft).values(created_at=datetime.now(timezone.utc) - timedelta(hours=25)))

    assert organiser.get(preview_url).status_code == 404
    with app.app_context(), db.write():
        assert privacy.purge()["import_drafts"] == 1
    assert drafts(app) == []


def test_draft_of_another_edition_is_not_found(app, organiser, target, edition):
    preview_url, _preview = preview_of(organiser, target, SAMPLE.read_bytes())

    assert organiser.get(preview_url.replace(f"/editions/{target.id}/", f"/editions/{edition.id}/")).status_code == 404


@pytest.mark.parametrize(("where", "line"), [("header", 1), ("first row", 2), ("second row", 3)])
def test_file_with_a_cell_beyond_the_csv_limit_is_refused_and_nothing_is_stored(app, organiser, target, where, line):
    header = SAMPLE.read_text(encoding="utf-8").splitlines()[0]
    huge = '"' + "x" * 200_000 + '"'
    lines = [header, "T-001,2020-01-06T09:14:00+01:00,Projet Un", "T-002,2020-01-06T09:15:00+01:00,Projet Deux"]
    lines[line - 1] += "," + huge

    response = upload(organiser, target, "\n".join(lines).encode("utf-8"))

    assert response.status_code == 400
    assert (f"Une cellule du fichier est bien trop longue (ligne {line}) : ce n'est sans doute pas un fichier de "
            "candidatures.") in html.unescape(response.text)
    assert drafts(app) == [] and stored(app) == {}


# -- what a person types: XLSX, the template, labels, French dates -----------------------------------

def workbook(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for values in rows:
        book.active.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sample_rows() -> tuple[list[str], list[dict]]:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return reader.fieldnames, list(reader)


def test_import_page_lists_the_accepted_columns_and_offers_both_templates(organiser, target):
    page = html.unescape(organiser.get(f"/organiser/editions/{target.id}/applications/import").text)

    main = page[page.index('<main'):]  # the page itself, not its <title>
    columns = re.search(r'<section class="import-columns" id="import-columns"(.*?)</section>', main, re.S).group(1)
    assert ('<code>nom_projet</code></th><td data-label="Aussi lue sous le nom">Nom du projet · Project name · '
            'Projet</td><td data-label="Obligatoire">oui</td>') in columns
    assert ('<code>structure</code></th><td data-label="Aussi lue sous le nom">Nom de la structure · '
            'Organisation name') in columns
    assert '<tr id="column-structure">' in columns and columns.count("<tr id=\"column-") == 23
    assert "entreprise (Une entreprise, Entreprise, A company, Company)" in columns
    assert f'href="/organiser/editions/{target.id}/applications/import/template.xlsx" id="template-xlsx"' in page
    assert f'href="/organiser/editions/{target.id}/applications/import/template.csv" id="template-csv"' in page


def test_templates_hold_the_import_columns_and_the_filled_xlsx_imports(app, organiser, target):
    from openpyxl import load_workbook

    from pitchday.domain.applications import CSV_COLUMNS

    as_csv = organiser.get(f"/organiser/editions/{target.id}/applications/import/template.csv")
    as_xlsx = organiser.get(f"/organiser/editions/{target.id}/applications/import/template.xlsx")

    assert as_csv.status_code == 200 and as_csv.headers["Content-Disposition"] == \
        'attachment; filename="modele-candidatures.csv"'
    assert as_csv.data.decode("utf-8-sig").splitlines() == [";".join(f'"{c}"' for c in CSV_COLUMNS)]
    book = load_workbook(io.BytesIO(as_xlsx.data))
    assert book.sheetnames == ["Candidatures", "Colonnes"]
    assert [c.value for c in book["Candidatures"][1]] == list(CSV_COLUMNS)
    help_rows = {row[0]: row for row in book["Colonnes"].iter_rows(min_row=2, values_only=True)}
    assert help_rows["structure"][2] == "non" and help_rows["nom_projet"][2] == "oui"

    _columns, sample = sample_rows()
    filled = {**sample[0], "recu_le": datetime(2020, 1, 10, 14, 32)}  # a date cell, as Excel stores it
    book["Candidatures"].append([filled.get(c) for c in CSV_COLUMNS])
    out = io.BytesIO()
    book.save(out)
    response = upload(organiser, target, out.getvalue(), "modele-candidatures.xlsx")
    assert response.status_code == 303, html.unescape(response.text)
    preview = organiser.get(response.headers["Location"]).text
    assert summary(preview) == "1 ligne : 1 prête"
    assert confirm(organiser, response.headers["Location"], preview).status_code == 303
    imported = stored(app, edition_id=target.id)["AMI-QA-001"]
    assert imported.received_at.replace(tzinfo=timezone.utc) == datetime(2020, 1, 10, 13, 32, tzinfo=timezone.utc)


def test_xlsx_with_the_interfaces_labels_and_french_dates_imports(app, organiser, target):
    columns, sample = sample_rows()
    labels = {"reference": "Référence", "recu_le": "Reçue le", "nom_projet": "Nom du projet",
              "type_porteur": "Vous êtes", "type_presentation": "Type de présentation"}
    kinds = {"solution": "Pitch projet", "besoin": "Pitch inversé", "retour_experience": "Retour d'expérience"}
    types = {"commune": "Commune", "entreprise": "Entreprise", "association": "Association",
             "acteur_academique": "Acteur académique", "autre": "Autre"}
    rows = [[labels.get(c, c) for c in columns]]
    for n, record in enumerate(sample[:3]):
        record = {**record, "type_presentation": kinds[record["type_presentation"]],
                  "type_porteur": types[record["type_porteur"]],
                  "recu_le": "10/01/2020 14:32" if n == 0 else "10/01/2020" if n == 1 else "13/01/2020 10:01"}
        rows.append([record[c] for c in columns])

    response = upload(organiser, target, workbook(rows), "candidatures.xlsx")

    assert response.status_code == 303, html.unescape(response.text)
    preview = organiser.get(response.headers["Location"]).text
    assert summary(preview) == "3 lignes : 3 prêtes (dont 1 hors délai)"  # 13/01 10:01, after 10:00 in Paris
    assert confirm(organiser, response.headers["Location"], preview).status_code == 303
    imported = stored(app, edition_id=target.id)
    assert {r: (a.talk_kind, a.applicant_type) for r, a in imported.items()} == {
        r["reference"]: (r["type_presentation"], r["type_porteur"]) for r in sample[:3]}
    assert imported["AMI-QA-002"].received_at.replace(tzinfo=timezone.utc) == datetime(2020, 1, 9, 23, 0,
                                                                                          tzinfo=timezone.utc)


def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused(app, organiser, target):
    response = upload(organiser, target, b"PK\x03\x04garbage", "candidatures.xlsx")

    assert response.status_code == 400
    assert "Ce fichier n'est pas un classeur XLSX lisible." in html.unescape(response.text)
    assert 'aria-invalid="true"' in response.text and drafts(app) == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_labels_the_interface_shows_are_read_back_by_the_import(app, language):
    """The domain's tables of labels (read from a sheet) still hold what the pages show, in both languages."""
    from flask_babel import force_locale

    from pitchday.domain.applications import BY_NAME, CHOICE_LABELS, COLUMN_LABELS
    from pitchday.web.apply import APPLICANT_TYPE_LABELS, FIELD_LABELS, TALK_KIND_LABELS
    from pitchday.web.organiser.applications import APPLICANT_KINDS

    column_of = {"reference": "reference", "recu_le": "recu_le"} | {name: f.csv for name, f in BY_NAME.items()}
    with app.test_request_context(), force_locale(language):
        for name, label in FIELD_LABELS.items():
            assert str(label) in COLUMN_LABELS[column_of[name]], (name, str(label))
        for table, name in ((APPLICANT_TYPE_LABELS, "applicant_type"), (APPLICANT_KINDS, "applicant_type"),
                            (TALK_KIND_LABELS, "talk_kind")):
            for code, label in table.items():
                assert str(label) in CHOICE_LABELS[name][code], (code, str(label))
