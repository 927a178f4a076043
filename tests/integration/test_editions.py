"""Editions: creating and changing an edition, deferred applications (the demo's data: test_demo.py)."""
from __future__ import annotations

import html
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from pitchday.extensions import db
from pitchday.models import Application, Edition
from pitchday.timeutil import PARIS
from tests.factories import SLUG, TalkSpec, make_application

from .conftest import fresh_edition, post_form

pytestmark = pytest.mark.integration


@pytest.fixture()
def edition(app):
    """On 23 January 2020: three talks from retained applications (ESSAI-001…003), and two more
    applications, one deferred "to a later edition" (ESSAI-004) and one declined (ESSAI-005)."""
    built = fresh_edition(app, applications=True, starts_at=datetime(2020, 1, 23, 17, 0, tzinfo=PARIS))
    with app.app_context():
        with db.write() as session:
            stored = session.get(Edition, built.id)
            session.add(make_application(stored, TalkSpec("Compost de quartier", "besoin"), "ESSAI-004",
                                         status="deferred"))
            session.add(make_application(stored, TalkSpec("Murs végétaux", "solution"), "ESSAI-005",
                                         status="declined"))
    return built


def next_edition(**changes) -> dict:
    return {"series": "Jeudis du numérique", "number": "11", "title": "Jeudi du numérique n° 11",
            "theme": "Mobilités et numérique", "slug": "", "day": "2020-03-19", "doors": "17:00", "talks_start": "17:25",
            "end": "20:00", "venue": "CITC, Lille", "partners": "Métropole Européenne de Lille\nCITC",
            "deadline_day": "2020-03-09", "deadline_time": "10:00", "talks_wanted": "8", "pitch_ms": "5:00",
            "qa_ms": "4:30", "changeover_ms": "1:00", "connect_retention_days": "30",
            "applications_retention_days": "365", **changes}


def applications(app) -> dict[str, Application]:
    with app.app_context():
        with db.write() as session:
            return {a.reference: a for a in session.scalars(select(Application))}


def test_organiser_creates_an_edition_and_the_deferred_applications_join_it(app, organiser, edition):
    response = post_form(organiser, "/organiser/editions/new", next_edition())

    assert response.status_code == 303
    with app.app_context():
        with db.write() as session:
            created = session.scalar(select(Edition).where(Edition.number == 11))
            assert created.slug == "jdn11"
            assert created.starts_at == datetime(2020, 3, 19, 16, 0, tzinfo=timezone.utc)  # 17:00 in Paris, winter
            assert created.applications_close_at == datetime(2020, 3, 9, 9, 0, tzinfo=timezone.utc)
            assert (created.qa_ms, created.talks_wanted, created.partners) == (270_000, 8, ["Métropole Européenne de Lille", "CITC"])
            edition_id = created.id
    moved = applications(app)
    assert (moved["ESSAI-004"].edition_id, moved["ESSAI-004"].status) == (edition_id, "received")
    assert moved["ESSAI-004"].deferred_from_edition_id == edition.id
    assert moved["ESSAI-005"].edition_id == edition.id  # declined ones stay where they were
    assert {moved[f"ESSAI-00{n}"].edition_id for n in (1, 2, 3)} == {edition.id}  # and so do retained ones
    assert "Mobilités et numérique" in organiser.get(response.headers["Location"]).text


def test_new_edition_form_shows_every_error_and_keeps_what_was_typed(app, organiser):
    response = post_form(organiser, "/organiser/editions/new", next_edition(
        number="douze", day="19/03", talks_start="25:00", pitch_ms="5 minutes", slug="JDN 11", theme=""))

    assert response.status_code == 400
    html = response.text
    for field in ("number", "day", "talks_start", "pitch_ms", "slug", "theme"):
        assert f'id="{field}-error">' in html and f'id="{field}" name="{field}"' in html
    assert 'value="douze"' in html and 'value="Jeudi du numérique n° 11"' in html
    assert "Durée au format minutes:secondes" in html
    with app.app_context():
        with db.write() as session:
            assert session.scalar(select(Edition).where(Edition.number == 11)) is None


def test_new_edition_with_a_slug_already_used_is_refused(app, organiser):
    response = post_form(organiser, "/organiser/editions/new", next_edition(slug=SLUG))

    assert response.status_code == 400
    assert "Déjà utilisée par une autre édition." in response.text


def test_new_edition_without_a_public_form_keeps_the_prefilled_closing_time_and_is_created(app, organiser):
    form = organiser.get("/organiser/editions/new").text
    assert 'id="deadline_time" name="deadline_time" type="time" value="10:00"' in form  # the series' habit

    response = post_form(organiser, "/organiser/editions/new", next_edition(deadline_day="", deadline_time="10:00"))

    assert response.status_code == 303
    with app.app_context():
        with db.read() as session:
            created = session.scalar(select(Edition).where(Edition.number == 11))
            assert created.applications_close_at is None


def test_first_pitch_before_the_doors_open_is_refused(organiser):
    response = post_form(organiser, "/organiser/editions/new", next_edition(doors="18:00", talks_start="17:25"))

    assert response.status_code == 400
    assert "Le premier pitch doit commencer entre l'ouverture des portes et la fin." in html.unescape(response.text)


def test_settings_change_reaches_the_live_show_but_not_a_talk_on_stage(app, organiser, edition):
    url = f"/organiser/editions/{edition.id}/edit"
    form = organiser.get(url).text
    assert 'value="Villes et numérique"' in form and 'value="2020-01-23"' in form

    values = {**next_edition(number="1", title="Soirée d'essai n° 1", theme="Villes et numérique", slug=SLUG,
                             day="2020-01-23", deadline_day="2020-01-13", talks_wanted="10"), "qa_ms": "6:00"}
    response = post_form(organiser, url, values)

    assert response.status_code == 303
    with app.app_context(), db.write():
        from pitchday.services import editions
        from pitchday.services import show as show_service

        show = show_service.current_show(edition.id)
        assert {run.qa_ms for run in show.talks.values()} == {360_000}
        assert editions.edition_by_slug(SLUG).venue == "CITC, Lille"


def test_edition_pages_need_the_organiser(client, edition):
    for path in (f"/organiser/editions/{edition.id}/", "/organiser/editions/new", f"/organiser/editions/{edition.id}/edit"):
        response = client.get(path)
        assert response.status_code == 302 and "/organiser/login" in response.headers["Location"], path


def test_unknown_edition_is_404(organiser):
    assert organiser.get("/organiser/editions/999999/").status_code == 404
