"""Socket.IO events of the audience's phones: ask, vote, connect requests, and reading the boards.

Only audience sockets may send; what they send is judged by the services. A phone without a
valid device cookie can follow the evening but not submit (there would be nothing to tie its
retries or limits to).
"""
from __future__ import annotations

from flask import request
from flask_babel import get_locale

from ..domain.events import Ask, ConnectRequest, TalkBoard, Vote
from ..domain.shapes import Refused
from ..extensions import db, socketio
from ..services import boards, connections, presence, questions
from .replies import localised, refusal


def _phone() -> presence.Client | None:
    client = presence.client(request.sid)
    return client if client is not None and client.view == "audience" else None


def _submission(schema, payload, handler):
    """Run ``handler(client, parsed payload)`` for a phone that may submit, else refuse."""
    client = _phone()
    if client is None:
        return refusal("forbidden")
    if client.device_id is None:
        return refusal("no_device")
    try:
        parsed = schema.parse(payload)
    except Refused as refused:
        return localised(refused.answer())
    return localised(handler(client, parsed))


@socketio.on("ask")
@db.write()
def on_ask(payload=None, *_extra):
    return _submission(Ask, payload, lambda c, asked: questions.ask(
        c.edition_id, device_id=c.device_id, address=c.address, asked=asked))


@socketio.on("vote")
@db.write()
def on_vote(payload=None, *_extra):
    return _submission(Vote, payload, lambda c, voted: questions.vote(
        c.edition_id, device_id=c.device_id, address=c.address, voted=voted))


@socketio.on("connect_request")
@db.write()
def on_connect_request(payload=None, *_extra):
    return _submission(ConnectRequest, payload, lambda c, sent: connections.submit(
        c.edition_id, device_id=c.device_id, address=c.address, sent=sent, locale=str(get_locale())))


@socketio.on("mine")
@db.read()
def on_mine(*_args):
    """This phone's own questions (any status) and the questions it voted for."""
    client = _phone()
    if client is None:
        return refusal("forbidden")
    if client.device_id is None:
        return {"ok": True, "questions": [], "voted": []}
    return {"ok": True, **boards.own_questions(client.edition_id, client.device_id)}


@socketio.on("board")
@db.read()
def on_board(payload=None, *_extra):
    """The public questions of one talk (any live view may read them)."""
    client = presence.client(request.sid)
    if client is None:
        return refusal("forbidden")
    try:
        talk_id = TalkBoard.parse(payload).talk_id
    except Refused as refused:
        return localised(refused.answer())
    return {"ok": True, "talk_id": talk_id, "questions": boards.public_board(client.edition_id, talk_id)}
