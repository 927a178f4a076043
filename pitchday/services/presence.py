"""Who is connected, per edition and view, and the peak of phones.

Each process keeps its own sockets in memory. With several processes (a Redis message queue),
each one also shares its counts through Redis at every pass of its scheduler (services/cluster.py)
and reads the others': ``counts`` is then the sum over every live process, the same on every
console whatever process it is on, and the peak of phones is the peak across processes. A process
that dies stops refreshing its counts, which expire within seconds. Who is at each console
(``at_controls``) travels the same way, as counts of consoles per holder's name.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select, update

from ..domain.events import VIEWS
from ..extensions import db
from ..models import Edition
from ..timeutil import now_ms
from . import cluster


@dataclass(frozen=True)
class Client:
    edition_id: int
    view: str
    moderator_link: str | None = None  # token id of the link that opened a moderator console
    device_id: str | None = None  # audience phones: the signed device id of their cookie
    address: str | None = None  # the peer's address (the venue's, for a whole room): rate-limit ceiling
    opened_ms: int = 0  # when this socket connected (server clock): a new device waits a moment to submit
    device_born_ms: int = 0  # when its device cookie was made (signed in the cookie; 0: before that was kept)
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


# The other live processes' counts, as read at this process's last exchange with Redis:
# {process: (expires_at_ms, {"edition:view": n, "holder:edition:name": n})}. Empty when this process
# runs alone.
_others: dict[str, tuple[int, dict[str, int]]] = {}
# The shared key of the consoles held by one name: "holder:<edition>:<name>" (a name may hold a colon).
HOLDER = "holder"


def _local() -> Counter:
    """This process's own clients per (edition, view)."""
    return Counter((c.edition_id, c.view) for c in list(_clients.values()))


def _local_holders() -> Counter:
    """This process's moderator consoles per (edition, holder's name)."""
    return Counter((c.edition_id, c.holder) for c in list(_clients.values()) if c.view == "moderator" and c.holder)


def _live_others() -> list[dict[str, int]]:
    now = now_ms()
    # A process gone silent since: its clients are gone with it.
    return [counted for expires, counted in list(_others.values()) if expires > now]


def _split(key: str) -> tuple[int, str, str] | None:
    """("counts" or HOLDER, edition, view or name) of a shared key; None for a key this version does not know."""
    head, _, rest = key.partition(":")
    if head == HOLDER:
        edition, _, name = rest.partition(":")
        return (int(edition), HOLDER, name) if edition.isdigit() and name else None
    return (int(head), "counts", rest) if head.isdigit() else None


def _everywhere() -> Counter:
    """Clients per (edition, view) across the live processes: this one's now, the others' as last read."""
    tally = _local()
    for counted in _live_others():
        for key, n in counted.items():
            parts = _split(key)
            if parts is not None and parts[1] == "counts":
                tally[(parts[0], parts[2])] += n
    return tally


def share() -> bool:
    """Exchange counts with the other processes (the scheduler, at every pass): store ours, read theirs.

    True when Redis just came back after an outage (the screens may have missed broadcasts).
    Without Redis, or while it is down, the others' counts expire on their own and ours stay local.
    """
    mine = {f"{edition}:{view}": n for (edition, view), n in _local().items()}
    mine.update({f"{HOLDER}:{edition}:{name}": n for (edition, name), n in _local_holders().items()})
    exchanged = cluster.exchange_counts(mine)
    if exchanged is None:
        return False
    others, recovered = exchanged
    for process, (_expires, counted) in _others.items():
        if process not in others and any(counted.values()):
            # Gone silent (killed, cut off): nobody announces its clients' departure but this.
            _departed.update(parts[0] for parts in map(_split, (k for k, n in counted.items() if n)) if parts)
    _others.clear()
    _others.update(others)
    return recovered


_departed: set[int] = set()


def departures() -> set[int]:
    """Editions that lost a whole process's clients since the last call (its consoles must be told)."""
    gone = set(_departed)
    _departed.difference_update(gone)
    return gone


def counts(edition_id: int) -> dict[str, int]:
    tally = _everywhere()
    return {view: tally.get((edition_id, view), 0) for view in VIEWS}


def holders(edition_id: int) -> list[str]:
    """Who is at each console of the edition, on every live process (a name twice: two consoles), sorted."""
    held = Counter({name: n for (edition, name), n in _local_holders().items() if edition == edition_id})
    for counted in _live_others():
        for key, n in counted.items():
            parts = _split(key)
            if parts is not None and parts[:2] == (edition_id, HOLDER):
                held[parts[2]] += n
    return sorted(held.elements())


def moderator_view(edition_id: int) -> dict:
    """What the moderators see of presence: the counts per view, and who is at each console."""
    return {**counts(edition_id), "at_controls": holders(edition_id)}


def editions_with(view: str, *, everywhere: bool = False) -> set[int]:
    """The editions that have at least one client of ``view`` connected to this process (or to any)."""
    tally = _everywhere() if everywhere else _local()
    return {edition for (edition, seen), n in tally.items() if seen == view and n > 0}


def editions_here() -> set[int]:
    """The editions with at least one client connected to this process."""
    return {c.edition_id for c in list(_clients.values())}


def audience_by_edition() -> Counter:
    """Connected audience sockets (phones) per edition, across the live processes."""
    return Counter({edition: n for (edition, view), n in _everywhere().items() if view == "audience" and n > 0})


# The highest peak this process knows to be stored, per edition: the database is written only
# when the count goes above it, not five times a second.
_peaks_stored: dict[int, int] = {}


def peaks_to_record() -> bool:
    """Whether an edition's count of phones beats what this process knows is stored (no database)."""
    return any(phones > _peaks_stored.get(edition_id, 0) for edition_id, phones in audience_by_edition().items())


def record_peaks(*, now: datetime | None = None) -> None:
    """Store an edition's count of phones, with its time, when it beats ``Edition.peak_audience``.

    In the caller's write: the scheduler opens one only when ``peaks_to_record()``. With several
    processes the count is the sum across them (``audience_by_edition``); the update only ever
    raises the stored value, so two processes never lower each other's peak.
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
