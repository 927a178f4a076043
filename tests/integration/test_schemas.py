"""Hostile payloads through the real Socket.IO path, on SQLite and PostgreSQL: NaN and Infinity
(which Python's JSON reads and PostgreSQL's JSON refuses), NUL bytes (which PostgreSQL's text
refuses) and oversize values are refused cleanly or cleaned, and nothing half-done is stored."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from pitchday.extensions import db
from pitchday.models import ConnectRequest, Question, ShowCommand, Talk

from .conftest import connect, events, moderator_socket, phone

pytestmark = pytest.mark.integration

NAN, INF = float("nan"), float("inf")


def first_talk_id(app) -> int:
    with app.app_context():
        with db.read() as session:
            return session.scalar(select(Talk.id).where(Talk.position == 1))


def count(app, model) -> int:
    with app.app_context():
        with db.read() as session:
            return session.scalar(select(func.count()).select_from(model))


def version_of(sio) -> int:
    return sio.emit("resync", callback=True)["snapshot"]["version"]


@pytest.mark.parametrize("changes", [{"args": {"delta_ms": NAN}}, {"args": {"delta_ms": INF}},
                                     {"args": {"order": [1, -INF]}}, {"version": NAN}, {"version": INF},
                                     {"command_id": "abcdefgh\x00ijk"}, {"command_id": "c" * 65},
                                     {"version": 2**64}, {"args": {"order": list(range(5000))}}])
def test_command_with_a_hostile_envelope_is_refused_and_stores_nothing(app, edition, moderator_http, changes):
    moderator = moderator_socket(app, moderator_http)
    before = version_of(moderator)
    payload = {"command_id": str(uuid.uuid4()), "name": "extend", "args": {}, "version": before, **changes}

    ack = moderator.emit("command", payload, callback=True)

    assert ack["ok"] is False
    assert ack["error"]["code"] == "bad_request"
    assert ack["error"]["message"].startswith("Commande mal formée : ")
    assert count(app, ShowCommand) == 0
    assert version_of(moderator) == before


def test_stage_message_with_a_nul_byte_is_answered_and_the_show_goes_on(app, edition, moderator_http):
    moderator = moderator_socket(app, moderator_http)
    version = version_of(moderator)
    payload = {"command_id": str(uuid.uuid4()), "name": "message", "args": {"text": "Con\x00cluez"},
               "version": version}

    ack = moderator.emit("command", payload, callback=True)

    assert ack == {"ok": True, "version": version + 1}
    assert "\x00" not in moderator.emit("resync", callback=True)["snapshot"]["state"]["stage_message"]["text"]


def test_question_with_nul_bytes_is_stored_without_them(app, edition):
    _http, asker = phone(app)

    ack = asker.emit("ask", {"client_id": str(uuid.uuid4()), "talk_id": first_talk_id(app),
                             "text": "Quel\x00 coût ?", "author": "Zo\x00é"}, callback=True)

    assert ack["ok"] is True
    assert (ack["question"]["text"], ack["question"]["author"]) == ("Quel coût ?", "Zoé")
    with app.app_context():
        with db.read() as session:
            assert session.execute(select(Question.text, Question.author)).one() == ("Quel coût ?", "Zoé")


@pytest.mark.parametrize("talk_id", [NAN, INF, 2**31, 2**64, "1"])
def test_question_for_a_hostile_talk_id_is_invalid_and_stores_nothing(app, edition, talk_id):
    _http, asker = phone(app)

    ack = asker.emit("ask", {"client_id": str(uuid.uuid4()), "talk_id": talk_id, "text": "Une question"},
                     callback=True)

    assert ack == {"ok": False, "error": {"code": "invalid", "message": "Vérifiez les champs signalés.",
                                          "fields": {"talk_id": "Choisissez une intervention de la soirée."}}}
    assert count(app, Question) == 0


def test_question_far_too_long_says_the_limit_and_stores_nothing(app, edition):
    _http, asker = phone(app)

    ack = asker.emit("ask", {"client_id": str(uuid.uuid4()), "talk_id": first_talk_id(app), "text": "x" * 1_000_000},
                     callback=True)

    assert ack["error"]["fields"] == {"text": "280 caractères au plus."}
    assert count(app, Question) == 0


@pytest.mark.parametrize("event, payload", [("vote", {"question_id": NAN}), ("vote", {"question_id": INF}),
                                            ("vote", {"question_id": 2**64}), ("board", {"talk_id": NAN}),
                                            ("board", {"talk_id": -INF})])
def test_phone_request_with_a_non_finite_id_is_a_bad_request(app, edition, event, payload):
    _http, sio = phone(app)

    assert sio.emit(event, payload, callback=True) == {
        "ok": False, "error": {"code": "bad_request", "message": "Requête mal formée."}}


@pytest.mark.parametrize("event, payload", [("moderate", {"question_id": NAN, "action": "approve"}),
                                            ("moderation_list", {"talk_id": INF}),
                                            ("question_settings", {"enabled": NAN})])
def test_moderator_request_with_a_non_finite_value_is_a_bad_request(app, edition, moderator_http, event, payload):
    moderator = moderator_socket(app, moderator_http)

    assert moderator.emit(event, payload, callback=True) == {
        "ok": False, "error": {"code": "bad_request", "message": "Requête mal formée."}}


def test_connect_request_with_nul_bytes_is_stored_without_them(app, edition):
    _http, sio = phone(app)

    ack = sio.emit("connect_request", {
        "client_id": str(uuid.uuid4()), "talk_id": first_talk_id(app), "name": "Alex\x00 Testeur",
        "organisation": "Commune de\x00 Fictiveville", "email": "alex@fictive\x00ville.example.org",
        "phone": "", "intent": "learn_more", "message": "Bonjour\x00", "consent": True}, callback=True)

    assert ack["ok"] is True, ack
    with app.app_context():
        with db.read() as session:
            stored = session.execute(select(ConnectRequest.name, ConnectRequest.organisation, ConnectRequest.email,
                                            ConnectRequest.message)).one()
    assert tuple(stored) == ("Alex Testeur", "Commune de Fictiveville", "alex@fictiveville.example.org", "Bonjour")


def test_connect_request_with_a_non_finite_talk_id_is_invalid(app, edition):
    _http, sio = phone(app)

    ack = sio.emit("connect_request", {
        "client_id": str(uuid.uuid4()), "talk_id": NAN, "name": "Alex", "organisation": "Fictiveville",
        "email": "alex@fictiveville.example.org", "intent": "learn_more", "consent": True}, callback=True)

    assert ack["error"]["fields"] == {"talk_id": "Choisissez une intervention de la soirée."}
    assert count(app, ConnectRequest) == 0


@pytest.mark.parametrize("auth", [{"view": "audience", "edition": "jdn10\x00"},
                                  {"view": "audience", "edition": "e" * 41}, {"view": "audience", "edition": NAN}, {"view": "audience\x00", "edition": "jdn10"},
                                  {"view": "audience", "edition": ["jdn10"]}])
def test_connect_with_a_hostile_auth_is_refused_and_the_server_goes_on(app, edition, auth):
    from pitchday.extensions import socketio

    sio = socketio.test_client(app, auth=auth)

    assert not sio.is_connected()
    assert events(connect(app, "projector"), "snapshot")
