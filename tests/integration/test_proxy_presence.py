"""Presence and the scheduler's election through Redis, in one process: the other process is played
by writing what it would write (its expiring key) or by taking its identity (``PROCESS_ID``).

The real thing, three processes behind nginx, is in test_proxy.py and test_failover.py.
"""
from __future__ import annotations

import uuid

import pytest
import redis

from pitchday.extensions import db
from pitchday.services import cluster, presence
from pitchday.timeutil import now_ms

from .conftest import connect, phone

pytestmark = pytest.mark.integration
REDIS_URL = "redis://127.0.0.1:6379/7"


@pytest.fixture()
def shared(app, monkeypatch):
    """The app as one of several processes: a Redis message queue with a channel of this test's own."""
    channel = f"pitchday-test-{uuid.uuid4().hex}"
    monkeypatch.setitem(app.config, "PITCHDAY_MESSAGE_QUEUE", REDIS_URL)
    monkeypatch.setitem(app.config, "PITCHDAY_MESSAGE_QUEUE_CHANNEL", channel)
    store = redis.Redis.from_url(REDIS_URL)
    yield store, f"pitchday:{channel}"
    for key in store.scan_iter(match=f"pitchday:{channel}:*"):
        store.delete(key)
    store.close()
    presence._others.clear()
    presence.departures()


def another_process(store, prefix: str, counts: dict[str, int], *, ttl_ms: int = 5000, name: str = "other-1-abc") -> None:
    """What another live process writes at its pass: its counts under its own key, and its expiry."""
    store.hset(f"{prefix}:presence:{name}", mapping=counts)
    store.pexpire(f"{prefix}:presence:{name}", ttl_ms)
    store.zadd(f"{prefix}:processes", {name: now_ms() + ttl_ms})


def test_counts_are_the_sum_of_this_process_and_the_live_others(app, edition, shared):
    store, prefix = shared
    phone(app)
    connect(app, "projector")
    another_process(store, prefix, {f"{edition.id}:audience": 40, f"{edition.id}:moderator": 1, "999:audience": 7})

    with app.app_context():
        presence.share()
        counted = presence.counts(edition.id)
        mine = store.hgetall(f"{prefix}:presence:{cluster.PROCESS_ID}")

    assert counted == {"projector": 1, "stage": 0, "moderator": 1, "audience": 41}
    assert mine == {f"{edition.id}:audience".encode(): b"1", f"{edition.id}:projector".encode(): b"1"}
    assert store.pttl(f"{prefix}:presence:{cluster.PROCESS_ID}") > 0  # ours expires too, if we die


def test_a_silent_process_vanishes_and_its_editions_are_reported(app, edition, shared):
    store, prefix = shared
    another_process(store, prefix, {f"{edition.id}:audience": 12}, ttl_ms=400)
    with app.app_context():
        presence.share()
        assert presence.counts(edition.id)["audience"] == 12
        store.zadd(f"{prefix}:processes", {"other-1-abc": now_ms() - 1})  # its last refresh is past its expiry
        presence.share()
        assert presence.counts(edition.id)["audience"] == 0
        assert presence.departures() == {edition.id}
        assert presence.departures() == set()  # reported once


def test_the_peak_recorded_is_the_peak_across_processes(app, edition, shared):
    store, prefix = shared
    phone(app)
    another_process(store, prefix, {f"{edition.id}:audience": 30})
    presence.forget_peaks()
    with app.app_context():
        presence.share()
        with db.write():
            presence.record_peaks()
        with db.read() as session:
            from pitchday.models import Edition

            assert session.get(Edition, edition.id).peak_audience == 31


def test_one_process_leads_until_its_lock_expires(app, shared, monkeypatch):
    store, prefix = shared
    with app.app_context():
        assert cluster.leads() is True
        monkeypatch.setattr(cluster, "PROCESS_ID", "other-2-def")
        assert cluster.leads() is False  # another process asks: the lock is held
        store.delete(f"{prefix}:scheduler")  # the holder died: its lock expired
        assert cluster.leads() is True
        assert cluster.leader() == "other-2-def"


def test_without_redis_every_process_leads_and_counts_itself(app, edition, monkeypatch):
    monkeypatch.setitem(app.config, "PITCHDAY_MESSAGE_QUEUE", "redis://127.0.0.1:1/0")  # nothing listens there
    connect(app, "projector")
    with app.app_context():
        assert presence.share() is False
        assert cluster.leads() is True
        assert presence.counts(edition.id)["projector"] == 1


# qrwall: who is at the controls, across processes
def test_at_controls_names_the_consoles_of_every_live_process(app, edition, shared, moderator_http):
    store, prefix = shared
    connect(app, "moderator", http=moderator_http)  # this process's console: its link's label, "test"
    another_process(store, prefix, {f"{edition.id}:moderator": 2, f"holder:{edition.id}:Noé Fictif": 1,
                                    f"holder:{edition.id}:Régie: tablette 2": 1, "holder:999:Ailleurs": 1})
    with app.app_context():
        presence.share()
        seen = presence.moderator_view(edition.id)
        mine = store.hgetall(f"{prefix}:presence:{cluster.PROCESS_ID}")

    assert seen["at_controls"] == ["Noé Fictif", "Régie: tablette 2", "test"]
    assert seen["moderator"] == 3
    assert mine[f"holder:{edition.id}:test".encode()] == b"1"  # ours, for the others to read


def test_at_controls_forgets_the_consoles_of_a_process_gone_silent(app, edition, shared, moderator_http):
    store, prefix = shared
    connect(app, "moderator", http=moderator_http)
    another_process(store, prefix, {f"{edition.id}:moderator": 1, f"holder:{edition.id}:Noé Fictif": 1})
    with app.app_context():
        presence.share()
        assert presence.holders(edition.id) == ["Noé Fictif", "test"]
        store.zadd(f"{prefix}:processes", {"other-1-abc": now_ms() - 1})  # its last refresh is past its expiry
        presence.share()

        assert presence.holders(edition.id) == ["test"]
        assert presence.departures() == {edition.id}  # its consoles' departure is told
