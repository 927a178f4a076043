"""The running order of the evening: reorder, correct a talk, and the live run of show that follows."""
from __future__ import annotations

import html

import pytest

from pitchday.extensions import db
from tests.factories import TALKS, TITLES

from .conftest import connect, events, post_form
from .test_applications import applications, start_evening, talks
from .test_apply_form import new_edition

pytestmark = pytest.mark.integration

FIRST, SECOND, THIRD = TITLES


def url(edition) -> str:
    return f"/organiser/editions/{edition.id}/programme"


def live_order(app, edition) -> list[int]:
    from pitchday.services import show as show_service

    with app.app_context(), db.read():
        return list(show_service.current_show(edition.id).order)


def projector_state(app) -> dict:
    return events(connect(app, "projector"), "snapshot")[-1]["state"]


def test_programme_lists_the_talks_in_order_with_their_controls(organiser, edition):
    response = organiser.get(url(edition))

    assert response.status_code == 200
    page = html.unescape(response.text)
    positions = [page.index(f"<strong>{title}</strong>") for title in TITLES]
    assert positions == sorted(positions)
    first, last = edition.talks[0].id, edition.talks[-1].id
    assert f'id="up-{first}" disabled' in page and f'id="down-{last}" disabled' in page
    assert f'id="down-{first}"' in page and f'id="up-{last}"' in page
    assert f'href="/organiser/editions/{edition.id}/durations"' in page
    assert TALKS[0].speaker in page


def test_moving_a_talk_down_changes_the_live_order(app, organiser, edition):
    first = edition.talks[0].id

    response = post_form(organiser, url(edition), {"action": "down", "talk_id": str(first)})

    assert response.status_code == 303
    assert response.headers["Location"] == f"{url(edition)}#talk-{first}"
    stored = talks(app, edition.id)
    assert [t.title for t in stored] == [SECOND, FIRST, THIRD]
    assert [t.position for t in stored] == [1, 2, 3]
    assert live_order(app, edition) == [t.id for t in stored]
    state = projector_state(app)
    assert [row["title"] for row in state["agenda"]] == [SECOND, FIRST, THIRD]
    assert state["phase"] == "welcome"


def test_moving_a_talk_up_then_the_first_up_again_keeps_it_first(app, organiser, edition):
    third = edition.talks[2].id

    post_form(organiser, url(edition), {"action": "up", "talk_id": str(third)})
    post_form(organiser, url(edition), {"action": "up", "talk_id": str(third)})
    response = post_form(organiser, url(edition), {"action": "up", "talk_id": str(third)})

    assert response.status_code == 303
    assert [t.title for t in talks(app, edition.id)] == [THIRD, FIRST, SECOND]
    assert live_order(app, edition)[0] == third


def test_correcting_a_talk_reaches_the_projector(app, organiser, edition):
    talk = edition.talks[1].id

    response = post_form(organiser, url(edition), {"action": "save", "talk_id": str(talk), "title": "Rue scolaire",
                                                   "organisation": "Ville d'Exempleville",
                                                   "speaker": "Louis Démo, adjoint"})

    assert response.status_code == 303
    card = projector_state(app)["agenda"][1]
    assert (card["title"], card["organisation"], card["speaker"]) == (
        "Rue scolaire", "Ville d'Exempleville", "Louis Démo, adjoint")


def test_hostile_corrections_are_stored_as_typed_and_shown_as_text(app, organiser, edition):
    talk = edition.talks[0].id

    post_form(organiser, url(edition), {"action": "save", "talk_id": str(talk), "title": "<img src=x onerror=alert(1)>",
                                        "organisation": "=1+1", "speaker": ""})

    page = organiser.get(url(edition)).text
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    stored = talks(app, edition.id)[0]
    assert (stored.title, stored.organisation, stored.speaker) == ("<img src=x onerror=alert(1)>", "=1+1", "")


