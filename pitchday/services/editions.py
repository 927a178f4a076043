"""Editions, their talks, and their public programme."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..domain.applications import MAX_ROWS, TALK_KIND_LABELS, parse_table
from ..domain.schedule import schedule
from ..domain.text import InvalidField
from ..extensions import db
from ..models import Application, ConnectRequest, Edition, Question, Talk
from . import applications
from . import show as show_service
from .spreadsheets import read_table
from ..timeutil import from_ms, to_ms


def load_demo_edition() -> Edition:
    """The 10th Jeudi du numérique, created once with its 14 applications and the MEL's decisions.

    Everything in it is fictional (pitchday/data/demo_edition.json). Returns the edition.
    """
    data = json.loads(resources.files("pitchday.data").joinpath("demo_edition.json").read_text("utf-8"))
    session = db.current()
    existing = session.scalar(select(Edition).where(Edition.slug == data["slug"]))
    if existing is not None:
        return existing
    edition = Edition(
        slug=data["slug"], series=data["series"], number=data["number"], title=data["title"],
        theme=data["theme"], starts_at=datetime.fromisoformat(data["starts_at"]),
        ends_at=datetime.fromisoformat(data["ends_at"]), talks_start_at=datetime.fromisoformat(data["talks_start_at"]),
        venue=data["venue"], partners=data["partners"], pitch_ms=data["pitch_ms"], qa_ms=data["qa_ms"],
        changeover_ms=data["changeover_ms"], applications_close_at=datetime.fromisoformat(data["applications_close_at"]),
        talks_wanted=data["talks_wanted"],
    )
    session.add(edition)
    session.flush()
    sample = resources.files("pitchday.data").joinpath(data["applications_file"]).read_bytes()
    rows = parse_table(read_table(sample, data["applications_file"], max_rows=MAX_ROWS))
    by_reference = {a.reference: a for a in applications.import_rows(session, edition, rows)}
    decided = datetime.fromisoformat(data["decided_at"])
    for status, references in data["decisions"].items():
        for reference in references:
            applications.decide(by_reference[reference], status, when=decided)
    # The rundown: talks (from retained applications) and the other items of the evening (welcome, addresses…).
    edition.talks = [
        Talk(position=i, title=t["title"], organisation=t["organisation"], kind=t["kind"], speaker=t["speaker"],
             summary=t["summary"], application=by_reference[t["reference"]],
             contact_email=by_reference[t["reference"]].referent_email)
        if "reference" in t else
        Talk(position=i, title=t["title"], organisation="", kind="", speaker=t["speaker"], summary=t["summary"],
             item_kind=t["item_kind"], pitch_ms=t["duration_ms"])
        for i, t in enumerate(data["talks"], start=1)
    ]
    for talk in edition.talks:
        if talk.application is not None:
            applications.decide(talk.application, "retained", when=decided)
    show_service.reset_show(edition.id)
    return edition


def get_edition(edition_id: int) -> Edition | None:
    session = db.current()
    edition = session.get(Edition, edition_id)
    if edition is not None:
        list(edition.talks)  # loaded while the session is open
    return edition


def new_edition_defaults() -> dict[str, str]:
    """The form for the next edition: the series' habits (a Thursday 17:00–20:00, 5 + 5 minutes)."""
    session = db.current()
    last = session.scalar(select(Edition).order_by(Edition.number.desc()))
    return {
        "series": last.series if last else "Jeudis du numérique", "number": str(last.number + 1) if last else "1",
        "title": f"Jeudi du numérique n° {last.number + 1}" if last else "", "theme": "",
        "venue": last.venue if last else "", "partners": "\n".join(last.partners) if last else "", "slug": "",
        "day": "", "doors": "17:00", "talks_start": "17:25", "end": "20:00", "deadline_day": "", "deadline_time": "10:00",
        "talks_wanted": "10", "slides_day": "", "slides_time": "", "pitch_ms": "5:00", "qa_ms": "5:00", "changeover_ms": "1:00",
        "connect_retention_days": "30", "applications_retention_days": "365",
    }


def _slug_taken(session, slug: str, edition_id: int | None) -> bool:
    other = session.scalar(select(Edition.id).where(Edition.slug == slug))
    return other is not None and other != edition_id


def create_edition(clean: dict) -> tuple[Edition | None, list[InvalidField]]:
    """A new edition from the organiser's parsed form (``domain.editions.validate``); applications deferred
    "to a later edition" join its pool."""
    session = db.current()
    if _slug_taken(session, clean["slug"], None):
        return None, [InvalidField("slug", "taken")]
    edition = Edition(**clean)
    session.add(edition)
    session.flush()
    applications.adopt_deferred(session, edition)
    show_service.reset_show(edition.id)
    return edition, []


