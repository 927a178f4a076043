"""A GET never writes; a transition that fell due is stored by the scheduler, not by whoever reads."""
from __future__ import annotations

import uuid
from importlib import resources

import pytest
from sqlalchemy import event, select

from pitchday.extensions import db
from pitchday.models import Application, ConnectRequest, Edition, ImportDraft, LiveState
from pitchday.services import show as show_service
from pitchday.timeutil import now_ms
from tests.factories import SLUG

from .conftest import fresh_edition

pytestmark = pytest.mark.integration

WRITES = ("INSERT", "UPDATE", "DELETE")
SAMPLE = resources.files("pitchday.data").joinpath("candidatures-qualite-air.csv")


@pytest.fixture()
def edition(app):
    """Its talks come from applications: the dossier pages have one to show."""
    return fresh_edition(app, applications=True)


@pytest.fixture()
def overdue(app, edition):
    """The first pitch was started an hour ago with the automatic switch to questions: it is due."""
    with app.app_context():
        with db.write() as session:
            session.get(Edition, edition.id).auto_questions = True
            show_service.reset_show(edition.id)
        with db.write():
            version = show_service.current_show(edition.id).version
            started = show_service.run_command(edition.id, command_id=str(uuid.uuid4()), name="start", args={},
                                               version=version, now=now_ms() - 3_600_000)
        assert started["ok"], started
        with db.write() as session:
            talk = edition.talks[0]
            request = ConnectRequest(edition_id=edition.id, talk_id=talk.id, client_id=str(uuid.uuid4()),
                                     device_id="d" * 16, name="Alex Testeur", organisation="Fictiveville",
                                     email="alex@fictiveville.example.org", intent="learn_more",
                                     consent_text="J'accepte…", consented_at=edition.starts_at)
            draft = ImportDraft(edition_id=edition.id, filename="candidatures.csv", content=SAMPLE.read_text("utf-8-sig"))
            session.add_all([request, draft])
            session.flush()
            ids = {"edition": edition.id, "talk": talk.id, "request": request.id, "draft": draft.id,
                   "application": session.scalar(select(Application.id).where(Application.edition_id == edition.id))}
    return ids


def stored_row(app, edition_id: int) -> tuple[int, str]:
    with app.app_context(), db.read() as session:
        row = session.get(LiveState, edition_id)
        return row.version, row.state["phase"]


def get_pages(organiser, moderator_http, ids) -> dict[str, int]:
    e, t, r = ids["edition"], ids["talk"], ids["request"]
    public = [
        "/", f"/e/{SLUG}/projector", f"/e/{SLUG}/stage", f"/e/{SLUG}/", f"/e/{SLUG}/echanger/{t}",
        f"/e/{SLUG}/echanger/{t}/envoye", f"/e/{SLUG}/confidentialite", f"/e/{SLUG}/candidater",
        f"/e/{SLUG}/programme", f"/e/{SLUG}/programme.ics", f"/e/{SLUG}/schedule.json", f"/qr/{SLUG}.svg", "/healthz",
        "/api/v1/editions", f"/api/v1/editions/{SLUG}", f"/api/v1/editions/{SLUG}/live", "/api/v1/openapi.json",
    ]
    organiser_pages = [
        "/organiser/", f"/organiser/editions/{e}/", "/organiser/editions/new", f"/organiser/editions/{e}/edit",
        f"/organiser/editions/{e}/durations", f"/organiser/editions/{e}/applications",
        f"/organiser/editions/{e}/applications/{ids['application']}", f"/organiser/editions/{e}/programme",
        f"/organiser/editions/{e}/applications/import", f"/organiser/editions/{e}/applications/import/{ids['draft']}",
        f"/organiser/editions/{e}/connections", f"/organiser/editions/{e}/connections/{r}/introduce",
        f"/organiser/editions/{e}/talks/{t}/digest", "/organiser/privacy", "/organiser/personal-data",
        f"/organiser/editions/{e}/report", "/organiser/audit",
        f"/organiser/editions/{e}/outbox", f"/organiser/editions/{e}/outbox/templates",
        f"/organiser/editions/{e}/outbox/templates/retained/fr",
    ]
    # Not here, on purpose: the exports (report.csv, report.xlsx, digest.csv, audit.csv) are GETs that
    # write their entry in the audit trail (tests/integration/test_audit.py).
    statuses = {url: organiser.get(url).status_code for url in public + organiser_pages}
    statuses[f"/e/{SLUG}/moderator"] = moderator_http.get(f"/e/{SLUG}/moderator").status_code
    return statuses


def test_get_pages_write_nothing_even_with_a_transition_due(app, overdue, organiser, moderator_http):
    before = stored_row(app, overdue["edition"])
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement.lstrip().split(None, 1)[0].upper())

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        statuses = get_pages(organiser, moderator_http, overdue)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)

    assert {url: status for url, status in statuses.items() if status != 200} == {}
    assert [s for s in statements if s in WRITES] == []
    assert stored_row(app, overdue["edition"]) == before == (before[0], "pitch")
