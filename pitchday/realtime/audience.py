"""Socket.IO events of the audience's phones: ask, vote, connect requests, and reading the boards.

Only audience sockets may send; what they send is judged by the services. A phone without a
valid device cookie can follow the evening but not submit (there would be nothing to tie its
retries or limits to).
"""
from __future__ import annotations

from flask import current_app, request
from flask_babel import get_locale

from ..domain.audience import DeviceStanding, device_standing
from ..domain.events import Ask, ConnectRequest, TalkBoard, Vote
from ..domain.shapes import Refused
from ..extensions import db, socketio
from ..services import boards, connections, presence, questions
from ..timeutil import now_ms
from . import votes
from .replies import localised, refusal


def _phone() -> presence.Client | None:
    client = presence.client(request.sid)
    return client if client is not None and client.view == "audience" else None


def _submission(schema, payload, handler, *, new_devices_wait: bool = True):
    """Run ``handler(client, parsed payload, young)`` for a phone that may submit, else refuse.

    A device whose socket opened moments ago is answered ``too_soon`` (its outbox sends again after
    ``retry_after_ms``); one whose cookie is under a minute old is ``young`` (domain.audience). A
    connect request (a real name and address, its own tight limit) skips both: ``new_devices_wait``.
    """
    client = _phone()
    if client is None:
        return refusal("forbidden")
    if client.device_id is None:
        return refusal("no_device")
    standing, wait_ms = device_standing(now_ms=now_ms(), socket_opened_ms=client.opened_ms,
                                        device_born_ms=client.device_born_ms,
                                        warmup_ms=current_app.config["PITCHDAY_DEVICE_WARMUP_MS"])
    if standing is DeviceStanding.WARMING and new_devices_wait:
        return localised({"ok": False, "error": {"code": "too_soon", "retry_after_ms": wait_ms}})
    try:
        parsed = schema.parse(payload)
    except Refused as refused:
        return localised(refused.answer())
    return localised(handler(client, parsed, standing is DeviceStanding.YOUNG))


@socketio.on("ask")
@db.write()
def on_ask(payload=None, *_extra):
    return _submission(Ask, payload, lambda c, asked, young: questions.ask(
        c.edition_id, device_id=c.device_id, address=c.address, asked=asked, young=young))


@socketio.on("vote")
def on_vote(payload=None, *_extra):
    """No unit of work here: the checks need none, and the vote is written with the others that
    arrive with it (realtime/votes.py), answered once that write has committed."""
    return _submission(Vote, payload, _vote)


def _vote(client: presence.Client, voted: Vote, young: bool) -> dict:
    refused = questions.vote_refused(device_id=client.device_id, address=client.address, young=young)
    if refused is not None:
        return refused
    return votes.vote(questions.Ballot(client.edition_id, client.device_id, voted.question_id))


@socketio.on("connect_request")
@db.write()
def on_connect_request(payload=None, *_extra):
    return _submission(ConnectRequest, payload, lambda c, sent, _young: connections.submit(
        c.edition_id, device_id=c.device_id, address=c.address, sent=sent, locale=str(get_locale())),
        new_devices_wait=False)


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
