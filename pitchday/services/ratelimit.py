"""Rate limits on what the audience sends: per phone, with a generous ceiling per address.

A whole room shares one public address on the venue Wi-Fi, so the per-address ceiling is set for
hundreds of honest phones; a single flooding phone hits its own limit long before and slows down
nobody else. Counters live in memory, or in Redis when several processes serve the evening
(``PITCHDAY_RATE_LIMIT_STORAGE``, by default the Redis message queue if there is one).
"""
from __future__ import annotations

import functools
import math
import threading
import time
from collections import deque
from dataclasses import dataclass

from limits import RateLimitItem, WindowStats, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

# action: (per phone, per address)
LIMITS = {
    "ask": ("3/minute;20/hour", "1000/minute"),
    "vote": ("60/minute", "10000/minute"),
    "connect": ("5/10 minutes", "300/minute"),
    # The public application form has no device cookie: both limits count the sender's address.
    "apply": ("10/10 minutes", "30/hour"),
    # branch control: the hardware control API, per device token (the key is the token's digest).
    # A person presses a button a few times a second at most; Companion may poll the state twice a second.
    "control": ("60/minute", "600/minute"),
    "control_state": ("300/minute", "3000/minute"),
}


# Devices whose cookie is under a minute old (domain.audience.YOUNG_DEVICE_MS), per address, all
# together: what a script taking a fresh cookie before each submission gets at most. A room's phones
# opened the page earlier in the evening and do not count here; a crowd of phones arriving together
# and voting in their very first minute would meet it (and be told to retry in a few seconds).
YOUNG_LIMITS = {"ask": "10/minute", "vote": "30/minute"}


# The organisers' login counts failures, per address and for the whole instance (one shared password:
# guesses spread over many addresses still meet the instance's ceiling).
# Per account too (keyed on a digest of the e-mail typed, whether or not it has an account): guesses
# at one account from many addresses stop at its own ceiling.
LOGIN_LIMITS = {"address": "5/minute;20/hour", "account": "5/minute;20/hour", "instance": "60/minute;300/hour"}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after_s: int = 0  # when refused: seconds until the next attempt can succeed


@functools.lru_cache(maxsize=64)
def _items(spec: str) -> tuple[RateLimitItem, ...]:
    """Parsed once per spec: parsing at every vote was a few per cent of a vote storm's CPU."""
    return tuple(parse(part) for part in spec.split(";"))


class LocalMovingWindow:
    """The moving windows of ``limits.MovingWindowRateLimiter`` for one process's memory, cheap in a storm.

    ``limits``' memory storage runs a timer thread every 10 ms while counters are in use; each run
    walks every key and copies every window's list of hits. In a vote storm (300 phones, and one
    window of up to 10 000 hits for the room's shared address) that thread took a quarter of the
    server's CPU (py-spy, docs/benchmarks.md). Here a window is a deque of its hits' times, trimmed
    when it is read; windows left idle are dropped every ``SWEEP_EVERY`` hits. Same interface as the
    part of the limiter used below (``test``, ``hit``, ``get_window_stats``, ``storage.reset``).
    """

    SWEEP_EVERY = 5000

    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, deque]] = {}  # key -> (seconds, times of its hits, oldest first)
        self._hits = 0
        self._lock = threading.Lock()  # made after monkey-patching (init_app): green under eventlet
        self.storage = self

    def _window(self, item: RateLimitItem, identifiers, now: float, key: str | None = None) -> deque | None:
        window = self._windows.get(key or item.key_for(*identifiers))
        if window is None:
            return None
        seconds, hits = window
        while hits and hits[0] <= now - seconds:
            hits.popleft()
        return hits

    def test(self, item: RateLimitItem, *identifiers: str) -> bool:
        with self._lock:
            hits = self._window(item, identifiers, time.time())
            return hits is None or len(hits) < item.amount

    def hit(self, item: RateLimitItem, *identifiers: str) -> bool:
        with self._lock:
            now = time.time()
            hits = self._window(item, identifiers, now)
            if hits is None:
                hits = deque()
                self._windows[item.key_for(*identifiers)] = (item.get_expiry(), hits)
            if len(hits) >= item.amount:
                return False
            hits.append(now)
            self._hits += 1
            if self._hits % self.SWEEP_EVERY == 0:
                self._sweep(now)
            return True

    def take(self, keys: list[tuple[RateLimitItem, tuple[str, ...]]]) -> Decision:
        """``RateLimits.check``'s test of every window then hit of every one, under one lock and one
        look-up per window: the same decision and retry delay as ``test``, ``get_window_stats``, ``hit``."""
        with self._lock:
            now = time.time()
            windows = []
            for item, identifiers in keys:
                key = item.key_for(*identifiers)
                hits = self._window(item, identifiers, now, key)
                if hits is not None and len(hits) >= item.amount:
                    return Decision(False, max(1, math.ceil(hits[0] + item.get_expiry() - time.time())))
                windows.append((item, key, hits))
            for item, key, hits in windows:
                if hits is None:
                    hits = deque()
                    self._windows[key] = (item.get_expiry(), hits)
                hits.append(now)
                self._hits += 1
                if self._hits % self.SWEEP_EVERY == 0:
                    self._sweep(now)
            return Decision(True)

    def get_window_stats(self, item: RateLimitItem, *identifiers: str) -> WindowStats:
        with self._lock:
            now = time.time()
            hits = self._window(item, identifiers, now) or ()
            reset = hits[0] + item.get_expiry() if hits else now
            return WindowStats(reset, max(0, item.amount - len(hits)))

    def _sweep(self, now: float) -> None:
        idle = [key for key, (seconds, hits) in self._windows.items() if not hits or hits[-1] <= now - seconds]
        for key in idle:
            del self._windows[key]

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()

    def __len__(self) -> int:
        return len(self._windows)


