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
from . import handlers, votes
from .replies import localised, refusal


def _phone() -> presence.Client | None:
    client = presence.client(request.sid)
    return client if client is not None and client.view == "audience" else None


def _judged(client: presence.Client | None, schema, payload, handler, *, warmup_ms: int,
            new_devices_wait: bool = True) -> dict:
    """``handler(client, parsed payload, young)`` for a phone that may submit, else the refusal, in codes.

    A device whose socket opened moments ago is answered ``too_soon`` (its outbox sends again after
    ``retry_after_ms``); one whose cookie is under a minute old is ``young`` (domain.audience). A
    connect request (a real name and address, its own tight limit) skips both: ``new_devices_wait``.
    """
    if client is None or client.view != "audience":
        return {"ok": False, "error": {"code": "forbidden"}}
    if client.device_id is None:
        return {"ok": False, "error": {"code": "no_device"}}
    standing, wait_ms = device_standing(now_ms=now_ms(), socket_opened_ms=client.opened_ms,
                                        device_born_ms=client.device_born_ms, warmup_ms=warmup_ms)
    if standing is DeviceStanding.WARMING and new_devices_wait:
        return {"ok": False, "error": {"code": "too_soon", "retry_after_ms": wait_ms}}
    try:
        parsed = schema.parse(payload)
    except Refused as refused:
        return refused.answer()
    return handler(client, parsed, standing is DeviceStanding.YOUNG)


def _submission(schema, payload, handler, *, new_devices_wait: bool = True):
    """``_judged`` for this event's socket, worded in its language."""
    return localised(_judged(_phone(), schema, payload, handler, new_devices_wait=new_devices_wait,
                             warmup_ms=current_app.config["PITCHDAY_DEVICE_WARMUP_MS"]))


@socketio.on("ask")
@db.write()
def on_ask(payload=None, *_extra):
    return _submission(Ask, payload, lambda c, asked, young: questions.ask(
        c.edition_id, device_id=c.device_id, address=c.address, asked=asked, young=young))


# -- vote: the storm's event, without a Flask request per vote -------------------------------------
#
# Flask-SocketIO pushes a Flask request context for every event (a request object, URL matching,
# an application context, teardown): a fifth of the server's CPU in a vote storm, for a handler that
# reads only this process's memory before handing the vote to the vote writer (realtime/votes.py,
# which opens its own application context per group). So ``vote`` is registered on python-socketio
# itself (``install``) and takes a request context only to word a refusal in the phone's language,
# or to answer an error as every other event is answered (``handlers.on_error``).


def on_vote(app, sid: str, payload=None, *_extra) -> dict:
    try:
        answer = _judged(presence.client(sid), Vote, payload, lambda c, voted, young: _vote(app, c, voted, young),
                         warmup_ms=app.config["PITCHDAY_DEVICE_WARMUP_MS"])
    except Exception as error:
        return _in_socket_request(app, sid, payload, lambda: handlers.on_error(error))
    if answer.get("ok"):
        return answer  # nothing to word
    return _in_socket_request(app, sid, payload, lambda: localised(answer))


def _vote(app, client: presence.Client, voted: Vote, young: bool) -> dict:
    refused = questions.vote_refused(device_id=client.device_id, address=client.address, young=young)
    if refused is not None:
        return refused
    return votes.writer(app).submit(questions.Ballot(client.edition_id, client.device_id, voted.question_id))


def _in_socket_request(app, sid: str, payload, answer):
    """``answer()`` inside the Flask request of socket ``sid``, as Flask-SocketIO runs its handlers."""
    environ = socketio.server.get_environ(sid, namespace="/")
    if not environ:
        return {"ok": False, "error": {"code": "forbidden"}}  # gone meanwhile: nobody reads the answer
    with app.request_context(environ):
        request.sid, request.namespace = sid, "/"
        request.event = {"message": "vote", "args": (payload,)}
        return answer()


def install(app) -> None:
    """Register ``vote`` on this app's python-socketio server (after ``socketio.init_app``)."""
    socketio.server.on("vote", lambda sid, *args: on_vote(app, sid, *args), namespace="/")


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
