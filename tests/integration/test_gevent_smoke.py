"""Smoke test of the supported alternative deployment: gunicorn -k gevent -w 1."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import socketio

from tests.serverproc import START_TIMEOUT_S, free_port, get_with_retry, healthy

pytestmark = pytest.mark.integration
VENV_BIN = Path(sys.executable).parent


SOCKET_TIMEOUT_S = 30  # a loaded machine answers late, it still answers


def wait_until_up(url: str, process: subprocess.Popen, timeout_s: float = START_TIMEOUT_S) -> None:
    """Poll ``url`` until it answers; any request error (refused, reset, read timeout) is a "not yet"."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server stopped (its output: gunicorn.log in the test's tmp_path)"
        if healthy(url):
            return
        time.sleep(0.2)
    raise AssertionError(f"{url} did not come up in {timeout_s} s")


def test_gevent_worker_serves_pages_and_realtime_commands(tmp_path):
    env = {**os.environ, "PITCHDAY_DATABASE_URL": f"sqlite:///{tmp_path / 'pitchday.sqlite3'}",
           "PITCHDAY_ASYNC_MODE": "gevent", "PYTHONUNBUFFERED": "1"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # Load the demo edition and mint a moderator link with the CLI (not serving).
    subprocess.run([VENV_BIN / "python", "-c", "from pitchday import create_app; from pitchday.migrate import upgrade;"
                    "from pitchday.config import Config; upgrade(Config().DATABASE_URL); app = create_app();"
                    "from pitchday.services import editions; from pitchday.extensions import db; app.app_context().push()\n"
                    "with db.write(): editions.load_demo_edition()"],
                   env=env, check=True, timeout=300)
    link = subprocess.run([VENV_BIN / "pitchday", "moderator-link", "jdn10", "--base-url", base],
                          env=env, check=True, capture_output=True, text=True, timeout=300).stdout
    token_url = re.search(r"(http://\S+/m/\S+)", link).group(1)
    # Its output goes to a file, never to a pipe nobody reads: a full pipe would block the server.
    log = open(tmp_path / "gunicorn.log", "w")
    server = subprocess.Popen([VENV_BIN / "gunicorn", "-k", "gevent", "-w", "1", "-b", f"127.0.0.1:{port}",
                               "pitchday.wsgi:app"], env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until_up(f"{base}/healthz", server)
        assert get_with_retry(f"{base}/e/jdn10/projector").status_code == 200
        cookie = get_with_retry(token_url, allow_redirects=False).cookies["pitchday_moderator"]

        projector, moderator = socketio.SimpleClient(), socketio.SimpleClient()
        projector.connect(base, auth={"edition": "jdn10", "view": "projector"}, transports=["websocket"],
                          wait_timeout=SOCKET_TIMEOUT_S)
        moderator.connect(base, auth={"edition": "jdn10", "view": "moderator"}, transports=["websocket"],
                          headers={"Cookie": f"pitchday_moderator={cookie}"}, wait_timeout=SOCKET_TIMEOUT_S)
        try:
            name, snapshot = projector.receive(timeout=SOCKET_TIMEOUT_S)
            assert name == "snapshot" and snapshot["state"]["phase"] == "welcome"
            ack = moderator.call("command", {"command_id": str(uuid.uuid4()), "name": "start", "args": {},
                                             "version": snapshot["version"]}, timeout=SOCKET_TIMEOUT_S)
            assert ack == {"ok": True, "version": snapshot["version"] + 1}
            while True:
                name, message = projector.receive(timeout=SOCKET_TIMEOUT_S)
                if name == "state":
                    break
            # The demo evening opens with its welcome: one timed phase (domain.show.Phase.SEGMENT).
            assert message["version"] == snapshot["version"] + 1 and message["state"]["phase"] == "segment"
        finally:
            projector.disconnect()
            moderator.disconnect()
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
