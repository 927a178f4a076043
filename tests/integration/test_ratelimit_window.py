"""The in-memory moving window counts as limits' MovingWindowRateLimiter does, without its timer thread."""
from __future__ import annotations

import random

import pytest
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from pitchday.services import ratelimit
from pitchday.services.ratelimit import LocalMovingWindow

pytestmark = pytest.mark.integration


class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        return self.now


def test_the_local_window_decides_as_limits_moving_window_does(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(ratelimit.time, "time", clock)  # the time module: limits' storage reads it too
    ours, theirs = LocalMovingWindow(), MovingWindowRateLimiter(MemoryStorage())
    items = [parse("3/minute"), parse("20/hour"), parse("5/10 seconds")]
    rng = random.Random(12)
    for _ in range(600):
        clock.now += rng.choice((0.1, 0.5, 2, 7, 30))
        item, who = rng.choice(items), rng.choice(("a", "b"))
        assert ours.test(item, "ask", who) == theirs.test(item, "ask", who)
        assert ours.hit(item, "ask", who) == theirs.hit(item, "ask", who)
        assert ours.get_window_stats(item, "ask", who).remaining == theirs.get_window_stats(item, "ask", who).remaining


def test_idle_windows_are_dropped(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(ratelimit.time, "time", clock)
    monkeypatch.setattr(LocalMovingWindow, "SWEEP_EVERY", 10)
    window, item = LocalMovingWindow(), parse("60/minute")
    for phone in range(9):
        window.hit(item, "vote", "device", str(phone))
    assert len(window) == 9
    clock.now += 61  # every window is idle now
    window.hit(item, "vote", "device", "late")  # the tenth hit sweeps
    assert len(window) == 1


def test_a_refusal_says_when_to_retry():
    window, item = LocalMovingWindow(), parse("2/minute")
    assert window.hit(item, "x") and window.hit(item, "x") and not window.hit(item, "x")
    assert not window.test(item, "x")
    stats = window.get_window_stats(item, "x")
    assert stats.remaining == 0 and stats.reset_time > 0
    window.reset()
    assert window.test(item, "x")


def test_a_check_in_one_pass_decides_as_tests_then_hits_with_limits(monkeypatch):
    """``RateLimits.check`` on the local window (``take``: one lock, one look-up per window) gives the
    same decisions and retry delays as on limits' own moving window."""
    clock = Clock()
    monkeypatch.setattr(ratelimit.time, "time", clock)
    monkeypatch.setitem(ratelimit.LIMITS, "vote", ("4/minute", "9/minute"))
    monkeypatch.setitem(ratelimit.YOUNG_LIMITS, "vote", "3/minute")
    ours, theirs = ratelimit.RateLimits(), ratelimit.RateLimits()
    ours.limiter = LocalMovingWindow()
    theirs.limiter = MovingWindowRateLimiter(MemoryStorage())
    rng = random.Random(7)
    refused = 0
    for _ in range(800):
        clock.now += rng.choice((0.05, 0.5, 2, 9, 40))
        who = {"device_id": rng.choice(("a", "b", "c")), "address": rng.choice(("192.0.2.1", None)),
               "young": rng.random() < 0.3}
        decision = ours.check("vote", **who)
        assert decision == theirs.check("vote", **who)
        refused += not decision.allowed
    assert 50 < refused < 750  # both kinds of answer were compared
