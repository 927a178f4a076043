"""Rate limits on what the audience sends: per phone, with a generous ceiling per address.

A whole room shares one public address on the venue Wi-Fi, so the per-address ceiling is set for
hundreds of honest phones; a single flooding phone hits its own limit long before and slows down
nobody else. Counters live in memory, or in Redis when several processes serve the evening
(``PITCHDAY_RATE_LIMIT_STORAGE``, by default the Redis message queue if there is one).
"""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

# action: (per phone, per address)
LIMITS = {
    "ask": ("3/minute;20/hour", "1000/minute"),
    "vote": ("60/minute", "10000/minute"),
    "connect": ("5/10 minutes", "300/minute"),
    # The public application form has no device cookie: both limits count the sender's address.
    "apply": ("10/10 minutes", "30/hour"),
}


# The organisers' login counts failures, per address and for the whole instance (one shared password:
# guesses spread over many addresses still meet the instance's ceiling).
# Per account too (keyed on a digest of the e-mail typed, whether or not it has an account): guesses
# at one account from many addresses stop at its own ceiling.
LOGIN_LIMITS = {"address": "5/minute;20/hour", "account": "5/minute;20/hour", "instance": "60/minute;300/hour"}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after_s: int = 0  # when refused: seconds until the next attempt can succeed


def _items(spec: str) -> list[RateLimitItem]:
    return [parse(part) for part in spec.split(";")]


class RateLimits:
    """Bound to the app like an extension; ``check`` both tests and, if allowed, counts."""

    def __init__(self) -> None:
        self.limiter: MovingWindowRateLimiter | None = None
        self.storage_url = "memory://"
        self.login_lock: threading.Lock | None = None

    def init_app(self, app) -> None:
        self.storage_url = app.config.get("PITCHDAY_RATE_LIMIT_STORAGE") or "memory://"
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

    def check(self, action: str, *, device_id: str, address: str | None) -> Decision:
        per_device, per_address = LIMITS[action]
        keys = [(item, (action, "device", device_id)) for item in _items(per_device)]
        keys += [(item, (action, "address", address or "unknown")) for item in _items(per_address)]
        decision = self._first_refusal(keys)
        if not decision.allowed:
            return decision
        for item, identifiers in keys:
            self.limiter.hit(item, *identifiers)
        return Decision(True)
