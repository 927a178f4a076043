"""One secret signs the Flask session, the moderator links and the device cookies.

PITCHDAY_SECRET_KEY when it is set; otherwise the secret generated once and stored in the database.
"""
from __future__ import annotations

import sqlite3

import pytest
import requests
from flask import Flask
from itsdangerous import BadSignature, Signer, URLSafeTimedSerializer

from tests.serverproc import REQUEST_TIMEOUT_S, Server, get_with_retry

pytestmark = pytest.mark.integration

OPERATOR_KEY = "an-operator-key-set-in-the-environment-0123456789"
LINK_SALT = "pitchday.moderator-link"
DEVICE_SALT = "pitchday.device"


def stored_secret(server: Server) -> str:
    with sqlite3.connect(server.database) as conn:
        (value,), = conn.execute("select value from settings where key = 'secret_key'").fetchall()
    return value


def link_signed_with(secret: str, token_id: str, server: Server) -> str:
    return server.url("/m/" + URLSafeTimedSerializer(secret, salt=LINK_SALT).dumps(token_id))


def session_payload(cookie: str, secret: str) -> dict:
    """The Flask session cookie read as Flask reads it with ``secret``; BadSignature if not signed by it."""
    reader = Flask("reader")
    reader.secret_key = secret
    return reader.session_interface.get_signing_serializer(reader).loads(cookie)


@pytest.fixture()
def keyed_server(tmp_path):
    """An instance first run without a key (it stored its own secret), then given PITCHDAY_SECRET_KEY."""
    running = Server(f"sqlite:///{tmp_path / 'pitchday.sqlite3'}", env={"PITCHDAY_SECRET_KEY": ""}).start()
    running.stop()
    running.env = {"PITCHDAY_SECRET_KEY": OPERATOR_KEY}
    running.start()
    yield running
    running.stop()


def test_secret_key_signs_the_moderator_links_and_the_stored_secret_no_longer_does(keyed_server):
    stored = stored_secret(keyed_server)  # what signed everything before the key was set
    token = keyed_server.moderator_url.rsplit("/m/", 1)[1]
    token_id = URLSafeTimedSerializer(OPERATOR_KEY, salt=LINK_SALT).loads(token)  # the printed link: the key's

    with_stored = get_with_retry(link_signed_with(stored, token_id, keyed_server), allow_redirects=False)
    with_key = get_with_retry(link_signed_with(OPERATOR_KEY, token_id, keyed_server), allow_redirects=False)

    assert stored != OPERATOR_KEY
    assert with_stored.status_code != 303 and "pitchday_moderator" not in with_stored.cookies
    assert with_key.status_code == 303 and with_key.cookies["pitchday_moderator"]


def test_secret_key_signs_the_device_cookie_and_the_session(keyed_server):
    stored = stored_secret(keyed_server)
    http = requests.Session()
    assert http.get(keyed_server.url("/e/jdn10/"), timeout=REQUEST_TIMEOUT_S).status_code == 200
    assert http.get(keyed_server.url("/organiser/login"), timeout=REQUEST_TIMEOUT_S).status_code == 200
    device, session = http.cookies["pitchday_device"], http.cookies["session"]

    assert Signer(OPERATOR_KEY, salt=DEVICE_SALT).unsign(device)
    with pytest.raises(BadSignature):
        Signer(stored, salt=DEVICE_SALT).unsign(device)
    assert "csrf_token" in session_payload(session, OPERATOR_KEY)
    with pytest.raises(BadSignature):
        session_payload(session, stored)


def test_without_secret_key_the_stored_secret_signs_all_three(tmp_path):
    server = Server(f"sqlite:///{tmp_path / 'pitchday.sqlite3'}", env={"PITCHDAY_SECRET_KEY": ""}).start()
    try:
        stored = stored_secret(server)
        http = requests.Session()
        http.get(server.url("/e/jdn10/"), timeout=REQUEST_TIMEOUT_S)
        http.get(server.url("/organiser/login"), timeout=REQUEST_TIMEOUT_S)
        token = server.moderator_url.rsplit("/m/", 1)[1]
        redeemed = get_with_retry(server.moderator_url, allow_redirects=False)
    finally:
        server.stop()

    assert URLSafeTimedSerializer(stored, salt=LINK_SALT).loads(token)
    assert redeemed.status_code == 303
    assert Signer(stored, salt=DEVICE_SALT).unsign(http.cookies["pitchday_device"])
    assert "csrf_token" in session_payload(http.cookies["session"], stored)
