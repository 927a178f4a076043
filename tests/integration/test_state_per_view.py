"""What each view receives of the live state, the snapshot shared by the phones, one emit per room."""
from __future__ import annotations

import json
import re
import uuid

import pytest

from pitchday.extensions import socketio
from pitchday.services import broadcast, presenter

from tests.factories import TALKS, TITLES

from .conftest import connect, events, phone

pytestmark = pytest.mark.integration


def command(sio, name, version, args=None):
    return sio.emit("command", {"command_id": str(uuid.uuid4()), "name": name, "args": args or {},
                                "version": version}, callback=True)


def last(sio, name):
    return events(sio, name)[-1]


def started(app, moderator_http):
    """The moderator's socket, once the first talk has started (its snapshot's version + 1)."""
    moderator = connect(app, "moderator", http=moderator_http)
    version = last(moderator, "snapshot")["version"]
    assert command(moderator, "start", version)["ok"]
    return moderator, version + 1


def test_a_phone_receives_only_what_the_audience_page_renders(app, edition, moderator_http):
    _http, audience = phone(app)
    projector = connect(app, "projector")
    moderator, version = started(app, moderator_http)

    sent = last(audience, "state")
    assert sent["version"] == version and "moderator" not in sent
    state = sent["state"]
    assert set(state) == set(presenter.PHONE_STATE)
    assert state["phase"] == "pitch" and state["followed_talk"] == state["current"]["id"]
    # The phone names an item of the rundown by its kind and its speaker (a welcome has no team).
    assert state["current"] == {"id": state["current"]["id"], "kind": TALKS[0].kind, "item_kind": "talk",
                                "title": TITLES[0], "organisation": TALKS[0].organisation,
                                "speaker": TALKS[0].speaker}
    assert state["next"] == {"title": TITLES[1]}
    # Agenda rows: the talk's id, its status and the one time the phone shows (actual, else projected).
    whole = last(projector, "state")["state"]
    assert [row["id"] for row in state["agenda"]] == [row["id"] for row in whole["agenda"]]
    assert state["agenda"][0] == {"id": whole["agenda"][0]["id"], "status": "now",
                                  "actual_start": whole["agenda"][0]["actual_start"]}
    assert state["agenda"][1] == {"id": whole["agenda"][1]["id"], "status": whole["agenda"][1]["status"],
                                  "projected_start": whole["agenda"][1]["projected_start"]}
    assert state["timeline"] == whole["timeline"]  # the countdown is the same everywhere

    # The phone's first snapshot is trimmed the same way.
    assert set(last(phone(app)[1], "snapshot")["state"]) == set(presenter.PHONE_STATE)


def test_projector_and_stage_receive_the_whole_public_state_and_only_consoles_the_extras(app, edition, moderator_http):
    projector, stage = connect(app, "projector"), connect(app, "stage")
    _http, audience = phone(app)
    moderator, version = started(app, moderator_http)
    screens = [last(screen, "state") for screen in (projector, stage)]
    for sent in screens:
        assert sent["version"] == version and "moderator" not in sent
        assert sent["state"]["current"]["speaker"] == TALKS[0].speaker
        assert [row["title"] for row in sent["state"]["agenda"]] == TITLES
    assert "moderator" not in last(audience, "state")
    console = last(moderator, "state")
    assert console["moderator"]["presence"]["audience"] == 1 and "allowed" in console["moderator"]
    assert console["state"] == screens[0]["state"]


def test_the_audience_page_names_the_talks_the_state_leaves_out(app, edition):
    http, _audience = phone(app)
    page = http.get(f"/e/{edition.slug}/").get_data(as_text=True)
    block = re.search(r'<script type="application/json" id="talks">(.*?)</script>', page, re.S).group(1)
    talks = json.loads(block)
    assert [talks[str(t.id)] for t in edition.talks] == [
        {"title": spec.title, "organisation": spec.organisation, "kind": spec.kind, "item_kind": "talk",
         "speaker": spec.speaker} for spec in TALKS]


def test_one_emit_per_room_whatever_the_number_of_phones(app, edition, moderator_http, monkeypatch):
    for _ in range(4):
        phone(app)
    connect(app, "projector")
    sent: list[str] = []
    library_emit = socketio.emit

    def counted(event, *args, **kwargs):
        if event == "state":
            sent.append(kwargs["to"])
        return library_emit(event, *args, **kwargs)

    monkeypatch.setattr(socketio, "emit", counted)
    started(app, moderator_http)
    assert sorted(sent) == sorted([broadcast.state_room(edition.id, "audience"),
                                   broadcast.state_room(edition.id, "projector"),
                                   broadcast.moderator_room(edition.id)])