def update_edition(edition_id: int, clean: dict) -> list[InvalidField]:
    """The organiser's parsed changes; new default lengths reach the talks not yet played (never the one on stage)."""
    session = db.current()
    if _slug_taken(session, clean["slug"], edition_id):
        return [InvalidField("slug", "taken")]
    edition = session.get(Edition, edition_id)
    pitch_ms, qa_ms = clean.pop("pitch_ms"), clean.pop("qa_ms")
    for name, value in clean.items():
        setattr(edition, name, value)
    overrides = {talk.id: (talk.pitch_ms, talk.qa_ms) for talk in edition.talks}
    show_service.set_durations(edition_id, pitch_ms=pitch_ms, qa_ms=qa_ms, overrides=overrides)
    return []


def overview(edition_id: int) -> dict:
    """Counts for the edition's page: applications by status, talks, connect requests, questions."""
    session = db.current()
    by_status = dict(session.execute(select(Application.status, func.count()).where(
        Application.edition_id == edition_id).group_by(Application.status)).all())
    late = session.scalar(select(func.count()).where(Application.edition_id == edition_id, Application.late))
    talks = session.scalar(select(func.count()).select_from(Talk).where(Talk.edition_id == edition_id,
                                                                          Talk.item_kind == "talk"))
    requests = session.scalar(select(func.count()).select_from(ConnectRequest).where(
        ConnectRequest.edition_id == edition_id))
    questions = session.scalar(select(func.count()).select_from(Question).where(Question.edition_id == edition_id))
    # The rundown may open with a welcome or an address: the first pitch is its first talk's planned start.
    first_pitch = next((item.planned_start for item in public_programme(get_edition(edition_id)) if item.talk.is_talk),
                       None)
    return {"applications": sum(by_status.values()), "by_status": by_status, "late": late, "talks": talks,
            "connect_requests": requests, "questions": questions, "first_pitch": first_pitch}


# -- the public programme (agenda page, iCalendar, API) ---------------------------------------------

# The kinds of talk as the domain names them (the form, the programme, the screens, the exports).
KIND_LABELS = {code: _l(label) for code, label in TALK_KIND_LABELS.items()}
# The kinds of item of the rundown (domain.show.ItemKind), as the programme, the screens and exports name them.
ITEM_KIND_LABELS = {
    "talk": _l("Pitch"),
    "welcome": _l("Accueil"),
    "opening": _l("Mot d'ouverture"),
    "address": _l("Intervention"),
    "break": _l("Pause"),
    "closing": _l("Clôture"),
    "networking": _l("Temps d'échanges"),
}


def item_label(talk: Talk) -> str:
    """What a programme says an item is: a talk's type (Pitch projet…), or the item's kind (Accueil, Pause…)."""
    if talk.is_talk:
        return str(KIND_LABELS.get(talk.kind, talk.kind))
    return str(ITEM_KIND_LABELS.get(talk.item_kind, talk.item_kind))


@dataclass(frozen=True)
class ProgrammeTalk:
    talk: Talk
    planned_start: datetime  # aware, UTC
    planned_end: datetime


def all_editions() -> list[Edition]:
    """Every edition, the latest first (public data only is used from them)."""
    session = db.current()
    return list(session.scalars(select(Edition).order_by(Edition.starts_at.desc(), Edition.id.desc())))


def edition_by_slug(slug: Any) -> Edition | None:
    """The edition a URL or a socket names, or None (for anything that is not a plausible slug)."""
    if not isinstance(slug, str) or len(slug) > 40 or not slug.isprintable():
        return None  # not printable: a NUL byte would make PostgreSQL raise instead of finding nothing
    return db.current().scalar(select(Edition).where(Edition.slug == slug))


def with_talks_by_slug(slug: str) -> Edition | None:
    """An edition with its talks loaded, or None."""
    found = edition_by_slug(slug)
    return get_edition(found.id) if found is not None else None


def public_programme(edition: Edition) -> list[ProgrammeTalk]:
    """The talks in running order at their announced times (back to back, with the changeovers).

    The announced plan, not the live one: a programme does not move when a talk runs late.
    """
    plan_start = to_ms(edition.talks_start_at)
    plan = schedule(show_service.initial_show(edition), plan_start=plan_start, changeover_ms=edition.changeover_ms,
                    now=plan_start)
    talks = {t.id: t for t in edition.talks}
    return [ProgrammeTalk(talks[slot.talk_id], from_ms(slot.planned_start),
                          from_ms(slot.planned_start + talks[slot.talk_id].effective_pitch_ms
                                  + talks[slot.talk_id].effective_qa_ms))
            for slot in plan.slots]