def test_correction_without_a_title_shows_the_error_and_keeps_what_was_typed(app, organiser, edition):
    talk = edition.talks[0].id

    response = post_form(organiser, url(edition), {"action": "save", "talk_id": str(talk), "title": "  ",
                                                   "organisation": "Autre nom", "speaker": "x" * 201})

    assert response.status_code == 400
    page = response.text
    assert f'id="title-{talk}" name="title" value="  "' in page
    assert f'<p class="error" id="title-{talk}-error">Ce champ est obligatoire.</p>' in page
    assert f'<p class="error" id="speaker-{talk}-error">200 caractères au plus.</p>' in page
    assert 'value="Autre nom"' in page
    assert talks(app, edition.id)[0].title == FIRST


def test_reordering_is_refused_once_a_talk_has_started(app, organiser, edition):
    start_evening(app, edition)
    second = edition.talks[1].id
    before = live_order(app, edition)

    response = post_form(organiser, url(edition), {"action": "up", "talk_id": str(second)})

    assert response.status_code == 409
    assert "La soirée a commencé : changez l'ordre depuis la régie." in html.unescape(response.text)
    assert [t.title for t in talks(app, edition.id)] == TITLES
    assert live_order(app, edition) == before
    assert projector_state(app)["phase"] == "pitch"


def test_programme_page_once_started_offers_no_changes(app, organiser, edition):
    start_evening(app, edition)

    page = organiser.get(url(edition)).text

    assert 'id="programme-locked"' in page
    assert f'id="up-{edition.talks[1].id}"' not in page and 'name="action" value="save"' not in page


def test_correction_is_refused_once_a_talk_has_started(app, organiser, edition):
    start_evening(app, edition)

    response = post_form(organiser, url(edition), {"action": "save", "talk_id": str(edition.talks[0].id),
                                                   "title": "Autre", "organisation": "Autre", "speaker": ""})

    assert response.status_code == 409
    assert talks(app, edition.id)[0].title == FIRST


def test_talk_of_another_edition_or_a_bad_action_is_refused(app, organiser, edition):
    later = new_edition(app, number=11, day="2020-03-19", deadline_day="2020-03-09")

    other = post_form(organiser, url(later), {"action": "up", "talk_id": str(edition.talks[1].id)})
    bad = post_form(organiser, url(edition), {"action": "delete", "talk_id": str(edition.talks[1].id)})
    nonsense = post_form(organiser, url(edition), {"action": "up", "talk_id": "<script>"})
    huge = post_form(organiser, url(edition), {"action": "up", "talk_id": "9" * 30})

    assert (other.status_code, bad.status_code, nonsense.status_code, huge.status_code) == (404, 400, 400, 400)
    assert [t.title for t in talks(app, edition.id)] == TITLES


def test_empty_programme_points_to_the_applications(app, organiser, edition):
    later = new_edition(app, number=11, day="2020-03-19", deadline_day="2020-03-09")

    page = html.unescape(organiser.get(url(later)).text)

    assert "Aucune intervention pour l'instant" in page


def test_applications_retained_for_a_new_edition_make_its_programme(app, organiser, demo_edition):
    """The demo deferred two applications (AMI-QA-006 and 011) to the next edition."""
    later = new_edition(app, number=11, day="2020-03-19", deadline_day="2020-03-09")  # adopts 006 and 011
    pool = {a.reference: a.id for a in applications(app).values() if a.edition_id == later.id}

    for reference in ("AMI-QA-011", "AMI-QA-006"):
        post_form(organiser, f"/organiser/editions/{later.id}/applications/{pool[reference]}", {"decision": "retain"})
    post_form(organiser, url(later), {"action": "up", "talk_id": str(talks(app, later.id)[1].id)})

    assert [t.title for t in talks(app, later.id)] == ["Modèle urbain fine échelle", "Façades dépolluantes"]
    page = html.unescape(organiser.get(url(later)).text)
    assert page.index("<strong>Modèle urbain fine échelle</strong>") < page.index("<strong>Façades dépolluantes</strong>")
    assert live_order(app, later) == [t.id for t in talks(app, later.id)]
