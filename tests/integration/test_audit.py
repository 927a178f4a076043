"""The audit trail: every write of the organiser area and every export names its actor and object,
never the personal data; the admin page filters it, pages it and exports it; nothing edits it."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, func, select, update

from pitchday.extensions import db
from pitchday.models import Application, AuditEntry
from pitchday.services import audit, privacy

from .conftest import ORGANISER_EMAIL, csrf_token, fresh_edition, post_form, signed_in

pytestmark = pytest.mark.integration


@pytest.fixture()
def edition(app):
    """Three talks from three retained applications (their referents are fictional people)."""
    return fresh_edition(app, applications=True)


def entries(app) -> list[AuditEntry]:
    """The entries of what the test did (the sign-ins of its clients left out: test_one_time_password.py)."""
    with app.app_context(), db.read() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action != "organiser.sign_in")
                                    .order_by(AuditEntry.id)))


def first_application(app, edition) -> Application:
    with app.app_context(), db.read() as session:
        return session.scalars(select(Application).where(Application.edition_id == edition.id)
                               .order_by(Application.id)).first()


def account_id(app, email: str) -> int:
    from pitchday.services import accounts

    with app.app_context(), db.read():
        return accounts.account_by_email(email).id


def row_text(entry: AuditEntry) -> str:
    """Everything stored in one row, as text."""
    return json.dumps({column.key: str(getattr(entry, column.key)) for column in AuditEntry.__table__.columns}
                      | {"detail": entry.detail}, ensure_ascii=False).lower()


def test_a_decision_records_its_object_and_no_personal_data(app, edition, organiser):
    application = first_application(app, edition)
    url = f"/organiser/editions/{edition.id}/applications/{application.id}"

    assert post_form(organiser, url, {"decision": "decline"}).status_code == 303

    [entry] = entries(app)
    assert (entry.actor_id, entry.action, entry.edition_id, entry.object_type, entry.object_id) == (
        account_id(app, ORGANISER_EMAIL), "organiser.application", edition.id, "application", application.id)
    assert entry.detail == {"decision": "decline"}
    assert entry.at is not None
    text = row_text(entry)
    for personal in (application.referent_email, application.referent_name, application.referent_phone,
                     application.project_name, application.address):
        assert personal.lower() not in text


def test_each_person_is_named_as_the_actor_of_what_they_did(app, edition, organiser):
    """An organiser of the edition, then the admin: two entries, two actors."""
    application = first_application(app, edition)
    url = f"/organiser/editions/{edition.id}/applications/{application.id}"
    colleague = signed_in(app, role="organisateur", edition_id=edition.id, email="sam.lefort@example.org",
                          name="Sam Lefort")

    assert post_form(colleague, url, {"decision": "decline"}).status_code == 303
    assert post_form(organiser, url, {"decision": "reconsider"}).status_code == 303

    assert [(e.actor_id, e.detail) for e in entries(app)] == [
        (account_id(app, "sam.lefort@example.org"), {"decision": "decline"}),
        (account_id(app, ORGANISER_EMAIL), {"decision": "reconsider"})]


def test_account_and_role_changes_are_recorded_by_the_same_hook(app, edition, organiser):
    """The accounts pages are organiser views like the others: the admin's writes there are recorded."""
    signed_in(app, role="relecteur", edition_id=edition.id, email="remi.caron@example.org")
    remi = account_id(app, "remi.caron@example.org")
    writes = [(rule.rule, rule.endpoint) for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith("organiser.") and "account_id" in rule.arguments
              and "POST" in rule.methods]
    assert writes, "the accounts pages have write views with an account id"
    before = len(entries(app))
    rule, endpoint = next((r, e) for r, e in writes if "disable" in r)
    response = post_form(organiser, rule.replace("<int:account_id>", str(remi)), {}, page="/organiser/accounts")
    assert response.status_code in (302, 303), response.text[:300]

    new = entries(app)[before:]
    assert [(e.actor_id, e.action, e.object_type, e.object_id) for e in new] == [
        (account_id(app, ORGANISER_EMAIL), endpoint, "account", remi)]
    assert "remi" not in row_text(new[0])


@pytest.mark.parametrize("role", ["organisateur", "relecteur", "regie"])
def test_only_an_admin_opens_the_trail(app, edition, role):
    http = signed_in(app, role=role, email=f"{role}@example.org")
    assert http.get("/organiser/audit").status_code == 403
    assert http.get("/organiser/audit.csv").status_code == 403
    assert entries(app) == []


def test_nobody_signed_in_is_sent_to_the_login(app, edition, client):
    for url in ("/organiser/audit", "/organiser/audit.csv"):
        response = client.get(url)
        assert response.status_code == 302 and "/organiser/login" in response.headers["Location"]


def test_a_form_sent_back_with_its_errors_records_nothing(app, edition, organiser):
    application = first_application(app, edition)
    url = f"/organiser/editions/{edition.id}/applications/{application.id}"

    assert post_form(organiser, url, {"decision": "abolish"}).status_code == 400

    assert entries(app) == []


