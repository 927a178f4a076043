"""The demo edition's loader (``pitchday demo``): the one place where tests rely on the demo's data."""
from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from pitchday.extensions import db
from pitchday.models import Application, Edition, LiveState, Talk
from pitchday.services import editions

pytestmark = pytest.mark.integration

DEMO_TITLES = [
    "CapteurÉcole", "Respirer près de l'école", "AirData Croisée", "Vélos sentinelles", "Classe Bon Air",
    "Crèches : air intérieur", "Alerte Air Perso", "Bien se chauffer au bois", "Ammoniac agricole",
    "Station citoyenne de quartier",
]


def stored_applications(app) -> dict[str, Application]:
    with app.app_context():
        with db.write() as session:
            return {a.reference: a for a in session.scalars(select(Application))}


def test_demo_loader_creates_the_edition_its_talks_applications_and_decisions(app, demo_edition):
    with app.app_context():
        with db.write() as session:
            edition = session.scalar(select(Edition).where(Edition.slug == "jdn10"))
            titles = [talk.title for talk in edition.pitches]
            statuses = Counter(session.scalars(select(Application.status).where(Application.edition_id == edition.id)))
            live = session.get(LiveState, edition.id)

    assert edition.id == demo_edition.id and edition.number == 10
    assert titles == DEMO_TITLES
    assert statuses == {"retained": 10, "deferred": 2, "declined": 2}
    assert live is not None and live.state["phase"] == "welcome" and live.state["version"] == 0


def test_demo_edition_holds_the_fourteen_applications_and_the_meals_decisions(app, demo_edition):
    found = stored_applications(app)

    assert len(found) == 14
    statuses = {ref: a.status for ref, a in found.items()}
    assert [r for r, s in sorted(statuses.items()) if s == "retained"] == [
        "AMI-QA-001", "AMI-QA-002", "AMI-QA-003", "AMI-QA-004", "AMI-QA-005", "AMI-QA-007", "AMI-QA-008",
        "AMI-QA-009", "AMI-QA-010", "AMI-QA-013"]
    assert (statuses["AMI-QA-006"], statuses["AMI-QA-011"]) == ("deferred", "deferred")
    assert (statuses["AMI-QA-012"], statuses["AMI-QA-014"]) == ("declined", "declined")
    assert [r for r, a in found.items() if a.late] == ["AMI-QA-014"]  # 11:20, after the 10:00 deadline
    with app.app_context():
        with db.write() as session:
            talks = list(session.scalars(select(Talk).where(Talk.item_kind == "talk").order_by(Talk.position)))
            assert [t.application.reference for t in talks][:6] == [
                "AMI-QA-001", "AMI-QA-002", "AMI-QA-003", "AMI-QA-004", "AMI-QA-005", "AMI-QA-008"]
            assert talks[0].contact_email == "camille@capteurecole.example.org"


def test_demo_loader_run_twice_keeps_one_demo(app, demo_edition):
    with app.app_context():
        with db.write():
            again = editions.load_demo_edition()
        with db.read() as session:
            counts = (session.scalar(select(func.count()).select_from(Edition)),
                      session.scalar(select(func.count()).select_from(Application)))

    assert again.id == demo_edition.id
    assert counts == (1, 14)


def test_demo_evening_is_a_whole_rundown_from_the_welcome_to_the_networking(app, demo_edition):
    from pitchday.timeutil import PARIS

    with app.app_context():
        with db.read():
            edition = editions.get_edition(demo_edition.id)
            programme = editions.public_programme(edition)
            rundown = [(item.talk.item_kind, f"{item.planned_start.astimezone(PARIS):%H:%M}") for item in programme]
            end = f"{programme[-1].planned_end.astimezone(PARIS):%H:%M}"
            atmo = programme[2].talk.speaker

    assert rundown[:4] == [("welcome", "17:00"), ("opening", "17:30"), ("address", "17:40"), ("talk", "17:50")]
    assert [kind for kind, _ in rundown[3:13]] == ["talk"] * 10
    assert rundown[13:] == [("closing", "19:39"), ("networking", "19:44")]
    assert end == "20:00"
    assert "ATMO" in atmo
