#!/usr/bin/env python3
"""Broadcast latency and memory per client of a real pitchday server.

What a moderator does (extend the countdown, move to the next talk) must reach every screen in
the room at once: the projector, the stage and hundreds of phones. This script measures how
long that takes, and how much server memory each connected screen costs.

For each client count N (default 100, 300 and 1000) it:

1. starts ``pitchday demo`` (temporary SQLite database, free port), opens the moderator link
   without following the redirect to get the moderator cookie, connects the moderator and sends
   ``start``;
2. reads the server's RSS (``/proc/<pid>/status`` VmRSS), connects N audience clients (in
   batches, from ``--procs`` client processes), reads the RSS again: the growth divided by N is
   the memory per client;
3. runs R rounds (default 20): the moderator emits the command ``extend`` (+30 s, then -30 s,
   ...) and, for every client, the time from just before the emit until that client has received
   a ``state`` event whose ``version`` is at least the version in the ack is recorded; so are the
   ack latency and the server's CPU time (``/proc/<pid>/stat``) of the round;
4. stops the server and the client processes (also on error, Ctrl+C or at the deadline).

It prints a table and writes JSON to ``bench/results/broadcast-<date>.json``.

The clients are python-socketio's ``AsyncClient`` over WebSocket, as browsers connect. A client
notes the time when its ``state`` handler runs, so the figures include the client's own
decoding: with the clients on the same two cores as the server, they are pessimistic. The
clients are spread over ``--procs`` processes (default 2): in a single one, each broadcast is
decoded by one client after the other (about 70 microseconds each here), which at 300 clients
raised the p99 from 24 to 43 ms. Times are ``time.perf_counter_ns()`` (CLOCK_MONOTONIC),
comparable between the processes of one machine.

Usage::

    .venv/bin/python bench/broadcast_latency.py                        # N = 100, 300, 1000; 20 rounds
    .venv/bin/python bench/broadcast_latency.py --clients 20 --rounds 3  # a quick try
    .venv/bin/python bench/broadcast_latency.py --clients 1000 --procs 1 --no-deflate
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import aiohttp

from common import rss_kb_of
from common import (DEVICE_COOKIE, EDITION, Deadline, Server, command_line, connect, disconnect, disconnect_all, fmt, machine_info,
                    moderator_cookie, ms_between, new_client, now_ns, percentile, process_cpu_s, rounded, run,
                    summary, timed_call, write_results)

TARGET_P99_MS = {300: 50.0, 1000: 150.0}
TARGET_KB_PER_CLIENT = 80.0


# --------------------------------------------------------------------------------------------
# Client process: holds a share of the audience clients
# --------------------------------------------------------------------------------------------

class AudienceClient:
    """One audience socket and when it first held each state version."""

    def __init__(self, deflate: bool):
        self.sio = new_client(deflate=deflate)
        self.version = -1
        self.arrivals: dict[int, int] = {}  # version -> perf_counter_ns when it arrived
        self.has_snapshot = asyncio.Event()

    def arrival(self, version: int) -> int | None:
        """When this client first held ``version`` or a later one."""
        times = [t for v, t in self.arrivals.items() if v >= version]
        return min(times) if times else None


class Audience:
    """The audience clients of one client process, and the wait for a version to reach them all."""

    def __init__(self, server_url: str, deflate: bool, cookie_page: bool = False):
        self.server_url = server_url
        self.deflate = deflate
        self.cookie_page = cookie_page
        self.http: aiohttp.ClientSession | None = None
        self.clients: list[AudienceClient] = []
        self.target: int | None = None  # the version being waited for
        self.reached = 0  # clients holding the target version
        self.all_reached = asyncio.Event()
        self.state_bytes = None  # the last state message, JSON-encoded as python-socketio sends it

    def on_state(self, client: AudienceClient, message) -> None:
        arrived = now_ns()
        version = message.get("version") if isinstance(message, dict) else None
        if not isinstance(version, int) or version <= client.version:
            return  # an older state: a client drops it
        before, client.version = client.version, version
        client.arrivals[version] = arrived
        if self.clients and client is self.clients[0]:  # one client measures the message, after its arrival
            self.state_bytes = len(json.dumps(message, separators=(",", ":")))
        if self.target is not None and before < self.target <= version:
            self.reached += 1
            if self.reached >= len(self.clients):
                self.all_reached.set()

    async def open_one(self, timeout: float, clock_samples: int) -> AudienceClient:
        """Connect one client, wait for its snapshot, then sync its clock as the page does."""
        client = AudienceClient(self.deflate)
        started = now_ns()
        cookie = None
        if self.cookie_page:  # what a phone does first: the audience page, which sets its device cookie
            if self.http is None:
                self.http = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar())
            async with self.http.get(f"{self.server_url}/e/{EDITION}/", allow_redirects=False) as response:
                await response.read()
                cookie = f"{DEVICE_COOKIE}={response.cookies[DEVICE_COOKIE].value}"

        def on_snapshot(message):
            client.version = max(client.version, message.get("version", -1))
            client.has_snapshot.set()

        client.sio.on("snapshot", on_snapshot)
        client.sio.on("state", lambda message: self.on_state(client, message))
        await connect(client.sio, self.server_url, "audience", cookie=cookie, timeout=timeout)
        try:
            await asyncio.wait_for(client.has_snapshot.wait(), timeout)
            for _ in range(clock_samples):
                await client.sio.call("clock", timeout=timeout)
        except BaseException:
            await disconnect(client.sio)
            raise
        client.connect_ms = ms_between(started, now_ns())
        return client

    async def connect_all(self, count: int, batch: int, timeout: float, clock_samples: int,
                          max_failures: int, deadline: Deadline) -> dict:
        """Connect ``count`` clients, ``batch`` at a time; gives up after ``max_failures`` failed attempts."""
        started = time.monotonic()
        failures = 0
        errors: Counter = Counter()
        for _ in range(-(-count // batch) + max_failures + 1):  # bounded: each pass adds or fails one batch
            missing = count - len(self.clients)
            if missing <= 0 or failures > max_failures or deadline.left() <= 0:
                break
            results = await asyncio.gather(*[self.open_one(timeout, clock_samples)
                                             for _ in range(min(batch, missing))], return_exceptions=True)
            for result in results:
                if isinstance(result, BaseException):
                    failures += 1
                    errors[f"{type(result).__name__}: {result}"[:120]] += 1
                else:
                    self.clients.append(result)
        if self.http is not None:
            await self.http.close()
        return {"ok": len(self.clients), "failures": failures, "errors": dict(errors),
                "seconds": round(time.monotonic() - started, 3),
                "connect_list": [round(c.connect_ms, 2) for c in self.clients]}

    async def wait_for(self, version: int, timeout: float) -> dict:
        """Wait until every client holds ``version`` (or ``timeout``); their arrival times."""
        self.target = version
        self.reached = sum(1 for c in self.clients if c.version >= version)
        self.all_reached.clear()
        if self.reached < len(self.clients):
            try:
                await asyncio.wait_for(self.all_reached.wait(), timeout)
            except TimeoutError:
                pass
        self.target = None
        times = [c.arrival(version) for c in self.clients]
        return {"version": version, "times_ns": [t for t in times if t is not None],
                "missing": sum(1 for t in times if t is None)}


def reply(message: dict) -> None:
    sys.stdout.write(json.dumps(message, separators=(",", ":")) + "\n")
    sys.stdout.flush()


async def client_process(args, deadline: Deadline) -> int:
    """The ``--worker`` side: connect the clients, then answer the main process's requests.

    Requests come one JSON object a line on stdin, each answered by one line on stdout:
    ``{"wait": version, "timeout": s}``, ``{"mark": true}`` (start counting CPU), ``{"stats": true}``,
    ``{"quit": true}``. End of input, or the deadline, ends the process too.
    """
    audience = Audience(args.server_url, args.deflate, args.cookie_page)
    try:
        reply({"connected": await audience.connect_all(
            args.count, args.batch, args.connect_timeout, args.clock_samples, args.max_failures, deadline)})
        loop = asyncio.get_running_loop()
        requests = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(requests), sys.stdin)
        cpu_mark = process_cpu_s()
        while deadline.left() > 0:
            try:
                line = await asyncio.wait_for(requests.readline(), deadline.left())
            except TimeoutError:
                break
            if not line:
                break
            request = json.loads(line)
            if "wait" in request:
                reply(await audience.wait_for(request["wait"], deadline.timeout(request["timeout"])))
            elif "mark" in request:
                cpu_mark = process_cpu_s()
                reply({"marked": True})
            elif "stats" in request:
                reply({"cpu_since_mark_s": round(process_cpu_s() - cpu_mark, 3), "state_bytes": audience.state_bytes,
                       "alive": sum(1 for c in audience.clients if c.sio.connected)})
            else:
                break
    finally:
        await disconnect_all([c.sio for c in audience.clients])
    return 0


# --------------------------------------------------------------------------------------------
# Main process: the server, the moderator, the rounds
# --------------------------------------------------------------------------------------------

class ClientProcess:
    """A ``--worker`` subprocess holding ``count`` audience clients; one JSON line per request."""

    def __init__(self, process: asyncio.subprocess.Process, count: int):
        self.process, self.count = process, count

    @classmethod
    async def start(cls, server: Server, count: int, args, seconds: float) -> "ClientProcess":
        common_args = ["--server-url", server.url, "--count", str(count), "--batch", str(args.batch),
                       "--connect-timeout", str(args.connect_timeout), "--clock-samples", str(args.clock_samples),
                       "--max-failures", str(args.max_failures), "--max-seconds", str(seconds)]
        if args.generator == "node":
            argv = ["node", str(Path(__file__).resolve().parent / "node" / "loadgen.mjs"), *common_args,
                    "--spread", str(args.spread), "--cookie-page", "true" if args.cookie_page else "false"]
        else:
            argv = [sys.executable, str(Path(__file__).resolve()), "--worker", *common_args,
                    "--deflate" if args.deflate else "--no-deflate"] + (["--cookie-page"] if args.cookie_page else [])
        process = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,  # stderr: the terminal's
            limit=16 * 1024 * 1024)
        return cls(process, count)

    def cpu_s(self) -> float:
        from common import cpu_s_of

        return cpu_s_of(self.process.pid)

    async def read(self, timeout: float) -> dict:
        line = await asyncio.wait_for(self.process.stdout.readline(), timeout)
        if not line:
            raise RuntimeError(f"client process {self.process.pid} ended early (exit {await self.process.wait()})")
        return json.loads(line)

    async def request(self, message: dict, timeout: float) -> dict:
        self.process.stdin.write((json.dumps(message) + "\n").encode())
        await self.process.stdin.drain()
        return await self.read(timeout)

    async def stop(self) -> None:
        if self.process.returncode is not None:
            return
        try:
            self.process.stdin.write(b'{"quit": true}\n')
            await self.process.stdin.drain()
            await asyncio.wait_for(self.process.wait(), 15)
        except (Exception, asyncio.CancelledError):
            if self.process.returncode is None:
                self.process.kill()
                await self.process.wait()


def make_server(kind: str, deadline: Deadline, server_env: list[tuple[str, str]] = ()):
    """``nginxN``: N pitchday processes (PostgreSQL + Redis) behind nginx (bench/cluster.py); the
    others: one process (common.Server)."""
    if kind.startswith("nginx"):
        from cluster import NginxCluster

        return NginxCluster(int(kind[5:]), kind=kind)
    return Server(startup_timeout=deadline.timeout(90), kind=kind, env=dict(server_env))


async def run_one(n: int, args, deadline: Deadline, kind: str = "pitchday") -> dict:
    """The whole measurement for N clients, on a server of its own (``kind``: see ``--servers``)."""
    server = make_server(kind, deadline, args.server_env)
    processes: list[ClientProcess] = []
    moderator = new_client(deflate=args.deflate)
    try:
        await asyncio.to_thread(server.start)
        async with aiohttp.ClientSession() as http:
            cookie = await moderator_cookie(http, server)
        snapshots: list[dict] = []
        moderator.on("snapshot", snapshots.append)
        await connect(moderator, server.url, "moderator", cookie=cookie, timeout=deadline.timeout(15))
        for _ in range(100):  # bounded: up to 5 s for the snapshot
            if snapshots:
                break
            await asyncio.sleep(0.05)
        if not snapshots:
            raise RuntimeError("the moderator got no snapshot")
        version = snapshots[0]["version"]

        async def command(name: str, command_args: dict | None = None) -> tuple[int, int, int]:
            """Run a moderator command; (new version, ns just before the emit, ns at the ack)."""
            payload = {"command_id": str(uuid.uuid4()), "name": name, "args": command_args or {}, "version": version}
            ack, start, end = await timed_call(moderator, "command", payload,
                                               timeout=deadline.timeout(args.round_timeout))
            if not isinstance(ack, dict) or not ack.get("ok"):
                raise RuntimeError(f"command {name} refused: {ack}")
            return ack["version"], start, end

        version, _start, _end = await command("start")
        await asyncio.sleep(args.settle)
        rss_before = server.rss_kb()
        rss_before_by_process = {pid: rss_kb_of(pid) for pid in server.pids}

        # The audience, spread over the client processes.
        shares = [n // args.procs + (1 if i < n % args.procs else 0) for i in range(args.procs)]
        connect_started = time.monotonic()
        cpu_before_connect = server.cpu_s()
        for share in (s for s in shares if s > 0):
            processes.append(await ClientProcess.start(server, share, args, max(10.0, deadline.left())))
        connected = [(await p.read(deadline.timeout(60 + n * 0.5 + args.spread)))["connected"] for p in processes]
        connect_seconds = time.monotonic() - connect_started
        connect_cpu_s = server.cpu_s() - cpu_before_connect
        ok = sum(c["ok"] for c in connected)
        failures = sum(c["failures"] for c in connected)
        errors: Counter = Counter()
        for c in connected:
            errors.update(c["errors"])
        print(f"  {kind} N={n}: {ok} clients connected in {connect_seconds:.1f} s"
              + (f" ({failures} failed attempts: {dict(errors)})" if failures else ""), flush=True)
        if ok < n and not args.allow_missing:
            raise RuntimeError(f"only {ok} of {n} clients connected: {dict(errors)}")
        await asyncio.sleep(args.settle)
        rss_after_connect = server.rss_kb()
        nginx_rss_kb = server.nginx_rss_kb() if hasattr(server, "nginx_rss_kb") else None
        rss_by_process = {pid: rss_kb_of(pid) - rss_before_by_process.get(pid, 0) for pid in server.pids}
        clients_by_process = (list(server.cluster.counts_by_process("audience").values())
                              if hasattr(server, "cluster") else None)  # nginx's sticky hash, as Redis counts them
        if clients_by_process:
            print(f"  {kind} N={n}: audience sockets per process {clients_by_process}", flush=True)

        alive_after_hold = None
        if args.hold:  # the sockets stay open through a few of Engine.IO's pings: still there?
            await asyncio.sleep(args.hold)
            alive_after_hold = sum(s["alive"] for s in await asyncio.gather(
                *[p.request({"stats": True}, 30) for p in processes]))
            print(f"  {kind} N={n}: {alive_after_hold} sockets still open after {args.hold:.0f} s", flush=True)

        # The rounds.
        await asyncio.gather(*[p.request({"mark": True}, 10) for p in processes])
        server_cpu_start = server.cpu_s()
        nginx_cpu_start = server.nginx_cpu_s() if hasattr(server, "nginx_cpu_s") else None
        rounds_started = time.monotonic()
        rounds = []
        for r in range(args.rounds):
            if deadline.left() < args.round_timeout + 20:
                print(f"  N={n}: deadline near, stopped after {r} rounds", flush=True)
                break
            cpu_before = server.cpu_s()
            version, start, acked = await command("extend", {"delta_ms": 30000 if r % 2 == 0 else -30000})
            arrived = await asyncio.gather(*[p.request({"wait": version, "timeout": args.round_timeout},
                                                       args.round_timeout + 10) for p in processes])
            cpu_after = server.cpu_s()
            latencies = sorted(ms_between(start, t) for a in arrived for t in a["times_ns"])
            rounds.append({"version": version, "received": len(latencies), "ack_ms": ms_between(start, acked),
                           "server_cpu_ms": (cpu_after - cpu_before) * 1000, "latencies": latencies})
            await asyncio.sleep(args.gap)
        server_cpu_total = server.cpu_s() - server_cpu_start
        rounds_wall_s = time.monotonic() - rounds_started
        nginx_cpu_s = None if nginx_cpu_start is None else round(server.nginx_cpu_s() - nginx_cpu_start, 2)
        rss_after_rounds = server.rss_kb()
        stats = await asyncio.gather(*[p.request({"stats": True}, 10) for p in processes])
    finally:
        await disconnect(moderator)
        await asyncio.gather(*[p.stop() for p in processes])
        await asyncio.to_thread(server.stop)

    return {
        "server": kind,
        "clients": n,
        "rounds": len(rounds),
        "connect_seconds": round(connect_seconds, 2),
        "connect_failures": failures,
        "connect_errors": dict(errors),
        "connect_ms": summary([ms for c in connected for ms in c.get("connect_list", [])]),
        "snapshot_ms": summary([ms for c in connected for ms in c.get("snapshot_list", [])]),
        "alive_after_hold": alive_after_hold,
        "failed_ms": summary([ms for c in connected for ms in c.get("failed_list", [])]),
        "server_cpu_s_at_connected": round(connect_cpu_s, 2),
        "generator": args.generator,
        "rounds_wall_s": round(rounds_wall_s, 2),
        "nginx_cpu_s_during_rounds": nginx_cpu_s,
        "nginx_rss_kb": nginx_rss_kb,
        "rss_growth_kb_by_process": list(rss_by_process.values()),
        "clients_by_process": clients_by_process,
        "client_cpu_s_during_rounds": [s["cpu_since_mark_s"] for s in stats],
        "client_alive_at_end": sum(s["alive"] for s in stats),
        "state_message_bytes": next((s["state_bytes"] for s in stats if s.get("state_bytes")), None),
        **figures(n, rounds, server_cpu_total),
        "rss_kb": {"before": rss_before, "after_connect": rss_after_connect, "after_rounds": rss_after_rounds},
        "memory_per_client_kb": {"after_connect": round((rss_after_connect - rss_before) / n, 1),
                                 "after_rounds": round((rss_after_rounds - rss_before) / n, 1)},
    }


def figures(n: int, rounds: list[dict], server_cpu_total_s: float) -> dict:
    """Latency over all samples, the slowest client per round, acks and server CPU."""
    every = [ms for r in rounds for ms in r["latencies"]]
    per_round = [{"version": r["version"], "received": r["received"], "ack_ms": rounded(r["ack_ms"]),
                  "server_cpu_ms": rounded(r["server_cpu_ms"]),
                  "first_ms": rounded(r["latencies"][0] if r["latencies"] else None),
                  "p50_ms": rounded(percentile(r["latencies"], 50)),
                  "p99_ms": rounded(percentile(r["latencies"], 99)),
                  "last_ms": rounded(r["latencies"][-1] if r["latencies"] else None)} for r in rounds]
    lasts = sorted(r["last_ms"] for r in per_round if r["last_ms"] is not None)
    firsts = sorted(r["first_ms"] for r in per_round if r["first_ms"] is not None)
    acks = sorted(r["ack_ms"] for r in per_round)
    cpu = sorted(r["server_cpu_ms"] for r in per_round)
    return {
        "samples": len(every),
        "missing": sum(n - r["received"] for r in rounds),
        "latency_ms": summary(every),
        "last_client_ms": {"median_over_rounds": rounded(percentile(lasts, 50)),
                           "worst": rounded(lasts[-1] if lasts else None)},
        "first_client_ms": {"median_over_rounds": rounded(percentile(firsts, 50))},
        "ack_ms": {"median": rounded(percentile(acks, 50)), "p99": rounded(percentile(acks, 99)),
                   "max": rounded(acks[-1] if acks else None)},
        "server_cpu_ms_per_round": {"median": rounded(percentile(cpu, 50)),
                                    "total_over_rounds": round(server_cpu_total_s * 1000, 1)},
        "per_round": per_round,
    }


def print_table(results: list[dict], args) -> None:
    print()
    clients = ("socket.io-client on Node" if args.generator == "node" else
               f"python-socketio, {'offering' if args.deflate else 'without'} permessage-deflate")
    print(f"Broadcast latency, moderator emit -> client holds the new state ({clients} over WebSocket, "
          f"{args.procs} client process{'es' if args.procs > 1 else ''}"
          f"{', each GETs the audience page first' if args.cookie_page else ''})")
    print(f"command: {command_line()}")
    header = (f"{'server':>8} {'clients':>7} {'rounds':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} "
              f"{'last ms':>8} {'worst':>8} {'ack ms':>7} {'srv cpu':>8} {'KB/client':>9} {'bytes':>6}  target")
    print(header)
    print("-" * len(header))
    for r in results:
        lat = r["latency_ms"]
        verdicts = []
        target = TARGET_P99_MS.get(r["clients"]) if r["server"] == "pitchday" else None
        if target is not None:
            met = lat["p99"] is not None and lat["p99"] <= target
            verdicts.append(f"p99 <= {target:.0f}: {'ok' if met else 'MISSED'}")
        kb = r["memory_per_client_kb"]["after_connect"]
        if r["server"] == "pitchday":
            verdicts.append(f"KB <= {TARGET_KB_PER_CLIENT:.0f}: {'ok' if kb <= TARGET_KB_PER_CLIENT else 'MISSED'}")
        verdicts.append(f"connect {r['connect_seconds']:.1f} s (p99 {r['connect_ms']['p99'] or 0:.0f} ms"
                        + (f", {r['connect_failures']} failed" if r["connect_failures"] else "") + ")")
        print(f"{r['server']:>8} {r['clients']:>7} {r['rounds']:>6} {fmt(lat['p50'])} {fmt(lat['p95'])} {fmt(lat['p99'])} "
              f"{fmt(lat['max'])} {fmt(r['last_client_ms']['median_over_rounds'])} "
              f"{fmt(r['last_client_ms']['worst'])} {fmt(r['ack_ms']['median'], 7)} "
              f"{fmt(r['server_cpu_ms_per_round']['median'], 8, 0)} {kb:>9.1f} {r['state_message_bytes'] or 0:>6}  "
              f"{', '.join(verdicts)}")
    print("p50/p95/p99/max over every client of every round; last ms = slowest client of a round, median over")
    print("rounds; worst = slowest client of any round; ack ms = moderator's ack (median); srv cpu = server CPU ms")
    print("per round (median, 10 ms ticks); KB/client = (server RSS after connecting - before) / clients.")
    print(f"Targets: p99 <= {TARGET_P99_MS[300]:.0f} ms at 300 clients, <= {TARGET_P99_MS[1000]:.0f} ms at 1000; "
          f"<= {TARGET_KB_PER_CLIENT:.0f} KB per client.")
    print("Load generator (client processes) CPU during the rounds, as a share of one core per process, and nginx's:")
    for r in results:
        wall = r["rounds_wall_s"] or 0
        shares = [f"{cpu / wall:.0%}" for cpu in r["client_cpu_s_during_rounds"]] if wall else []
        print(f"  {r['server']} N={r['clients']}: {r['generator']} clients {', '.join(shares) or '-'} over {wall:.1f} s"
              + (f"; nginx {r['nginx_cpu_s_during_rounds']:.2f} CPU-s, {r['nginx_rss_kb']} KB"
                 if r.get("nginx_cpu_s_during_rounds") is not None else "")
              + f"; server CPU while connecting {r['server_cpu_s_at_connected']:.2f} s")
    for r in results:
        if r["missing"]:
            print(f"  N={r['clients']}: {r['missing']} client/round samples MISSING "
                  f"(no new state within {args.round_timeout:.0f} s)")
        if r["client_alive_at_end"] < r["clients"]:
            print(f"  N={r['clients']}: only {r['client_alive_at_end']} clients still connected at the end")


async def main(args, deadline: Deadline) -> int:
    if args.worker:
        return await client_process(args, deadline)
    results, failed = [], []
    for n in args.client_counts:
        for kind in args.server_kinds:  # interleaved: both servers of one N under the same load
            if deadline.left() < 30:
                print(f"{kind} N={n}: skipped, the deadline of {args.max_seconds:.0f} s is near", flush=True)
                break
            print(f"{kind} N={n}: starting a server ...", flush=True)
            started = time.monotonic()
            try:
                results.append(await run_one(n, args, deadline, kind))
            except Exception as error:  # one server's failure is a figure too; the others' are kept
                print(f"  {kind} N={n}: FAILED: {error}"[:2000], flush=True)
                failed.append({"server": kind, "clients": n, "error": str(error)[:2000]})
                continue
            print(f"  {kind} N={n}: done in {time.monotonic() - started:.1f} s", flush=True)
            args.out = save(args, results, failed)  # after every server: a later failure loses nothing
    if not results:
        return 1
    print_table(results, args)
    path = save(args, results, failed)
    print(f"\nJSON: {path}")
    return 0


def save(args, results: list[dict], failed: list[dict]) -> str:
    """Write the results so far (the same file each time: ``--out``, else a new one the first time)."""
    options = {k: v for k, v in vars(args).items()
               if k not in ("worker", "server_url", "count", "server_kinds")}
    path = write_results("broadcast", {
        "benchmark": "broadcast_latency",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": command_line(),
        "client": "python-socketio AsyncClient, WebSocket transport",
        "machine": machine_info(),
        "options": options,
        "targets": {"p99_ms": {str(k): v for k, v in TARGET_P99_MS.items()},
                    "memory_per_client_kb": TARGET_KB_PER_CLIENT},
        "results": results,
        "failed": failed,
    }, args.out)
    return str(path)


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Broadcast latency (moderator command -> every client) and server memory per client "
                    "of a real pitchday server.",
        epilog="Results: a table on stdout and JSON in bench/results/broadcast-<date>.json.")
    p.add_argument("--clients", default="100,300,1000", help="comma-separated client counts (default 100,300,1000)")
    p.add_argument("--rounds", type=int, default=20, help="moderator commands per client count (default 20)")
    p.add_argument("--procs", type=int, default=2,
                   help="client processes holding the audience sockets (default 2: with one, the clients' own "
                        "decoding of each broadcast queues up and shows in the tail latency)")
    p.add_argument("--batch", type=int, default=50, help="connections opened at once, per client process (default 50)")
    p.add_argument("--clock-samples", type=int, default=5,
                   help="clock round trips each client makes after connecting, as the page does (default 5)")
    p.add_argument("--connect-timeout", type=float, default=15.0, help="per connection, s (default 15)")
    p.add_argument("--max-failures", type=int, default=20,
                   help="failed connection attempts tolerated per client process (default 20)")
    p.add_argument("--gap", type=float, default=0.3, help="pause between rounds, s (default 0.3)")
    p.add_argument("--settle", type=float, default=2.0, help="pause before each RSS reading, s (default 2)")
    p.add_argument("--round-timeout", type=float, default=10.0, help="longest wait for one round, s (default 10)")
    p.add_argument("--max-seconds", type=float, default=540.0, help="deadline of the whole run, s (default 540)")
    deflate = p.add_mutually_exclusive_group()
    deflate.add_argument("--deflate", dest="deflate", action="store_true", default=True,
                         help="offer permessage-deflate like a browser (default; the server declines it "
                              "unless PITCHDAY_WEBSOCKET_COMPRESSION=true)")
    deflate.add_argument("--no-deflate", dest="deflate", action="store_false", help="do not offer it")
    p.add_argument("--servers", default="pitchday,bare",
                   help="servers measured in this run, interleaved per client count: pitchday (one process, "
                        "SQLite), gevent (the same under gunicorn -k gevent, pitchday/gunicorn_conf.py), nginxN (N "
                        "pitchday processes on PostgreSQL + Redis behind nginx, deploy/nginx.conf), bare "
                        "(bench/bare_server.py, a bare Flask-SocketIO server: the reference), node (socket.io on "
                        "Node, bench/node/server.mjs), base (the checkout named by BENCH_BASE_CHECKOUT, e.g. the "
                        "code before a change). Default pitchday,bare")
    p.add_argument("--generator", choices=("node", "python"), default="node",
                   help="the client processes: node (bench/node/loadgen.mjs, socket.io-client: the cheapest per "
                        "message, default) or python (python-socketio's AsyncClient)")
    p.add_argument("--spread", type=float, default=0.0,
                   help="connect storm: each client arrives at a random moment within this many seconds instead of "
                        "in batches (node generator only; default 0)")
    cookie = p.add_mutually_exclusive_group()
    cookie.add_argument("--cookie-page", dest="cookie_page", action="store_true", default=True,
                        help="each client first GETs the audience page for its device cookie, as a phone does, and "
                             "nginx's sticky hash needs (default)")
    cookie.add_argument("--no-cookie-page", dest="cookie_page", action="store_false")
    p.add_argument("--hold", type=float, default=0.0,
                   help="seconds the connected clients stay idle before the rounds, then counted (default 0)")
    p.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                   help="an environment variable of the server under test (repeat), e.g. PITCHDAY_MAX_CLIENTS=5000")
    p.add_argument("--allow-missing", action="store_true",
                   help="report, instead of failing, when not every client connects (ceilings, storms)")
    p.add_argument("--out", help="JSON file (default bench/results/broadcast-<date>.json, never overwritten)")
    # Client process mode (internal).
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--server-url", help=argparse.SUPPRESS)
    p.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.client_counts = [int(x) for x in str(args.clients).split(",") if x.strip()]
    args.server_env = [tuple(x.split("=", 1)) for x in args.server_env]
    args.server_kinds = [x.strip() for x in str(args.servers).split(",") if x.strip()]
    known = {"pitchday", "bare", "base", "node", "gevent"}
    if not args.server_kinds or any(k not in known and not (k.startswith("nginx") and k[5:].isdigit())
                                    for k in args.server_kinds):
        p.error("--servers: pitchday, gevent, bare, node, base and/or nginx1, nginx2, nginx3...")
    if args.spread and args.generator != "node":
        p.error("--spread needs --generator node")
    if "base" in args.server_kinds and not os.environ.get("BENCH_BASE_CHECKOUT"):
        p.error("--servers base needs BENCH_BASE_CHECKOUT=<another checkout of pitchday>")
    if args.rounds < 0 or args.procs < 1 or args.batch < 1 or not args.client_counts or min(args.client_counts) < 1:
        p.error("rounds, procs, batch and clients must be positive")
    if args.worker and (args.server_url is None or args.count is None):
        p.error("--worker needs --server-url and --count")
    return args


if __name__ == "__main__":
    sys.exit(run(main, parse_args()))