class RateLimits:
    """Bound to the app like an extension; ``check`` both tests and, if allowed, counts."""

    def __init__(self) -> None:
        self.limiter: MovingWindowRateLimiter | LocalMovingWindow | None = None
        self.storage_url = "memory://"
        self.login_lock: threading.Lock | None = None

    def init_app(self, app) -> None:
        self.storage_url = app.config.get("PITCHDAY_RATE_LIMIT_STORAGE") or "memory://"
        if self.storage_url.startswith("memory://"):
            self.limiter = LocalMovingWindow()  # one process: no timer thread (see the class)
        else:
            self.limiter = MovingWindowRateLimiter(storage_from_string(self.storage_url))
        # Made here, after any monkey-patching (a green lock under eventlet): the login's test, its
        # password check and its count run one at a time, so parallel guesses cannot all pass the test.
        self.login_lock = threading.Lock()

    def reset(self) -> None:
        """Forget every counter (tests, and the organiser's "new evening")."""
        self.limiter.storage.reset()

    def _login_keys(self, address: str | None, account: str | None = None) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
        keys = [(item, ("login", "address", address or "unknown")) for item in _items(LOGIN_LIMITS["address"])]
        if account:
            import hashlib

            digest = hashlib.sha256(account.strip().lower().encode()).hexdigest()[:32]  # no address in a key
            keys += [(item, ("login", "account", digest)) for item in _items(LOGIN_LIMITS["account"])]
        return keys + [(item, ("login", "instance")) for item in _items(LOGIN_LIMITS["instance"])]

    def _first_refusal(self, keys) -> Decision:
        for item, identifiers in keys:
            if not self.limiter.test(item, *identifiers):
                reset_at = self.limiter.get_window_stats(item, *identifiers).reset_time
                return Decision(False, max(1, math.ceil(reset_at - time.time())))
        return Decision(True)

    def login_allowed(self, address: str | None, account: str | None = None) -> Decision:
        """Whether a login attempt from ``address`` (for the e-mail ``account``) may be checked at all
        (counts nothing)."""
        return self._first_refusal(self._login_keys(address, account))

    def login_failed(self, address: str | None, account: str | None = None) -> None:
        """Count a wrong password from ``address`` (for ``account``, and for the instance)."""
        for item, identifiers in self._login_keys(address, account):
            self.limiter.hit(item, *identifiers)

    def check(self, action: str, *, device_id: str, address: str | None, young: bool = False) -> Decision:
        """``young``: a device under a minute old, also counted in its address's budget of new devices."""
        per_device, per_address = LIMITS[action]
        keys = [(item, (action, "device", device_id)) for item in _items(per_device)]
        keys += [(item, (action, "address", address or "unknown")) for item in _items(per_address)]
        if young:
            keys += [(item, (action, "young", address or "unknown")) for item in _items(YOUNG_LIMITS[action])]
        if isinstance(self.limiter, LocalMovingWindow):
            return self.limiter.take(keys)
        decision = self._first_refusal(keys)
        if not decision.allowed:
            return decision
        for item, identifiers in keys:
            self.limiter.hit(item, *identifiers)
        return Decision(True)
