"""Outages of the servers pitchday depends on, behind nginx: our OWN Redis and PostgreSQL, never the machine's.

Redis stopped for 10 s then started again: commands still apply (the database is the authority),
and the screens catch up by themselves once it is back. PostgreSQL restarted: commands during the
restart are refused with a clear message, then work again; nothing half-applied.
"""
from __future__ import annotations

import time
import uuid

import pytest

from tests.nginxproc import NGINX, Cluster
from tests.outageproc import PostgresCluster, RedisServer
from tests.serverproc import wait_until

from .test_proxy import (SOCKET_TIMEOUT_S, client, command, database, latest_presence, to_first_talk,  # noqa: F401 -- a fixture
                         latest_version, moderator_cookie, process_of, same_counts)

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(not NGINX.exists(), reason="Debian's nginx: ./scripts/setup.sh test installs it")]
OUTAGE_S = 10  # the scenario: how long Redis stays down


def moderator_away_from(cluster: Cluster, port: int):
    """A console on another process than ``port`` (new links until nginx's hash puts one there)."""
    for _attempt in range(8):
        baseline = cluster.counts_by_process("moderator")
        console = client(cluster, "moderator", {"pitchday_moderator": moderator_cookie(cluster, new_link=True)})
        if process_of(cluster, baseline, view="moderator") != port:
            return console
        console.disconnect()
        wait_until(lambda: same_counts(cluster.counts_by_process("moderator"), baseline), timeout_s=SOCKET_TIMEOUT_S,
                   message="the console's departure is counted")
    raise AssertionError("eight new links, all hashed to the projector's process")


def states(connection) -> list[dict]:
    received = []
    while connection.input_buffer:
        name, payload = connection.input_buffer.pop(0)
        if name in ("state", "snapshot"):
            received.append(payload)
    return received


def test_redis_outage_commands_apply_and_screens_catch_up(database, tmp_path):
    redis_server = RedisServer(tmp_path / "redis").start()
    cluster = Cluster(tmp_path / "nginx", database, redis_url=redis_server.url).start()
    projector = moderator = None
    try:
        projector = client(cluster, "projector")
        home = process_of(cluster, {}, view="projector")
        moderator = moderator_away_from(cluster, home)
        v = to_first_talk(moderator)
        shown = []

        redis_server.stop()
        stopped_at = time.monotonic()
        # During the outage: the commands are stored and acknowledged (the answer needs no Redis).
        assert command(moderator, "start", v)["ok"]
        assert command(moderator, "extend", v + 1, {"delta_ms": 60_000})["ok"]
        assert latest_version(moderator) == v + 2
        wait_until(lambda: all("Redis unavailable" in s.log() for s in cluster.servers), timeout_s=60,
                   message="every process noticed the outage")
        wait_until(lambda: time.monotonic() - stopped_at >= OUTAGE_S, timeout_s=OUTAGE_S + 5, interval_s=0.2)
        shown += states(projector)
        assert all(m["version"] < v + 2 for m in shown)  # the broadcasts went nowhere meanwhile

        redis_server.start()  # same port, empty: as a restarted Redis
        # Nobody sends anything: the projector, on another process than the moderator, catches up.
        def caught_up():
            shown.extend(states(projector))
            return any(m["version"] == v + 2 and m["state"]["phase"] == "pitch" for m in shown)

        wait_until(caught_up, timeout_s=60, interval_s=0.1, message="the projector caught up after the outage")
        # And the queue works again: the next command reaches it through Redis.
        assert command(moderator, "pause", v + 2)["ok"]

        def paused():
            shown.extend(states(projector))
            return any(m["version"] == v + 3 for m in shown)

        wait_until(paused, timeout_s=60, interval_s=0.1, message="the next command reached the projector")
        # Presence is shared again: the console counts the projector of the other process.
        wait_until(lambda: latest_presence(moderator)["projector"] == 1, timeout_s=SOCKET_TIMEOUT_S,
                   message="presence shared again")
    except Exception:
        print(cluster.log())
        raise
    finally:
        for connection in (projector, moderator):
            if connection is not None:
                connection.disconnect()
        cluster.stop()
        redis_server.stop()


@pytest.fixture()
def own_postgres():
    """A PostgreSQL cluster of this test's own (initdb in a temporary folder, another port)."""
    server = PostgresCluster().init()
    yield server
    server.remove()


def test_postgresql_restart_refuses_commands_clearly_then_they_work_again(own_postgres, tmp_path):
    cluster = Cluster(tmp_path / "nginx", own_postgres.url).start()
    projector = moderator = None
    try:
        moderator = client(cluster, "moderator", {"pitchday_moderator": moderator_cookie(cluster)})
        projector = client(cluster, "projector")
        v = latest_version(moderator)
        assert command(moderator, "start", v)["ok"]

        own_postgres.stop()
        pause = {"command_id": str(uuid.uuid4()), "name": "pause", "args": {}, "version": v + 1}
        refused = moderator.call("command", pause, timeout=SOCKET_TIMEOUT_S)
        assert refused["ok"] is False and refused["error"]["code"] == "database_unavailable"
        assert refused["error"]["message"].startswith("La base de données ne répond pas")

        own_postgres.start()
        # The refused command left nothing behind: the same one, sent again, applies now.
        again = wait_until(lambda: (lambda a: a if a["ok"] or a["error"]["code"] != "database_unavailable" else None)(
            moderator.call("command", pause, timeout=SOCKET_TIMEOUT_S)), timeout_s=60, interval_s=0.5,
            message="the database answers again")
        assert again == {**again, "ok": True}
        assert latest_version(moderator) == v + 2
        shown = []

        def paused():
            shown.extend(states(projector))
            return any(m["version"] == v + 2 for m in shown)

        wait_until(paused, timeout_s=60, interval_s=0.1, message="the projector shows the pause")
    except Exception:
        print(cluster.log())
        raise
    finally:
        for connection in (projector, moderator):
            if connection is not None:
                connection.disconnect()
        cluster.stop()
