"""The real eventlet server over real sockets: frame limits, origins, scheduled transitions,
and several processes sharing PostgreSQL and Redis."""
from __future__ import annotations

import time
import uuid

import pytest
import socketio

from tests.serverproc import Server, wait_until

pytestmark = pytest.mark.integration
SOCKET_TIMEOUT_S = 30  # a loaded machine answers late, it still answers


@pytest.fixture()
def server(tmp_path):
    running = Server(f"sqlite:///{tmp_path / 'pitchday.sqlite3'}").start()
    yield running
    running.stop()


def connect(server: Server, view: str, cookie: str | None = None, **kwargs) -> socketio.SimpleClient:
    client = socketio.SimpleClient(reconnection=False)
    headers = {"Cookie": f"pitchday_moderator={cookie}"} if cookie else {}
    client.connect(server.base, auth={"edition": "jdn10", "view": view}, transports=["websocket"],
                   headers=headers, wait_timeout=SOCKET_TIMEOUT_S, **kwargs)
    return client


def receive(client: socketio.SimpleClient, event: str, timeout: float = SOCKET_TIMEOUT_S):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        name, payload = client.receive(timeout=max(0.1, deadline - time.monotonic()))
        if name == event:
            return payload
    raise AssertionError(f"no {event} within {timeout} s")


