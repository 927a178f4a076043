"""The organisers' smaller forms, declared once: a talk's corrections, an item of the rundown, the
privacy notice, an introduction e-mail, one person's address, and the lengths of the talks.

The view parses the posted form (``Schema.parse``) and hands the typed model to a service. The
edition's form is in ``domain.editions`` and the application form in ``domain.applications``,
beside the rules they share with the CSV import.
"""
import re
from typing import Any

from pydantic import Field, create_model

from .editions import Duration, _date
from .selection import TALK_TEXT_MAX_CHARS
from .shapes import MAX_ID, Choice, Email, Schema, Text, field
from .show import ItemKind
from .text import InvalidField
from .text import EMAIL_MAX_CHARS

INTRODUCTION_SUBJECT_MAX_CHARS = 200
INTRODUCTION_BODY_MAX_CHARS = 10_000
# The privacy notice's settings and their limits; the longer ones keep their line breaks.
NOTICE_LIMITS = {"controller": 200, "dpo_contact": 300, "purposes": 2000, "recipients": 1000, "rights": 2000}


class TalkCorrection(Schema):
    """What the screens show of a talk; the organisation and the speaker may be left blank."""

    title: Text(TALK_TEXT_MAX_CHARS) = None
    organisation: Text(TALK_TEXT_MAX_CHARS, required=False) = None
    speaker: Text(TALK_TEXT_MAX_CHARS, required=False) = None


# The kinds of item an organiser adds by hand; talks come from retained applications.
ITEM_KINDS = tuple(k.value for k in ItemKind if k is not ItemKind.TALK)
ITEM_NOTE_MAX_CHARS = 500


class RundownItem(Schema):
    """An item of the evening other than a talk: one timed phase of ``duration``; the speaker may be blank."""

    title: Text(TALK_TEXT_MAX_CHARS) = None
    item_kind: Choice(ITEM_KINDS, max_chars=20) = None
    speaker: Text(TALK_TEXT_MAX_CHARS, required=False) = None
    duration: Duration(required=True) = None
    note: Text(ITEM_NOTE_MAX_CHARS, required=False) = None


class NoticeSettings(Schema):
    """The privacy notice; a blank field means the notice's default wording."""

    controller: Text(NOTICE_LIMITS["controller"]) = None
    dpo_contact: Text(NOTICE_LIMITS["dpo_contact"], required=False) = None
    purposes: Text(NOTICE_LIMITS["purposes"], required=False, multiline=True) = None
    recipients: Text(NOTICE_LIMITS["recipients"], required=False, multiline=True) = None
    rights: Text(NOTICE_LIMITS["rights"], required=False, multiline=True) = None


class Introduction(Schema):
    """The introduction e-mail as the organiser edited it."""

    team_email: Email(EMAIL_MAX_CHARS) = None
    subject: Text(INTRODUCTION_SUBJECT_MAX_CHARS) = None
    body: Text(INTRODUCTION_BODY_MAX_CHARS, multiline=True) = None


class PersonLookup(Schema):
    """One person's address, to find, export or erase what is held about them."""

    email: Email(EMAIL_MAX_CHARS) = None


class Durations(Schema):
    """The edition's default lengths (required); ``durations_form`` adds one optional pair per talk."""

    pitch: Duration(required=True) = None
    qa: Duration(required=True) = None


def durations_form(talk_ids: list[int]) -> type[Durations]:
    """The durations form of an edition: ``pitch-<id>`` and ``qa-<id>`` for each of its talks (blank: default)."""
    fields = {}
    for talk_id in talk_ids:
        for part in ("pitch", "qa"):
            fields[f"{part}_{talk_id}"] = (Duration(required=False), Field(None, alias=f"{part}-{talk_id}"))
    return create_model("EditionDurations", __base__=Durations, **fields)


# -- the audit trail's filters (a GET form: every field may be blank) -------------------------------------

AUDIT_ACTION_MAX_CHARS = 40
_AUDIT_ACTION = re.compile(r"[a-z][a-z0-9_.]{0,39}")


def _optional_id(value: Any) -> int | None:
    text = str(value or "").strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 10 or not 0 < int(text) <= MAX_ID:
        raise InvalidField("", "invalid_choice")
    return int(text)


def _optional_action(value: Any) -> str | None:
    text = str(value or "").strip()
    if not text:
        return None
    if not _AUDIT_ACTION.fullmatch(text):
        raise InvalidField("", "invalid_choice")
    return text


OptionalId = field(_optional_id, {"type": "string", "pattern": r"^\d*$"}, required=False, python_type=int)
AuditAction = field(_optional_action, {"type": "string", "maxLength": AUDIT_ACTION_MAX_CHARS}, required=False)


class AuditFilter(Schema):
    """Which entries of the audit trail to list: an account, an action, an edition, a range of days
    (Paris days, both included); a blank field does not filter."""

    actor: OptionalId = None
    action: AuditAction = None
    edition: OptionalId = None
    since: _date(required=False) = None
    until: _date(required=False) = None
