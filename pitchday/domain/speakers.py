"""The speaker space, as pure rules: how long a personal link works, when a reminder is due, the
forms a speaker fills in. No clock is read here: ``now`` is given.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from .editions import PARIS
from .selection import TALK_TEXT_MAX_CHARS
from .shapes import Choice, Schema, Text
from .text import N_

# A speaker's link works until the day after their evening (a thank-you read late still opens it).
LINK_AFTER_EVENING = timedelta(days=1)
# The confirmation is asked for by this long before the evening; after it, the outbox proposes a reminder.
CONFIRM_BEFORE = timedelta(days=3)
SUMMARY_MAX_CHARS = 280
NAME_MAX_CHARS = 90  # name and role together fit the talk's 200-character speaker column
ACCESSIBILITY_MAX_CHARS = 500
# The slides: uploaded until the edition's deadline (by default the day before, 18:00 in Paris); the
# outbox proposes a reminder to speakers without a deck from this long before the evening.
SLIDES_DEFAULT_TIME = time(18, 0)
SLIDES_REMIND_BEFORE = timedelta(days=2)
ANSWERS = ("confirmed", "declined")  # a retained speaker's answer
DEFERRED_ANSWERS = ("kept", "withdrawn")  # a deferred applicant's answer
ANSWER_LABELS = {None: N_("pas encore de réponse"), "confirmed": N_("a confirmé"), "declined": N_("a décliné"),
                 "kept": N_("maintient sa candidature"), "withdrawn": N_("a retiré sa candidature")}
EQUIPMENT = ("own_laptop", "projector")  # their own laptop, or slides shown from the venue's computer
MICROPHONE = ("yes", "no")
# As the speaker reads them (their space, their export).
EQUIPMENT_LABELS = {"own_laptop": N_("J'apporte mon ordinateur"),
                    "projector": N_("Mes supports seront projetés depuis l'ordinateur de la salle")}
MICROPHONE_LABELS = {"yes": N_("J'aurai besoin d'un micro"), "no": N_("Je n'aurai pas besoin de micro")}


def link_expires_at(evening_ends_at: datetime) -> datetime:
    return evening_ends_at + LINK_AFTER_EVENING


def link_usable(evening_ends_at: datetime, now: datetime) -> bool:
    return now < link_expires_at(evening_ends_at)


def confirm_by(evening_starts_at: datetime) -> datetime:
    """The moment by which a retained speaker is asked to confirm."""
    return evening_starts_at - CONFIRM_BEFORE


def reminder_due(*, evening_starts_at: datetime, now: datetime, answered: bool, told: bool,
                 reminded: bool) -> bool:
    """A reminder is proposed once the confirmation is late, to a speaker who was told and has not
    answered nor been reminded, and only before the evening."""
    return told and not answered and not reminded and confirm_by(evening_starts_at) <= now < evening_starts_at


def default_slides_deadline(evening_starts_at: datetime) -> datetime:
    """The day before the evening, 18:00 in Paris (summer or winter time applied)."""
    day = evening_starts_at.astimezone(PARIS).date() - timedelta(days=1)
    return datetime.combine(day, SLIDES_DEFAULT_TIME, tzinfo=PARIS)


def slides_deadline(evening_starts_at: datetime, set_at: datetime | None) -> datetime:
    """Until when speakers upload or replace their slides: the edition's setting, else the default."""
    return set_at if set_at is not None else default_slides_deadline(evening_starts_at)


def slides_open(deadline: datetime, now: datetime) -> bool:
    return now < deadline


def slides_reminder_due(*, evening_starts_at: datetime, now: datetime, has_deck: bool, told: bool,
                        declined: bool, reminded: bool) -> bool:
    """A slides reminder is proposed from two days before the evening to a speaker who was told, has
    not declined, has no deck yet and was not reminded of it, and only before the evening."""
    return (told and not declined and not has_deck and not reminded
            and evening_starts_at - SLIDES_REMIND_BEFORE <= now < evening_starts_at)


def speaker_line(name: str, role: str | None) -> str:
    """What the screens show as the speaker: "Noé Fictif, gérant"."""
    return f"{name}, {role}" if role else name


def split_speaker(line: str) -> tuple[str, str]:
    """The reverse of ``speaker_line``, for the form: ("Noé Fictif", "gérant")."""
    name, _, role = line.partition(",")
    return name.strip(), role.strip()


class TalkDetails(Schema):
    """What the audience will see of a talk, as its speaker corrects it."""

    title: Text(TALK_TEXT_MAX_CHARS) = None
    organisation: Text(TALK_TEXT_MAX_CHARS, required=False) = None  # a speaker on their own has none
    speaker_name: Text(NAME_MAX_CHARS) = None
    speaker_role: Text(NAME_MAX_CHARS, required=False) = None
    summary: Text(SUMMARY_MAX_CHARS) = None


class TechnicalNeeds(Schema):
    """What the speaker needs on stage."""

    equipment: Choice(EQUIPMENT) = None
    microphone: Choice(MICROPHONE) = None
    accessibility: Text(ACCESSIBILITY_MAX_CHARS, required=False, multiline=True) = None
