"""Clock and time-zone helpers.

The domain never reads the clock: it is given ``now``. Its callers do: the services, the model's
default timestamps, the socket handlers (the ``clock`` answer) and the scheduler, and a few views
(whether an application form or the agenda is open, the agenda's stamp).
"""
from __future__ import annotations

import time
from datetime import datetime, timezone

from .domain.editions import PARIS  # noqa: F401 (the evenings' zone, defined once in the domain)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def as_utc(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back: they were stored in UTC."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def to_ms(moment: datetime) -> int:
    return int(as_utc(moment).timestamp() * 1000)


def from_ms(ms: int | None) -> datetime | None:
    """Epoch milliseconds (the run of show's times) to an aware UTC datetime."""
    return None if ms is None else datetime.fromtimestamp(ms / 1000, timezone.utc)
