"""No silent ceiling through nginx: a client beyond a ceiling gets an answer (503 server_full), never
a hang, whether the ceiling is a gevent process's (gunicorn -c python:pitchday.gunicorn_conf) or
nginx's own (deploy/nginx.conf's limit_conn). Correctness only: speed is measured in bench/."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import socketio

from tests.nginxproc import NGINX, Nginx
from tests.serverproc import REQUEST_TIMEOUT_S, Server, free_port, wait_until

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(not NGINX.exists(), reason="Debian's nginx is not installed (scripts/setup.sh)")]
VENV_BIN = Path(sys.executable).parent
HANDSHAKE = "/socket.io/?EIO=4&transport=polling"
SOCKET_TIMEOUT_S = 30


def audience(base: str) -> socketio.SimpleClient:
    client = socketio.SimpleClient()
    client.connect(base, auth={"edition": "jdn10", "view": "audience"}, transports=["websocket"],
                   wait_timeout=SOCKET_TIMEOUT_S)
    name, _snapshot = client.receive(timeout=SOCKET_TIMEOUT_S)
    assert name == "snapshot"
    return client


def assert_refused_server_full(response: requests.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "server_full"
    assert response.headers["Retry-After"] == "5"


@pytest.fixture()
def gevent_server(tmp_path):
    """gunicorn in gevent mode, configured by pitchday/gunicorn_conf.py, holding two clients at most."""
    env = {**os.environ, "PITCHDAY_DATABASE_URL": f"sqlite:///{tmp_path / 'pitchday.sqlite3'}",
           "PITCHDAY_ASYNC_MODE": "gevent", "PITCHDAY_MAX_CLIENTS": "2", "PITCHDAY_TRUSTED_PROXIES": "1",
           "PYTHONUNBUFFERED": "1"}
    subprocess.run([VENV_BIN / "python", "-c", "from pitchday import create_app; from pitchday.migrate import upgrade;"
                    "from pitchday.config import Config; upgrade(Config().DATABASE_URL); app = create_app();"
                    "from pitchday.services import editions; from pitchday.extensions import db; app.app_context().push()\n"
                    "with db.write(): editions.load_demo_edition()"], env=env, check=True, timeout=300)
    port = free_port()
    log = open(tmp_path / "gunicorn.log", "w")  # a file, never a pipe nobody reads
    process = subprocess.Popen([VENV_BIN / "gunicorn", "-c", "python:pitchday.gunicorn_conf", "-b", f"127.0.0.1:{port}",
                                "pitchday.wsgi:app"], env=env, stdout=log, stderr=subprocess.STDOUT)

    def up():
        assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
        try:
            return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=REQUEST_TIMEOUT_S).ok
        except requests.RequestException:
            return False

    try:
        wait_until(up, timeout_s=120, interval_s=0.2, message="gunicorn answers /healthz")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=60)
        log.close()


def test_a_full_gevent_process_refuses_the_next_client_through_nginx(gevent_server, tmp_path):
    proxy = Nginx(tmp_path / "nginx", [gevent_server]).start()
    held = []
    try:
        held = [audience(proxy.base) for _ in range(2)]
        # The third phone: an answer with its reason, from pitchday through nginx (not a hang).
        refused = requests.get(proxy.url(HANDSHAKE), timeout=SOCKET_TIMEOUT_S)
        assert_refused_server_full(refused)
        assert "This server holds as many clients" in refused.text  # pitchday's own body, passed through
        with pytest.raises(socketio.exceptions.ConnectionError):
            audience(proxy.base)
        # The two already connected are not concerned, nor are pages.
        assert all(client.connected for client in held)
        assert requests.get(proxy.url("/e/jdn10/"), timeout=SOCKET_TIMEOUT_S).status_code == 200
        # One leaves: a new phone gets in again.
        held.pop().disconnect()
        wait_until(lambda: requests.get(proxy.url(HANDSHAKE), timeout=SOCKET_TIMEOUT_S).status_code == 200,
                   timeout_s=60, interval_s=0.2, message="a freed place is given again")
    finally:
        for client in held:
            client.disconnect()
        proxy.stop()


def test_nginx_answers_503_at_its_own_ceiling_instead_of_holding_the_client(tmp_path):
    server = Server(f"sqlite:///{tmp_path / 'pitchday.sqlite3'}", command="demo",
                    env={"PITCHDAY_TRUSTED_PROXIES": "1"}).start()
    proxy = Nginx(tmp_path / "nginx", [server.port], max_sockets=1).start()
    held = None
    try:
        held = audience(proxy.base)  # nginx's only Socket.IO connection
        refused = requests.get(proxy.url(HANDSHAKE), timeout=SOCKET_TIMEOUT_S)
        assert_refused_server_full(refused)
        assert refused.headers["Cache-Control"] == "no-store"
        assert "limiting connections" in proxy.log()  # refused by nginx itself, not by the process
        # The process behind it had room: the same handshake straight to it opens a session.
        assert '"sid"' in requests.get(server.url(HANDSHAKE), timeout=SOCKET_TIMEOUT_S).text
        assert requests.get(proxy.url("/e/jdn10/"), timeout=SOCKET_TIMEOUT_S).status_code == 200
        held.disconnect()
        held = None
        wait_until(lambda: requests.get(proxy.url(HANDSHAKE), timeout=SOCKET_TIMEOUT_S).status_code == 200,
                   timeout_s=60, interval_s=0.2, message="nginx gives the freed connection again")
    finally:
        if held is not None:
            held.disconnect()
        proxy.stop()
        server.stop()
