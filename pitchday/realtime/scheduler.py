"""Background work of a server process: due transitions, moderators' live drift, the peak of phones.

Transitions are computed from stored timestamps (see domain.settle), so this loop
only makes them visible on time; a restarted server catches up on its first pass.
"""
from __future__ import annotations

from sqlalchemy import select

from ..domain import show as domain
from ..extensions import db, socketio
from ..models import LiveState
from ..services import broadcast, presence
from ..services import show as show_service
from ..timeutil import now_ms

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
                _settle_due()
                broadcast.flush()
                presence.record_peaks()  # writes only when an edition's count of phones beats its peak
                if since_refresh >= MODERATOR_REFRESH_S:
                    since_refresh = 0.0
                    _refresh_moderators()
        except Exception:  # keep the loop alive whatever happens; the next pass retries
            app.logger.exception("scheduler pass failed")


def _settle_due() -> None:
    now = now_ms()
    with db.transaction() as session:
        rows = list(session.execute(select(LiveState.edition_id, LiveState.state)))
    for edition_id, state in rows:
        due = domain.next_due(domain.from_dict(state))
        if due is not None and due <= now:
            show_service.current_show(edition_id, now=now)


def _refresh_moderators() -> None:
    with db.transaction() as session:
        edition_ids = list(session.scalars(select(LiveState.edition_id)))
    for edition_id in edition_ids:
        if presence.counts(edition_id)["moderator"]:
            broadcast.moderators_refresh(edition_id)
