"""The payload of every Socket.IO event a client sends, declared once (docs/protocol.md follows them).

Handlers parse with these (``Schema.parse``) and hand the typed model to a service; what needs
the database (a talk of this edition, an intent that fits the talk's kind, a public question) is
the service's to check. Limits are the domain's constants.
"""
from typing import Any

from pydantic import ValidationInfo

from .audience import (AUTHOR_MAX_CHARS, INTENTS_BY_KIND, MESSAGE_MAX_CHARS, NAME_MAX_CHARS, ORGANISATION_MAX_CHARS,
                       QUESTION_MAX_CHARS)
from .shapes import Arguments, Email, Flag, Id, Phone, RequestId, Schema, Text, field
from .show import COMMANDS
from .text import EMAIL_MAX_CHARS, InvalidField, clean_text

VIEWS = ("projector", "stage", "moderator", "audience")
SLUG_MAX_CHARS = 40
MAX_VERSION = 2**53 - 1  # the largest integer a browser counts exactly
INTENTS = tuple(dict.fromkeys(i for intents in INTENTS_BY_KIND.values() for i in intents))


def one_of(allowed: tuple[str, ...], code: str) -> Any:
    """Exactly one of ``allowed`` as sent (a name, not text to clean)."""

    def check(value: Any) -> str:
        if not isinstance(value, str) or value not in allowed:
            raise InvalidField("", code)
        return value

    return field(check, {"type": "string", "enum": list(allowed)}, required=True)


def _version(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_VERSION:
        return value
    raise InvalidField("", "bad_request")


def _slug(value: Any) -> str:
    # Printable only: a NUL byte cannot even be looked up on PostgreSQL.
    if isinstance(value, str) and 0 < len(value) <= SLUG_MAX_CHARS and value.isprintable():
        return value
    raise InvalidField("", "unknown_edition")


def _action(value: Any) -> str:
    # Any word: one the domain does not know is refused as ``unknown_action`` (domain.audience.moderate).
    if isinstance(value, str) and 0 < len(value) <= 20:
        return value
    raise InvalidField("", "bad_request")


def _edited_text(value: Any, info: ValidationInfo) -> str | None:
    """An edit of the question's text, taken with ``approve`` only (ignored with any other action)."""
    if value is None or info.data.get("action") != "approve":
        return None
    return clean_text(value, field="", max_chars=QUESTION_MAX_CHARS)


def _consent(value: Any) -> bool:
    if value is not True:
        raise InvalidField("", "consent_required")
    return True


class Auth(Schema):
    """``io({auth})`` at connect; a refusal's code is the ``connect_error`` message."""

    view: one_of(VIEWS, "bad_view") = None
    edition: field(_slug, {"type": "string", "minLength": 1, "maxLength": SLUG_MAX_CHARS}, required=True) = None


class Command(Schema):
    """A moderator command's envelope; the domain judges ``args`` for ``name`` (``bad_args``)."""

    envelope = ("command_id", "name", "args", "version")
    reasons = {
        "": "The command must be an object",
        "command_id": "command_id must be 8 to 64 letters, digits or dashes",
        "name": "Unknown command",
        "args": "args must be an object of finite numbers, strings, lists and objects",
        "version": "version must be a non-negative integer",
    }

    command_id: RequestId = None
    name: one_of(tuple(COMMANDS), "bad_request") = None
    args: Arguments = None
    version: field(_version, {"type": "integer", "minimum": 0, "maximum": MAX_VERSION}, required=True,
                   python_type=int) = None


class Ask(Schema):
    envelope = ("client_id",)

    client_id: RequestId = None
    talk_id: Id("unknown_talk") = None
    text: Text(QUESTION_MAX_CHARS) = None
    author: Text(AUTHOR_MAX_CHARS, required=False) = None


class Vote(Schema):
    envelope = ("question_id",)

    question_id: Id() = None


class ConnectRequest(Schema):
    """"Je veux échanger", from the socket or the page's form; the service checks the intent fits the talk."""

    envelope = ("client_id",)

    client_id: RequestId = None
    talk_id: Id("unknown_talk") = None
    name: Text(NAME_MAX_CHARS) = None
    organisation: Text(ORGANISATION_MAX_CHARS) = None
    email: Email(EMAIL_MAX_CHARS) = None
    phone: Phone() = None
    intent: one_of(INTENTS, "invalid_choice") = None
    message: Text(MESSAGE_MAX_CHARS, required=False, multiline=True) = None
    consent: field(_consent, {"type": "boolean", "const": True}, required=True, python_type=bool) = None


class TalkBoard(Schema):
    """The public questions of one talk (any live view may ask)."""

    envelope = ("talk_id",)

    talk_id: Id() = None


class Moderate(Schema):
    envelope = ("question_id", "action")

    question_id: Id() = None
    action: field(_action, {"type": "string", "enum": ["approve", "reject", "answer", "reopen"],
                            "description": "another word is answered `unknown_action`"}, required=True) = None
    text: field(_edited_text, {"type": "string", "minLength": 1, "maxLength": QUESTION_MAX_CHARS,
                               "description": "an edit of the text, read with `approve` only"},
                required=False, with_info=True) = None


class ModerationList(Schema):
    envelope = ("talk_id",)

    talk_id: Id() = None


class QuestionSettings(Schema):
    envelope = ("enabled",)

    enabled: Flag = None


# Event name → the shape of its payload (the test of docs/protocol.md walks this).
EVENTS: dict[str, type[Schema]] = {
    "connect (auth)": Auth,
    "command": Command,
    "ask": Ask,
    "vote": Vote,
    "connect_request": ConnectRequest,
    "board": TalkBoard,
    "moderate": Moderate,
    "moderation_list": ModerationList,
    "question_settings": QuestionSettings,
}
