"""A read-only JSON API of public edition data (never personal data), described by OpenAPI.

Every answer is built field by field from public data (an allow-list, never a model dumped whole),
so a column added later to a model cannot leak through it. Times are ISO 8601 in Paris local time
with their offset, as the OpenAPI description says.
"""
from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from importlib import resources

from flask import Blueprint, jsonify, url_for

from ..extensions import db
from ..models import Edition
from ..services import broadcast
from ..services import editions as edition_service
from ..timeutil import PARIS
from .pages import public_base_url
from .public import paris_iso

bp = Blueprint("api", __name__, url_prefix="/api/v1")

CACHE_SECONDS = 60  # editions and their programme change rarely
LIVE_CACHE_SECONDS = 1  # the live state changes at every command; clients compute the countdown from ends_at


@lru_cache(maxsize=1)
def openapi_document() -> dict:
    return json.loads(resources.files("pitchday.data").joinpath("openapi.json").read_text("utf-8"))


@bp.after_request
def public_headers(response):
    """Public data: any site may read it (no cookie is involved), and caches may keep it briefly."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers.setdefault("Cache-Control", f"public, max-age={CACHE_SECONDS}")
    return response


def not_found(message: str):
    return jsonify({"error": {"code": "not_found", "message": message}}), 404


def _absolute(endpoint: str, **values) -> str:
    return public_base_url() + url_for(endpoint, **values)


def edition_fields(edition: Edition) -> dict:
    return {
        "slug": edition.slug,
        "number": edition.number,
        "series": edition.series,
        "title": edition.title,
        "theme": edition.theme,
        "starts_at": paris_iso(edition.starts_at),
        "ends_at": paris_iso(edition.ends_at),
        "talks_start_at": paris_iso(edition.talks_start_at),
        "venue": edition.venue,
        "partners": list(edition.partners or []),
        "links": {
            "self": _absolute("api.edition", slug=edition.slug),
            "agenda": _absolute("public.agenda", slug=edition.slug),
            "ics": _absolute("public.agenda_ics", slug=edition.slug),
            "schedule": _absolute("public.agenda_schedule", slug=edition.slug),
            "audience": _absolute("audience.live", slug=edition.slug),
            "live": _absolute("api.live", slug=edition.slug),
        },
    }


def _talk_card(card: dict | None) -> dict | None:
    if card is None:
        return None
    return {key: card[key] for key in ("id", "title", "organisation", "kind", "speaker", "item_kind")}


def _spotlight(question: dict | None) -> dict | None:
    """A public question on the projector, without the asker's first name."""
    if question is None:
        return None
    return {key: question[key] for key in ("id", "talk_id", "text", "votes", "status")}


def _iso_ms(ms: int | None) -> str | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, PARIS).isoformat(timespec="milliseconds")


@bp.get("/editions")
@db.read()
def editions():
    return jsonify({"editions": [edition_fields(e) for e in edition_service.all_editions()]})


@bp.get("/editions/<slug>")
@db.read()
def edition(slug: str):
    found = edition_service.with_talks_by_slug(slug)
    if found is None:
        return not_found(f"No edition {slug!r}")
    talks = [
        {"id": item.talk.id, "position": position, "title": item.talk.title, "organisation": item.talk.organisation,
         "kind": item.talk.kind, "item_kind": item.talk.item_kind, "speaker": item.talk.speaker or "",
         "planned_start": paris_iso(item.planned_start),
         "planned_end": paris_iso(item.planned_end)}
        for position, item in enumerate(edition_service.public_programme(found), start=1)
    ]
    return jsonify({**edition_fields(found), "talks": talks})


@bp.get("/editions/<slug>/live")
@db.read()
def live(slug: str):
    found = edition_service.with_talks_by_slug(slug)
    if found is None:
        return not_found(f"No edition {slug!r}")
    snapshot = broadcast.snapshot(found.id, moderator=False)  # what the projector receives
    state = snapshot["state"]
    response = jsonify({
        "edition": found.slug,
        "version": snapshot["version"],
        "server_time": _iso_ms(snapshot["server_time"]),
        "phase": state["phase"],
        "running": state["running"],
        "ends_at": _iso_ms(state["ends_at"]),
        "remaining_ms": state["remaining_ms"],
        "phase_ms": state["phase_ms"],
        "current": _talk_card(state["current"]),
        "next": _talk_card(state["next"]),
        "spotlight": _spotlight(state["spotlight"]),
    })
    response.headers["Cache-Control"] = f"public, max-age={LIVE_CACHE_SECONDS}"
    return response


@bp.get("/openapi.json")
@db.read()
def openapi():
    return jsonify(openapi_document())


@bp.get("/")
@bp.get("/<path:_unknown>")
@db.read()
def unknown(_unknown: str = ""):
    """Any other address under the API answers in JSON too."""
    return not_found("No such endpoint: see /api/v1/openapi.json")
