"""How many sockets one process holds, and the clients it refused for it (in this process's memory).

A process has real ceilings: its green-thread pool (eventlet's WSGI server, gunicorn's
``worker_connections`` in gevent mode), its listening backlog and its file descriptors. Past them a
new client is not refused, it hangs. pitchday sets those ceilings above ``PITCHDAY_MAX_CLIENTS``
(``server_limits``) and refuses, at once and with a reason, the handshake of a client that would
go beyond it (realtime/transport.py); the consoles see how many were refused.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

# Green threads kept for plain HTTP requests (pages, static files, the control API) beside the sockets.
HTTP_HEADROOM = 256
LISTEN_BACKLOG = 2048  # a room arriving at once queues in the kernel, not in the SYN retries
FILES_PER_CLIENT = 1  # one socket each; the database, Redis and the log add a few (FILES_HEADROOM)
FILES_HEADROOM = 512

_refused: Counter = Counter()  # reason -> clients refused since the process started


@dataclass(frozen=True)
class ServerLimits:
    """The settings of the serving process that follow from ``max_clients``."""

    max_clients: int
    pool_size: int  # eventlet's WSGI pool, gunicorn's worker_connections
    backlog: int
    open_files: int  # RLIMIT_NOFILE wanted


def server_limits(max_clients: int) -> ServerLimits:
    return ServerLimits(max_clients=max_clients, pool_size=max_clients + HTTP_HEADROOM, backlog=LISTEN_BACKLOG,
                        open_files=max_clients * FILES_PER_CLIENT + HTTP_HEADROOM + FILES_HEADROOM)


def admit(connected: int, max_clients: int) -> bool:
    """Whether a new client may open a socket beside ``connected`` ones; a refusal is counted."""
    if connected < max_clients:
        return True
    _refused["server_full"] += 1
    return False


def refused() -> dict[str, int]:
    """Clients refused by this process since it started, by reason (what the consoles show)."""
    return dict(_refused)


def forget_refused() -> None:
    _refused.clear()


def raise_open_files(wanted: int) -> tuple[int, int]:
    """Raise this process's soft limit of open files towards ``wanted`` (up to the hard limit, which
    only the system raises: ``LimitNOFILE=`` in a systemd unit, ``ulimit -Hn``). (soft, hard) after."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft, hard
