"""Public pages that are not live screens: the agenda of an edition (HTML with JSON-LD, iCalendar)."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

from flask import Blueprint, Response, abort, render_template, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _

from ..domain.accessibility import CONFORMITY_LABELS, RGAA_VERSION
from ..extensions import db
from ..models import Edition
from ..services import accessibility as statement_service
from ..services import editions, privacy
from ..timeutil import PARIS, as_utc
from .i18n import plain
from .pages import public_base_url

bp = Blueprint("public", __name__)

SCHEMA = "https://schema.org/"


def paris_iso(moment: datetime) -> str:
    """ISO 8601 with the offset of Lille at that date: 2020-01-23T17:00:00+01:00."""
    return as_utc(moment).astimezone(PARIS).isoformat(timespec="seconds")


def organiser_name() -> str:
    """The organisation that runs the evenings, as a name ("la Métropole…" → "Métropole…")."""
    return re.sub(r"^(la |le |les |l'|l’)", "", privacy.controller_name())


def applications_open(edition: Edition) -> bool:
    closes = edition.applications_close_at
    return closes is not None and as_utc(closes) > datetime.now(timezone.utc)


def _edition_or_404(slug: str) -> Edition:
    edition = editions.with_talks_by_slug(slug)
    if edition is None:
        abort(404)
    return edition


kind_label = editions.item_label  # a talk's type, or an item's kind


def _performers(talk) -> list[dict]:
    return ([{"@type": "Organization", "name": talk.organisation}] if talk.organisation else []) \
        + ([{"@type": "Person", "name": talk.speaker}] if talk.speaker else [])


def event_data(edition: Edition, programme: list[editions.ProgrammeTalk]) -> dict:
    """The edition as a schema.org ``Event`` (JSON-LD), every item of its rundown as a sub-event."""
    agenda_url = public_base_url() + url_for("public.agenda", slug=edition.slug)
    place = {"@type": "Place", "name": edition.venue.split(",", 1)[0].strip(), "address": edition.venue}
    common = {"eventStatus": SCHEMA + "EventScheduled",
              "eventAttendanceMode": SCHEMA + "OfflineEventAttendanceMode", "location": place}
    return {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": edition.title,
        "description": edition.theme,
        "startDate": paris_iso(edition.starts_at),
        "endDate": paris_iso(edition.ends_at),
        **common,
        "organizer": {"@type": "Organization", "name": organiser_name(), "url": public_base_url() + "/"},
        "url": agenda_url,
        "inLanguage": str(get_locale()),
        "isAccessibleForFree": True,
        "subEvent": [
            {
                "@type": "Event",
                "name": item.talk.title,
                "description": item.talk.summary or item.talk.title,
                "startDate": paris_iso(item.planned_start),
                "endDate": paris_iso(item.planned_end),
                **common,
                "url": f"{agenda_url}#talk-{item.talk.id}",
                **({"performer": performers} if (performers := _performers(item.talk)) else {}),
            }
            for item in programme
        ],
    }


@bp.get("/e/<slug>/programme")
@db.read()
def agenda(slug: str):
    edition = _edition_or_404(slug)
    programme = editions.public_programme(edition)
    return render_template(
        "public/agenda.html", edition=edition, programme=programme, event=event_data(edition, programme),
        kinds=plain(editions.KIND_LABELS), kind_label=kind_label,
        first_talk=next((item for item in programme if item.talk.is_talk), None),
        talk_count=sum(1 for item in programme if item.talk.is_talk),
        applications_open=applications_open(edition),
        application_url=f"/e/{edition.slug}/candidater",  # the public form (apply blueprint)
    )


def calendar_bytes(edition: Edition, programme: list[editions.ProgrammeTalk]) -> bytes:
    """The evening and each item of its rundown (talks, welcome, addresses…) as VEVENTs.

    Times are local to Lille (TZID=Europe/Paris) with the VTIMEZONE in the file, not UTC: the
    evening happens at a place, calendars show it at the right wall-clock time wherever the reader
    is, and a client that does not know the zone's name still has its rules.
    """
    from icalendar import Calendar, Event

    agenda_url = public_base_url() + url_for("public.agenda", slug=edition.slug)
    stamp = datetime.now(timezone.utc)
    evening_uid = f"{edition.slug}-soiree@pitchday"

    calendar = Calendar()
    calendar.add("prodid", "-//pitchday//Jeudis du numérique//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", edition.title)

    evening = Event()
    evening.add("uid", evening_uid)
    evening.add("dtstamp", stamp)
    evening.add("dtstart", as_utc(edition.starts_at).astimezone(PARIS))
    evening.add("dtend", as_utc(edition.ends_at).astimezone(PARIS))
    evening.add("summary", f"{edition.title} — {edition.theme}")
    evening.add("location", edition.venue)
    evening.add("url", agenda_url)
    lines = [edition.theme, "", _("Programme :")]
    lines += [f"{item.planned_start.astimezone(PARIS):%H:%M} {item.talk.title} ({item.talk.organisation or kind_label(item.talk)})"
              for item in programme]
    evening.add("description", "\n".join(lines))
    calendar.add_component(evening)

    for item in programme:
        talk = item.talk
        event = Event()
        event.add("uid", f"{edition.slug}-talk-{talk.id}@pitchday")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.planned_start.astimezone(PARIS))
        event.add("dtend", item.planned_end.astimezone(PARIS))
        event.add("summary", f"{talk.title} — {talk.organisation or kind_label(talk)}")
        event.add("location", edition.venue)
        event.add("url", f"{agenda_url}#talk-{talk.id}")
        event.add("categories", [kind_label(talk)])
        event.add("description", "\n".join(filter(None, (kind_label(talk), talk.speaker, talk.summary))))
        event.add("related-to", evening_uid)
        calendar.add_component(event)

    day = as_utc(edition.starts_at).date()
    calendar.add_missing_timezones(first_date=day - timedelta(days=366), last_date=day + timedelta(days=366))
    return calendar.to_ical()


@bp.get("/e/<slug>/programme.ics")
@db.read()
def agenda_ics(slug: str):
    edition = _edition_or_404(slug)
    response = Response(calendar_bytes(edition, editions.public_programme(edition)),
                        content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{edition.slug}.ics"'
    return response


@bp.get("/e/<slug>/schedule.json")
@db.read()
def agenda_schedule(slug: str):
    """The evening as the pretalx / frab schedule JSON (Giggity, EventFahrplan, voctosched): public,
    like the programme page whose plan it carries (services/schedule_export.py)."""
    from ..services import schedule_export

    edition = _edition_or_404(slug)
    response = Response(json.dumps(schedule_export.schedule_json(edition, base_url=public_base_url()),
                                   ensure_ascii=False, indent=1),
                        content_type="application/json; charset=utf-8")
    response.headers["Access-Control-Allow-Origin"] = "*"  # web schedule viewers read it from their own origin
    return response


# -- the accessibility statement (linked from every page's footer) ----------------------------------


@bp.get("/accessibilite")
@db.read()
def accessibility():
    """The déclaration d'accessibilité, in the RGAA's structure (configured by the organisers)."""
    statement = statement_service.statement()
    level = CONFORMITY_LABELS[statement["conformity"]]
    dates = {name: format_date(statement[name], "long") if statement[name] else ""
             for name in ("audit_date", "established_on")}
    return render_template("public/accessibility.html", statement=statement, rgaa_version=RGAA_VERSION,
                           conformity=_(level), dates=dates)
