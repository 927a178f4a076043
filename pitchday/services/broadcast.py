"""The one place that emits to clients, and only what is durable.

Services call these functions inside their caller's write; everything is queued with
``db.after_commit`` and happens only once that write has committed (never if it rolls back).
Run-of-show changes go out right after the commit, read again in a read of their own. Questions,
votes and counters are only marked (after the commit) and sent by ``flush`` (the scheduler calls
it five times a second): a vote storm costs a few broadcasts per second, not one per vote.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

from flask_socketio import join_room
from sqlalchemy import select

from ..domain import show as domain
from ..extensions import db, socketio
from ..models import Edition, LiveState
from ..timeutil import now_ms
from . import boards, capacity, presenter, presence, slides


def public_room(edition_id: int) -> str:
    """Every screen of the edition but the consoles (projector, stage, phones): questions and votes."""
    return f"edition:{edition_id}"


def state_room(edition_id: int, view: str) -> str:
    """Where a view's sockets receive the state: the phones apart, since they get it trimmed
    (``presenter.PHONE_STATE``); the projector and the stage together, whole."""
    return f"edition:{edition_id}:phones" if view == "audience" else f"edition:{edition_id}:screens"


def moderator_room(edition_id: int) -> str:
    return f"edition:{edition_id}:moderators"


def device_room(device_id: str) -> str:
    """Every socket of one phone (several tabs, reconnections): where its own questions' news go."""
    return f"device:{device_id}"


def snapshot(edition_id: int, *, moderator: bool, show: domain.Show | None = None) -> dict:
    """A full snapshot ``{version, server_time, state[, moderator]}`` read from the database.

    In its own read (or the caller's unit of work, if one is open), all at once. ``show``: the
    state just committed, which the caller already holds (not deserialised a second time)."""
    with db.read() as session:
        edition = session.get(Edition, edition_id)
        if show is None:
            row = session.get(LiveState, edition_id)
            # No row yet (an edition no command has touched): its welcome screen, as current_show sees it.
            show = domain.from_dict(row.state) if row is not None else _initial_show(edition)
        now = now_ms()
        plan = presenter.plan_of(edition, show, now=now)
        message = {"version": show.version, "server_time": now,
                   "state": presenter.public_state(edition, show, plan,
                                                   spotlight=boards.spotlight_view(session, edition_id, show.spotlight),
                                                   slides=slides.screen_view(session, edition, show))}
        if moderator:
            message["moderator"] = presenter.moderator_extras(show, plan, presence=presence.moderator_view(edition_id), now=now,
                                                              refused=capacity.refused())
            from .control import recent_devices  # control reaches this module through show: imported when needed

            message["moderator"]["control_devices"] = recent_devices(session, edition_id)  # branch control
    # Stamp the time as late as possible: it is the client's reference for "now".
    message["server_time"] = now_ms()
    return message


def for_view(message: dict, view: str) -> dict:
    """A public snapshot or state message as ``view`` receives it (the phones: trimmed)."""
    if view != "audience":
        return message
    return {**message, "state": presenter.phone_state(message["state"])}


def view_snapshot(edition_id: int, view: str) -> dict:
    """The snapshot a screen or a phone gets when it connects or resyncs; a console's is its own."""
    if view == "moderator":
        return snapshot(edition_id, moderator=True)
    return shared_snapshot(edition_id, view)


# -- the connect storm: one snapshot per state version, shared ---------------------------------
#
# When the QR code goes up, a thousand phones connect within seconds, all to the same state. The
# snapshot is built once per version of the live state (and at most SHARED_SNAPSHOT_MS old: the
# projected starts move with the clock) and shared; a connecting phone costs one small read of the
# version, not the edition, its talks and the spotlighted question.

SHARED_SNAPSHOT_MS = 2000


@dataclass
class _Shared:
    stamp: tuple  # (version, updated_at) of the live state row, None if there is none yet
    built_at: int
    messages: dict  # view -> message (``for_view``), without the per-send ``server_time``


_shared: dict[int, _Shared] = {}


_rebuilding: dict[int, threading.Lock] = {}  # green locks once eventlet or gevent has patched threading