def test_free_text_in_a_choice_field_is_not_stored(app, edition, organiser):
    """Only a plain word of a choice field is kept: anything else could be typed personal data."""
    response = post_form(organiser, f"/organiser/editions/{edition.id}/connections/999999/status",
                         {"status": "alex@fictiveville.example.org"},
                         page=f"/organiser/editions/{edition.id}/connections")
    assert response.status_code in (400, 404)  # refused: and nothing was written, so nothing recorded
    assert entries(app) == []
    assert audit.choices_of({"status": "Alex Testeur", "decision": "retain", "action": "x;=1",
                             "role": "relecteur", "email": "a@b.c"}) == {"decision": "retain", "role": "relecteur"}


def test_an_explicit_entry_keeps_its_counts_and_gets_no_twin(app, edition, organiser):
    application = first_application(app, edition)
    page = organiser.get(f"/organiser/personal-data?email={application.referent_email}").text
    response = organiser.post("/organiser/personal-data", data={
        "email": application.referent_email, "action": "erase", "confirm": "yes", "csrf_token": csrf_token(page)})
    assert response.status_code == 303

    [entry] = entries(app)
    assert entry.action == "erase_person"
    assert entry.detail == {"connect_requests": 0, "applications": 1, "talk_contacts": 1}
    assert application.referent_email.lower() not in row_text(entry)


def test_an_introduction_names_its_connect_request_and_not_the_people(app, edition, organiser):
    import uuid

    from pitchday.models import ConnectRequest

    with app.app_context(), db.write() as session:
        talk = edition.talks[0]
        request = ConnectRequest(edition_id=edition.id, talk_id=talk.id, client_id=str(uuid.uuid4()),
                                 device_id="d" * 16, name="Alex Testeur", organisation="Fictiveville",
                                 email="alex@fictiveville.example.org", intent="learn_more",
                                 consent_text="J'accepte…", consented_at=edition.starts_at)
        session.add(request)
        session.flush()
        request_id = request.id
    response = post_form(organiser, f"/organiser/editions/{edition.id}/connections/{request_id}/introduce", {
        "team_email": "equipe@bourg-essai.example.org", "subject": "Présentations : Alex et l'équipe",
        "body": "Bonjour Alex Testeur,\n\nJe vous présente l'équipe.", "action": "draft"})
    assert response.status_code == 200 and response.mimetype == "message/rfc822"

    [entry] = entries(app)
    assert (entry.action, entry.edition_id, entry.object_type, entry.object_id, entry.detail) == (
        "introduction_draft", edition.id, "connect_request", request_id, {"requests": 1})
    text = row_text(entry)
    for personal in ("alex", "fictiveville", "bourg-essai", "présentations"):
        assert personal not in text


@pytest.mark.parametrize("export, action", [("report.csv", "report_export_csv"),
                                            ("report.xlsx", "report_export_xlsx")])
def test_report_exports_are_recorded(app, edition, organiser, export, action):
    assert organiser.get(f"/organiser/editions/{edition.id}/{export}").status_code == 200

    [entry] = entries(app)
    assert (entry.action, entry.edition_id, entry.object_type, entry.object_id) == (
        action, edition.id, "edition", edition.id)


def test_the_trail_cannot_be_changed_nor_deleted_by_the_application(app, edition):
    with app.app_context(), db.write() as session:
        audit.record(session, "purge", connect_requests=1)
    with app.app_context():
        with pytest.raises(audit.AuditTampering), db.write() as session:
            session.scalars(select(AuditEntry)).one().action = "nothing"
        with pytest.raises(audit.AuditTampering), db.write() as session:
            session.delete(session.scalars(select(AuditEntry)).one())
        with pytest.raises(audit.AuditTampering), db.write() as session:
            session.execute(update(AuditEntry).values(detail={}))
        with pytest.raises(audit.AuditTampering), db.write() as session:
            session.execute(delete(AuditEntry))
    assert [(e.action, e.detail) for e in entries(app)] == [("purge", {"connect_requests": 1})]


def test_no_route_changes_an_entry(app):
    routes = [rule for rule in app.url_map.iter_rules() if "audit" in rule.rule]
    assert sorted(rule.rule for rule in routes) == ["/organiser/audit", "/organiser/audit.csv"]
    assert all(rule.methods <= {"GET", "HEAD", "OPTIONS"} for rule in routes)


def test_the_purge_leaves_the_trail(app, edition, organiser):
    assert organiser.get(f"/organiser/editions/{edition.id}/report.csv").status_code == 200
    with app.app_context(), db.write():
        totals = privacy.purge(now=datetime.now(timezone.utc) + timedelta(days=3650))
    assert totals["applications"] == 3
    assert [e.action for e in entries(app)] == ["report_export_csv", "purge"]


def add_entries(app, edition, specs) -> None:
    """Entries as if written at given moments by given accounts."""
    with app.app_context(), db.write() as session:
        for at, actor, action, edition_id in specs:
            entry = audit.record(session, action, actor_id=actor, edition_id=edition_id)
            entry.at = at


PARIS_EVENING = datetime(2026, 3, 12, 19, 30, tzinfo=timezone.utc)


