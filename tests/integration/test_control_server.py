"""The control API on the real eventlet server: a device token made on the organisers' page drives the
demo, and a real Socket.IO projector hears the command's broadcast (and nothing for a refusal)."""
from __future__ import annotations

import re
import uuid

import pytest
import requests

from tests.serverproc import Server

from .test_real_server import connect, receive, receive_version

pytestmark = pytest.mark.integration

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
NEW_TOKEN = re.compile(r'id="new-token">([^<]+)<')


@pytest.fixture()
def server(tmp_path):
    running = Server(f"sqlite:///{tmp_path / 'pitchday.sqlite3'}").start()
    yield running
    running.stop()


def device_token(server: Server, name: str) -> str:
    """A token made as an organiser would: signed in, on the edition's Télécommandes page."""
    http = requests.Session()
    token = CSRF.search(http.get(server.url("/organiser/login"), timeout=30).text).group(1)
    signed_in = http.post(server.url("/organiser/login"), timeout=30, allow_redirects=False,
                          data={"email": server.organiser_email, "password": server.organiser_password,
                                "csrf_token": token})
    assert signed_in.status_code == 302
    edition_id = re.search(r"/organiser/editions/(\d+)", http.get(server.url("/organiser/"), timeout=30).text).group(1)
    page = server.url(f"/organiser/editions/{edition_id}/control")
    created = http.post(page, data={"name": name, "csrf_token": CSRF.search(http.get(page, timeout=30).text).group(1)},
                        timeout=30)
    assert created.status_code == 201
    return NEW_TOKEN.search(created.text).group(1)


def test_control_command_over_http_reaches_a_real_socket_and_a_retry_sends_nothing_more(server):
    token = device_token(server, "Stream Deck de test")
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
    projector = connect(server, "projector")
    try:
        version = receive(projector, "snapshot")["version"]
        state = requests.get(server.url("/api/v1/control/jdn10/state"), headers=headers, timeout=30).json()
        assert state["version"] == version and state["phase"] == "welcome"
        answer = requests.post(server.url("/api/v1/control/jdn10/start"), headers=headers, timeout=30)
        assert answer.status_code == 200 and answer.json() == {"ok": True, "version": version + 1}
        broadcast = receive_version(projector, version + 1)
        assert broadcast["state"]["phase"] == "segment" and broadcast["state"]["running"] is True  # the demo's welcome
        again = requests.post(server.url("/api/v1/control/jdn10/start"), headers=headers, timeout=30)
        assert again.json() == answer.json()
        # A refusal changes nothing: the next broadcast the projector hears is the next accepted command's.
        refused = requests.post(server.url("/api/v1/control/jdn10/resume"), timeout=30,
                                headers={"Authorization": f"Bearer {token}"})
        assert refused.status_code == 409 and refused.json()["error"] == "already_running"
        assert requests.post(server.url("/api/v1/control/jdn10/pause"), timeout=30,
                             headers={"Authorization": f"Bearer {token}"}).json()["version"] == version + 2
        assert receive_version(projector, version + 2)["state"]["running"] is False
    finally:
        projector.disconnect()


def test_control_without_a_token_gets_401_from_the_real_server(server):
    answer = requests.post(server.url("/api/v1/control/jdn10/start"), json={}, timeout=30)
    assert answer.status_code == 401 and answer.json()["error"] == "unauthorized"
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
