"""Background work of a server process: due transitions, moderators' live drift, the peak of phones.

Transitions are computed from stored timestamps (see domain.settle), so this loop
only makes them visible on time; a restarted server catches up on its first pass.
Each pass reads first and opens a write only for what is due: five passes a second must not take
SQLite's write lock (nor scan every edition ever created) when nothing is happening.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from ..extensions import db, socketio
from ..models import LiveState
from ..services import broadcast, presence
from ..services import show as show_service
from ..timeutil import from_ms, now_ms

TICK_S = 0.2
MODERATOR_REFRESH_S = 5.0


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
    settle_due(now=now)
    broadcast.flush()
    if presence.peaks_to_record():
        with db.write():
            presence.record_peaks()
    if refresh_moderators:
        _refresh_moderators()


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


def _refresh_moderators() -> None:
    """Only editions a moderator of this process has open (presence), not every row ever created."""
    for edition_id in presence.editions_with("moderator"):
        broadcast.moderators_refresh(edition_id)
