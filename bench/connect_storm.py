#!/usr/bin/env python3
"""Connect storm: the QR code goes up and a room of phones arrives within a few seconds.

Each phone, at a random moment within ``--spread`` seconds (default 1000 phones within 10 s), does
what the audience page does: GET ``/e/jdn10/`` (its device cookie), open its Socket.IO socket over
WebSocket, wait for its snapshot, then sync its clock (five ``clock`` calls). A phone's connect time
runs from its arrival to its snapshot; none is retried. The servers (``--servers``, interleaved):
``pitchday`` (eventlet, ``pitchday demo``), ``gevent`` (gunicorn -c python:pitchday.gunicorn_conf), ``nginxN``
(N processes behind nginx), ``bare`` (bench/bare_server.py) and ``node`` (bench/node/server.mjs).

With ``--hold`` the sockets then stay open for that many seconds (a few Engine.IO pings) and are
counted again: with ``--clients 5000`` this is the check that one process holds 5 000 sockets.

    .venv/bin/python bench/connect_storm.py                                  # 1000 within 10 s
    .venv/bin/python bench/connect_storm.py --clients 5000 --spread 40 --hold 25 --servers pitchday,gevent

The phones are Node processes (bench/node/loadgen.mjs, socket.io-client). Results: a table, and JSON
in bench/results/connect_storm-<date>.json.
"""
from __future__ import annotations

import sys
import time

from broadcast_latency import parse_args, run_one
from common import Deadline, command_line, fmt, machine_info, run, write_results


def print_table(results: list[dict]) -> None:
    print()
    print("Connect storm: arrival -> snapshot per phone (page GET, WebSocket, snapshot), ms")
    print(f"command: {command_line()}")
    header = (f"{'server':>8} {'phones':>6} {'ok':>6} {'failed':>6} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8} "
              f"{'all in s':>8} {'srv CPU s':>9} {'ms/phone':>8} {'KB/phone':>8} {'open after hold':>15}")
    print(header)
    print("-" * len(header))
    for r in results:
        snap = r["snapshot_ms"]
        ok = r["connect_ms"]["n"]
        cpu = r["server_cpu_s_at_connected"]
        print(f"{r['server']:>8} {r['clients']:>6} {ok:>6} {r['connect_failures']:>6} {fmt(snap['p50'])} "
              f"{fmt(snap['p95'])} {fmt(snap['p99'])} {fmt(snap['max'])} {r['connect_seconds']:>8.1f} "
              f"{cpu:>9.2f} {cpu * 1000 / max(1, ok):>8.2f} {r['memory_per_client_kb']['after_connect']:>8.1f} "
              f"{'-' if r['alive_after_hold'] is None else r['alive_after_hold']:>15}")
        if r["connect_errors"]:
            failed = r["failed_ms"]
            print(f"  {r['server']}: {r['connect_errors']}; a failed phone had its answer after "
                  f"p50 {failed['p50']} / max {failed['max']} ms")
    print("all in s = from starting the phones to the last one's clock samples; srv CPU = server CPU while they")
    print("connect (every process of the server); KB/phone = server RSS growth / phones.")


async def main(args, deadline: Deadline) -> int:
    results, failed = [], []
    for n in args.client_counts:
        for kind in args.server_kinds:
            if deadline.left() < 60:
                print(f"{kind} N={n}: skipped, the deadline is near", flush=True)
                break
            print(f"{kind} N={n}: starting a server ...", flush=True)
            try:
                results.append(await run_one(n, args, deadline, kind))
            except Exception as error:  # one server's failure is a figure too; the others' are kept
                print(f"  {kind} N={n}: FAILED: {error}"[:2000], flush=True)
                failed.append({"server": kind, "clients": n, "error": str(error)[:2000]})
            args.out = str(save(args, results, failed))
    if not results:
        return 1
    print_table(results)
    print(f"\nJSON: {save(args, results, failed)}")
    return 0


def save(args, results, failed):
    return write_results("connect_storm", {
        "benchmark": "connect_storm", "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "command": command_line(),
        "client": "socket.io-client 4 on Node (bench/node/loadgen.mjs), WebSocket transport",
        "machine": machine_info(),
        "options": {k: v for k, v in vars(args).items() if k not in ("worker", "server_url", "count")},
        "results": results, "failed": failed}, args.out)


def storm_args(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    defaults = {"--clients": "1000", "--spread": "10", "--rounds": "0", "--servers": "pitchday,gevent,bare",
                "--connect-timeout": "60"}
    for option, value in defaults.items():
        if not any(a == option or a.startswith(option + "=") for a in argv):
            argv += [option, value]
    args = parse_args(argv + ["--allow-missing"])
    args.generator = "node"
    return args


if __name__ == "__main__":
    sys.exit(run(main, storm_args()))
