"""Three pitchday processes on PostgreSQL and Redis behind Debian's nginx (deploy/nginx.conf).

Every client goes through nginx: presence summed across processes on every console, one
scheduler for the three, sticky sessions (Engine.IO long polling included), static files served by
nginx itself.
"""
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
from tests.nginxproc import NGINX, STATIC, Cluster
from tests.serverproc import PITCHDAY, REQUEST_TIMEOUT_S, get_with_retry, wait_until

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(not NGINX.exists(), reason="Debian's nginx: ./scripts/setup.sh test installs it")]
SOCKET_TIMEOUT_S = 30
PHONES = 9


@pytest.fixture(scope="module")
def database():
    """A PostgreSQL database of this module's own (the processes share it), dropped at the end."""
    name = f"pitchday_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def cluster(database, tmp_path_factory):
    running = Cluster(tmp_path_factory.mktemp("nginx"), database).start()
    yield running
    running.stop()


def device_cookie(cluster: Cluster) -> str:
    """A new phone's device cookie, as the audience page (through nginx) sets it."""
    page = get_with_retry(cluster.url("/e/jdn10/"))
    assert page.status_code == 200
    return page.cookies["pitchday_device"]


def moderator_cookie(cluster: Cluster, *, new_link: bool = False) -> str:
    """A moderator link exchanged for its cookie, through nginx: the demo's, or a new one (another
    cookie, so another place in nginx's hash: a console likely on another process)."""
    if new_link:
        printed = subprocess.run([str(PITCHDAY), "moderator-link", "jdn10", "--base-url", "http://proxy.invalid"],
                                 env={**os.environ, "PITCHDAY_DATABASE_URL": cluster.database_url},
                                 capture_output=True, text=True, timeout=120)
        assert printed.returncode == 0, printed.stderr
        link = re.search(r"/m/(\S+)", printed.stdout).group(1)
    else:
        link = cluster.servers[0].moderator_url.split("/m/", 1)[1]
    response = get_with_retry(cluster.url(f"/m/{link}"), allow_redirects=False)
    assert response.status_code == 303
    return response.cookies["pitchday_moderator"]


def client(cluster: Cluster, view: str, cookies: dict[str, str] | None = None, *, transports=("websocket",),
           reconnection: bool = False) -> socketio.SimpleClient:
    """A Socket.IO client through nginx that sends its cookies with every request, as a browser does
    (every long-polling request too, not only the first)."""
    http = requests.Session()
    for name, value in (cookies or {}).items():
        http.cookies.set(name, value)
    connection = socketio.SimpleClient(reconnection=reconnection, reconnection_delay=0.5, reconnection_delay_max=2,
                                       http_session=http)
    connection.connect(cluster.base, auth={"edition": "jdn10", "view": view}, transports=list(transports),
                       wait_timeout=SOCKET_TIMEOUT_S)
    return connection


def latest_presence(moderator: socketio.SimpleClient) -> dict:
    """The counts a console shows (without ``at_controls``, the names of this process's consoles)."""
    answer = moderator.call("resync", timeout=SOCKET_TIMEOUT_S)
    assert answer["ok"], answer
    return {view: n for view, n in answer["snapshot"]["moderator"]["presence"].items() if view != "at_controls"}


def test_static_files_are_served_by_nginx_and_pages_by_pitchday(cluster):
    style = requests.get(cluster.url("/static/css/base.css"), timeout=REQUEST_TIMEOUT_S)
    page = requests.get(cluster.url("/e/jdn10/"), timeout=REQUEST_TIMEOUT_S)
    vendor = requests.get(cluster.url("/vendor/socket.io.esm.min.js"), timeout=REQUEST_TIMEOUT_S)

    assert style.status_code == 200 and style.headers["Server"] == "nginx"
    assert "Content-Security-Policy" not in style.headers  # nginx answered, pitchday never saw it
    assert style.content == (STATIC / "css" / "base.css").read_bytes()
    assert page.status_code == 200 and "Content-Security-Policy" in page.headers  # proxied to pitchday
    assert vendor.status_code == 200 and "javascript" in vendor.headers["Content-Type"]


def test_the_pages_hashed_static_files_are_served_by_nginx_and_cached_for_good(cluster):
    """The pages link to /a/<release>/…: nginx answers them (rendered with pitchday's own release id)."""
    page = requests.get(cluster.url("/e/jdn10/"), timeout=REQUEST_TIMEOUT_S).text
    style_url = re.search(r'href="(/a/[0-9a-f]{12}/css/base\.css)"', page).group(1)
    release = style_url.split("/")[2]
    style = requests.get(cluster.url(style_url), timeout=REQUEST_TIMEOUT_S, headers={"Accept-Encoding": "gzip"})
    vendor = requests.get(cluster.url(f"/a/{release}/vendor/socket.io.esm.min.js"), timeout=REQUEST_TIMEOUT_S)

    assert style.status_code == 200 and style.headers["Server"] == "nginx"
    assert "Content-Security-Policy" not in style.headers  # nginx answered, pitchday never saw it
    assert "immutable" in style.headers["Cache-Control"] and style.headers.get("Content-Encoding") == "gzip"
    assert style.content == (STATIC / "css" / "base.css").read_bytes()
    assert vendor.status_code == 200 and "immutable" in vendor.headers["Cache-Control"]
    assert "Content-Security-Policy" not in vendor.headers


