"""The speaker's digest after the evening, as pure rules: when it opens, what it holds, that it is
prepared once, its template's placeholders; and the schedule export's formats."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pitchday.domain import messages
from pitchday.domain.messages import TemplateProblem

pytestmark = pytest.mark.unit

ENDS = datetime(2027, 1, 21, 20, 0, tzinfo=timezone.utc)


def test_digest_is_closed_during_the_evening_and_opens_at_its_planned_end():
    assert messages.digest_open(show_ended=False, evening_ends_at=ENDS, now=ENDS - timedelta(seconds=1)) is False
    assert messages.digest_open(show_ended=False, evening_ends_at=ENDS, now=ENDS) is True


def test_digest_opens_as_soon_as_the_show_reached_its_end():
    assert messages.digest_open(show_ended=True, evening_ends_at=ENDS, now=ENDS - timedelta(hours=1)) is True


def test_digest_holds_the_questions_the_room_saw_only():
    assert [s for s in ("pending", "published", "answered", "rejected") if messages.question_in_digest(s)] == [
        "published", "answered"]


def test_digest_holds_a_contact_only_with_its_consent_and_while_not_closed():
    consented = {"consent_text": "J'accepte…", "consented_at": ENDS}

    assert messages.contact_in_digest(**consented, status="new") is True
    assert messages.contact_in_digest(**consented, status="introduced") is True
    assert messages.contact_in_digest(**consented, status="no_follow_up") is False
    assert messages.contact_in_digest(consent_text="", consented_at=ENDS, status="new") is False
    assert messages.contact_in_digest(consent_text="J'accepte…", consented_at=None, status="new") is False


@pytest.mark.parametrize(("unsent", "sent", "again", "expected"), [
    (False, False, False, "create"),
    (True, False, False, "rewrite"),
    (True, True, False, "rewrite"),  # sent once, a second one asked and not yet sent: that one is rewritten
    (True, True, True, "rewrite"),
    (False, True, False, "skip"),
    (False, True, True, "create"),
])
def test_digest_is_prepared_once_per_talk(unsent, sent, again, expected):
    assert messages.digest_action(unsent=unsent, sent=sent, again=again) == expected


def test_digest_template_needs_its_questions_and_contacts_and_knows_them():
    assert messages.check_template("digest", "Bilan : {titre}", "{prenom}\n{questions}\n{contacts}") == []
    assert messages.check_template("digest", "Bilan", "Bonjour {prenom}, {questions}") == [
        TemplateProblem("body", "missing_placeholder", ("{contacts}",))]


def test_digest_placeholders_are_unknown_to_the_other_messages():
    assert messages.check_template("retained", "{questions}", "{lien} {contacts}") == [
        TemplateProblem("subject", "unknown_placeholder", ("{questions}",)),
        TemplateProblem("body", "unknown_placeholder", ("{contacts}",))]


def test_digest_default_templates_pass_their_own_checks_in_both_languages():
    for language in messages.LANGUAGES:
        template = messages.DEFAULTS[("digest", language)]
        assert messages.check_template("digest", template.subject, template.body) == []


def test_schedule_export_formats_lengths_slugs_and_acronyms():
    from types import SimpleNamespace

    from pitchday.services.schedule_export import acronym, ascii_slug, hh_mm

    assert [hh_mm(ms) for ms in (600_000, 90_000, 3_600_000 + 300_000, 0)] == ["00:10", "00:02", "01:05", "00:00"]
    assert ascii_slug("Retour d'expérience : la navette « autonome »") == "retour-d-experience-la-navette-autonome"
    assert acronym(SimpleNamespace(slug="soiree-essai", number=1)) == "soiree_essai"
    assert acronym(SimpleNamespace(slug="jdn", number=7)) == "jdn_007"
