"""Settings of a serving process that are not the application's: the garbage collector."""
from __future__ import annotations

import gc

# Young objects are collected ten times less often than Python's default (700): a broadcast to a
# thousand phones makes many short-lived objects, and each collection pauses every screen.
GEN0_THRESHOLD = 7000


def prepare_for_serving() -> None:
    """Once the app is loaded: keep its long-lived objects out of the garbage collector's scans.

    Measured with 1000 phones connected (docs/benchmarks.md): full collections paused the server
    for 50–90 ms, delaying a whole broadcast; the modules, the Flask app and SQLAlchemy's metadata
    never die, so scanning them again at every full collection is wasted time.
    """
    gc.collect()
    gc.freeze()
    _gen0, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)
