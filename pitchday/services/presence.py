"""Who is connected, per edition and view (in this process's memory).

With several processes behind a message queue each process counts its own
clients; the moderator sees the counts of the process it is connected to.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

VIEWS = ("projector", "stage", "moderator", "audience")


@dataclass(frozen=True)
class Client:
    edition_id: int
    view: str
    moderator_link: str | None = None  # token id of the link that opened a moderator console
    device_id: str | None = None  # audience phones: the signed device id of their cookie
    address: str | None = None  # the peer's address (the venue's, for a whole room): rate-limit ceiling


_clients: dict[str, Client] = {}


def join(sid: str, client: Client) -> None:
    _clients[sid] = client


def leave(sid: str) -> Client | None:
    return _clients.pop(sid, None)


def client(sid: str) -> Client | None:
    return _clients.get(sid)


def counts(edition_id: int) -> dict[str, int]:
    tally = Counter(c.view for c in _clients.values() if c.edition_id == edition_id)
    return {view: tally.get(view, 0) for view in VIEWS}


