"""Socket.IO events of the live views. Roles are decided at connect and checked in every handler."""
from __future__ import annotations

from flask import request
from socketio.exceptions import ConnectionRefusedError  # what Flask-SocketIO re-exports

from ..domain.events import Auth, Command
from ..domain.text import clean_text
from ..domain.shapes import Refused
from ..extensions import db, socketio
from ..services import access, broadcast, devices, editions, presence
from ..services import show as show_service
from ..timeutil import now_ms
from ..web.organiser.auth import console_holder, console_key
from . import packets
from .replies import localised, refusal

packets.install()  # garbage packets: one line in the log each, not a traceback


def moderator_client() -> presence.Client | None:
    """The moderator behind this socket, checked again at every event: a revoked link stops at once."""
    client = presence.client(request.sid)
    if client is None or client.view != "moderator" or not access.link_still_valid(client.moderator_link):
        return None
    return client


@socketio.on("connect")
@db.read()
def on_connect(auth):
    parsed, errors = Auth.fields_of(auth if isinstance(auth, dict) else {})
    if errors:
        raise ConnectionRefusedError(errors[0].code)
    view = parsed.view
    edition = editions.edition_by_slug(parsed.edition)
    if edition is None:
        raise ConnectionRefusedError("unknown_edition")
    key, holder = None, ""
    if view == "moderator":
        link = access.moderator_from_cookie(request.cookies.get(access.MODERATOR_COOKIE), edition.id)
        # A link's console, or a signed-in régie or organiser of the edition (its session cookie).
        key = link.token_id if link is not None else console_key(edition.id)
        if key is None:
            raise ConnectionRefusedError("forbidden")
        holder = (link.holder_name or link.label) if link is not None else console_holder()
    device_id = devices.device_from_cookie(request.cookies.get(devices.DEVICE_COOKIE)) if view == "audience" else None
    presence.join(request.sid, presence.Client(edition.id, view, key,
                                               device_id=device_id, address=request.remote_addr,
                                               holder=clean_text(holder[:100], field="holder", max_chars=100,
                                                                 required=False) or ""))
    broadcast.welcome(request.sid, edition.id, moderator=view == "moderator", device_id=device_id)
    broadcast.presence_changed(edition.id)


@socketio.on("disconnect")
def on_disconnect(*_args):
    client = presence.leave(request.sid)
    if client is not None:
        broadcast.presence_changed(client.edition_id)


@socketio.on("clock")
def on_clock(*_args):
    """Clock sync sample: the client brackets this with performance.now()."""
    return {"server_time": now_ms()}


@socketio.on("resync")
@db.read()
def on_resync(*_args):
    client = presence.client(request.sid)
    if client is None:
        return refusal("forbidden")
    if client.view == "moderator" and moderator_client() is None:
        # Its link was revoked or expired since it connected: no extras, and out of the room now.
        broadcast.cut_off_moderators(token_ids={client.moderator_link})
        return refusal("forbidden")
    return {"ok": True, "snapshot": broadcast.snapshot(client.edition_id, moderator=client.view == "moderator")}


@socketio.on("command")
@db.write()
def on_command(payload=None, *_extra):
    client = moderator_client()
    if client is None:
        return refusal("forbidden")
    try:
        command = Command.parse(payload)
    except Refused as refused:
        return localised(refused.answer())
    return localised(show_service.run_command(client.edition_id, command_id=command.command_id, name=command.name,
                                               args=command.args, version=command.version))
