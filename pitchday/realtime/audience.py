"""Socket.IO events of the audience's phones: ask, vote, connect requests, and reading the boards.

Only audience sockets may send; what they send is judged by the services. A phone without a
valid device cookie can follow the evening but not submit (there would be nothing to tie its
retries or limits to).
"""
from __future__ import annotations

from flask import request
from flask_babel import get_locale

from ..extensions import socketio
from ..services import boards, connections, presence, questions
from ..services.questions import positive_int
from .replies import localised, refusal


def _phone() -> presence.Client | None:
    client = presence.client(request.sid)
    return client if client is not None and client.view == "audience" else None


def _submission(handler):
    """Run ``handler(client)`` for a phone that may submit, else refuse."""
    client = _phone()
    if client is None:
        return refusal("forbidden")
    if client.device_id is None:
        return refusal("no_device")
    return localised(handler(client))


@socketio.on("ask")
def on_ask(payload=None, *_extra):
    return _submission(lambda c: questions.ask(c.edition_id, device_id=c.device_id, address=c.address,
                                               payload=payload))


@socketio.on("vote")
def on_vote(payload=None, *_extra):
    return _submission(lambda c: questions.vote(c.edition_id, device_id=c.device_id, address=c.address,
                                                payload=payload))


@socketio.on("connect_request")
def on_connect_request(payload=None, *_extra):
    return _submission(lambda c: connections.submit(c.edition_id, device_id=c.device_id, address=c.address,
                                                    payload=payload, locale=str(get_locale())))


@socketio.on("mine")
def on_mine(*_args):
    """This phone's own questions (any status) and the questions it voted for."""
    client = _phone()
    if client is None:
        return refusal("forbidden")
    if client.device_id is None:
        return {"ok": True, "questions": [], "voted": []}
    return {"ok": True, **boards.own_questions(client.edition_id, client.device_id)}


@socketio.on("board")
def on_board(payload=None, *_extra):
    """The public questions of one talk (any live view may read them)."""
    client = presence.client(request.sid)
    talk_id = positive_int(payload.get("talk_id")) if isinstance(payload, dict) else None
    if client is None:
        return refusal("forbidden")
    if talk_id is None:
        return refusal("bad_request")
    return {"ok": True, "talk_id": talk_id, "questions": boards.public_board(client.edition_id, talk_id)}
