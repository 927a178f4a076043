"""Selecting the talks: when the programme may change, references, talks made from applications."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pitchday.domain import show as domain
from pitchday.domain.selection import (
    form_is_open,
    moved,
    next_reference,
    over_retained,
    programme_can_change,
    reference_prefix,
    shorten,
    talk_from_application,
)

pytestmark = pytest.mark.unit

NOW = 1_579_795_200_000  # 23 January 2020, 16:00 UTC
DEADLINE = datetime(2020, 1, 13, 9, 0, tzinfo=timezone.utc)


def evening() -> domain.Show:
    return domain.new_show([(1, 300_000, 300_000), (2, 300_000, 300_000)])


def test_programme_can_change_before_the_evening():
    assert programme_can_change(evening()) is True


def test_programme_cannot_change_once_a_pitch_started():
    started = domain.apply(evening(), "start", {}, now=NOW)

    assert programme_can_change(started) is False


def test_programme_cannot_change_after_an_undo_back_to_the_welcome_screen_if_a_pitch_ran():
    ready = domain.apply(evening(), "next", {}, now=NOW)
    started = domain.apply(ready, "start", {}, now=NOW + 1000)
    finished = domain.apply(started, "next", {}, now=NOW + 60_000)

    assert finished.talks[1].pitch_started_at == NOW + 1000
    assert programme_can_change(finished) is False


def test_programme_cannot_change_once_the_agenda_is_up():
    ready = domain.apply(evening(), "next", {}, now=NOW)

    assert ready.phase is domain.Phase.READY
    assert programme_can_change(ready) is False


def test_form_is_open_until_the_deadline_included():
    assert form_is_open(DEADLINE, DEADLINE - timedelta(seconds=1)) is True
    assert form_is_open(DEADLINE, DEADLINE) is True
    assert form_is_open(DEADLINE, DEADLINE + timedelta(seconds=1)) is False


def test_form_without_a_deadline_is_never_open():
    assert form_is_open(None, DEADLINE) is False


@pytest.mark.parametrize(("slug", "prefix"), [("jdn11", "JDN11"), ("jdn-special-2020", "JDN-SPECIAL-2020"),
                                              ("a" * 40, "A" * 24), ("-", "CAND")])
def test_reference_prefix_from_the_slug(slug, prefix):
    assert reference_prefix(slug) == prefix


def test_next_reference_follows_the_highest_number_of_its_prefix():
    taken = ["JDN11-001", "JDN11-007", "JDN110-050", "AMI-QA-014", "JDN11-x"]

    assert next_reference("JDN11", taken) == "JDN11-008"


def test_first_reference_is_numbered_one():
    assert next_reference("JDN11", []) == "JDN11-001"


def test_reference_past_999_keeps_counting():
    assert next_reference("JDN11", ["JDN11-999"]) == "JDN11-1000"


def test_shorten_cuts_at_a_word_with_an_ellipsis():
    assert shorten("Réseau de micro-capteurs\nNO2 dans les cours", 20) == "Réseau de…"
    assert shorten("court", 20) == "court"
    assert len(shorten("x" * 500, 200)) == 200


def test_talk_from_application_keeps_a_missing_organisation_empty():
    application = {"project_name": "Respirer près de l'école", "organisation": None, "talk_kind": "besoin",
                   "referent_name": "Louis Démo", "referent_role": "Adjoint au maire",
                   "description": "Ligne un.\nLigne deux.", "referent_email": "louis.demo@exempleville.example.org"}

    talk = talk_from_application(application)

    assert talk == {"title": "Respirer près de l'école", "organisation": "", "kind": "besoin",
                    "speaker": "Louis Démo, Adjoint au maire", "summary": "Ligne un. Ligne deux.",
                    "contact_email": "louis.demo@exempleville.example.org"}
    assert talk_from_application({**application, "organisation": "Ville d'Exempleville"})["organisation"] == \
        "Ville d'Exempleville"


def test_talk_from_application_keeps_long_texts_within_the_columns():
    application = {"project_name": "P", "organisation": "O", "talk_kind": "solution", "referent_name": "N" * 120,
                   "referent_role": "R" * 120, "description": "mot " * 300, "referent_email": "a@b.example.org"}

    talk = talk_from_application(application)

    assert talk["speaker"] == "N" * 120 + "…"  # cut at the last word that fits, not mid-word
    assert talk["summary"] == "mot " * 49 + "mot…" and len(talk["summary"]) == 200


def test_moved_up_and_down_and_at_the_ends():
    assert moved([1, 2, 3], 2, "up") == [2, 1, 3]
    assert moved([1, 2, 3], 2, "down") == [1, 3, 2]
    assert moved([1, 2, 3], 1, "up") == [1, 2, 3]
    assert moved([1, 2, 3], 3, "down") == [1, 2, 3]


def test_moved_unknown_talk_or_direction_is_refused():
    with pytest.raises(KeyError):
        moved([1, 2], 9, "up")
    with pytest.raises(ValueError):
        moved([1, 2], 1, "sideways")


def test_over_retained_only_beyond_the_number_wanted():
    assert (over_retained(11, 10), over_retained(10, 10)) == (True, False)
