"""The public agenda of an edition: the HTML page with its schema.org JSON-LD, and the iCalendar file."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from pitchday.extensions import db
from pitchday.models import Edition, Talk
from tests.factories import SLUG, TALKS, TITLES

pytestmark = pytest.mark.integration

# tests/factories.py: three talks of 5 + 5 minutes with one-minute changeovers from 17:25 (Paris),
# on Thursday 11 March 2021 (UTC+1), 17:00 – 20:00.
PLANNED = ["17:25", "17:36", "17:47"]
DAY = "2021-03-11"
PARIS = ZoneInfo("Europe/Paris")


def json_ld(html: str) -> dict:
    [data] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(data)


def change_talk(app, position: int, **values) -> None:
    with app.app_context():
        with db.write() as session:
            talk = session.scalar(select(Talk).where(Talk.position == position))
            for name, value in values.items():
                setattr(talk, name, value)


def set_deadline(app, moment: datetime | None) -> None:
    with app.app_context():
        with db.write() as session:
            session.scalar(select(Edition).where(Edition.slug == SLUG)).applications_close_at = moment


# -- the page ---------------------------------------------------------------------------------------


def test_agenda_json_ld_describes_the_evening_as_an_event(client, edition):
    response = client.get(f"/e/{SLUG}/programme")

    assert response.status_code == 200
    data = json_ld(response.text)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Event"
    assert data["name"] == "Soirée d'essai n° 1"
    assert data["description"] == "Villes et numérique"
    assert data["startDate"] == f"{DAY}T17:00:00+01:00"
    assert data["endDate"] == f"{DAY}T20:00:00+01:00"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["location"] == {"@type": "Place", "name": "Salle des Essais",
                                "address": "Salle des Essais, 1 rue Fictive, Lille"}
    assert data["organizer"]["@type"] == "Organization"
    assert data["organizer"]["name"] == "Métropole Européenne de Lille"
    assert data["url"] == f"http://localhost/e/{SLUG}/programme"
    assert data["inLanguage"] == "fr"


def test_agenda_json_ld_has_one_sub_event_per_talk_in_running_order(client, edition):
    data = json_ld(client.get(f"/e/{SLUG}/programme").text)

    assert [e["name"] for e in data["subEvent"]] == TITLES
    assert [e["startDate"] for e in data["subEvent"]] == [f"{DAY}T{t}:00+01:00" for t in PLANNED]
    assert data["subEvent"][0]["endDate"] == f"{DAY}T17:35:00+01:00"
    assert data["subEvent"][0]["@type"] == "Event"
    assert data["subEvent"][0]["performer"] == [
        {"@type": "Organization", "name": TALKS[0].organisation}, {"@type": "Person", "name": TALKS[0].speaker}]


def test_agenda_page_lists_the_talks_with_time_kind_and_speaker(client, edition):
    html = client.get(f"/e/{SLUG}/programme").text

    items = re.findall(r'<li class="talk" id="talk-\d+">\s*<time class="time" datetime="[^"]+">(\d\d:\d\d)</time>'
                       r'.*?<h3 class="title">(.*?)</h3>.*?<span class="kind[^"]*">(.*?)</span>.*?'
                       r'<p class="speaker">(.*?)</p>', html, re.S)
    assert [time for time, *_ in items] == PLANNED
    assert items[1] == ("17:36", TALKS[1].title, "Pitch inversé", TALKS[1].speaker)
    assert [kind for *_, kind, _speaker in items] == ["Pitch projet", "Pitch inversé", "Retour d&#39;expérience"]
    assert "jeudi 11 mars 2021" in html
    assert "17:00 – 20:00, premier pitch à 17:25" in html
    assert "<li>Partenaire Imaginaire</li>" in html


def test_agenda_page_links_the_calendar_and_the_audience_page(client, edition):
    html = client.get(f"/e/{SLUG}/programme").text

    assert f'href="/e/{SLUG}/programme.ics"' in html
    assert f'href="/e/{SLUG}/"' in html


def test_agenda_page_links_the_application_form_while_it_is_open(app, client, edition):
    set_deadline(app, datetime.now(timezone.utc) + timedelta(days=10))

    html = client.get(f"/e/{SLUG}/programme").text

    assert f'href="/e/{SLUG}/candidater"' in html


@pytest.mark.parametrize("deadline", [datetime(2021, 3, 1, 9, 0, tzinfo=timezone.utc), None])
def test_agenda_page_has_no_application_link_once_closed_or_without_form(app, client, edition, deadline):
    set_deadline(app, deadline)

    html = client.get(f"/e/{SLUG}/programme").text

    assert "/candidater" not in html


def test_agenda_page_in_english_with_lang_en(client, edition):
    html = client.get(f"/e/{SLUG}/programme?lang=en").text

    assert '<html lang="en">' in html
    assert "Thursday 11 March 2021" in html
    assert "Reverse pitch" in html and "Experience feedback" in html
    data = json_ld(html)
    assert data["inLanguage"] == "en"
    assert data["startDate"] == f"{DAY}T17:00:00+01:00"


def test_agenda_json_ld_keeps_a_hostile_title_inside_the_script(app, client, edition):
    hostile = '</script><script>alert("x")</script>'
    change_talk(app, 1, title=hostile)

    html = client.get(f"/e/{SLUG}/programme").text

    assert json_ld(html)["subEvent"][0]["name"] == hostile
    assert "<script>alert" not in html


def test_agenda_of_an_unknown_edition_is_404(client, edition):
    assert client.get("/e/nope/programme").status_code == 404
    assert client.get("/e/nope/programme.ics").status_code == 404


# -- the calendar -------------------------------------------------------------------------------------


def calendar(client) -> Calendar:
    response = client.get(f"/e/{SLUG}/programme.ics")
    assert response.status_code == 200
    return Calendar.from_ical(response.data)


def test_agenda_ics_is_a_calendar_file(client, edition):
    response = client.get(f"/e/{SLUG}/programme.ics")

    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{SLUG}.ics"'
    assert response.data.startswith(b"BEGIN:VCALENDAR\r\n")


def test_agenda_ics_evening_starts_at_17_00_in_paris(client, edition):
    evening = calendar(client).walk("VEVENT")[0]

    start = evening.decoded("dtstart")
    assert start == datetime(2021, 3, 11, 17, 0, tzinfo=PARIS)
    assert start.astimezone(timezone.utc) == datetime(2021, 3, 11, 16, 0, tzinfo=timezone.utc)
    assert evening["dtstart"].params["TZID"] == "Europe/Paris"
    assert evening.decoded("dtend").astimezone(timezone.utc) == datetime(2021, 3, 11, 19, 0, tzinfo=timezone.utc)
    assert str(evening["uid"]) == f"{SLUG}-soiree@pitchday"
    assert str(evening["location"]) == "Salle des Essais, 1 rue Fictive, Lille"
    assert str(evening["url"]) == f"http://localhost/e/{SLUG}/programme"
    description = str(evening["description"])
    assert description.startswith("Villes et numérique\n")
    assert f"17:25 {TALKS[0].title} ({TALKS[0].organisation})" in description
    assert all(title in description for title in TITLES)
    assert isinstance(evening.decoded("dtstamp"), datetime)


def test_agenda_ics_has_one_event_per_talk_at_its_planned_time(client, edition):
    events = calendar(client).walk("VEVENT")[1:]

    assert len(events) == 3
    assert [str(e["summary"]).split(" — ")[0] for e in events] == TITLES
    assert [e.decoded("dtstart").astimezone(PARIS).strftime("%H:%M") for e in events] == PLANNED
    assert events[0].decoded("dtend") == datetime(2021, 3, 11, 17, 35, tzinfo=PARIS)
    assert all(str(e["related-to"]) == f"{SLUG}-soiree@pitchday" for e in events)


def test_agenda_ics_uids_are_stable_and_the_time_zone_is_included(client, edition):
    first, second = calendar(client), calendar(client)

    uids = [str(e["uid"]) for e in first.walk("VEVENT")]
    assert uids == [str(e["uid"]) for e in second.walk("VEVENT")]
    assert len(set(uids)) == 4
    assert all(re.fullmatch(rf"{SLUG}-(soiree|talk-\d+)@pitchday", uid) for uid in uids)
    [zone] = first.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Europe/Paris"
