"""The one place that emits to clients. Called only after the change has committed."""
from __future__ import annotations

from ..domain import show as domain
from ..extensions import db, socketio
from ..models import Edition, LiveState
from ..timeutil import now_ms
from . import presenter, presence


def public_room(edition_id: int) -> str:
    return f"edition:{edition_id}"


def moderator_room(edition_id: int) -> str:
    return f"edition:{edition_id}:moderators"


def snapshot(edition_id: int, *, moderator: bool) -> dict:
    """A full snapshot ``{version, server_time, state[, moderator]}`` read from the database."""
    with db.transaction() as session:
        edition = session.get(Edition, edition_id)
        show = domain.from_dict(session.get(LiveState, edition_id).state)
        now = now_ms()
        message = {"version": show.version, "server_time": now,
                   "state": presenter.public_state(edition, show, now=now)}
        if moderator:
            message["moderator"] = presenter.moderator_extras(
                edition, show, now=now, presence=presence.counts(edition_id))
    # Stamp the time as late as possible: it is the client's reference for "now".
    message["server_time"] = now_ms()
    return message


def show_changed(edition_id: int) -> None:
    """Send the new state to every screen of the edition."""
    message = snapshot(edition_id, moderator=True)
    moderator_extras = message.pop("moderator")
    socketio.emit("state", message, to=public_room(edition_id))
    socketio.emit("state", {**message, "moderator": moderator_extras}, to=moderator_room(edition_id))


def moderators_refresh(edition_id: int) -> None:
    """Moderators' drift and projected end move with time while a talk runs late."""
    message = snapshot(edition_id, moderator=True)
    socketio.emit("state", message, to=moderator_room(edition_id))


_presence_dirty: set[int] = set()


def presence_changed(edition_id: int) -> None:
    """Noted now, sent by ``flush_presence``: a room filling up must not mean one emit per phone."""
    _presence_dirty.add(edition_id)


def flush_presence() -> None:
    """Send the connected-screen counts of editions whose audience changed (a few times a second)."""
    while _presence_dirty:
        edition_id = _presence_dirty.pop()
        socketio.emit("presence", presence.counts(edition_id), to=moderator_room(edition_id))
