"""Who is at the controls, with two real pitchday processes on one PostgreSQL database and one Redis: each
console names the consoles of both processes, and forgets those of a process killed with ``kill -9``."""
from __future__ import annotations

import os
import re
import subprocess
import uuid

import pytest
import requests
import socketio
from sqlalchemy import create_engine, text

from tests.conftest import POSTGRES_ADMIN_URL
from tests.serverproc import PITCHDAY, Server, get_with_retry, wait_until

pytestmark = pytest.mark.integration
SOCKET_TIMEOUT_S = 30
REDIS_URL = "redis://127.0.0.1:6379/7"


@pytest.fixture()
def two_processes():
    """The demo on process 0, a plain server on process 1: the same database, the same Redis (a channel of
    this test's own: nothing of it is seen by another test run)."""
    name = f"pitchday_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    database_url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    env = {"PITCHDAY_MESSAGE_QUEUE": REDIS_URL, "PITCHDAY_MESSAGE_QUEUE_CHANNEL": f"pitchday-test-{uuid.uuid4().hex}",
           "PITCHDAY_RATE_LIMIT_STORAGE": "memory://"}
    servers = [Server(database_url, command="demo", env=env), Server(database_url, command="serve", env=env)]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def new_link(server: Server, label: str) -> str:
    printed = subprocess.run([str(PITCHDAY), "moderator-link", "jdn10", "--label", label, "--base-url", server.base],
                             env={**os.environ, "PITCHDAY_DATABASE_URL": server.database_url},
                             capture_output=True, text=True, timeout=120)
    assert printed.returncode == 0, printed.stderr
    return re.search(r"(http://\S+/m/\S+)", printed.stdout).group(1)


def console(server: Server, link: str) -> socketio.SimpleClient:
    """A moderator console on ``server``, opened by ``link`` (exchanged there for its cookie)."""
    answer = get_with_retry(server.url("/m/" + link.split("/m/", 1)[1]), allow_redirects=False)
    assert answer.status_code == 303
    http = requests.Session()
    http.cookies.set("pitchday_moderator", answer.cookies["pitchday_moderator"])
    connection = socketio.SimpleClient(http_session=http)
    connection.connect(server.base, auth={"edition": "jdn10", "view": "moderator"}, transports=["websocket"],
                       wait_timeout=SOCKET_TIMEOUT_S)
    return connection


def at_controls(connection: socketio.SimpleClient) -> list[str]:
    answer = connection.call("resync", timeout=SOCKET_TIMEOUT_S)
    assert answer["ok"], answer
    return answer["snapshot"]["moderator"]["presence"]["at_controls"]


def test_at_controls_names_the_consoles_of_every_process_and_forgets_a_dead_one(two_processes):
    first, second = two_processes
    opened = []
    try:
        here = console(first, first.moderator_url)  # the demo's link: "demo"
        opened.append(here)
        there = console(second, new_link(second, "Noé Fictif"))
        opened.append(there)

        for connection in (here, there):
            wait_until(lambda: at_controls(connection) == ["Noé Fictif", "demo"], timeout_s=SOCKET_TIMEOUT_S,
                       interval_s=0.2, message=f"both consoles named on each process: {at_controls(connection)}")

        second.kill9()  # no goodbye: its key in Redis expires
        wait_until(lambda: at_controls(here) == ["demo"], timeout_s=SOCKET_TIMEOUT_S, interval_s=0.2,
                   message=f"the dead process's console forgotten: {at_controls(here)}")
    finally:
        for connection in opened:
            try:
                connection.disconnect()
            except Exception:  # the killed process's socket is gone already
                pass