@pytest.fixture()
def trail(app, edition):
    add_entries(app, edition, [
        (PARIS_EVENING - timedelta(days=2), 7, "export_person", None),
        (PARIS_EVENING - timedelta(days=1), 8, "organiser.edit_edition", edition.id),
        (PARIS_EVENING, 7, "organiser.edit_edition", edition.id),
        # 23:30 UTC on the 12th is already the 13th in Paris.
        (PARIS_EVENING + timedelta(hours=4), None, "purge", None),
    ])


def listed(page: str) -> int:
    import re

    return int(re.search(r'id="audit-count">(\d+)', page).group(1))


# The organiser's own sign-in (today, no edition) is listed too wherever no filter leaves it out: +1.
@pytest.mark.parametrize("query, count", [
    ("", 4 + 1), ("actor=7", 2), ("actor=8", 1), ("action=organiser.edit_edition", 2), ("action=purge", 1),
    ("edition=EDITION", 2), ("since=2026-03-11", 3 + 1), ("until=2026-03-12", 3), ("since=2026-03-13", 1 + 1),
    ("since=2026-03-12&until=2026-03-12", 1), ("actor=7&edition=EDITION", 1), ("action=nothing_of_the_kind", 0),
])
def test_filters(app, edition, organiser, trail, query, count):
    response = organiser.get("/organiser/audit?" + query.replace("EDITION", str(edition.id)))
    assert response.status_code == 200
    assert listed(response.text) == count


@pytest.mark.parametrize("query", ["actor=abc", "actor=99999999999999999999", "since=12/03/2026",
                                   "edition=-1", "action=<script>", "until=2026-02-30"])
def test_a_bad_filter_is_a_field_error(app, organiser, trail, query):
    response = organiser.get("/organiser/audit?" + query)
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.text


def test_pages_of_fifty(app, edition, organiser):
    add_entries(app, edition, [(PARIS_EVENING + timedelta(minutes=i), 3, "organiser.programme", edition.id)
                               for i in range(audit.PAGE_SIZE + 5)])
    first = organiser.get("/organiser/audit?actor=3")
    second = organiser.get("/organiser/audit?actor=3&page=2")
    beyond = organiser.get("/organiser/audit?actor=3&page=999999999")

    assert first.text.count("<td>organiser.programme</td>") == audit.PAGE_SIZE
    assert 'rel="next"' in first.text and 'rel="prev"' not in first.text
    assert second.text.count("<td>organiser.programme</td>") == 5
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text
    assert beyond.status_code == 200 and "<td>organiser.programme</td>" not in beyond.text


def test_csv_export_follows_the_filters_and_is_recorded(app, edition, organiser, trail):
    response = organiser.get("/organiser/audit.csv?actor=7")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())  # a French spreadsheet opens it directly
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))

    assert len(rows) == 1 + 2
    assert [row[2] for row in rows[1:]] == ["export_person", "organiser.edit_edition"]
    assert [row[1] for row in rows[1:]] == ["7", "7"]
    assert response.data.decode("utf-8-sig").splitlines()[1].startswith('"')  # every cell quoted
    with app.app_context(), db.read() as session:
        assert session.scalar(select(func.count()).where(AuditEntry.action == "audit_export")) == 1


def test_the_command_line_records_its_account_changes_without_an_actor(app, edition, database_url):
    """In a process of its own: importing pitchday.cli here would monkey-patch this one with eventlet."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    pitchday = Path(sys.executable).parent / "pitchday"
    env = {**os.environ, "PITCHDAY_DATABASE_URL": database_url, "PITCHDAY_ASYNC_MODE": "threading"}
    for command in (["user", "add", "ines.berger@example.org", "--role", "relecteur", "--edition", edition.slug],
                    ["user", "password", "ines.berger@example.org"]):
        done = subprocess.run([str(pitchday), *command], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr

    ines = account_id(app, "ines.berger@example.org")
    recorded = [(e.actor_id, e.action, e.edition_id, e.object_type, e.object_id, e.detail) for e in entries(app)]
    assert recorded == [(None, "cli.user_add", edition.id, "account", ines, {"role": "relecteur"}),
                        (None, "cli.user_password", None, "account", ines, {})]
    assert all("ines" not in row_text(e) for e in entries(app))


def test_a_savepoint_inside_a_write_gives_one_entry_for_the_whole_request(app, edition):
    """A savepoint's release is not the commit: the entry is written once, with the transaction."""
    from pitchday.models import Edition

    with app.test_request_context(f"/organiser/editions/{edition.id}/edit", method="POST"):
        with db.write() as session:
            with session.begin_nested():
                session.get(Edition, edition.id).venue = "Salle A"
            session.get(Edition, edition.id).theme = "Après le point de sauvegarde"
    with app.test_request_context(f"/organiser/editions/{edition.id}/edit", method="POST"):
        with db.write() as session:
            session.get(Edition, edition.id).venue = "Salle B"
            with session.begin_nested():
                audit.record(session, "explicit", edition_id=edition.id)
            session.get(Edition, edition.id).theme = "Encore après"

    assert [(e.action, e.object_type, e.object_id) for e in entries(app)] == [
        ("organiser.edit_edition", "edition", edition.id), ("explicit", None, None)]
