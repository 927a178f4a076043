"""Selecting the talks of an evening, as pure rules.

When the running order may still change, how a form's reference reads, what a retained
application becomes on the programme. No clock is read here: ``now`` is given.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Iterable, Mapping, Sequence

from .applications import is_late
from .show import Phase, Show

REFERENCE_MAX_CHARS = 30  # the column's size
PREFIX_MAX_CHARS = REFERENCE_MAX_CHARS - 6  # room for "-" and up to five digits
SUMMARY_MAX_CHARS = 200
TALK_TEXT_MAX_CHARS = 200  # title, organisation and speaker columns of a talk
DECISIONS = {"retain": "retained", "defer": "deferred", "decline": "declined", "reconsider": "received"}
BULK_DECISIONS = ("retain", "defer", "decline")  # what a selection of the review list offers (defer: to the next edition)


def programme_can_change(show: Show) -> bool:
    """Talks may be added, removed or reordered only before the evening starts.

    Once a pitch has started (even if undone back to the welcome screen), the order belongs to the
    moderator's console: resetting the live state would lose what happened on stage.
    """
    return show.phase is Phase.WELCOME and all(run.pitch_started_at is None for run in show.talks.values())


def form_is_open(deadline: datetime | None, now: datetime) -> bool:
    """The public form takes applications until the deadline (a moment, compared as such)."""
    return deadline is not None and not is_late(now, deadline)


def reference_prefix(slug: str) -> str:
    """"jdn11" → "JDN11": readable on the phone and in an e-mail."""
    prefix = re.sub(r"[^A-Z0-9-]", "", slug.upper()).strip("-")
    return (prefix or "CAND")[:PREFIX_MAX_CHARS].rstrip("-")


def next_reference(prefix: str, taken: Iterable[str]) -> str:
    """The next number after those already given with this prefix: "JDN11-001", "JDN11-002"…"""
    numbers = [int(ref[len(prefix) + 1:]) for ref in taken
               if ref.startswith(prefix + "-") and ref[len(prefix) + 1:].isdigit()]
    return f"{prefix}-{max(numbers, default=0) + 1:03d}"


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary with an ellipsis when it is cut."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit - 1]
    if flat[limit - 1] != " " and " " in cut:  # the last word is cut: drop it
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


def talk_from_application(application: Mapping[str, Any]) -> dict[str, Any]:
    """What a retained application puts on the programme (the organiser may correct it afterwards)."""
    # No organisation given: none shown (the project's name is the title already; screens show what exists).
    organisation = application.get("organisation") or ""
    return {
        "title": shorten(application["project_name"], TALK_TEXT_MAX_CHARS),
        "organisation": shorten(organisation, TALK_TEXT_MAX_CHARS),
        "kind": application["talk_kind"],
        "speaker": shorten(f"{application['referent_name']}, {application['referent_role']}", TALK_TEXT_MAX_CHARS),
        "summary": shorten(application["description"], SUMMARY_MAX_CHARS),
        "contact_email": application["referent_email"],
    }


def moved(order: Sequence[int], talk_id: int, direction: str) -> list[int]:
    """The running order with one talk moved one place "up" (earlier) or "down" (later).

    At either end the order stays as it is; an unknown talk raises ``KeyError``.
    """
    if talk_id not in order:
        raise KeyError(talk_id)
    if direction not in ("up", "down"):
        raise ValueError(direction)
    result = list(order)
    index = result.index(talk_id)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(result):
        result[index], result[other] = result[other], result[index]
    return result


def over_retained(retained: int, wanted: int) -> bool:
    return retained > wanted