def test_presence_is_summed_across_processes_on_every_console(cluster):
    opened = []  # closed at the end whatever happens: a failure here must not leave phones to the next test
    try:
        opened += [client(cluster, "audience", {"pitchday_device": device_cookie(cluster)}) for _ in range(PHONES)]
        opened.append(client(cluster, "projector"))
        first = client(cluster, "moderator", {"pitchday_moderator": moderator_cookie(cluster)})
        opened.append(first)
        second = console_on_another_process(cluster)
        opened.append(second)
        spread = wait_until(lambda: (lambda c: c if sum(c.values()) == PHONES else None)(cluster.counts_by_process()),
                            timeout_s=SOCKET_TIMEOUT_S, message="every phone counted by its process")
        expected = {"projector": 1, "stage": 0, "moderator": 2, "audience": PHONES}
        for console in (first, second):
            wait_until(lambda: latest_presence(console) == expected, timeout_s=SOCKET_TIMEOUT_S,
                       message=f"the console sees the counts of all processes: {latest_presence(console)}")
    finally:
        for connection in opened:
            connection.disconnect()

    assert len([n for n in spread.values() if n]) >= 2, spread  # the phones did spread over processes
    wait_until(lambda: sum(cluster.counts_by_process().values()) == 0, timeout_s=SOCKET_TIMEOUT_S,
               message="the phones' departure is counted")


def console_on_another_process(cluster: Cluster) -> socketio.SimpleClient:
    """A second console, on another process than the consoles already open (new links until one is)."""
    before = wait_until(lambda: (lambda c: c if sum(c.values()) >= 1 else None)(cluster.counts_by_process("moderator")),
                        timeout_s=SOCKET_TIMEOUT_S, message="the first console is counted")
    for _attempt in range(8):
        console = client(cluster, "moderator", {"pitchday_moderator": moderator_cookie(cluster, new_link=True)})
        port = process_of(cluster, before, view="moderator")
        if not before.get(port):
            return console
        console.disconnect()
        wait_until(lambda: same_counts(cluster.counts_by_process("moderator"), before), timeout_s=SOCKET_TIMEOUT_S,
                   message="the console's departure is counted")
    raise AssertionError("eight new links, all hashed to the process of the first console")


def same_counts(a: dict[int, int], b: dict[int, int]) -> bool:
    """Equal counts per process, a process without a key counting as zero."""
    return all(a.get(port, 0) == b.get(port, 0) for port in set(a) | set(b))


def process_of(cluster: Cluster, baseline: dict[int, int], *, view: str = "audience") -> int:
    """The port of the process whose count of ``view`` is one more than in ``baseline``."""
    def moved():
        now = cluster.counts_by_process(view)
        grown = [port for port in now if now[port] == baseline.get(port, 0) + 1]
        same = all(now.get(port, 0) == baseline.get(port, 0) for port in set(now) | set(baseline) if port not in grown)
        return grown[0] if len(grown) == 1 and same else None

    try:
        return wait_until(moved, timeout_s=SOCKET_TIMEOUT_S, message=f"one more {view} counted by one process")
    except AssertionError as failed:
        raise AssertionError(f"{failed}: {baseline} then {cluster.counts_by_process(view)}") from None


@pytest.mark.parametrize("transports", [("websocket",), ("polling",)])
def test_a_phone_reconnects_to_the_same_process(cluster, transports):
    """Sticky sessions: every reconnect, and every long-polling request of one session, reach one process
    (without stickiness a polling session breaks at its second request)."""
    cookie = device_cookie(cluster)
    wait_until(lambda: sum(cluster.counts_by_process().values()) == 0, timeout_s=SOCKET_TIMEOUT_S,
               message="no phone left from another test")
    ports = []
    for _attempt in range(3):
        phone = client(cluster, "audience", {"pitchday_device": cookie}, transports=transports)
        try:
            ports.append(process_of(cluster, {}))
            for _call in range(5):  # several requests of the same Engine.IO session
                assert phone.call("clock", timeout=SOCKET_TIMEOUT_S)["server_time"] > 0
        finally:
            phone.disconnect()
        wait_until(lambda: sum(cluster.counts_by_process().values()) == 0, timeout_s=SOCKET_TIMEOUT_S,
                   message="the phone's departure is counted")

    assert len(set(ports)) == 1, ports


