"""The hardware control API's rules: which actions a device may send, what console command each one is,
and the shape of a request's body (pure: the web layer parses, services/control.py applies).

A Stream Deck button knows a URL, not the state: each action is a fixed console command with fixed
arguments (``plus30`` is ``extend`` of +30 s), plus ``toggle``, the console's big button (start,
pause or resume, whichever the state calls for at that moment). Everything else (versions, exactly
once, refusals) is the console's own path, ``services/show.run_command``.
"""
from __future__ import annotations

import hashlib
import re
from typing import Any, Mapping

from .events import MAX_VERSION
from .shapes import REQUEST_ID, Schema, field
from .show import MAX_MESSAGE_CHARS, CommandRefused, Show, apply, main_action, wrap_stage
from .text import InvalidField

# action -> (console command, its arguments); ``message`` takes its text from the body, ``toggle``
# its command from the state.
ACTIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "start": ("start", {}),
    "pause": ("pause", {}),
    "resume": ("resume", {}),
    "toggle": ("", {}),
    "next": ("next", {}),
    "previous": ("previous", {}),
    "questions": ("questions", {}),
    "plus30": ("extend", {"delta_ms": 30_000}),
    "minus30": ("extend", {"delta_ms": -30_000}),
    "slide_next": ("slide_next", {}),
    "slide_previous": ("slide_previous", {}),
    "message": ("message", {}),
    "dismiss_message": ("dismiss_message", {}),
    "undo": ("undo", {}),
}

MAX_BODY_BYTES = 2048  # a version, a key and a 140-character message fit many times over
DEVICE_NAME_MAX_CHARS = 60
TOKEN_PREFIX = "pdc_"  # recognisable in a leaked config file or a log (secret scanners look for prefixes)
TOKEN_PATTERN = re.compile(r"^pdc_[A-Za-z0-9_-]{43}$")  # the prefix and 32 random bytes, base64url


class UnknownAction(ValueError):
    pass


def command_for(action: str, show: Show, *, text: str | None = None) -> tuple[str, dict[str, Any]]:
    """The console command (name, args) that ``action`` sends on ``show``; ``UnknownAction`` if none."""
    if action not in ACTIONS:
        raise UnknownAction(action)
    name, args = ACTIONS[action]
    if action == "toggle":
        name = main_action(show)[0] or "start"  # nothing to toggle: "start", which the domain refuses with its reason
    if action == "message":
        args = {"text": text}
    return name, dict(args)


def allowed_actions(show: Show, *, now: int) -> list[str]:
    """The actions that would apply now (tried on the pure state, nothing kept); ``message`` always may."""
    allowed = []
    for action in ACTIONS:
        name, args = command_for(action, show, text="?")
        try:
            apply(show, name, args, now=now)
        except CommandRefused:
            continue
        allowed.append(action)
    return allowed


def countdown_text(remaining_ms: int | None) -> str:
    """The countdown as a button shows it: ``4:32``, ``-0:23`` in overtime, ``""`` with no timer.

    Whole seconds, rounded up while time remains (a countdown shows 0:01 until it is over)."""
    if remaining_ms is None:
        return ""
    if remaining_ms > 0:
        seconds = -(-remaining_ms // 1000)
        return f"{seconds // 60}:{seconds % 60:02d}"
    seconds = -remaining_ms // 1000
    return f"-{seconds // 60}:{seconds % 60:02d}" if seconds else "0:00"


def countdown_stage(show: Show, *, now: int) -> str:
    """The countdown's colour stage at ``now`` (``domain.show.wrap_stage``: normal, minute, 30s, over…)."""
    return wrap_stage(show.remaining_at(now), running=show.running)


def token_digest(token: str) -> str:
    """What is stored of a device token: its SHA-256. The token is 256 random bits, so a plain digest
    cannot be reversed or guessed; a stolen database opens no device."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def command_id_for(device_id: int, key: str) -> str:
    """The stored command id of a device's ``Idempotency-Key``: one device's keys never meet another's
    (nor a console's UUIDs), and the id keeps the console's shape (at most 64 letters, digits, dashes)."""
    return "ctl-" + hashlib.sha256(f"{device_id}:{key}".encode("utf-8")).hexdigest()[:56]


def _version(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_VERSION:
        return value
    raise InvalidField("", "bad_request")


def _key(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and REQUEST_ID.fullmatch(value):
        return value
    raise InvalidField("", "bad_request")


def _text(value: Any) -> Any:
    return value  # the domain's ``message`` command judges it (cleaned, 140 characters: ``too_long``/``bad_args``)


class ControlBody(Schema):
    """The JSON body of ``POST /api/v1/control/{slug}/{action}`` (an empty body is ``{}``)."""

    envelope = ("version", "command_id")
    reasons = {
        "": "The body must be a JSON object",
        "version": "version must be a non-negative integer (or be left out: the current version)",
        "command_id": "command_id must be 8 to 64 letters, digits or dashes",
    }

    version: field(_version, {"type": "integer", "minimum": 0, "maximum": MAX_VERSION,
                              "description": "the version the sender saw; left out: the current one"},
                   required=False, python_type=int) = None
    command_id: field(_key, {"type": "string", "pattern": REQUEST_ID.pattern,
                             "description": "the same as the Idempotency-Key header, for senders without headers"},
                      required=False) = None
    text: field(_text, {"type": "string", "minLength": 1, "maxLength": MAX_MESSAGE_CHARS,
                        "description": "the stage message (action `message` only)"},
                required=False, python_type=Any) = None


def parse_key(header: str | None) -> str | None:
    """The ``Idempotency-Key`` header's value, None when absent; ``InvalidField`` when malformed."""
    return None if header is None else _key(header.strip())


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None (absent or malformed)."""
    if not header or len(header) > 200:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not TOKEN_PATTERN.fullmatch(token):
        return None
    return token


def check_device_name(value: Any) -> str:
    from .text import clean_text

    return clean_text(value, field="name", max_chars=DEVICE_NAME_MAX_CHARS)


def public_body(answer: Mapping[str, Any]) -> dict[str, Any]:
    """A stored command answer (``{ok, version, error: {code, message}}``) in the API's flat shape."""
    if answer.get("ok"):
        return {"ok": True, "version": answer["version"]}
    error = answer.get("error") or {}
    return {"ok": False, "error": error.get("code", "refused"), "message": error.get("message", ""),
            **({"version": answer["version"]} if "version" in answer else {})}
