"""No silent ceiling: beyond PITCHDAY_MAX_CLIENTS a new client is refused at once, with a reason, and
counted for the consoles; the serving process's own ceilings are set above it."""
from __future__ import annotations

import json

import pytest

from pitchday.config import Config
from pitchday.extensions import socketio
from pitchday.services import broadcast, capacity

from .conftest import connect, events

pytestmark = pytest.mark.integration

HANDSHAKE = "/socket.io/?EIO=4&transport=polling"


@pytest.fixture()
def small_ceiling(app):
    """A process that holds two more Engine.IO sessions than it has now; the sessions opened by the
    test are closed after it."""
    before = set(socketio.server.eio.sockets)
    saved = app.config["PITCHDAY_MAX_CLIENTS"]
    app.config["PITCHDAY_MAX_CLIENTS"] = len(before) + 2
    capacity.forget_refused()
    yield
    app.config["PITCHDAY_MAX_CLIENTS"] = saved
    capacity.forget_refused()
    for sid in set(socketio.server.eio.sockets) - before:  # no poller drains them: closed without waiting
        socketio.server.eio.sockets.pop(sid).close(wait=False, abort=True)


def test_a_client_beyond_the_ceiling_is_refused_at_once_with_its_reason(app, edition, small_ceiling):
    http = app.test_client()
    opened = [http.get(HANDSHAKE) for _ in range(2)]
    assert [r.status_code for r in opened] == [200, 200]
    assert all('"sid"' in r.get_data(as_text=True) for r in opened)  # real Engine.IO sessions

    refused = http.get(HANDSHAKE)
    assert refused.status_code == 503
    assert json.loads(refused.get_data())["code"] == "server_full"
    assert refused.headers["Retry-After"] == "5"
    assert capacity.refused() == {"server_full": 1}
    # Pages and the sessions already open are not concerned.
    assert http.get("/healthz").status_code == 200


def test_the_console_sees_how_many_clients_were_refused(app, edition, moderator_http, small_ceiling):
    moderator = connect(app, "moderator", http=moderator_http)
    assert events(moderator, "snapshot")[-1]["moderator"]["refused"] == {}
    http = app.test_client()
    statuses = [http.get(HANDSHAKE).status_code for _ in range(4)]
    assert statuses == [200, 200, 503, 503]
    with app.app_context():
        assert broadcast.snapshot(edition.id, moderator=True)["moderator"]["refused"] == {"server_full": 2}


def test_the_process_ceilings_are_above_the_clients_it_accepts():
    assert Config().MAX_CLIENTS >= 5000
    limits = capacity.server_limits(Config().MAX_CLIENTS)
    assert limits.pool_size > limits.max_clients and limits.open_files > limits.max_clients
    assert limits.backlog >= 1024

    from pitchday import gunicorn_conf

    assert gunicorn_conf.worker_class == "gevent" and gunicorn_conf.workers == 1
    assert gunicorn_conf.worker_connections == capacity.server_limits(Config().MAX_CLIENTS).pool_size


def test_eventlet_is_served_with_the_pool_and_backlog_of_the_ceiling():
    """In a process of its own: importing eventlet's green modules here would disturb the threads of
    the threading-mode test server."""
    import subprocess
    import sys

    probe = """
import json, eventlet, eventlet.wsgi
from pitchday import cli
from pitchday.services import capacity
seen = {}
eventlet.listen = lambda address, family, backlog: seen.update(backlog=backlog) or "sock"
eventlet.wsgi.server = lambda sock, app, **kw: seen.update(sock=sock, **kw)
cli._serve_eventlet(object(), "127.0.0.1", 5999, capacity.server_limits(7000))
print(json.dumps(seen))
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"backlog": capacity.LISTEN_BACKLOG, "sock": "sock", "log_output": False,
                                       "max_size": 7000 + capacity.HTTP_HEADROOM}


def test_open_files_are_raised_towards_what_the_clients_need():
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        wanted = min(hard, soft + 10) if hard != resource.RLIM_INFINITY else soft + 10
        after, _ = capacity.raise_open_files(wanted)
        assert after == resource.getrlimit(resource.RLIMIT_NOFILE)[0] >= wanted
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
