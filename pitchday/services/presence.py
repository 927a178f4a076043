"""Who is connected, per edition and view (in this process's memory), and the peak of phones.

With several processes behind a message queue each process counts its own
clients; the moderator sees the counts of the process it is connected to.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select, update

from ..domain.events import VIEWS
from ..extensions import db
from ..models import Edition


@dataclass(frozen=True)
class Client:
    edition_id: int
    view: str
    moderator_link: str | None = None  # token id of the link that opened a moderator console
    device_id: str | None = None  # audience phones: the signed device id of their cookie
    address: str | None = None  # the peer's address (the venue's, for a whole room): rate-limit ceiling
    holder: str = ""  # moderator consoles: who is at the controls (the link's holder, or the account's name)


_clients: dict[str, Client] = {}


def join(sid: str, client: Client) -> None:
    _clients[sid] = client


def leave(sid: str) -> Client | None:
    return _clients.pop(sid, None)


def client(sid: str) -> Client | None:
    return _clients.get(sid)


def moderators(*, edition_id: int | None = None) -> list[tuple[str, Client]]:
    """(sid, client) of the moderator consoles connected to this process (of one edition, if given)."""
    return [(sid, c) for sid, c in list(_clients.items())
            if c.view == "moderator" and (edition_id is None or c.edition_id == edition_id)]


def counts(edition_id: int) -> dict[str, int]:
    tally = Counter(c.view for c in _clients.values() if c.edition_id == edition_id)
    return {view: tally.get(view, 0) for view in VIEWS}


def moderator_view(edition_id: int) -> dict:
    """What the moderators see of presence: the counts per view, and who is at each console."""
    names = sorted(c.holder for c in _clients.values()
                   if c.edition_id == edition_id and c.view == "moderator" and c.holder)
    return {**counts(edition_id), "at_controls": names}


def editions_with(view: str) -> set[int]:
    """The editions that have at least one client of ``view`` connected to this process."""
    return {c.edition_id for c in _clients.values() if c.view == view}


def audience_by_edition() -> Counter:
    """Connected audience sockets (phones) per edition, in one pass over the clients."""
    return Counter(c.edition_id for c in _clients.values() if c.view == "audience")


# The highest peak this process knows to be stored, per edition: the database is written only
# when the count goes above it, not five times a second.
_peaks_stored: dict[int, int] = {}


def peaks_to_record() -> bool:
    """Whether an edition's count of phones beats what this process knows is stored (no database)."""
    return any(phones > _peaks_stored.get(edition_id, 0) for edition_id, phones in audience_by_edition().items())


def record_peaks(*, now: datetime | None = None) -> None:
    """Store an edition's count of phones, with its time, when it beats ``Edition.peak_audience``.

    In the caller's write: the scheduler opens one only when ``peaks_to_record()``. Each process
    counts only its own sockets (see the module's docstring): with several processes the stored peak is the highest count one process
    saw, not the sum, so it can read low. Acceptable for a report; the update only ever raises the
    stored value, so two processes never lower each other's peak.
    """
    for edition_id, phones in audience_by_edition().items():
        if phones > _peaks_stored.get(edition_id, 0):
            _store_peak(edition_id, phones, now or datetime.now(timezone.utc))


def _store_peak(edition_id: int, phones: int, moment: datetime) -> None:
    session = db.current()
    raised = session.execute(
        update(Edition).where(Edition.id == edition_id, Edition.peak_audience < phones)
        .values(peak_audience=phones, peak_audience_at=moment)
        .execution_options(synchronize_session=False)).rowcount
    stored = phones if raised else session.scalar(select(Edition.peak_audience).where(Edition.id == edition_id))
    # An edition deleted meanwhile (stored None): remember the count so as not to retry every pass;
    # remembered once committed, so that a rolled-back pass is tried again.
    known = max(stored or 0, phones)
    db.after_commit(lambda: _peaks_stored.__setitem__(edition_id, known))


def forget_peaks() -> None:
    """Forget the peaks known to be stored (the database was emptied under this process, as tests do)."""
    _peaks_stored.clear()