def test_one_scheduler_runs_for_the_three_processes(cluster):
    """Only the elected process sends the moderators' refresh: consoles on different processes get one
    refresh per period, not one per process; a due transition reaches each screen once."""
    cookies = [moderator_cookie(cluster, new_link=True) for _ in range(4)]
    consoles, phones = [], []
    try:
        consoles += [client(cluster, "moderator", {"pitchday_moderator": cookie}) for cookie in cookies]
        phones += [client(cluster, "audience", {"pitchday_device": device_cookie(cluster)}) for _ in range(PHONES)]
        wait_until(lambda: len([n for n in cluster.counts_by_process("moderator").values() if n]) >= 2,
                   timeout_s=SOCKET_TIMEOUT_S, message="consoles on two processes at least")
        watcher = consoles[0]
        refreshes = []

        def refreshed_three_times():
            name, payload = watcher.receive(timeout=SOCKET_TIMEOUT_S)
            if name == "state":
                refreshes.append(payload["server_time"])
            return len(refreshes) >= 3

        wait_until(refreshed_three_times, timeout_s=60, interval_s=0, message="three moderators' refreshes")
        # One elected scheduler refreshes every 5 s; two or three unsynchronised ones would leave a gap
        # of half that or less between two of their refreshes.
        gaps = [b - a for a, b in zip(refreshes, refreshes[1:])]
        assert all(gap >= 4000 for gap in gaps), gaps
        assert cluster.leader() in cluster.servers  # the one that sent them holds the lock

        # A due transition (the automatic switch to questions) is stored and broadcast once.
        v = to_first_talk(watcher) - 1
        assert command(watcher, "set_auto_questions", v + 1, {"enabled": True})["ok"]
        assert command(watcher, "start", v + 2)["ok"]
        assert command(watcher, "extend", v + 3, {"delta_ms": -298_000})["ok"]
        # Phones only: the moderators' room also gets the periodic refresh, at the same version.
        for phone in phones:
            switched = [m for m in states_until(phone, v + 5) if m["version"] == v + 5]
            assert [m["state"]["phase"] for m in switched] == ["questions"]
    finally:
        for connection in (*consoles, *phones):
            connection.disconnect()
        # Leave the demo as the other tests expect it: back to the welcome screen.
        reset(cluster)


def latest_version(moderator: socketio.SimpleClient) -> int:
    return moderator.call("resync", timeout=SOCKET_TIMEOUT_S)["snapshot"]["version"]


def to_first_talk(moderator: socketio.SimpleClient) -> int:
    """Put the demo's first talk up next (past its welcome and opening items, which have no
    questions phase); the version after it."""
    snapshot = moderator.call("resync", timeout=SOCKET_TIMEOUT_S)["snapshot"]
    first_talk = next(row["id"] for row in snapshot["state"]["agenda"] if row["item_kind"] == "talk")
    assert command(moderator, "jump", snapshot["version"], {"talk_id": first_talk})["ok"]
    return snapshot["version"] + 1


def command(moderator, name, version, args=None):
    return moderator.call("command", {"command_id": str(uuid.uuid4()), "name": name, "args": args or {},
                                      "version": version}, timeout=SOCKET_TIMEOUT_S)


def states_until(connection: socketio.SimpleClient, version: int) -> list[dict]:
    """Every state received until one of ``version`` (and a short drain after it, for duplicates)."""
    seen = []

    def reached():
        name, payload = connection.receive(timeout=SOCKET_TIMEOUT_S)
        if name == "state":
            seen.append(payload)
        return any(m["version"] >= version for m in seen)

    wait_until(reached, timeout_s=60, interval_s=0, message=f"state {version}")
    return seen + drain(connection)


def drain(connection: socketio.SimpleClient, quiet_s: float = 2.0) -> list[dict]:
    """The states already received, and any arriving within ``quiet_s`` (a duplicate would be there)."""
    seen = []
    while True:
        try:
            name, payload = connection.receive(timeout=quiet_s)
        except socketio.exceptions.TimeoutError:
            return seen
        if name == "state":
            seen.append(payload)


def reset(cluster: Cluster) -> None:
    moderator = client(cluster, "moderator", {"pitchday_moderator": moderator_cookie(cluster)})
    try:
        v = latest_version(moderator)
        command(moderator, "set_auto_questions", v, {"enabled": False})
    finally:
        moderator.disconnect()


def test_a_forged_x_forwarded_for_is_not_trusted(cluster):
    """nginx replaces the header with the address it saw, and pitchday trusts one hop: six failed logins
    from one machine count against it, whatever address each one claims (five a minute are allowed).
    Without a cookie nginx sends them all to one process, whose counters (in memory here) see them."""
    http = requests.Session()
    statuses = []
    for attempt in range(6):
        form = http.get(cluster.url("/organiser/login"), timeout=REQUEST_TIMEOUT_S)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        answer = http.post(cluster.url("/organiser/login"), data={"password": "pas le bon", "csrf_token": token},
                           headers={"X-Forwarded-For": f"198.51.100.{attempt + 1}"}, timeout=REQUEST_TIMEOUT_S)
        statuses.append(answer.status_code)

    assert statuses == [401] * 5 + [429]