def _current(edition_id: int, stamp: tuple | None) -> _Shared | None:
    cached = _shared.get(edition_id)
    if cached is None or cached.stamp != stamp or now_ms() - cached.built_at >= SHARED_SNAPSHOT_MS:
        return None
    return cached


def shared_snapshot(edition_id: int, view: str) -> dict:
    with db.read() as session:
        row = session.execute(select(LiveState.version, LiveState.updated_at)
                              .where(LiveState.edition_id == edition_id)).first()
        stamp = tuple(row) if row is not None else None
        cached = _current(edition_id, stamp)
        if cached is None:
            # One phone rebuilds; the others that arrive meanwhile wait for it and take its result,
            # instead of each reading the edition again (the connect storm's cost).
            with _rebuilding.setdefault(edition_id, threading.Lock()):
                cached = _current(edition_id, stamp)
                if cached is None:
                    message = snapshot(edition_id, moderator=False)
                    cached = _Shared(stamp, now_ms(), {"whole": message, "audience": for_view(message, "audience")})
                    _shared[edition_id] = cached
    message = cached.messages["audience" if view == "audience" else "whole"]
    return {**message, "server_time": now_ms()}  # stamped at each send: the client's "now"


def forget_snapshots() -> None:
    """Drop the shared snapshots (the database was emptied under this process, as tests do)."""
    _shared.clear()


def welcome(sid: str, edition_id: int, *, view: str, device_id: str | None = None) -> None:
    """A socket that just connected: into its rooms, then its first snapshot, to it alone."""
    if view == "moderator":
        join_room(moderator_room(edition_id), sid=sid)
    else:
        join_room(public_room(edition_id), sid=sid)
        join_room(state_room(edition_id, view), sid=sid)
    if device_id is not None:
        join_room(device_room(device_id), sid=sid)
    socketio.emit("snapshot", view_snapshot(edition_id, view), to=sid)


def _initial_show(edition: Edition) -> domain.Show:
    from .show import initial_show  # show imports this module: imported when needed

    return initial_show(edition)


def show_changed(edition_id: int, show: domain.Show | None = None) -> None:
    """Send the new state (``show``, if the caller holds it) to every screen of the edition, once the
    caller's write has committed."""
    db.after_commit(lambda: _send_state(edition_id, show))


def _send_state(edition_id: int, show: domain.Show | None, *, ignore_queue: bool = False) -> None:
    """``ignore_queue``: to this process's own sockets only, not through the message queue."""
    message = snapshot(edition_id, moderator=True, show=show)
    moderator_extras = message.pop("moderator")
    # One emit per room: python-socketio encodes the packet once and sends the same bytes to each
    # socket of the room (Manager.emit without a callback); never a loop over the sockets here.
    socketio.emit("state", for_view(message, "audience"), to=state_room(edition_id, "audience"),
                  ignore_queue=ignore_queue)
    socketio.emit("state", message, to=state_room(edition_id, "projector"), ignore_queue=ignore_queue)
    socketio.emit("state", {**message, "moderator": moderator_extras}, to=moderator_room(edition_id),
                  ignore_queue=ignore_queue)


def moderators_refresh(edition_id: int) -> None:
    """Moderators' drift and projected end move with time while a talk runs late.

    Every few seconds (the scheduler): first the consoles whose link expired, or was revoked by
    another process, are cut off, so that the refresh never reaches them."""
    cut_off_moderators(edition_id=edition_id)
    message = snapshot(edition_id, moderator=True)
    socketio.emit("state", message, to=moderator_room(edition_id))


def moderator_link_revoked(token_id: str) -> None:
    """Once the revocation has committed, the consoles opened with the link (in this process) are
    cut off at once; those of other processes at their process's next moderators' refresh."""
    db.after_commit(lambda: cut_off_moderators(token_ids={token_id}))


def account_access_changed(account_id: int) -> None:
    """An account was disabled, lost a role or ended its sessions: once that has committed, the
    consoles it opened (with its session or a link minted for it) are cut off, as for a revoked link."""
    db.after_commit(lambda: cut_off_moderators())


