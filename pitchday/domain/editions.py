"""An edition's settings as pure rules: what the organiser's form accepts, and how times read.

Dates and times are typed as people read them in Lille (Europe/Paris) and stored as moments;
the zone's summer and winter offsets are applied here, once.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from .shapes import Schema, Text, field
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


def _int(low: int, high: int) -> Any:
    """A whole number typed in a form, from ``low`` to ``high``."""

    def check(value: Any) -> int:
        text = str(value or "").strip()
        if not text:
            raise InvalidField("", "required")
        if not text.isdigit() or not low <= int(text) <= high:
            raise InvalidField("", "out_of_range", high)
        return int(text)

    return field(check, {"type": "string", "pattern": r"^\d+$", "description": f"a whole number, {low} to {high}"},
                 required=True, python_type=int)


def _filled(value: Any, *, required: bool) -> str | None:
    """The field's text, or None when it is blank and may be (``required`` otherwise)."""
    text = str(value or "").strip()
    if not text and required:
        raise InvalidField("", "required")
    return text or None


def _date(*, required: bool = True) -> Any:
    def check(value: Any) -> date | None:
        text = _filled(value, required=required)
        if text is None:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise InvalidField("", "invalid_date") from None

    return field(check, {"type": "string", "format": "date"}, required=required, python_type=date)


def _time(*, required: bool = True) -> Any:
    def check(value: Any) -> time | None:
        text = _filled(value, required=required)
        if text is None:
            return None
        match = re.fullmatch(r"(\d{1,2})[:hH](\d{2})", text)
        if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            raise InvalidField("", "invalid_time")
        return time(int(match.group(1)), int(match.group(2)))

    return field(check, {"type": "string", "pattern": r"^\d{1,2}[:hH]\d{2}$"}, required=required, python_type=time)


def Duration(*, required: bool = True, maximum_ms: int = 60 * 60_000) -> Any:
    """"5:00" or "5" (minutes) as milliseconds, at most ``maximum_ms``; blank is ``None`` (or ``required``)."""

    def check(value: Any) -> int | None:
        try:
            if value is not None and not isinstance(value, str):
                raise ValueError(value)
            ms = parse_duration(value or "")
        except ValueError:
            raise InvalidField("", "invalid_duration") from None
        if ms is None and required:
            raise InvalidField("", "required")
        if ms is not None and ms > maximum_ms:
            raise InvalidField("", "invalid_duration")
        return ms

    return field(check, {"type": "string", "pattern": r"^\d{1,3}(:\d{2})?$", "description": "minutes[:seconds]"},
                 required=required, python_type=int)


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


def paris(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=PARIS)


class EditionForm(Schema):
    """The organiser's edition form, as typed (dates and times in Paris); ``row()`` gives the Edition's values."""

    series: Text(120) = None
    number: _int(1, 999) = None
    title: Text(200) = None
    theme: Text(200) = None
    venue: Text(300) = None
    partners: field(_partners, {"type": "string", "description": "one partner a line, at most 20 of 100 characters"},
                    required=False, python_type=list) = None
    slug: field(_slug, {"type": "string", "pattern": SLUG.pattern}, required=False) = None
    day: _date() = None
    doors: _time() = None
    talks_start: _time() = None
    end: _time() = None
    deadline_day: _date(required=False) = None
    deadline_time: _time(required=False) = None
    talks_wanted: _int(1, 50) = None
    slides_day: _date(required=False) = None  # the speakers' slides deadline; empty: the day before, 18:00
    slides_time: _time(required=False) = None
    pitch_ms: Duration() = None
    qa_ms: Duration() = None
    changeover_ms: Duration(maximum_ms=30 * 60_000) = None
    connect_retention_days: _int(1, 365) = None
    applications_retention_days: _int(30, 1825) = None

    def row(self) -> tuple[dict[str, Any], list[InvalidField]]:
        """The values of the Edition row, and what the fields say together (the order of the evening's times)."""
        clean = self.model_dump(exclude={"day", "doors", "talks_start", "end", "deadline_day", "deadline_time",
                                        "slides_day", "slides_time"})
        errors: list[InvalidField] = []
        if clean["slug"] is None:
            clean["slug"] = suggested_slug(self.series, self.number)
        clean["starts_at"] = paris(self.day, self.doors)
        clean["talks_start_at"] = paris(self.day, self.talks_start)
        clean["ends_at"] = paris(self.day, self.end)
        if not clean["starts_at"] <= clean["talks_start_at"] < clean["ends_at"]:
            errors.append(InvalidField("talks_start", "out_of_order"))
        # No closing day: no public form. The closing time alone means nothing (the form pre-fills it
        # with the series' habit), so it is ignored rather than refused.
        if self.deadline_day is not None and self.deadline_time is None:
            errors.append(InvalidField("deadline_time", "required"))
            clean["applications_close_at"] = None
        else:
            clean["applications_close_at"] = (paris(self.deadline_day, self.deadline_time)
                                              if self.deadline_day else None)
        if (self.slides_day is None) != (self.slides_time is None):
            errors.append(InvalidField("slides_time" if self.slides_day else "slides_day", "required"))
        clean["slides_deadline_at"] = (paris(self.slides_day, self.slides_time)
                                       if self.slides_day and self.slides_time else None)
        if clean["slides_deadline_at"] is not None and clean["slides_deadline_at"] >= clean["ends_at"]:
            errors.append(InvalidField("slides_day", "slides_after_evening"))
        return clean, errors


def validate(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[InvalidField]]:
    """The organiser's edition form: ``(clean values ready for the Edition row, errors)``."""
    form, errors = EditionForm.fields_of(values)
    return ({}, errors) if form is None else form.row()


def form_values(edition) -> dict[str, str]:
    """An Edition (or anything with its attributes) as the form shows it, in Paris time."""
    starts = edition.starts_at.astimezone(PARIS)
    deadline = edition.applications_close_at.astimezone(PARIS) if edition.applications_close_at else None
    slides = getattr(edition, "slides_deadline_at", None)
    slides = slides.astimezone(PARIS) if slides else None
    return {
        "series": edition.series, "number": str(edition.number), "title": edition.title, "theme": edition.theme,
        "venue": edition.venue, "partners": "\n".join(edition.partners or []), "slug": edition.slug,
        "day": starts.date().isoformat(), "doors": starts.strftime("%H:%M"),
        "talks_start": edition.talks_start_at.astimezone(PARIS).strftime("%H:%M"),
        "end": edition.ends_at.astimezone(PARIS).strftime("%H:%M"),
        "deadline_day": deadline.date().isoformat() if deadline else "",
        "deadline_time": deadline.strftime("%H:%M") if deadline else "",
        "talks_wanted": str(edition.talks_wanted), "pitch_ms": format_duration(edition.pitch_ms),
        "slides_day": slides.date().isoformat() if slides else "", "slides_time": slides.strftime("%H:%M") if slides else "",
        "qa_ms": format_duration(edition.qa_ms), "changeover_ms": format_duration(edition.changeover_ms),
        "connect_retention_days": str(edition.connect_retention_days),
        "applications_retention_days": str(edition.applications_retention_days),
    }