def test_phones_share_one_snapshot_per_version(app, edition, moderator_http, monkeypatch):
    built: list[int] = []
    library_snapshot = broadcast.snapshot

    def counted(edition_id, *, moderator, show=None):
        if not moderator:
            built.append(edition_id)
        return library_snapshot(edition_id, moderator=moderator, show=show)

    monkeypatch.setattr(broadcast, "snapshot", counted)
    moderator, version = started(app, moderator_http)
    phones = [phone(app)[1] for _ in range(5)]
    assert built == [edition.id]  # five phones connected, one snapshot built
    assert {last(p, "snapshot")["version"] for p in phones} == {version}
    projector = connect(app, "projector")
    assert built == [edition.id] and last(projector, "snapshot")["state"]["current"]["speaker"] == TALKS[0].speaker

    # A new version: the next phone gets it, built once more.
    assert command(moderator, "extend", version, {"delta_ms": 30_000})["ok"]
    late = phone(app)[1]
    assert last(late, "snapshot")["version"] == version + 1
    assert built == [edition.id, edition.id]


def test_a_shared_snapshot_older_than_its_limit_is_built_again(app, edition, monkeypatch):
    phone(app)
    monkeypatch.setattr(broadcast, "SHARED_SNAPSHOT_MS", 0)  # every connect finds it too old
    built: list[int] = []
    library_snapshot = broadcast.snapshot
    monkeypatch.setattr(broadcast, "snapshot", lambda edition_id, **kw: built.append(1) or library_snapshot(edition_id, **kw))
    phone(app)
    phone(app)
    assert len(built) == 2


def test_a_phone_resyncing_gets_the_trimmed_snapshot(app, edition):
    _http, audience = phone(app)
    answer = audience.emit("resync", callback=True)
    assert answer["ok"] and set(answer["snapshot"]["state"]) == set(presenter.PHONE_STATE)
    assert "moderator" not in answer["snapshot"]


def test_a_phone_arriving_costs_no_write(app, edition, monkeypatch):
    """The audience page, its device cookie and the socket's connect and snapshot only read."""
    from pitchday.db import _UnitOfWork

    writes: list[bool] = []
    library_enter = _UnitOfWork.__enter__

    def counted(self):
        if self.writes:
            writes.append(True)
        return library_enter(self)

    monkeypatch.setattr(_UnitOfWork, "__enter__", counted)
    http, audience = phone(app)
    assert http.get_cookie("pitchday_device") is not None  # the phone got its identity
    assert last(audience, "snapshot")["version"] == 0
    assert writes == []


def test_phones_arriving_while_the_snapshot_is_rebuilt_wait_for_that_one_build(app, edition, monkeypatch):
    """The connect storm: when the shared snapshot is stale, one phone rebuilds it and the others
    take its result, instead of each reading the edition again."""
    import threading

    with app.app_context():
        broadcast.shared_snapshot(edition.id, "audience")
    monkeypatch.setattr(broadcast, "SHARED_SNAPSHOT_MS", 60_000)
    broadcast.forget_snapshots()
    building, release = threading.Event(), threading.Event()
    built: list[int] = []
    library_snapshot = broadcast.snapshot

    def slow_snapshot(edition_id, **kw):
        built.append(edition_id)
        building.set()
        assert release.wait(60)
        return library_snapshot(edition_id, **kw)

    monkeypatch.setattr(broadcast, "snapshot", slow_snapshot)
    waiting = threading.Event()

    class SeenLock:  # tells the test when the second phone is waiting for the rebuild
        def __init__(self):
            self.lock = threading.Lock()

        def __enter__(self):
            if self.lock.locked():
                waiting.set()
            self.lock.acquire()

        def __exit__(self, *exc):
            self.lock.release()

    class Locks(dict):
        def setdefault(self, key, _default=None):
            return super().setdefault(key, SeenLock())

    monkeypatch.setattr(broadcast, "_rebuilding", Locks())
    answers: list[dict] = []

    def connect_one():
        with app.app_context():
            answers.append(broadcast.shared_snapshot(edition.id, "audience"))

    first = threading.Thread(target=connect_one)
    first.start()
    assert building.wait(60)
    second = threading.Thread(target=connect_one)
    second.start()
    assert waiting.wait(60)
    release.set()
    first.join(60)
    second.join(60)
    assert built == [edition.id]
    assert len(answers) == 2 and answers[0]["version"] == answers[1]["version"]
