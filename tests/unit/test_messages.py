"""The applicants' messages as pure rules: placeholder checks, rendering, language choice, reminders."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pitchday.domain import messages, speakers
from pitchday.domain.messages import TemplateProblem
from pitchday.domain.shapes import Refused

pytestmark = pytest.mark.unit

EVENING = datetime(2027, 1, 21, 16, 0, tzinfo=timezone.utc)


def test_messages_known_placeholders_pass():
    assert messages.check_template("retained", "Retenu : {titre}", "Bonjour {prenom}, {lien} ({date_limite})") == []


def test_messages_unknown_placeholders_are_listed_once_each_in_their_field():
    found = messages.check_template("declined", "Hello {firstname}", "{prénom} {prénom} {0.__class__} {prenom}")

    assert found == [TemplateProblem("subject", "unknown_placeholder", ("{firstname}",)),
                     TemplateProblem("body", "unknown_placeholder", ("{prénom}", "{0.__class__}"))]


def test_messages_a_lone_brace_is_refused_and_doubled_braces_are_text():
    assert messages.check_template("declined", "Objet", "Bonjour {prenom") == [TemplateProblem("body", "lone_brace")]
    assert messages.check_template("declined", "Objet", "Code {{promo}} }}") == []


def test_messages_a_message_asking_for_an_answer_must_carry_the_link():
    assert messages.check_template("deferred", "Objet", "Bonjour") == [
        TemplateProblem("body", "missing_placeholder", ("{lien}",))]
    assert messages.check_template("declined", "Objet", "Bonjour") == []


def test_messages_render_replaces_names_only():
    text = messages.render("Bonjour {prenom}, {{lien}} : {lien}", {"prenom": "Noé {lien}", "lien": "https://x/s/1"})

    assert text == "Bonjour Noé {lien}, {lien} : https://x/s/1"


@pytest.mark.parametrize(("kind", "language"), [(k, lang) for k in messages.KINDS for lang in messages.LANGUAGES])
def test_messages_every_default_template_passes_its_own_check(kind, language):
    default = messages.DEFAULTS[(kind, language)]

    assert messages.check_template(kind, default.subject, default.body) == []
    assert len(default.subject) <= messages.SUBJECT_MAX_CHARS


def test_messages_language_is_english_only_when_chosen():
    assert [messages.language_for(x) for x in ("en", "fr", None, "de")] == ["en", "fr", "fr", "fr"]


def test_messages_first_name():
    assert messages.first_name("Maëlle Inventée") == "Maëlle" and messages.first_name("Noé") == "Noé"


def test_speakers_link_works_until_the_day_after_the_evening():
    ends = EVENING + timedelta(hours=3)

    assert speakers.link_usable(ends, ends + timedelta(hours=23))
    assert not speakers.link_usable(ends, ends + timedelta(days=1))


@pytest.mark.parametrize(("days_before", "answered", "told", "reminded", "due"), [
    (4, False, True, False, False),  # the confirmation is not late yet
    (2, False, True, False, True),
    (2, True, True, False, False),  # answered
    (2, False, False, False, False),  # never told
    (2, False, True, True, False),  # already reminded
    (0, False, True, False, False),  # the evening has begun
])
def test_speakers_reminder_due(days_before, answered, told, reminded, due):
    now = EVENING - timedelta(days=days_before)

    assert speakers.reminder_due(evening_starts_at=EVENING, now=now, answered=answered, told=told,
                                 reminded=reminded) is due


def test_speakers_speaker_line_round_trip():
    assert speakers.speaker_line("Noé Fictif", "gérant") == "Noé Fictif, gérant"
    assert speakers.split_speaker("Noé Fictif, gérant") == ("Noé Fictif", "gérant")
    assert speakers.speaker_line("Noé Fictif", None) == "Noé Fictif"


def test_speakers_details_limits_and_cleaning():
    with pytest.raises(Refused) as refused:
        speakers.TalkDetails.parse({"title": "T", "organisation": "O", "speaker_name": "N", "summary": "x" * 281})
    parsed = speakers.TalkDetails.parse({"title": " Un\u202e titre ", "organisation": "O", "speaker_name": "N",
                                         "summary": "x" * 280})

    assert [(e.field, e.code, e.limit) for e in refused.value.errors] == [("summary", "too_long", 280)]
    assert parsed.title == "Un titre" and parsed.speaker_role is None


def test_speakers_needs_choices():
    with pytest.raises(Refused) as refused:
        speakers.TechnicalNeeds.parse({"equipment": "usb_stick", "microphone": ""})

    assert sorted((e.field, e.code) for e in refused.value.errors) == [
        ("equipment", "invalid_choice"), ("microphone", "required")]


# -- the speakers' slides -------------------------------------------------------------------------


@pytest.mark.parametrize(("evening", "deadline_utc"), [
    (datetime(2027, 1, 21, 16, 0, tzinfo=timezone.utc), datetime(2027, 1, 20, 17, 0, tzinfo=timezone.utc)),  # winter
    (datetime(2027, 6, 17, 15, 0, tzinfo=timezone.utc), datetime(2027, 6, 16, 16, 0, tzinfo=timezone.utc)),  # summer
    # 00:30 in Paris on the 1st is still the 31st in UTC: the day before is the 31st of Paris, not the 30th.
    (datetime(2027, 3, 31, 22, 30, tzinfo=timezone.utc), datetime(2027, 3, 31, 16, 0, tzinfo=timezone.utc)),
])
def test_speakers_default_slides_deadline_is_the_day_before_at_six_pm_in_paris(evening, deadline_utc):
    assert speakers.default_slides_deadline(evening) == deadline_utc
    assert speakers.slides_deadline(evening, None) == deadline_utc


def test_speakers_slides_deadline_set_by_the_organiser_wins_and_closes_at_its_moment():
    chosen = EVENING - timedelta(days=3)

    assert speakers.slides_deadline(EVENING, chosen) == chosen
    assert speakers.slides_open(chosen, chosen - timedelta(seconds=1))
    assert not speakers.slides_open(chosen, chosen)


@pytest.mark.parametrize(("hours_before", "has_deck", "told", "declined", "reminded", "due"), [
    (49, False, True, False, False, False),  # more than two days before
    (47, False, True, False, False, True),
    (47, True, True, False, False, False),  # the deck is there
    (47, False, False, False, False, False),  # never told
    (47, False, True, True, False, False),  # declined: not coming
    (47, False, True, False, True, False),  # already reminded of the slides
    (0, False, True, False, False, False),  # the evening has begun
])
def test_speakers_slides_reminder_due(hours_before, has_deck, told, declined, reminded, due):
    now = EVENING - timedelta(hours=hours_before)

    assert speakers.slides_reminder_due(evening_starts_at=EVENING, now=now, has_deck=has_deck, told=told,
                                        declined=declined, reminded=reminded) is due


def test_messages_the_slides_reminder_must_carry_the_link():
    assert messages.check_template("slides_reminder", "Vos supports", "Avant le {limite_supports}") == [
        TemplateProblem("body", "missing_placeholder", ("{lien}",))]
    for language in messages.LANGUAGES:
        default = messages.DEFAULTS[("slides_reminder", language)]
        assert messages.check_template("slides_reminder", default.subject, default.body) == []
