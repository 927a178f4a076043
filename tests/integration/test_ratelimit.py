"""Rate limits per phone and per address, in memory and shared between processes through Redis."""
from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
import redis

from pitchday.services.ratelimit import RateLimits

pytestmark = pytest.mark.integration

REDIS_DB = 9  # on the machine's shared Redis: tests touch only the keys they create


def limits(storage: str) -> RateLimits:
    """A limiter as one server process builds it from its configuration."""
    limiter = RateLimits()
    limiter.init_app(SimpleNamespace(config={"PITCHDAY_RATE_LIMIT_STORAGE": storage}))
    return limiter


@pytest.fixture()
def device():
    """A phone id of this test alone; its counters in Redis are deleted afterwards.

    No flushdb: a second test run beside this one (or another instance) uses the same database.
    """
    device_id = f"phone-{uuid.uuid4()}"
    yield device_id
    store = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    for key in store.scan_iter(match=f"*{device_id}*"):
        store.delete(key)


@pytest.fixture()
def redis_url():
    return f"redis://127.0.0.1:6379/{REDIS_DB}"


def test_per_phone_limit_refuses_the_fourth_question_of_the_minute():
    limiter = limits("memory://")

    decisions = [limiter.check("ask", device_id="phone-1", address="192.0.2.1") for _ in range(4)]

    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert 50 <= decisions[-1].retry_after_s <= 60


def test_per_address_ceiling_lets_a_thousand_phones_through_then_stops():
    limiter = limits("memory://")

    decisions = [limiter.check("ask", device_id=f"phone-{i}", address="198.51.100.7") for i in range(1001)]

    assert sum(d.allowed for d in decisions) == 1000
    assert decisions[-1].allowed is False
    assert limiter.check("ask", device_id="phone-elsewhere", address="203.0.113.9").allowed is True


def test_a_refused_attempt_is_not_counted():
    limiter = limits("memory://")
    for _ in range(3):
        limiter.check("ask", device_id="phone-1", address="192.0.2.1")

    for _ in range(10):
        limiter.check("ask", device_id="phone-1", address="192.0.2.1")

    # Ten refused tries did not eat into the address's ceiling (1000 a minute): 997 others still pass.
    others = [limiter.check("ask", device_id=f"p{i}", address="192.0.2.1").allowed for i in range(997)]
    assert all(others)
    assert limiter.check("ask", device_id="one-too-many", address="192.0.2.1").allowed is False


def test_two_processes_share_their_counters_through_redis(redis_url, device):
    first, second = limits(redis_url), limits(redis_url)

    on_first = [first.check("ask", device_id=device, address="192.0.2.1").allowed for _ in range(2)]
    on_second = [second.check("ask", device_id=device, address="192.0.2.1").allowed for _ in range(2)]

    assert on_first == [True, True]
    assert on_second == [True, False]  # the third question went through the other process


def test_redis_is_the_default_store_when_the_message_queue_is_redis():
    from pitchday.config import Config

    settings = Config(MESSAGE_QUEUE="redis://127.0.0.1:6379/3", RATE_LIMIT_STORAGE=None).as_flask()

    assert settings["PITCHDAY_RATE_LIMIT_STORAGE"] == "redis://127.0.0.1:6379/3"
    assert Config(MESSAGE_QUEUE=None, RATE_LIMIT_STORAGE=None).as_flask()["PITCHDAY_RATE_LIMIT_STORAGE"] == "memory://"
