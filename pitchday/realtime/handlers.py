"""Socket.IO events of the live views. Roles are decided at connect and checked in every handler."""
from __future__ import annotations

from flask import current_app, request
from socketio.exceptions import ConnectionRefusedError  # what Flask-SocketIO re-exports
from sqlalchemy.exc import DBAPIError

from ..domain.events import Auth, Command
from ..domain.text import clean_text
from ..domain.shapes import Refused
from ..domain.show import SLIDE_COMMANDS
from ..extensions import db, socketio
from ..services import access, broadcast, devices, editions, presence
from ..services import show as show_service
from ..timeutil import now_ms
from ..web.organiser.auth import console_holder, console_key
from . import packets
from .replies import localised, refusal

packets.install()  # garbage packets: one line in the log each, not a traceback


@socketio.on_error_default
def on_error(error):
    """The database does not answer (PostgreSQL restarting): the event's unit of work rolled back,
    nothing was stored; say so at once, instead of leaving the client waiting for an answer.
    Anything else is a bug and keeps its traceback."""
    if not isinstance(error, DBAPIError) or not (error.connection_invalidated or _unreachable(error)):
        raise error
    event = (getattr(request, "event", None) or {}).get("message", "?")
    current_app.logger.warning("database unavailable during %r: %s", event, str(error.orig).strip().splitlines()[0])
    if event == "connect":
        raise ConnectionRefusedError("database_unavailable")
    return refusal("database_unavailable")


def _unreachable(error: DBAPIError) -> bool:
    """A connection that could not be opened or was cut (psycopg2's OperationalError)."""
    from sqlalchemy.exc import OperationalError

    return isinstance(error, OperationalError)


def moderator_client() -> presence.Client | None:
    """The moderator behind this socket, checked again at every event: a revoked link stops at once."""
    client = presence.client(request.sid)
    if client is None or client.view != "moderator" or not access.link_still_valid(client.moderator_link):
        return None
    return client


def slide_remote_client() -> presence.Client | None:
    """A stage view opened with the moderator's cookie: its presenter remote may turn the slides (only)."""
    client = presence.client(request.sid)
    if client is None or client.view != "stage" or not access.link_still_valid(client.moderator_link):
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
    elif view == "stage":  # with the moderator's right, the stage view's presenter remote turns the slides
        link = access.moderator_from_cookie(request.cookies.get(access.MODERATOR_COOKIE), edition.id)
        key = link.token_id if link is not None else None
    device = devices.device_and_birth(request.cookies.get(devices.DEVICE_COOKIE)) if view == "audience" else None
    device_id, born_ms = device or (None, 0)
    presence.join(request.sid, presence.Client(edition.id, view, key,
                                               device_id=device_id, address=request.remote_addr,
                                               opened_ms=now_ms(), device_born_ms=born_ms,
                                               holder=clean_text(holder[:100], field="holder", max_chars=100,
                                                                 required=False) or ""))
    broadcast.welcome(request.sid, edition.id, view=view, device_id=device_id)
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
    return {"ok": True, "snapshot": broadcast.view_snapshot(client.edition_id, client.view)}


@socketio.on("command")
@db.write()
def on_command(payload=None, *_extra):
    client = moderator_client()
    remote = slide_remote_client() if client is None else None
    if client is None and remote is None:
        return refusal("forbidden")
    try:
        command = Command.parse(payload)
    except Refused as refused:
        return localised(refused.answer())
    if client is None:
        if command.name not in SLIDE_COMMANDS:
            return refusal("forbidden")
        client = remote
    return localised(show_service.run_command(client.edition_id, command_id=command.command_id, name=command.name,
                                               args=command.args, version=command.version))
