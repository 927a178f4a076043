"""An edition's settings as pure rules (pitchday.domain.editions)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from pitchday.domain.editions import format_duration, parse_duration, suggested_slug, validate

pytestmark = pytest.mark.unit


def form(**changes) -> dict:
    return {"series": "Jeudis du numérique", "number": "11", "title": "Jeudi du numérique n° 11", "theme": "Mobilités",
            "slug": "", "day": "2020-06-18", "doors": "17:00", "talks_start": "17:25", "end": "20:00", "venue": "CITC",
            "partners": " MEL \n\n CITC ", "deadline_day": "", "deadline_time": "", "talks_wanted": "10",
            "pitch_ms": "5:00", "qa_ms": "5", "changeover_ms": "0:30", "connect_retention_days": "30",
            "applications_retention_days": "365", **changes}


def codes(errors):
    return {(e.field, e.code) for e in errors}


def test_validate_reads_summer_times_in_paris():
    clean, errors = validate(form())

    assert errors == []
    assert clean["starts_at"] == datetime(2020, 6, 18, 15, 0, tzinfo=timezone.utc)  # UTC+2 in June
    assert (clean["pitch_ms"], clean["qa_ms"], clean["changeover_ms"]) == (300_000, 300_000, 30_000)
    assert clean["partners"] == ["MEL", "CITC"]
    assert clean["slug"] == "jdn11" and clean["applications_close_at"] is None


def test_validate_deadline_needs_both_its_date_and_its_time():
    assert codes(validate(form(deadline_day="2020-06-08"))[1]) == {("deadline_time", "required")}
    clean, errors = validate(form(deadline_day="2020-06-08", deadline_time="10h00"))
    assert errors == [] and clean["applications_close_at"] == datetime(2020, 6, 8, 8, 0, tzinfo=timezone.utc)


def test_validate_closing_time_alone_means_no_public_form():
    clean, errors = validate(form(deadline_day="", deadline_time="10:00"))  # the form pre-fills the time
    assert errors == [] and clean["applications_close_at"] is None


@pytest.mark.parametrize("changes, expected", [
    ({"number": "0"}, ("number", "out_of_range")),
    ({"day": "2020-02-30"}, ("day", "invalid_date")),
    ({"end": "24:00"}, ("end", "invalid_time")),
    ({"qa_ms": "61:00"}, ("qa_ms", "invalid_duration")),
    ({"changeover_ms": "45:00"}, ("changeover_ms", "invalid_duration")),
    ({"slug": "Jdn-11"}, ("slug", "invalid_slug")),
    ({"partners": "\n".join(f"P{i}" for i in range(21))}, ("partners", "too_long")),
    ({"talks_start": "20:30"}, ("talks_start", "out_of_order")),
    ({"connect_retention_days": "0"}, ("connect_retention_days", "out_of_range")),
])
def test_validate_refuses_with_the_field_and_reason(changes, expected):
    assert expected in codes(validate(form(**changes))[1])


@pytest.mark.parametrize("series, number, slug", [("Jeudis du numérique", 10, "jdn10"),
                                                  ("Ateliers « Données & ville »", 3, "adv3"), ("", 5, "e5")])
def test_suggested_slug_uses_the_series_initials(series, number, slug):
    assert suggested_slug(series, number) == slug


@pytest.mark.parametrize("text, ms", [("5:00", 300_000), ("5", 300_000), ("0:45", 45_000), ("60:00", 3_600_000), ("", None)])
def test_parse_duration_reads_minutes_and_seconds(text, ms):
    assert parse_duration(text) == ms
    if ms is not None:
        assert parse_duration(format_duration(ms)) == ms


@pytest.mark.parametrize("text", ["0:00", "5:60", "61:00", "5:0", "cinq", "-1", "1234567"])
def test_parse_duration_refuses_what_is_not_a_length(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_retention_counts_from_the_planned_end_or_a_later_replay():
    from pitchday.services.privacy import evening_end

    planned = datetime(2020, 1, 23, 19, 0, tzinfo=timezone.utc)
    replayed = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)

    assert evening_end(planned, None) == planned
    assert evening_end(planned, datetime(2020, 1, 23, 18, 30, tzinfo=timezone.utc)) == planned
    assert evening_end(planned, replayed) == replayed
