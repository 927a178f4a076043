#!/usr/bin/env python3
"""Run the server under test with tracemalloc; SIGUSR1 dumps a snapshot (bench/memory_per_client.py).

``BENCH_SERVER_KIND``: ``pitchday`` or ``base`` (``pitchday demo`` of this checkout, or of the one on
PYTHONPATH) or ``bare`` (bench/bare_server.py). The snapshot goes to ``BENCH_SNAPSHOT``, then an
empty ``<that path minus its suffix>.done`` says it is complete.
"""
from __future__ import annotations

import os
import pickle
import signal
import sys
import tracemalloc
from pathlib import Path

kind = os.environ.get("BENCH_SERVER_KIND", "pitchday")
if kind == "bare":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bare_server as server  # eventlet.monkey_patch() first, as the script itself does
else:
    import pitchday.cli as server  # monkey-patches eventlet on import, as `pitchday` does

def dump(_signum, _frame) -> None:
    """The first signal starts tracing (the start-up is not traced: it would be very slow), each one
    writes a snapshot: what the second holds is what was allocated since the first, and is still alive."""
    path = Path(os.environ["BENCH_SNAPSHOT"])
    if not tracemalloc.is_tracing():
        tracemalloc.start(int(os.environ.get("BENCH_TRACE_FRAMES", "12")))
    snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
    with open(path, "wb") as f:
        pickle.dump(snapshot, f)
    path.with_suffix(".done").touch()

signal.signal(signal.SIGUSR1, dump)
server.main()  # bare_server's argparse or pitchday's click group: both read sys.argv
