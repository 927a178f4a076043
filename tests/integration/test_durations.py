"""Pitch and Q&A lengths per edition and per talk, set by the organisers."""
from __future__ import annotations

import re

import pytest

from .conftest import ORGANISER_EMAIL, ORGANISER_PASSWORD, connect, events

pytestmark = pytest.mark.integration


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture()
def organiser(client, edition):
    token = _csrf(client.get("/organiser/login").text)
    client.post("/organiser/login", data={"email": ORGANISER_EMAIL, "password": ORGANISER_PASSWORD, "csrf_token": token})
    return client


def _form(organiser, edition, **changes):
    page = organiser.get(f"/organiser/editions/{edition.id}/durations").text
    data = {name: value for name, value in re.findall(r'name="((?:pitch|qa)[-\d]*)" value="([^"]*)"', page)}
    data.update(changes)
    data["csrf_token"] = _csrf(page)
    return organiser.post(f"/organiser/editions/{edition.id}/durations", data=data)


def test_edition_defaults_and_a_talk_override_reach_the_live_state(app, organiser, edition):
    second = edition.talks[1].id
    response = _form(organiser, edition, pitch="4:00", qa="6:30", **{f"pitch-{second}": "3:00"})
    assert response.status_code == 302
    projector = connect(app, "projector")
    snapshot = events(projector, "snapshot")[-1]
    assert snapshot["version"] == 1
    moderator_view = snapshot["state"]
    assert moderator_view["phase"] == "welcome"
    # Planned starts follow the new lengths: 17:25, then +4:00 +6:30 +1:00 changeover.
    starts = [row["planned_start"] for row in moderator_view["agenda"][:3]]
    assert starts[1] - starts[0] == (4 * 60 + 6 * 60 + 30 + 60) * 1000
    assert starts[2] - starts[1] == (3 * 60 + 6 * 60 + 30 + 60) * 1000


@pytest.mark.parametrize("bad", ["0:00", "61:00", "5:7", "abc", "-1", "5:60", "9999999"])
def test_invalid_duration_is_refused_with_a_field_error_and_keeps_the_input(organiser, edition, bad):
    response = _form(organiser, edition, pitch=bad)
    assert response.status_code == 400
    assert 'aria-invalid="true" aria-describedby="pitch-error"' in response.text
    assert f'value="{bad[:10]}"' in response.text


def test_blank_default_is_refused(organiser, edition):
    response = _form(organiser, edition, qa="")
    assert response.status_code == 400 and "Indiquez une durée" in response.text


def test_running_talk_keeps_its_countdown_when_durations_change(app, organiser, edition, moderator_http):
    import uuid

    moderator = connect(app, "moderator", http=moderator_http)
    version = events(moderator, "snapshot")[-1]["version"]
    moderator.emit("command", {"command_id": str(uuid.uuid4()), "name": "start", "args": {}, "version": version},
                   callback=True)
    before = events(connect(app, "projector"), "snapshot")[-1]["state"]
    assert _form(organiser, edition, pitch="2:00").status_code == 302
    after = events(connect(app, "projector"), "snapshot")[-1]["state"]
    assert after["ends_at"] == before["ends_at"] and after["phase_ms"] == 300_000