def cut_off_moderators(*, token_ids: set[str] | None = None, edition_id: int | None = None) -> list[str]:
    """Take the moderator sockets of ``token_ids`` (or of ``edition_id``) whose link is no longer
    usable out of the moderators' room, tell them, and disconnect them. Their sids."""
    from . import access  # access queues this module's broadcasts: imported when needed

    cut = []
    with db.read():
        for sid, client in presence.moderators(edition_id=edition_id):
            if token_ids is not None and client.moderator_link not in token_ids:
                continue
            if access.link_still_valid(client.moderator_link):
                continue
            socketio.server.leave_room(sid, moderator_room(client.edition_id), namespace="/")
            socketio.emit("access_ended", {"reason": "moderator_link"}, to=sid)
            socketio.server.disconnect(sid, namespace="/")
            cut.append(sid)
    return cut


def own_question_changed(device_id: str, question: dict) -> None:
    """The asker's phone learns at once (after the commit) what the moderator did with its question."""
    db.after_commit(lambda: socketio.emit("my_question", question, to=device_room(device_id)))


# -- coalesced: marked now, sent by flush() ------------------------------------------------------

_presence_dirty: set[int] = set()
_boards_dirty: set[tuple[int, int]] = set()  # (edition, talk): the public list changed
_moderation_dirty: set[tuple[int, int]] = set()  # (edition, talk): the moderators' list changed
_votes_dirty: set[tuple[int, int]] = set()  # (edition, question)
_counts_dirty: set[int] = set()  # editions whose waiting-question or connect-request counts changed


def presence_changed(edition_id: int) -> None:
    """A room filling up must not mean one emit per phone. Presence lives in this process's memory,
    not in the database: there is no commit to wait for."""
    _presence_dirty.add(edition_id)


def question_changed(edition_id: int, talk_id: int, *, public: bool) -> None:
    """A question was asked or moderated; ``public`` if the room's list of the talk changed."""
    db.after_commit(lambda: _mark_question(edition_id, talk_id, public))


def _mark_question(edition_id: int, talk_id: int, public: bool) -> None:
    _moderation_dirty.add((edition_id, talk_id))
    _counts_dirty.add(edition_id)
    if public:
        _boards_dirty.add((edition_id, talk_id))


def votes_changed(edition_id: int, question_id: int) -> None:
    db.after_commit(lambda: _votes_dirty.add((edition_id, question_id)))


def counts_changed(edition_id: int) -> None:
    """Waiting questions, connect requests or the auto-publish setting changed (moderators' counters)."""
    db.after_commit(lambda: _counts_dirty.add(edition_id))


def _drain(dirty: set) -> list:
    drained = []
    while dirty:  # pop() one at a time: nothing marked meanwhile is lost
        drained.append(dirty.pop())
    return drained


def flush() -> None:
    """Send what changed since the last flush, one message per list or counter (one read for all)."""
    with db.read():
        _send_marked()


def _send_marked() -> None:
    for edition_id in _drain(_presence_dirty):
        socketio.emit("presence", presence.moderator_view(edition_id), to=moderator_room(edition_id))
    for edition_id, talk_id in _drain(_boards_dirty):
        socketio.emit("board", {"talk_id": talk_id, "questions": boards.public_board(edition_id, talk_id)},
                      to=public_room(edition_id))
    for edition_id, talk_id in _drain(_moderation_dirty):
        socketio.emit("moderation", {"talk_id": talk_id, "questions": boards.moderation_list(edition_id, talk_id)},
                      to=moderator_room(edition_id))
    votes: dict[int, set[int]] = {}
    for edition_id, question_id in _drain(_votes_dirty):
        votes.setdefault(edition_id, set()).add(question_id)
    for edition_id, question_ids in votes.items():
        update = boards.vote_counts(question_ids)
        if update["counts"]:
            socketio.emit("votes", update, to=public_room(edition_id))
            socketio.emit("votes", update, to=moderator_room(edition_id))
    for edition_id in _drain(_counts_dirty):
        socketio.emit("moderation_counts", boards.moderation_counts(edition_id), to=moderator_room(edition_id))


def catch_up_here(edition_id: int) -> None:
    """The current state to this process's own screens of the edition, not through the queue.

    After a Redis outage (the scheduler notices it is back): the broadcasts published meanwhile
    reached no one, and each process brings its own sockets up to date (one message each, whatever
    the number of processes)."""
    _send_state(edition_id, None, ignore_queue=True)
