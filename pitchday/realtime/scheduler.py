"""Background work of a server process: due transitions, moderators' live drift, the peak of phones.

Transitions are computed from stored timestamps (see domain.settle), so this loop
only makes them visible on time; a restarted server catches up on its first pass.
Each pass reads first and opens a write only for what is due: five passes a second must not take
SQLite's write lock (nor scan every edition ever created) when nothing is happening.

Several processes (a Redis message queue): every process shares its presence counts at each pass,
but only one of them, the leader (services/cluster.py: a Redis lock with an expiry, renewed at
every pass), stores due transitions, records the peak of phones and sends the moderators' refresh,
so that each goes out once. If the leader dies another takes over within ``cluster.LEADER_TTL_MS``.
Every process still cuts off its own moderators whose link was revoked, and sends what its own
handlers marked (``broadcast.flush``).
"""
from __future__ import annotations

import time

from flask import current_app
from sqlalchemy import select

from ..extensions import db, socketio
from ..models import LiveState
from ..services import broadcast, cluster, presence
from ..services import show as show_service
from ..timeutil import from_ms, now_ms

TICK_S = 0.2
MODERATOR_REFRESH_S = 5.0
# After a Redis outage python-socketio's listener resubscribes after its own back-off (1, 2, 4… up
# to 60 s): until then broadcasts through the queue may still miss this process's screens, so each
# process checks its editions' versions every CATCH_UP_EVERY_S for that long and sends a changed one
# to its own screens.
CATCH_UP_WINDOW_S = 75.0
CATCH_UP_EVERY_S = 2.0
_catch_up = {"until": 0.0, "next": 0.0, "sent": {}}


def start(app) -> None:
    socketio.start_background_task(_loop, app)


def _loop(app) -> None:
    since_refresh = 0.0
    while True:
        socketio.sleep(TICK_S)
        since_refresh += TICK_S
        try:
            with app.app_context():
                run_pass(refresh_moderators=since_refresh >= MODERATOR_REFRESH_S)
            if since_refresh >= MODERATOR_REFRESH_S:
                since_refresh = 0.0
        except Exception:  # keep the loop alive whatever happens; the next pass retries
            app.logger.exception("scheduler pass failed")


def run_pass(*, refresh_moderators: bool = False, now: int | None = None) -> None:
    """One pass of the loop (inside an app context)."""
    if presence.share():
        # Redis is back after an outage: what was broadcast meanwhile reached nobody.
        _catch_up.update(until=time.monotonic() + CATCH_UP_WINDOW_S, next=0.0, sent={})
    if time.monotonic() < _catch_up["until"] and time.monotonic() >= _catch_up["next"]:
        _catch_up["next"] = time.monotonic() + CATCH_UP_EVERY_S
        catch_up_here()
    leading = cluster.leads()
    if leading:
        settle_due(now=now)
        for edition_id in presence.departures():
            broadcast.presence_changed(edition_id)
    else:
        presence.departures()  # the leader tells them
    broadcast.flush()
    if leading and presence.peaks_to_record():
        with db.write():
            presence.record_peaks()
    if refresh_moderators:
        _refresh_moderators(leading=leading)


def catch_up_here() -> None:
    """Send this process's screens the state of their editions whose version moved since the last catch-up."""
    here = presence.editions_here()
    if not here:
        return
    with db.read() as session:
        versions = dict(session.execute(select(LiveState.edition_id, LiveState.version)
                                        .where(LiveState.edition_id.in_(here))).all())
    for edition_id in here:
        if _catch_up["sent"].get(edition_id, -1) != versions.get(edition_id, 0):
            broadcast.catch_up_here(edition_id)
            _catch_up["sent"][edition_id] = versions.get(edition_id, 0)


def due_editions(now: int) -> list[int]:
    """The editions whose live state has a transition due by ``now`` (an indexed read)."""
    with db.read() as session:
        return list(session.scalars(select(LiveState.edition_id).where(LiveState.due_at <= from_ms(now))))


def settle_due(*, now: int | None = None) -> None:
    now = now_ms() if now is None else now
    for edition_id in due_editions(now):
        try:
            with db.write():  # one edition per write: short, and one edition's failure spares the others
                show_service.settle_due(edition_id, now=now)
        except Exception:
            current_app.logger.exception("settling edition %s failed", edition_id)


def _refresh_moderators(*, leading: bool = True) -> None:
    """Only editions a moderator has open (presence), not every row ever created; the leader sends
    the refresh to every process's consoles, each process cuts off its own revoked ones."""
    if leading:
        for edition_id in presence.editions_with("moderator", everywhere=True):
            broadcast.moderators_refresh(edition_id)  # which cuts off this process's revoked consoles first
    else:
        for edition_id in presence.editions_with("moderator"):
            broadcast.cut_off_moderators(edition_id=edition_id)
