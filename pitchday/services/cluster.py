"""What the processes of one instance share through Redis: who is alive, what each counts, who leads.

With ``PITCHDAY_MESSAGE_QUEUE=redis://…`` several processes serve one instance. Each one:

- writes its own presence counts under a key of its own that expires (``PROCESS_TTL_MS``), and
  refreshes it every pass of its scheduler: a process killed with ``kill -9`` stops refreshing and
  its clients vanish from everyone's counts within seconds, without anyone cleaning up after it;
- reads the others' counts once per pass (one round trip), so that a moderator's console shows
  the same numbers whatever process it is on;
- takes part in the election of the one scheduler (``leads``): a lock with an expiry
  (``SET NX PX``), renewed by its holder at every pass, taken over by another process within
  ``LEADER_TTL_MS`` when the holder dies.

Without Redis (one process) nothing of this runs, and every process leads. When Redis fails, every
process leads too: due transitions stay correct without the lock (each one is stored under the
live state's row lock, a second runner finds it done and broadcasts nothing), and a moderators'
refresh sent twice is harmless, whereas a show stuck waiting for Redis is not.
"""
from __future__ import annotations

import logging
import os
import socket
import time
import uuid

from flask import current_app

from ..timeutil import now_ms

PROCESS_TTL_MS = 5000  # a process silent this long is gone, and its clients with it
LEADER_TTL_MS = 3000  # a dead scheduler is replaced within this
REDIS_TIMEOUT_S = 1.0  # a Redis that does not answer must not stall the scheduler for long
RETRY_AFTER_S = 1.0  # while it is down, try again this often, not at every pass

log = logging.getLogger(__name__)

# This process, as the others see it: host and pid (what a person reading Redis recognises), and a
# random part so that a pid reused after a restart is another process.
PROCESS_ID = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"

# Renew the lock if we hold it, take it if nobody does; 1 if we hold it now.
_LEAD = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""


class Shared:
    """The Redis of the message queue, and this instance's keys in it (prefixed by the queue's channel)."""

    def __init__(self, url: str, prefix: str):
        import redis

        self.url = url
        self.prefix = prefix
        self.redis = redis.Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT_S, socket_timeout=REDIS_TIMEOUT_S)
        self.lead_script = self.redis.register_script(_LEAD)
        self.healthy = True
        self.retry_at = 0.0  # while unhealthy: when to try again

    def resting(self) -> bool:
        """Down a moment ago: do not try again yet (a Redis that times out would slow every pass)."""
        return not self.healthy and time.monotonic() < self.retry_at

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))


_shared: Shared | None = None


def shared() -> Shared | None:
    """The shared Redis of the current app, or None when it runs alone (no Redis message queue)."""
    global _shared
    url = current_app.config.get("PITCHDAY_MESSAGE_QUEUE") or ""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    prefix = f"pitchday:{current_app.config.get('PITCHDAY_MESSAGE_QUEUE_CHANNEL') or 'flask-socketio'}"
    if _shared is None or _shared.url != url or _shared.prefix != prefix:
        _shared = Shared(url, prefix)
    return _shared


def _failed(store: Shared, what: str, error: Exception) -> None:
    if store.healthy:  # one line per outage, not five a second
        log.warning("Redis unavailable (%s): %s; this process carries on alone until it is back", what, error)
    store.healthy = False
    store.retry_at = time.monotonic() + RETRY_AFTER_S


def exchange_counts(mine: dict[str, int]) -> tuple[dict[str, tuple[int, dict[str, int]]], bool] | None:
    """Store this process's counts (``"edition:view" -> n``) and read every live process's.

    Returns ``({process: (expires_at_ms, counts)}, recovered)`` with this process left out,
    ``recovered`` True on the first success after a failure; None without Redis or when it fails.
    """
    store = shared()
    if store is None or store.resting():
        return None
    now = now_ms()
    registry, own = store.key("processes"), store.key("presence", PROCESS_ID)
    try:
        with store.redis.pipeline(transaction=True) as pipe:
            pipe.delete(own)
            if mine:
                pipe.hset(own, mapping=mine)
                pipe.pexpire(own, PROCESS_TTL_MS)
            pipe.zadd(registry, {PROCESS_ID: now + PROCESS_TTL_MS})
            pipe.pexpire(registry, PROCESS_TTL_MS)  # gone with the last process: nothing left behind
            pipe.zremrangebyscore(registry, "-inf", now)
            pipe.zrangebyscore(registry, now, "+inf", withscores=True)
            alive = pipe.execute()[-1]
        others = [(member.decode(), int(score)) for member, score in alive if member.decode() != PROCESS_ID]
        with store.redis.pipeline(transaction=False) as pipe:
            for process, _expires in others:
                pipe.hgetall(store.key("presence", process))
            tallies = pipe.execute()
    except Exception as error:  # redis.RedisError, OSError: whatever the outage looks like
        _failed(store, "presence", error)
        return None
    recovered, store.healthy = not store.healthy, True
    if recovered:
        log.warning("Redis is back: presence and the scheduler's election are shared again")
    return ({process: (expires, {k.decode(): int(v) for k, v in tally.items()})
             for (process, expires), tally in zip(others, tallies)}, recovered)


def leads() -> bool:
    """Whether this process runs the scheduler now (renewing its lock if it holds it)."""
    store = shared()
    if store is None or store.resting():
        return True
    try:
        held = bool(store.lead_script(keys=[store.key("scheduler")], args=[PROCESS_ID, LEADER_TTL_MS]))
    except Exception as error:
        _failed(store, "scheduler election", error)
        return True
    return held


def leader() -> str | None:
    """The process holding the scheduler's lock (for tests and people reading the logs)."""
    store = shared()
    if store is None:
        return PROCESS_ID
    holder = store.redis.get(store.key("scheduler"))
    return holder.decode() if holder else None
