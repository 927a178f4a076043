"""The programme for other tools: the talks and their speakers as a CSV, and the evening as the
pretalx / frab schedule JSON that Giggity, EventFahrplan and voctosched read.

Both are built from the announced plan (``editions.public_programme``: the rundown back to back
from the first talk's time, with the changeovers between talks), never the live one: a schedule
app should not move while a talk runs late.

The CSV is about the talks and their speakers (with their contact address: personal data, an
organiser's export). The JSON is the whole evening as the public programme page and its
iCalendar show it: the rundown's other items (accueil, pause, networking…) are entries of their
own, with ``type`` their kind, so that a schedule app does not show the break as free time. It
holds nothing that page does not publish.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import uuid
from typing import Any

from flask_babel import force_locale

from ..domain.messages import language_for
from ..models import Edition, Talk
from ..timeutil import PARIS
from . import editions as editions_service
from .exports import csv_bytes

CSV_COLUMNS = ("ordre", "date", "début prévu", "durée", "type", "titre", "structure", "intervenant", "résumé",
               "e-mail de contact", "langue", "référence de la candidature")
SCHEMA_URL = "https://c3voc.de/schedule/schema.json"  # the frab / voc schedule JSON it follows
TIMESLOT = "00:05"
TIME_ZONE = "Europe/Paris"
# Fixed, so that the same talk keeps the same guid whatever address the file is read at.
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "schedule.pitchday.invalid")


def hh_mm(ms: int) -> str:
    """A length as frab writes it: "00:10" (whole minutes, rounded)."""
    minutes = round(ms / 60_000)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def ascii_slug(text: str) -> str:
    """"Retour d'expérience : la navette" → "retour-d-experience-la-navette"."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def acronym(edition: Edition) -> str:
    """The conference's short name as the voc schema wants it (``^[a-z0-9_-][a-z0-9_]{3,}``): the
    edition's slug with underscores, its number added when that is too short."""
    name = re.sub(r"[^a-z0-9_]", "_", ascii_slug(edition.slug).replace("-", "_")).strip("_")
    return name if len(name) >= 4 else f"{name or 'pitch'}_{edition.number:03d}"


def _talk_language(talk: Talk) -> str:
    return language_for(talk.application.language if talk.application is not None else None)


def _speaker_name(talk: Talk) -> str:
    """The person without their role ("Noé Fictif, gérant" → "Noé Fictif")."""
    return talk.speaker.split(",")[0].strip()


def _room(edition: Edition) -> str:
    """The room: the venue's first part ("Salle des Essais, 1 rue Fictive, Lille" → "Salle des Essais")."""
    return edition.venue.split(",")[0].strip() or edition.venue or edition.title


# -- CSV ------------------------------------------------------------------------------------------------


def talks_csv(edition: Edition) -> bytes:
    """The retained talks (the rundown's talks, not its other items) with their speakers, in running order."""
    rows = []
    with force_locale("fr"):  # the file's words, like its columns, are French
        for item in editions_service.public_programme(edition):
            talk = item.talk
            if not talk.is_talk:
                continue
            start = item.planned_start.astimezone(PARIS)
            rows.append((talk.position, start.strftime("%Y-%m-%d"), start.strftime("%H:%M"),
                         hh_mm(talk.effective_pitch_ms + talk.effective_qa_ms), editions_service.item_label(talk),
                         talk.title, talk.organisation, talk.speaker, talk.summary, talk.contact_email or "",
                         _talk_language(talk), talk.application.reference if talk.application is not None else ""))
    return csv_bytes(CSV_COLUMNS, rows)


# -- the frab / pretalx schedule JSON ---------------------------------------------------------------------


def _event(edition: Edition, item: editions_service.ProgrammeTalk, *, room: str, agenda_url: str,
           short: str) -> dict[str, Any]:
    talk = item.talk
    start = item.planned_start.astimezone(PARIS)
    name = _speaker_name(talk)
    persons = [{"guid": str(uuid.uuid5(GUID_NAMESPACE, f"{edition.slug}/person/{talk.id}")), "name": name,
                "public_name": name}] if name else []
    slug = f"{short}-{talk.id}-{ascii_slug(talk.title)}"[:100].strip("-")
    return {
        "id": talk.id,
        "guid": str(uuid.uuid5(GUID_NAMESPACE, f"{edition.slug}/talk/{talk.id}")),
        "date": start.isoformat(),
        "start": start.strftime("%H:%M"),
        "duration": hh_mm(talk.effective_pitch_ms + talk.effective_qa_ms),
        "room": room,
        "slug": slug,
        "url": f"{agenda_url}#talk-{talk.id}",
        "title": talk.title,
        "subtitle": talk.organisation or None,
        "track": editions_service.item_label(talk) if talk.is_talk else None,
        "type": talk.item_kind,
        "language": _talk_language(talk),
        "abstract": talk.summary or "",
        "description": "",
        "persons": persons,
        "links": [],
        "attachments": [],
    }


def schedule_json(edition: Edition, *, base_url: str) -> dict[str, Any]:
    """The edition as one day, one room, its rundown's items as events (frab's ``schedule.json``)."""
    agenda_url = f"{base_url}/e/{edition.slug}/programme"
    room, short = _room(edition), acronym(edition)
    with force_locale("fr"):  # the programme's words (tracks) in the evening's language
        events = [_event(edition, item, room=room, agenda_url=agenda_url, short=short)
                  for item in editions_service.public_programme(edition)]
    day = edition.starts_at.astimezone(PARIS)
    tracks = list(dict.fromkeys(e["track"] for e in events if e["track"]))
    conference = {
        "acronym": short,
        "title": edition.title,
        "description": edition.theme,
        "start": day.date().isoformat(),
        "end": day.date().isoformat(),
        "daysCount": 1,
        "timeslot_duration": TIMESLOT,
        "time_zone_name": TIME_ZONE,
        "url": agenda_url,
        "rooms": [{"name": room, "guid": str(uuid.uuid5(GUID_NAMESPACE, f"{edition.slug}/room"))}],
        "tracks": [{"name": name} for name in tracks],
        "days": [{
            "index": 1,
            "date": day.date().isoformat(),
            "day_start": day.isoformat(),
            "day_end": edition.ends_at.astimezone(PARIS).isoformat(),
            "rooms": {room: events},
        }],
    }
    # The version changes with what a reader shows: apps compare it to know the programme changed.
    version = hashlib.sha256(json.dumps(conference, sort_keys=True).encode()).hexdigest()[:12]
    return {"$schema": SCHEMA_URL, "generator": {"name": "pitchday"},
            "schedule": {"version": version, "base_url": f"{base_url}/", "conference": conference}}