def receive_version(client: socketio.SimpleClient, version: int, timeout: float = SOCKET_TIMEOUT_S):
    """The ``state`` broadcast carrying ``version`` (older ones are skipped, as the views do)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = receive(client, "state", timeout=max(0.1, deadline - time.monotonic()))
        if state["version"] >= version:
            assert state["version"] == version, f"version {version} skipped: got {state['version']}"
            return state
    raise AssertionError(f"no state of version {version} within {timeout} s")


def send(client, name, version, args=None):
    return client.call("command", {"command_id": str(uuid.uuid4()), "name": name, "args": args or {},
                                   "version": version}, timeout=SOCKET_TIMEOUT_S)


def test_oversized_frame_closes_the_socket_and_changes_nothing(server):
    moderator = connect(server, "moderator", server.moderator_cookie())
    version = receive(moderator, "snapshot")["version"]
    huge = {"command_id": str(uuid.uuid4()), "name": "message", "args": {"text": "x" * 40_000}, "version": version}
    moderator.client.emit("command", huge)
    wait_until(lambda: not moderator.connected, timeout_s=SOCKET_TIMEOUT_S, message="the socket is closed")
    projector = connect(server, "projector")
    snapshot = receive(projector, "snapshot")
    assert snapshot["version"] == version and snapshot["state"]["stage_message"] is None
    projector.disconnect()


def test_socket_from_a_foreign_origin_is_refused(server):
    with pytest.raises(socketio.exceptions.ConnectionError):
        socketio.SimpleClient(reconnection=False).connect(
            server.base, auth={"edition": "jdn10", "view": "projector"}, transports=["websocket"],
            headers={"Origin": "http://evil.example.org"}, wait_timeout=SOCKET_TIMEOUT_S)


def test_automatic_switch_to_questions_happens_without_a_command(server):
    moderator = connect(server, "moderator", server.moderator_cookie())
    projector = connect(server, "projector")
    v = receive(moderator, "snapshot")["version"]
    receive(projector, "snapshot")
    assert send(moderator, "set_auto_questions", v, {"enabled": True})["ok"]
    assert send(moderator, "start", v + 1)["ok"]
    assert send(moderator, "extend", v + 2, {"delta_ms": -299_000})["ok"]  # one second of pitch left
    pitch = receive_version(projector, v + 3)["state"]
    assert pitch["phase"] == "pitch"
    switched = receive_version(projector, v + 4)  # nobody sends a command: the server switches by itself
    assert switched["state"]["phase"] == "questions"
    # Q&A starts at the pitch's own end, not when the server noticed (however late a loaded machine is).
    assert switched["state"]["ends_at"] == pitch["ends_at"] + 300_000
    moderator.disconnect()
    projector.disconnect()


def test_two_processes_share_state_through_postgresql_and_redis(postgres_url):
    """A command on process A reaches a projector connected to process B (message queue)."""
    # The machine's shared Redis: a channel of our own, so that a second test run beside this one
    # (same demo edition, same ids) never hears our broadcasts nor we its (pub/sub ignores the db).
    env = {"PITCHDAY_MESSAGE_QUEUE": "redis://127.0.0.1:6379/7",
           "PITCHDAY_MESSAGE_QUEUE_CHANNEL": f"pitchday-test-{uuid.uuid4().hex}"}
    first = Server(postgres_url, env=env).start()
    second = Server(postgres_url, env=env).start()
    try:
        moderator = connect(first, "moderator", first.moderator_cookie())
        projector = connect(second, "projector")
        v = receive(moderator, "snapshot")["version"]
        assert receive(projector, "snapshot")["version"] == v
        assert send(moderator, "start", v)["ok"]
        state = receive(projector, "state")
        assert state["version"] == v + 1 and state["state"]["phase"] == "pitch"
        moderator.disconnect()
        projector.disconnect()
    finally:
        first.stop()
        second.stop()


def websocket_handshake(server: Server) -> str:
    """The server's answer to a browser's WebSocket upgrade (Chrome's extension offer)."""
    import base64
    import os
    import socket

    key = base64.b64encode(os.urandom(16)).decode()
    request = (f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
               f"Origin: {server.base}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
               "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n")
    with socket.create_connection(("127.0.0.1", server.port), timeout=SOCKET_TIMEOUT_S) as sock:
        sock.sendall(request.encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")


def test_websocket_handshake_declines_compression_by_default(server):
    head = websocket_handshake(server)

    assert head.startswith("HTTP/1.1 101")
    assert "sec-websocket-extensions" not in head.lower()


def test_websocket_compression_is_negotiated_when_turned_on(tmp_path):
    running = Server(f"sqlite:///{tmp_path / 'pitchday.sqlite3'}",
                     env={"PITCHDAY_WEBSOCKET_COMPRESSION": "true"}).start()
    try:
        head = websocket_handshake(running)
    finally:
        running.stop()

    assert head.startswith("HTTP/1.1 101")
    assert "permessage-deflate" in head.lower()


def test_personal_data_never_reaches_the_server_output(server):
    """Names, e-mails, phones and messages go to the database only: never to the logs."""
    import re

    import requests

    secrets_typed = {"name": "Ysolde Traçable", "organisation": "Org Traçable", "email": "ysolde.tracable@secret.example.org",
                     "phone": "01 99 00 77 77", "message": "Message privé traçable"}
    http = requests.Session()
    page = http.get(f"{server.base}/e/jdn10/", timeout=SOCKET_TIMEOUT_S)
    talk_id = int(re.search(r"/e/jdn10/echanger/(\d+)", page.text).group(1))
    phone = socketio.SimpleClient(reconnection=False)
    phone.connect(server.base, auth={"edition": "jdn10", "view": "audience"}, transports=["websocket"],
                  headers={"Cookie": f"pitchday_device={http.cookies['pitchday_device']}"},
                  wait_timeout=SOCKET_TIMEOUT_S)
    accepted = phone.call("connect_request", {"client_id": str(uuid.uuid4()), "talk_id": talk_id, "intent": "want_to_experiment",
                                              "consent": True, **secrets_typed}, timeout=SOCKET_TIMEOUT_S)
    refused = phone.call("connect_request", {"client_id": str(uuid.uuid4()), "talk_id": talk_id, "intent": "nope",
                                             "consent": False, **secrets_typed}, timeout=SOCKET_TIMEOUT_S)
    asked = phone.call("ask", {"client_id": str(uuid.uuid4()), "talk_id": talk_id, "text": "Question traçable",
                               "author": "Ysolde"}, timeout=SOCKET_TIMEOUT_S)
    form = http.get(f"{server.base}/e/jdn10/echanger/{talk_id}", timeout=SOCKET_TIMEOUT_S)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    posted = http.post(f"{server.base}/e/jdn10/echanger/{talk_id}", allow_redirects=False,
                       data={**secrets_typed, "csrf_token": token, "client_id": str(uuid.uuid4()),
                             "intent": "learn_more", "consent": "yes"}, timeout=SOCKET_TIMEOUT_S)
    phone.disconnect()
    # The team's side: a wrong password, the right one, an invitation, its token, the invited password.
    organiser = requests.Session()

    def csrf(path):
        return re.search(r'name="csrf_token" value="([^"]+)"', organiser.get(server.url(path), timeout=SOCKET_TIMEOUT_S).text).group(1)

    wrong_password = "Mauvais-Mot-De-Passe-Traçable"
    organiser.post(server.url("/organiser/login"), timeout=SOCKET_TIMEOUT_S,
                   data={"email": server.organiser_email, "password": wrong_password, "csrf_token": csrf("/organiser/login")})
    signed = organiser.post(server.url("/organiser/login"), allow_redirects=False, timeout=SOCKET_TIMEOUT_S,
                            data={"email": server.organiser_email, "password": server.organiser_password,
                                  "csrf_token": csrf("/organiser/login")})
    invited = organiser.post(server.url("/organiser/accounts/invite"), timeout=SOCKET_TIMEOUT_S, data={
        "email": "invitee.tracable@secret.example.org", "display_name": "Invité Traçable", "role": "relecteur",
        "edition": "", "csrf_token": csrf("/organiser/accounts")})
    link = re.search(r'id="shown-link">([^<]+)<', invited.text).group(1)
    invitation_token = link.rsplit("/", 1)[1]
    invitee = requests.Session()
    page = invitee.get(link, timeout=SOCKET_TIMEOUT_S).text
    chosen_password = "Nouveau mot de passe traçable 42"
    accepted_invitation = invitee.post(link, allow_redirects=False, timeout=SOCKET_TIMEOUT_S, data={
        "password": chosen_password, "password_again": chosen_password,
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)})
    session_cookie = organiser.cookies["session"]
    server.stop()  # returns once the process has exited and all it ever wrote has been read

    assert accepted["ok"] is True and refused["ok"] is False and asked["ok"] is True
    assert posted.status_code == 303
    assert signed.status_code == 302 and accepted_invitation.status_code == 303
    output = "".join(server.output)
    typed_by_the_team = (wrong_password, chosen_password, invitation_token, session_cookie,
                         "invitee.tracable@secret.example.org", "Invité Traçable")
    leaked = [value for value in (*secrets_typed.values(), "Question traçable", *typed_by_the_team) if value in output]
    assert leaked == [], output[-2000:]
    assert "Serving on" in output  # the output was captured: the check above looked at something
    assert "Aucune donnée personnelle échue." in output  # retention was enforced when the server started
