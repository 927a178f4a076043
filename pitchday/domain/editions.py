"""An edition's settings as pure rules: what the organiser's form accepts, and how times read.

Dates and times are typed as people read them in Lille (Europe/Paris) and stored as moments;
the zone's summer and winter offsets are applied here, once.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from .text import InvalidField, clean_text

PARIS = ZoneInfo("Europe/Paris")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
MAX_PARTNERS = 20


def parse_duration(text: str) -> int | None:
    """"5:00" or "5" (minutes) to milliseconds; None when blank; ValueError when malformed."""
    text = text.strip()
    if not text:
        return None
    if len(text) > 6:
        raise ValueError(text)
    minutes, _sep, seconds = text.partition(":")
    if not minutes.isdigit() or (seconds and (not seconds.isdigit() or len(seconds) != 2 or int(seconds) > 59)):
        raise ValueError(text)
    ms = (int(minutes) * 60 + int(seconds or 0)) * 1000
    if not 0 < ms <= 60 * 60 * 1000:
        raise ValueError(text)
    return ms


def format_duration(ms: int | None) -> str:
    return "" if ms is None else f"{ms // 60000}:{ms // 1000 % 60:02d}"


def suggested_slug(series: str, number: int) -> str:
    """"Jeudis du numérique", 10 → "jdn10": what goes in every public URL, short enough to type."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", series).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", plain)
    return ("".join(w[0] for w in words) or "e") + str(number)


def _int(values: Mapping[str, Any], name: str, low: int, high: int) -> int:
    text = str(values.get(name) or "").strip()
    if not text:
        raise InvalidField(name, "required")
    if not text.isdigit() or not low <= int(text) <= high:
        raise InvalidField(name, "out_of_range", high)
    return int(text)


def _date(values: Mapping[str, Any], name: str, *, required: bool = True) -> date | None:
    text = str(values.get(name) or "").strip()
    if not text:
        if required:
            raise InvalidField(name, "required")
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidField(name, "invalid_date") from None


def _time(values: Mapping[str, Any], name: str, *, required: bool = True) -> time | None:
    text = str(values.get(name) or "").strip()
    if not text:
        if required:
            raise InvalidField(name, "required")
        return None
    match = re.fullmatch(r"(\d{1,2})[:hH](\d{2})", text)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise InvalidField(name, "invalid_time")
    return time(int(match.group(1)), int(match.group(2)))


def _duration(values: Mapping[str, Any], name: str, *, maximum_ms: int) -> int:
    try:
        ms = parse_duration(str(values.get(name) or ""))
    except ValueError:
        raise InvalidField(name, "invalid_duration") from None
    if ms is None:
        raise InvalidField(name, "required")
    if ms > maximum_ms:
        raise InvalidField(name, "invalid_duration")
    return ms


def paris(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=PARIS)


def validate(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[InvalidField]]:
    """The organiser's edition form: ``(clean values ready for the Edition row, errors)``."""
    clean: dict[str, Any] = {}
    errors: list[InvalidField] = []

    def check(name, fn):
        try:
            clean[name] = fn()
        except InvalidField as error:
            errors.append(error)

    check("series", lambda: clean_text(values.get("series"), field="series", max_chars=120))
    check("number", lambda: _int(values, "number", 1, 999))
    check("title", lambda: clean_text(values.get("title"), field="title", max_chars=200))
    check("theme", lambda: clean_text(values.get("theme"), field="theme", max_chars=200))
    check("venue", lambda: clean_text(values.get("venue"), field="venue", max_chars=300))
    check("partners", lambda: _partners(values.get("partners")))
    check("slug", lambda: _slug(values.get("slug")))
    check("day", lambda: _date(values, "day"))
    check("doors", lambda: _time(values, "doors"))
    check("talks_start", lambda: _time(values, "talks_start"))
    check("end", lambda: _time(values, "end"))
    check("deadline_day", lambda: _date(values, "deadline_day", required=False))
    check("deadline_time", lambda: _time(values, "deadline_time", required=False))
    check("talks_wanted", lambda: _int(values, "talks_wanted", 1, 50))
    check("pitch_ms", lambda: _duration(values, "pitch_ms", maximum_ms=60 * 60_000))
    check("qa_ms", lambda: _duration(values, "qa_ms", maximum_ms=60 * 60_000))
    check("changeover_ms", lambda: _duration(values, "changeover_ms", maximum_ms=30 * 60_000))
    check("connect_retention_days", lambda: _int(values, "connect_retention_days", 1, 365))
    check("applications_retention_days", lambda: _int(values, "applications_retention_days", 30, 1825))
    if errors:
        return clean, errors

    if clean["slug"] is None:
        clean["slug"] = suggested_slug(clean["series"], clean["number"])
    day = clean.pop("day")
    clean["starts_at"] = paris(day, clean.pop("doors"))
    clean["talks_start_at"] = paris(day, clean.pop("talks_start"))
    clean["ends_at"] = paris(day, clean.pop("end"))
    if not clean["starts_at"] <= clean["talks_start_at"] < clean["ends_at"]:
        errors.append(InvalidField("talks_start", "out_of_order"))
    deadline_day, deadline_time = clean.pop("deadline_day"), clean.pop("deadline_time")
    if (deadline_day is None) != (deadline_time is None):
        errors.append(InvalidField("deadline_time" if deadline_day else "deadline_day", "required"))
        clean["applications_close_at"] = None
    else:
        clean["applications_close_at"] = paris(deadline_day, deadline_time) if deadline_day else None
    return clean, errors


def _partners(value: Any) -> list[str]:
    text = clean_text(value, field="partners", max_chars=MAX_PARTNERS * 101, required=False, multiline=True)
    partners = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(partners) > MAX_PARTNERS or any(len(p) > 100 for p in partners):
        raise InvalidField("partners", "too_long", 100)
    return partners


def _slug(value: Any) -> str | None:
    text = clean_text(value, field="slug", max_chars=40, required=False)
    if text is not None and not SLUG.match(text):
        raise InvalidField("slug", "invalid_slug")
    return text


def form_values(edition) -> dict[str, str]:
    """An Edition (or anything with its attributes) as the form shows it, in Paris time."""
    starts = edition.starts_at.astimezone(PARIS)
    deadline = edition.applications_close_at.astimezone(PARIS) if edition.applications_close_at else None
    return {
        "series": edition.series, "number": str(edition.number), "title": edition.title, "theme": edition.theme,
        "venue": edition.venue, "partners": "\n".join(edition.partners or []), "slug": edition.slug,
        "day": starts.date().isoformat(), "doors": starts.strftime("%H:%M"),
        "talks_start": edition.talks_start_at.astimezone(PARIS).strftime("%H:%M"),
        "end": edition.ends_at.astimezone(PARIS).strftime("%H:%M"),
        "deadline_day": deadline.date().isoformat() if deadline else "",
        "deadline_time": deadline.strftime("%H:%M") if deadline else "",
        "talks_wanted": str(edition.talks_wanted), "pitch_ms": format_duration(edition.pitch_ms),
        "qa_ms": format_duration(edition.qa_ms), "changeover_ms": format_duration(edition.changeover_ms),
        "connect_retention_days": str(edition.connect_retention_days),
        "applications_retention_days": str(edition.applications_retention_days),
    }
