"""The "dossier de candidature" rules and its spreadsheet (pitchday.domain.applications)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from pitchday.domain.applications import (
    CSV_COLUMNS,
    DESCRIPTION_MAX_LINES,
    MAX_ROWS,
    FileRefused,
    is_late,
    parse_received_at,
    parse_table,
    validate,
)
from pitchday.domain.editions import PARIS
from pitchday.services.spreadsheets import read_table

pytestmark = pytest.mark.unit

SAMPLE = Path(__file__).resolve().parents[2] / "pitchday" / "data" / "candidatures-qualite-air.csv"
PARIS_WINTER = timezone(timedelta(hours=1))


def parse_csv(data: bytes, filename: str = "candidatures.csv"):
    """A file read as the import reads it (services.spreadsheets), then checked by the domain."""
    return parse_table(read_table(data, filename, max_rows=MAX_ROWS))


def need(**changes):
    """A valid reverse pitch, as the form sends it."""
    return {"project_name": "Respirer près de l'école", "applicant_type": "commune",
            "address": "Hôtel de ville, place Fictive\n59100 Exempleville", "website": "exempleville.example.org",
            "referent_name": "Louis Démo", "referent_role": "Adjoint au maire", "referent_phone": "01 99 00 10 02",
            "referent_email": "louis.demo@exempleville.example.org", "talk_kind": "besoin",
            "description": "Connaître l'air aux heures d'école.", "situation": "Pour la rentrée.",
            "exp_what_why": "Mesurer avant et après.", "exp_site": "Rue de l'école.", "exp_target": "Parents",
            "needs": "Des capteurs.", "fb_positive": "ignored", **changes}


def fields(errors):
    return {(e.field, e.code) for e in errors}


def test_validate_accepts_a_reverse_pitch_and_drops_the_feedback_part():
    clean, errors = validate(need())

    assert errors == []
    assert clean["website"] == "https://exempleville.example.org"
    assert clean["address"] == "Hôtel de ville, place Fictive\n59100 Exempleville"
    assert (clean["exp_site"], clean["fb_positive"], clean["applicant_type_detail"]) == ("Rue de l'école.", None, None)


def test_validate_feedback_talk_needs_the_feedback_answers_not_the_experiment():
    clean, errors = validate(need(talk_kind="retour_experience", fb_positive="Bien", fb_negative="Moins bien",
                                  fb_advice="Commencer petit"))

    assert errors == []
    assert clean["exp_what_why"] is None and clean["fb_advice"] == "Commencer petit"


def test_validate_feedback_talk_without_its_answers_says_which():
    _clean, errors = validate(need(talk_kind="retour_experience", fb_positive=""))

    assert fields(errors) == {("fb_positive", "required"), ("fb_negative", "required"), ("fb_advice", "required")}


def test_validate_other_applicant_type_must_say_which():
    _clean, errors = validate(need(applicant_type="autre"))
    clean, fine = validate(need(applicant_type="autre", applicant_type_detail="Chambre consulaire"))

    assert fields(errors) == {("applicant_type_detail", "required")}
    assert fine == [] and clean["applicant_type_detail"] == "Chambre consulaire"


def test_validate_description_of_fifteen_lines_passes_sixteen_do_not():
    fifteen = "\n".join(f"ligne {i}" for i in range(DESCRIPTION_MAX_LINES))

    assert validate(need(description=fifteen))[1] == []
    _clean, errors = validate(need(description=fifteen + "\nligne de trop"))
    assert [(e.field, e.code, e.limit) for e in errors] == [("description", "too_many_lines", 15)]


@pytest.mark.parametrize("changes, expected", [
    ({"project_name": ""}, {("project_name", "required")}),
    ({"project_name": "x" * 201}, {("project_name", "too_long")}),
    ({"applicant_type": "ministère"}, {("applicant_type", "invalid_choice")}),
    ({"talk_kind": "keynote"}, {("talk_kind", "invalid_choice")}),
    ({"referent_email": "louis@"}, {("referent_email", "invalid_email")}),
    ({"referent_phone": "demandez à l'accueil"}, {("referent_phone", "invalid_phone")}),
    ({"website": "javascript:alert(1)"}, {("website", "invalid_url")}),
    ({"website": "pas une adresse"}, {("website", "invalid_url")}),
    ({"exp_what_why": "", "exp_site": ""}, {("exp_what_why", "required"), ("exp_site", "required")}),
    ({"description": 42}, {("description", "not_text")}),
])
def test_validate_reports_every_bad_field(changes, expected):
    assert fields(validate(need(**changes))[1]) == expected


def test_validate_unknown_kind_reports_the_kind_and_no_proposal_error():
    _clean, errors = validate(need(talk_kind="", exp_what_why=""))

    assert fields(errors) == {("talk_kind", "required")}


def test_parse_received_at_needs_an_offset_in_iso_form():
    assert parse_received_at("2020-01-13T11:20:00+01:00") == datetime(2020, 1, 13, 11, 20, tzinfo=PARIS_WINTER)
    for value in ("2020-01-13T11:20:00", "2020-01-13", "", None):
        with pytest.raises(ValueError):
            parse_received_at(value)


def test_parse_received_at_reads_french_dates_as_paris_time():
    assert parse_received_at("10/12/2026 14:32") == datetime(2026, 12, 10, 13, 32, tzinfo=timezone.utc)
    assert parse_received_at(" 3/7/2026 9h05 ") == datetime(2026, 7, 3, 7, 5, tzinfo=timezone.utc)  # summer
    assert parse_received_at("10/12/2026 14:32:10") == datetime(2026, 12, 10, 13, 32, 10, tzinfo=timezone.utc)
    assert parse_received_at("10/12/2026") == datetime(2026, 12, 10, tzinfo=PARIS)
    for value in ("31/02/2026", "10/13/2026", "10/12/2026 24:00", "10/12/26", "10-12-2026 14:32"):
        with pytest.raises(ValueError):
            parse_received_at(value)


def test_is_late_compares_moments_not_clock_readings():
    deadline = datetime(2020, 1, 13, 10, 0, tzinfo=PARIS_WINTER)

    assert is_late(datetime(2020, 1, 13, 11, 20, tzinfo=PARIS_WINTER), deadline) is True
    assert is_late(datetime(2020, 1, 13, 9, 30, tzinfo=timezone.utc), deadline) is True  # 10:30 in Paris
    assert is_late(datetime(2020, 1, 13, 9, 59, tzinfo=PARIS_WINTER), deadline) is False
    assert is_late(datetime(2030, 1, 1, tzinfo=timezone.utc), None) is False


# -- the spreadsheet --------------------------------------------------------------------------------


def test_parse_csv_reads_the_fourteen_sample_applications():
    rows = parse_csv(SAMPLE.read_bytes())

    assert [r.reference for r in rows] == [f"AMI-QA-{i:03d}" for i in range(1, 15)]
    assert all(r.valid for r in rows)
    assert rows[0].line == 2 and rows[1].line == 4  # the first application's description spans two lines
    assert rows[9].values["applicant_type_detail"] == "Chambre consulaire (fictive)"
    assert rows[3].values["talk_kind"] == "retour_experience" and rows[3].values["exp_site"] is None


def sheet(*rows: dict, columns=CSV_COLUMNS, delimiter=",") -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), delimiter=delimiter, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def row(**changes) -> dict:
    return {"reference": "T-001", "recu_le": "2020-01-10T10:00:00+01:00", "nom_projet": "Projet test",
            "type_porteur": "association", "adresse": "1 rue Test", "referent_nom": "Alix Test",
            "referent_fonction": "Présidente", "referent_email": "alix@test.example.org", "type_presentation": "solution",
            "description": "Une description.", "situation": "Prototype.", "experimentation_quoi_pourquoi": "Tester.",
            "experimentation_terrain": "Une école.", "experimentation_cible": "Élèves", **changes}


def test_parse_csv_reports_broken_rows_with_their_line_and_keeps_the_good_ones():
    rows = parse_csv(sheet(row(), row(reference="T-002", referent_email="nope", type_presentation="keynote"),
                           row(reference="T-003", recu_le="hier")))

    assert [(r.line, r.reference, r.valid) for r in rows] == [(2, "T-001", True), (3, "T-002", False), (4, "T-003", False)]
    assert fields(rows[1].errors) == {("referent_email", "invalid_email"), ("talk_kind", "invalid_choice")}
    assert fields(rows[2].errors) == {("recu_le", "invalid_datetime")}


def test_parse_csv_flags_a_reference_twice_in_the_file():
    rows = parse_csv(sheet(row(), row(nom_projet="Doublon")))

    assert [fields(r.errors) for r in rows] == [set(), {("reference", "duplicate_in_file")}]


def test_parse_csv_keeps_formula_looking_cells_as_plain_text():
    rows = parse_csv(sheet(row(nom_projet='=HYPERLINK("http://evil.example.org","clic")', referent_nom="@SUM(A1)")))

    assert rows[0].valid
    assert rows[0].values["project_name"] == '=HYPERLINK("http://evil.example.org","clic")'
    assert rows[0].values["referent_name"] == "@SUM(A1)"


def test_parse_csv_reads_semicolons_and_the_excel_bom():
    data = b"\xef\xbb\xbf" + sheet(row(), delimiter=";")

    assert [r.reference for r in parse_csv(data)] == ["T-001"]


def test_parse_csv_refuses_a_file_that_is_not_utf8():
    with pytest.raises(FileRefused) as refused:
        parse_csv(sheet(row(nom_projet="Écoles")).decode("utf-8").encode("cp1252"))
    assert refused.value.code == "not_utf8"


def test_parse_csv_refuses_missing_columns_and_names_them():
    columns = [c for c in CSV_COLUMNS if c not in ("referent_email", "description")]

    with pytest.raises(FileRefused) as refused:
        parse_csv(sheet(row(), columns=columns))
    assert refused.value.code == "missing_columns"
    assert refused.value.detail == ("referent_email", "description")


@pytest.mark.parametrize("data", [b"", b"   \n", sheet()])
def test_parse_csv_refuses_an_empty_file(data):
    with pytest.raises(FileRefused) as refused:
        parse_csv(data)
    assert refused.value.code in {"empty", "missing_columns"}


def test_parse_csv_skips_blank_trailing_lines():
    data = sheet(row()) + b",,,,\n\n"

    assert [r.reference for r in parse_csv(data)] == ["T-001"]


def test_parse_csv_reads_the_interfaces_own_labels_for_columns_and_choices():
    labelled = {"reference": "Référence", "recu_le": "Reçue le", "nom_projet": "Nom du projet",
                "type_porteur": "Vous êtes", "type_presentation": "Type of presentation",
                "referent_email": "e-mail DU referent"}
    columns = [labelled.get(c, c) for c in CSV_COLUMNS]
    rows = parse_csv(sheet(*[{labelled.get(k, k): v for k, v in r.items()} for r in (
        row(type_porteur="Entreprise", type_presentation="Pitch projet", recu_le="10/01/2020 10:00"),
        row(reference="T-002", type_porteur="une ENTREPRISE", type_presentation="Reverse pitch"),
        row(reference="T-003", type_porteur="Startup", type_presentation="Conférence"))], columns=columns))

    assert [r.valid for r in rows] == [True, True, False]
    assert (rows[0].values["applicant_type"], rows[0].values["talk_kind"]) == ("entreprise", "solution")
    assert rows[0].received_at == datetime(2020, 1, 10, 9, 0, tzinfo=timezone.utc)
    assert (rows[1].values["applicant_type"], rows[1].values["talk_kind"]) == ("entreprise", "besoin")
    assert fields(rows[2].errors) == {("applicant_type", "invalid_choice"), ("talk_kind", "invalid_choice")}


def xlsx(header, *rows) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(list(header))
    for values in rows:
        book.active.append(list(values))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_parse_xlsx_reads_dates_numbers_and_labels_as_a_person_sees_them():
    values = row(recu_le=datetime(2020, 1, 10, 14, 32), referent_telephone=320000000, type_porteur="Commune")
    rows = parse_csv(xlsx(CSV_COLUMNS, [values.get(c) for c in CSV_COLUMNS],
                          [None] * len(CSV_COLUMNS)), filename="Candidatures.XLSX")

    assert [(r.line, r.reference, r.valid) for r in rows] == [(2, "T-001", True)]  # the blank row is left out
    assert rows[0].received_at == datetime(2020, 1, 10, 13, 32, tzinfo=timezone.utc)
    assert rows[0].values["referent_phone"] == "320000000" and rows[0].values["applicant_type"] == "commune"


def test_read_table_refuses_what_is_not_a_workbook_and_too_many_rows():
    with pytest.raises(FileRefused) as refused:
        read_table(b"PK\x03\x04 not really a zip", "c.xlsx", max_rows=10)
    assert refused.value.code == "not_xlsx"
    with pytest.raises(FileRefused) as refused:
        read_table(xlsx(["a"], *[[str(n)] for n in range(11)]), "c.xlsx", max_rows=10)
    assert refused.value.code == "too_many_rows"
    assert len(read_table(xlsx(["a"], *[[str(n)] for n in range(10)]), "c.xlsx", max_rows=10).rows) == 10
    with pytest.raises(FileRefused) as refused:
        read_table(b"a,b\n" + b"x" * (2 * 1024 * 1024), "c.csv", max_rows=10)
    assert refused.value.code == "too_large"
