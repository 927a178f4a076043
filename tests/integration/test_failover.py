"""kill -9 one of three pitchday processes behind nginx in the middle of a talk.

Its phones reconnect through nginx to another process and see the same remaining time; a question
sent as the process died is stored once (the phone sends it again, same client id, after the
reconnect); the dead process's clients vanish from the consoles' counts; the scheduler goes on.
"""
from __future__ import annotations

import re
import time
import uuid

import pytest
from sqlalchemy import create_engine, text

from tests.nginxproc import NGINX, Cluster
from tests.serverproc import get_with_retry, wait_until

from .test_proxy import (SOCKET_TIMEOUT_S, client, command, database, device_cookie,  # noqa: F401 -- a fixture
                         latest_presence, latest_version, moderator_cookie, process_of, states_until,
                         to_first_talk)

def ask_like_a_phone(asker, question: dict) -> dict:
    """Send ``question`` as the phone's outbox does: a new device's fresh socket is told ``too_soon``
    (domain.audience.device_standing) and sends it again a moment later, same client id."""
    def answered():
        answer = asker.call("ask", question, timeout=SOCKET_TIMEOUT_S)
        return None if not answer["ok"] and answer["error"]["code"] == "too_soon" else answer

    return wait_until(answered, timeout_s=SOCKET_TIMEOUT_S, interval_s=0.5, message="the question was taken")


pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(not NGINX.exists(), reason="Debian's nginx: ./scripts/setup.sh test installs it")]
PHONES = 9


@pytest.fixture()
def cluster(database, tmp_path):
    running = Cluster(tmp_path / "nginx", database).start()
    yield running
    running.stop()


def questions_stored(database_url: str, client_id: str) -> int:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM questions WHERE client_id = :c"), {"c": client_id}).scalar()
    engine.dispose()
    return count


def test_killed_process_phones_reconnect_elsewhere_and_nothing_is_lost(cluster):
    talk_id = int(re.search(r"/e/jdn10/echanger/(\d+)", get_with_retry(cluster.url("/e/jdn10/")).text).group(1))
    moderator = client(cluster, "moderator", {"pitchday_moderator": moderator_cookie(cluster)}, reconnection=True)
    phones, home = [], {}
    for _ in range(PHONES):  # one at a time, to know which process each one is on
        baseline = cluster.counts_by_process()
        phone = client(cluster, "audience", {"pitchday_device": device_cookie(cluster)}, reconnection=True)
        home[phone] = process_of(cluster, baseline)
        phones.append(phone)
    try:
        v = to_first_talk(moderator)
        assert command(moderator, "start", v)["ok"]
        pitch = states_until(phones[0], v + 1)[-1]["state"]
        assert pitch["phase"] == "pitch"

        # The victim: the elected scheduler if phones are on it (its successor is then tested too).
        leader = cluster.leader()
        on = {port: [p for p in phones if home[p] == port] for port in set(home.values())}
        victim = leader if leader is not None and on.get(leader.port) else \
            next(s for s in cluster.servers if s.port == max(on, key=lambda port: len(on[port])))
        cut = on[victim.port]
        survivors = [s for s in cluster.servers if s is not victim]
        for phone in cut:
            phone.input_buffer.clear()  # what they received before: the snapshot after the cut is what counts
        asker, client_id = cut[0], str(uuid.uuid4())
        question = {"client_id": client_id, "talk_id": talk_id, "text": "Et pendant la coupure ?"}
        asker.client.emit("ask", question)  # sent as the process dies: stored or lost, nobody knows
        killed_at = time.monotonic()
        victim.kill9()

        reconnected_in = []
        for phone in cut:
            snapshot = wait_until(lambda p=phone: next((m for name, m in _drain(p) if name == "snapshot"), None),
                                  timeout_s=60, interval_s=0.05, message="the phone reconnected through nginx")
            reconnected_in.append(time.monotonic() - killed_at)
            # The same talk and the same end: the remaining time is right, wherever the phone is now.
            assert snapshot["state"]["phase"] == "pitch"
            assert snapshot["state"]["timeline"] == pitch["timeline"]  # phones count down from it
            assert snapshot["version"] == v + 1
        print(f"{len(cut)} phones of the killed process reconnected in {max(reconnected_in):.2f} s at most")

        # The phone sends its pending question again after the reconnect (same client id): stored once.
        first = ask_like_a_phone(asker, question)
        again = ask_like_a_phone(asker, question)
        assert first["ok"] and again["ok"] and first["question"]["id"] == again["question"]["id"], (first, again)
        assert questions_stored(cluster.database_url, client_id) == 1

        # The dead process's clients vanish from the counts (its key expires), the moved phones counted once.
        wait_until(lambda: latest_presence(moderator)["audience"] == PHONES, timeout_s=SOCKET_TIMEOUT_S,
                   message=f"every phone counted once: {latest_presence(moderator)}")
        assert sum(cluster.counts_by_process().values()) == PHONES

        # A surviving process leads the scheduler, which still makes the due switch to questions, once.
        wait_until(lambda: cluster.leader() in survivors, timeout_s=SOCKET_TIMEOUT_S, message="a new leader")
        now = moderator.call("resync", timeout=SOCKET_TIMEOUT_S)["snapshot"]
        v, remaining = now["version"], now["state"]["ends_at"] - now["server_time"]
        assert command(moderator, "set_auto_questions", v, {"enabled": True})["ok"]
        assert command(moderator, "extend", v + 1, {"delta_ms": -(remaining - 2000)})["ok"]  # two seconds left
        for phone in cut[:3]:
            switched = [m for m in states_until(phone, v + 3) if m["version"] == v + 3]
            assert [m["state"]["phase"] for m in switched] == ["questions"]
    except Exception:
        print(cluster.log())
        raise
    finally:
        for connection in (moderator, *phones):
            connection.disconnect()


def _drain(phone):
    """The events the phone has received so far (taken out of its buffer)."""
    received = []
    while phone.input_buffer:
        received.append(phone.input_buffer.pop(0))
    return received
