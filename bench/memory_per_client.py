#!/usr/bin/env python3
"""What each connected client costs the server's memory, and where it goes (tracemalloc).

Starts the server under test with ``tracemalloc`` on (``bench/traced_server.py``: the same
``pitchday demo``, or the bare reference, in a process that dumps a tracemalloc snapshot when it
gets SIGUSR1), takes a snapshot, connects N audience sockets as phones do (WebSocket, a snapshot,
five clock samples), takes another, and prints the growth per client by where it was allocated
(the allocation's innermost frame of pitchday, Flask-SocketIO, python-socketio, Engine.IO, eventlet
or greenlet), beside the growth of the resident set size. tracemalloc sees Python's allocators
only (objects, and the greenlets' saved C stacks, which greenlet allocates with PyMem): the RSS
figure also counts the allocator's arenas and the kernel's socket buffers.

    .venv/bin/python bench/memory_per_client.py --clients 300 --servers pitchday,bare
"""
from __future__ import annotations

import argparse
import asyncio
import os
import pickle
import signal
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

from common import (ROOT, Deadline, Server, command_line, connect, disconnect_all, machine_info, new_client, run,
                    write_results)

OURS = ("pitchday/", "flask_socketio/", "socketio/", "engineio/", "eventlet/", "greenlet", "flask/", "werkzeug/")


class TracedServer(Server):
    """``Server``, started through bench/traced_server.py (tracemalloc on, snapshots on SIGUSR1)."""

    def __init__(self, **kwargs):
        super().__init__(wrapper=str(ROOT / "bench" / "traced_server.py"), **kwargs)
        self.extra_env = {**self.extra_env, "BENCH_SNAPSHOT": str(self.dir / "snapshot.pickle")}

    def snapshot(self, timeout: float = 60.0) -> tracemalloc.Snapshot:
        path = self.dir / "snapshot.pickle"
        done = path.with_suffix(".done")
        done.unlink(missing_ok=True)
        os.kill(self.process.pid, signal.SIGUSR1)
        end = time.monotonic() + timeout
        while not done.exists():
            if time.monotonic() > end:
                raise RuntimeError("no snapshot from the server")
            time.sleep(0.1)
        with open(path, "rb") as f:
            return pickle.load(f)


def where(trace_frames) -> str:
    """The innermost frame of the allocation that belongs to a library of interest (or the innermost).

    A tracemalloc traceback runs from the oldest frame to the most recent one."""
    for frame in reversed(trace_frames):
        name = frame.filename.replace("\\", "/")
        for mark in OURS:
            if mark in name:
                short = name[name.index(mark):]
                return f"{short}:{frame.lineno}"
    frame = trace_frames[-1]
    return f"{Path(frame.filename).name}:{frame.lineno}"


def growth(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot, clients: int, top: int) -> dict:
    grown: Counter = Counter()
    for stat in after.compare_to(before, "traceback"):
        grown[where(stat.traceback)] += stat.size_diff
    total = sum(grown.values())
    return {"traced_bytes_per_client": round(total / clients),
            "top": [[place, round(size / clients)] for place, size in grown.most_common(top)]}


async def measure(kind: str, args, deadline: Deadline) -> dict:
    server = TracedServer(startup_timeout=deadline.timeout(90), kind=kind)
    clients = []
    try:
        await asyncio.to_thread(server.start)
        await asyncio.sleep(args.settle)
        before = await asyncio.to_thread(server.snapshot)
        rss_before = server.rss_kb()
        for start in range(0, args.clients, args.batch):
            batch = [new_client() for _ in range(min(args.batch, args.clients - start))]
            await asyncio.gather(*[connect(c, server.url, "audience", timeout=deadline.timeout(30)) for c in batch])
            for c in batch:
                for _ in range(args.clock_samples):
                    await c.call("clock", timeout=deadline.timeout(30))
            clients += batch
        await asyncio.sleep(args.settle)
        after = await asyncio.to_thread(server.snapshot)
        rss_after = server.rss_kb()
    finally:
        await disconnect_all(clients)
        await asyncio.to_thread(server.stop)
    return {"server": kind, "clients": args.clients, "rss_kb_per_client": round((rss_after - rss_before) / args.clients, 1),
            **growth(before, after, args.clients, args.top)}


async def main(args, deadline: Deadline) -> int:
    results = []
    for kind in args.servers.split(","):
        print(f"{kind}: {args.clients} clients ...", flush=True)
        results.append(await measure(kind, args, deadline))
    for r in results:
        print(f"\n{r['server']}: {r['rss_kb_per_client']} KB of RSS per client, {r['traced_bytes_per_client']} bytes "
              f"traced by tracemalloc per client; where the traced bytes grew (bytes per client):")
        for place, size in r["top"]:
            print(f"  {size:>7}  {place}")
    path = write_results("memory", {"benchmark": "memory_per_client", "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                                    "command": command_line(), "machine": machine_info(), "options": vars(args),
                                    "results": results}, args.out)
    print(f"\nJSON: {path}")
    return 0


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clients", type=int, default=300)
    p.add_argument("--batch", type=int, default=50)
    p.add_argument("--clock-samples", type=int, default=5)
    p.add_argument("--servers", default="pitchday,bare", help="pitchday, bare, base (BENCH_BASE_CHECKOUT)")
    p.add_argument("--settle", type=float, default=2.0)
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--max-seconds", type=float, default=600.0)
    p.add_argument("--out")
    return p.parse_args(argv)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "bench"))
    sys.exit(run(main, parse_args()))
