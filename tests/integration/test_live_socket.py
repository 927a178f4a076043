"""The live run of show through the Socket.IO test client, on SQLite and PostgreSQL."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from pitchday.extensions import db
from pitchday.domain.show import COMMANDS
from pitchday.services import access

from tests.factories import TITLES

from .conftest import connect, events

pytestmark = pytest.mark.integration


def command(sio, name, version, args=None, command_id=None):
    return sio.emit("command", {"command_id": command_id or str(uuid.uuid4()), "name": name,
                                "args": args or {}, "version": version}, callback=True)


def without_projection(state):
    """The state minus the times that move with the clock: projected starts, and the plan of an
    edition dated in the past which, replayed today and not started yet, counts from now."""
    moving = {"projected_start", "planned_start"}
    return {**state, "agenda": [{k: v for k, v in row.items() if k not in moving} for row in state["agenda"]]}


def snapshot_of(sio):
    return events(sio, "snapshot")[-1]


def test_snapshot_on_connect_holds_version_time_and_running_order(app, edition):
    projector = connect(app, "projector")
    snap = snapshot_of(projector)
    assert snap["version"] == 0
    assert isinstance(snap["server_time"], int)
    assert snap["state"]["phase"] == "welcome"
    assert [row["title"] for row in snap["state"]["agenda"]] == TITLES
    assert [row["kind"] for row in snap["state"]["agenda"]] == ["solution", "besoin", "retour_experience"]
    assert "moderator" not in snap


def test_moderator_start_is_committed_then_broadcast_to_every_view(app, edition, moderator_http):
    moderator = connect(app, "moderator", http=moderator_http)
    projector, stage = connect(app, "projector"), connect(app, "stage")
    version = snapshot_of(moderator)["version"]
    ack = command(moderator, "start", version)
    assert ack == {"ok": True, "version": version + 1}
    received = [events(sio, "state")[-1] for sio in (projector, stage)]
    for state in received:
        assert state["version"] == version + 1
        assert state["state"]["phase"] == "pitch"
        assert state["state"]["current"]["title"] == TITLES[0]
        assert state["state"]["ends_at"] - state["server_time"] <= 300_000
    # A new connection (a restarted screen, a phone) gets the same committed state.
    assert snapshot_of(connect(app, "projector"))["state"]["ends_at"] == received[0]["state"]["ends_at"]
    assert snapshot_of(connect(app, "audience"))["state"]["timeline"] == received[0]["state"]["timeline"]


def test_moderator_snapshot_carries_drift_presence_and_undo(app, edition, moderator_http):
    connect(app, "projector")
    moderator = connect(app, "moderator", http=moderator_http)
    extras = snapshot_of(moderator)["moderator"]
    assert extras["can_undo"] is False
    assert extras["presence"]["projector"] == 1
    assert extras["presence"]["moderator"] == 1
    assert isinstance(extras["projected_end"], int)


@pytest.mark.parametrize("view", ["projector", "stage", "audience"])
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_from_a_non_moderator_socket_is_forbidden(app, edition, view, name):
    sio = connect(app, view)
    version = snapshot_of(sio)["version"]
    ack = command(sio, name, version, {"delta_ms": 30000, "talk_id": 1, "mode": "skip", "text": "x",
                                      "enabled": True, "order": []})
    assert ack["ok"] is False and ack["error"]["code"] == "forbidden"
    assert snapshot_of(connect(app, "projector"))["version"] == version


def test_moderator_socket_without_cookie_is_refused(app, edition):
    sio = connect(app, "moderator")
    assert not sio.is_connected()


def test_unknown_edition_is_refused(app, edition):
    assert not connect(app, "projector", edition_slug="nope").is_connected()


def test_revoked_link_stops_commands_at_once(app, edition, moderator_http):
    moderator = connect(app, "moderator", http=moderator_http)
    version = snapshot_of(moderator)["version"]
    with app.app_context(), db.write():
        # Revoked by another process (whose revocation cannot cut this process's socket off at once):
        # the link is checked again at every command.
        for link in access.moderator_links(edition.id):
            link.revoked_at = datetime.now(timezone.utc)
    ack = command(moderator, "start", version)
    assert ack["error"]["code"] == "forbidden"
    assert not connect(app, "moderator", http=moderator_http).is_connected()


def test_stale_version_is_refused_and_changes_nothing(app, edition, moderator_http):
    tablet_a = connect(app, "moderator", http=moderator_http)
    tablet_b = connect(app, "moderator", http=moderator_http)
    seen = snapshot_of(tablet_b)["version"]
    assert command(tablet_a, "start", seen)["ok"] is True
    ack = command(tablet_b, "extend", seen, {"delta_ms": 30000})
    assert ack["ok"] is False and ack["error"]["code"] == "stale"
    assert ack["version"] == seen + 1
    state = snapshot_of(connect(app, "projector"))
    assert state["version"] == seen + 1 and state["state"]["phase_ms"] == 300_000


def test_retried_command_is_applied_once_and_answered_the_same(app, edition, moderator_http):
    moderator = connect(app, "moderator", http=moderator_http)
    version = snapshot_of(moderator)["version"]
    command(moderator, "start", version)
    command_id = str(uuid.uuid4())
    first = command(moderator, "extend", version + 1, {"delta_ms": 30000}, command_id=command_id)
    again = command(moderator, "extend", version + 1, {"delta_ms": 30000}, command_id=command_id)
    assert first == again == {"ok": True, "version": version + 2}
    assert snapshot_of(connect(app, "projector"))["state"]["phase_ms"] == 330_000


@pytest.mark.parametrize("payload, code", [
    (None, "bad_request"),
    ("start", "bad_request"),
    ({"command_id": "short", "name": "start", "args": {}, "version": 1}, "bad_request"),
    ({"command_id": str(uuid.uuid4()), "name": "explode", "args": {}, "version": 1}, "bad_request"),
    ({"command_id": str(uuid.uuid4()), "name": "start", "args": [], "version": 1}, "bad_request"),
    ({"command_id": str(uuid.uuid4()), "name": "start", "args": {}, "version": "1"}, "bad_request"),
    ({"command_id": str(uuid.uuid4()), "name": "jump", "args": {"talk_id": 999999}, "version": 1}, "unknown_talk"),
    ({"command_id": str(uuid.uuid4()), "name": "jump", "args": {"talk_id": "3"}, "version": 1}, "bad_args"),
    ({"command_id": str(uuid.uuid4()), "name": "message", "args": {"text": "x" * 141}, "version": 1}, "too_long"),
    ({"command_id": str(uuid.uuid4()), "name": "set_mode", "args": {"mode": "disco"}, "version": 1}, "bad_args"),
    ({"command_id": str(uuid.uuid4()), "name": "pause", "args": {}, "version": 1}, "wrong_phase"),
])
def test_bad_command_gets_a_clear_error_and_changes_nothing(app, edition, moderator_http, payload, code):
    moderator = connect(app, "moderator", http=moderator_http)
    before = snapshot_of(moderator)
    if isinstance(payload, dict) and isinstance(payload["version"], int):
        payload = {**payload, "version": before["version"]}
    ack = moderator.emit("command", payload, callback=True)
    assert ack["ok"] is False
    assert ack["error"]["code"] == code
    assert ack["error"]["message"]
    after = snapshot_of(connect(app, "projector"))
    assert after["version"] == before["version"]
    assert without_projection(after["state"]) == without_projection(before["state"])


@pytest.mark.parametrize("delta", [0, 600_001, -600_001, 1.5, True])
def test_out_of_range_extension_is_refused(app, edition, moderator_http, delta):
    moderator = connect(app, "moderator", http=moderator_http)
    version = snapshot_of(moderator)["version"]
    command(moderator, "start", version)
    ack = command(moderator, "extend", version + 1, {"delta_ms": delta})
    assert ack["error"]["code"] == "bad_args"


def test_full_evening_sequence_with_undo(app, edition, moderator_http):
    moderator = connect(app, "moderator", http=moderator_http)
    v = snapshot_of(moderator)["version"]
    steps = [("start", {}), ("pause", {}), ("extend", {"delta_ms": 60000}), ("resume", {}),
             ("questions", {}), ("next", {}), ("undo", {})]
    for name, args in steps:
        ack = command(moderator, name, v, args)
        assert ack["ok"] is True, (name, ack)
        v = ack["version"]
    state = snapshot_of(connect(app, "projector"))["state"]
    assert state["phase"] == "questions"  # the undo brought the talk back on stage
    assert state["current"]["title"] == TITLES[0]
    assert state["agenda"][0]["status"] == "now"


def test_clock_answers_with_server_time(app, edition):
    sio = connect(app, "audience")
    answer = sio.emit("clock", callback=True)
    assert isinstance(answer["server_time"], int) and answer["server_time"] > 1_700_000_000_000


def test_state_is_durable_before_it_is_broadcast(app, edition, moderator_http, database_url, monkeypatch):
    """At the very moment a state leaves the server, another process already reads it in the database.

    Each emit of "state" is intercepted at Flask-SocketIO (the library, not our code) and the live row
    read there through a connection of its own: a broadcast sent before its commit would carry a
    version that the other connection does not see yet.
    """
    from sqlalchemy import create_engine, select

    from pitchday.extensions import socketio
    from pitchday.models import LiveState

    other_process = create_engine(database_url)
    seen: list[tuple[int, int]] = []  # (version sent, version another connection reads at that moment)
    library_emit = socketio.emit

    def emit_seen_from_outside(event, *args, **kwargs):
        if event == "state":
            with other_process.connect() as conn:
                stored = conn.execute(select(LiveState.version).where(LiveState.edition_id == edition.id)).scalar_one()
            seen.append((args[0]["version"], stored))
        return library_emit(event, *args, **kwargs)

    monkeypatch.setattr(socketio, "emit", emit_seen_from_outside)
    moderator = connect(app, "moderator", http=moderator_http)
    v = snapshot_of(moderator)["version"]
    try:
        assert command(moderator, "start", v)["ok"]
        assert command(moderator, "questions", v + 1)["ok"]
    finally:
        other_process.dispose()

    # Three rooms per change (phones, screens and moderators), each sent only once durable.
    assert seen == [(v + 1, v + 1)] * 3 + [(v + 2, v + 2)] * 3


def test_refusal_is_explained_in_french_by_default_and_in_english_on_request(app, edition, moderator_http):
    moderator = connect(app, "moderator", http=moderator_http)
    version = snapshot_of(moderator)["version"]
    ack = command(moderator, "pause", version)
    assert ack["error"] == {"code": "wrong_phase", "message": "Impossible à cette étape de la soirée."}
    moderator_http.get(f"/e/{edition.slug}/moderator?lang=en")  # the language cookie the page sets
    english = connect(app, "moderator", http=moderator_http)
    ack = command(english, "pause", version)
    assert ack["error"] == {"code": "wrong_phase", "message": "Not possible at this stage of the evening."}


def test_moderator_extras_at_networking_allow_neither_questions_nor_next(app, edition, moderator_http):
    moderator = connect(app, "moderator", http=moderator_http)
    assert command(moderator, "networking", snapshot_of(moderator)["version"])["ok"] is True

    extras = events(moderator, "state")[-1]["moderator"]

    assert extras["allowed"] == ["end", "undo", "qr_fullscreen"]
    assert extras["coming_next"] == "end"
    assert extras["main_action"] == {"command": None, "label": "start"}


def test_moderator_extras_of_an_edition_without_talks_offer_no_start(app, moderator_http):
    from .conftest import fresh_edition

    empty = fresh_edition(app, slug="sans-talks", talks=())
    with app.app_context(), db.write():
        _link, token = access.create_moderator_link(empty.id, hours=2, label="test")
    http = app.test_client()
    assert http.get(f"/m/{token}").status_code == 303
    extras = snapshot_of(connect(app, "moderator", http=http))["moderator"]

    assert extras["allowed"] == ["networking", "qr_fullscreen"]
    assert extras["coming_next"] == "no_talk"
    assert extras["main_action"]["command"] is None


def test_stage_message_leaves_every_screen_with_its_talk(app, edition, moderator_http):
    moderator = connect(app, "moderator", http=moderator_http)
    stage = connect(app, "stage")
    v = snapshot_of(moderator)["version"]
    assert command(moderator, "start", v)["ok"] is True
    assert command(moderator, "message", v + 1, {"text": "Concluez"})["ok"] is True
    assert events(stage, "state")[-1]["state"]["stage_message"] == {"id": 1, "text": "Concluez"}
    assert events(moderator, "state")[-1]["moderator"]["allowed"] == [
        "pause", "questions", "next", "networking", "undo", "dismiss_message", "extend", "qr_fullscreen"]

    assert command(moderator, "next", v + 2)["ok"] is True

    assert events(stage, "state")[-1]["state"]["stage_message"] is None
    assert "dismiss_message" not in events(moderator, "state")[-1]["moderator"]["allowed"]
