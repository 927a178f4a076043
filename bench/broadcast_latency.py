#!/usr/bin/env python3
"""Broadcast latency and memory per client of a real pitchday server.

For each client count N (default 100, 300 and 1000) the script:

1. starts ``pitchday demo`` in a subprocess (temporary sqlite database, free port),
2. opens the moderator link without following the redirect to get the moderator cookie,
   connects the moderator over Socket.IO and sends ``start``,
3. reads the server's RSS (``/proc/<pid>/status`` VmRSS), connects N audience clients in
   batches (from one or more client processes), reads the RSS again,
4. runs R rounds (default 20): the moderator emits ``extend`` (+30 s, then -30 s, ...) and the
   script records, for every client, the time from just before the emit until that client has
   received the ``state`` event carrying the version of the ack,
5. stops the server (also on error or Ctrl+C).

It prints a table and writes JSON to ``bench/results/broadcast-<date>[-<variant>].json``.

The clients are a small Socket.IO v5 / Engine.IO v4 client written on asyncio (WebSocket
transport only, like the browsers' first try), standard library only: no aiohttp needed. By
default they behave like browsers at the WebSocket level: they offer ``permessage-deflate``
(what Chrome, Firefox and Safari always offer) and compress what they send; ``--no-deflate``
turns that off. Timestamps are ``time.perf_counter_ns()`` (CLOCK_MONOTONIC on Linux), comparable
between the processes of one machine, so clients may be spread over several processes
(``--procs``).

Every loop is bounded in count and time; the whole run has a deadline (``--max-seconds``).

Usage::

    .venv/bin/python bench/broadcast_latency.py                     # N = 100, 300, 1000; 20 rounds
    .venv/bin/python bench/broadcast_latency.py --clients 300 --rounds 50 --procs 2 --no-deflate
"""
from __future__ import annotations

import argparse
import asyncio
import atexit
import base64
import datetime as dt
import hashlib
import http.client
import json
import math
import os
import platform
import re
import resource
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import uuid
import zlib
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
EDITION = "jdn10"
LINK = re.compile(r"Régie \(moderator\) : (\S+/m/\S+)")
VERSION = re.compile(rb'"version":\s*(\d+)')
WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
# What a browser's WebSocket offers (Chrome's exact header).
DEFLATE_OFFER = "permessage-deflate; client_max_window_bits"


def now_ns() -> int:
    return time.perf_counter_ns()


# --------------------------------------------------------------------------------------------
# A minimal Socket.IO client over a raw WebSocket (asyncio protocol, no dependency)
# --------------------------------------------------------------------------------------------

class SioClient(asyncio.Protocol):
    """One Socket.IO connection on the default namespace, WebSocket transport only.

    ``on_state(version, t_ns)`` is called for every ``state`` event, ``t_ns`` being the time its
    last bytes were handed to the process (taken before any parsing).
    """

    MAX_FRAME = 4 * 1024 * 1024

    def __init__(self, host: str, port: int, auth: dict, *, cookie: str | None = None,
                 deflate: bool = True, on_state=None):
        self.host, self.port, self.auth, self.cookie = host, port, auth, cookie
        self.deflate_offer = deflate
        self.on_state = on_state
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.handshaken = False
        self.key = base64.b64encode(os.urandom(16))
        self.deflate = False
        self.inflater = None
        self.inflate_reset = False
        self.deflater = None
        self.fragments: list[bytes] = []
        self.fragment_compressed = False
        self.ready = asyncio.get_running_loop().create_future()
        self.closed = asyncio.get_running_loop().create_future()
        self.snapshot: dict | None = None
        self.sio_connected = False
        self.version = -1
        self.acks: dict[int, asyncio.Future] = {}
        self.next_ack = 0
        self.received_bytes = 0

    # -- transport ---------------------------------------------------------------------------
    def connection_made(self, transport):
        self.transport = transport
        headers = [
            f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {self.key.decode()}",
            "Sec-WebSocket-Version: 13",
            f"Origin: http://{self.host}:{self.port}",
            "User-Agent: pitchday-bench",
        ]
        if self.deflate_offer:
            headers.append(f"Sec-WebSocket-Extensions: {DEFLATE_OFFER}")
        if self.cookie:
            headers.append(f"Cookie: {self.cookie}")
        transport.write(("\r\n".join(headers) + "\r\n\r\n").encode())

    def connection_lost(self, exc):
        self._fail(exc or ConnectionError("connection closed"))
        if not self.closed.done():
            self.closed.set_result(True)

    def _fail(self, exc):
        if not self.ready.done():
            self.ready.set_exception(exc)
        for future in self.acks.values():
            if not future.done():
                future.set_exception(exc)
        self.acks.clear()

    def close(self):
        if self.transport is not None and not self.transport.is_closing():
            try:
                self.transport.write(self._frame(0x8, struct.pack("!H", 1000)))
            except Exception:
                pass
            self.transport.close()

    def data_received(self, data):
        t_ns = now_ns()
        self.received_bytes += len(data)
        self.buffer += data
        if not self.handshaken:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buffer) > 65536:
                    self._protocol_error("handshake too long")
                return
            head = bytes(self.buffer[:end]).decode("latin-1")
            del self.buffer[:end + 4]
            self._handshake(head)
            if not self.handshaken:
                return
        self._frames(t_ns)

    def _protocol_error(self, reason: str):
        self._fail(ConnectionError(reason))
        if self.transport is not None:
            self.transport.close()

    def _handshake(self, head: str):
        lines = head.split("\r\n")
        if not lines[0].startswith("HTTP/1.1 101"):
            self._protocol_error(f"websocket refused: {lines[0]}")
            return
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        expected = base64.b64encode(hashlib.sha1(self.key + WS_GUID).digest()).decode()
        if headers.get("sec-websocket-accept") != expected:
            self._protocol_error("bad Sec-WebSocket-Accept")
            return
        extensions = headers.get("sec-websocket-extensions", "")
        if "permessage-deflate" in extensions:
            params = [p.strip() for p in extensions.split(";")[1:]]
            self.deflate = True
            self.inflate_reset = "server_no_context_takeover" in params
            self.inflater = zlib.decompressobj(-15)
            # The client may always use a smaller window than negotiated: a small one keeps
            # this process light; the server's side is what is measured.
            self.deflater = zlib.compressobj(6, zlib.DEFLATED, -9, 1)
        self.handshaken = True

    def _frames(self, t_ns: int):
        buf = self.buffer
        for _ in range(100_000):  # bounded: each pass consumes one frame
            if len(buf) < 2:
                return
            b0, b1 = buf[0], buf[1]
            length = b1 & 0x7F
            offset = 2
            if length == 126:
                if len(buf) < 4:
                    return
                length = struct.unpack_from("!H", buf, 2)[0]
                offset = 4
            elif length == 127:
                if len(buf) < 10:
                    return
                length = struct.unpack_from("!Q", buf, 2)[0]
                offset = 10
            if length > self.MAX_FRAME:
                self._protocol_error("frame too large")
                return
            if b1 & 0x80:  # servers never mask
                self._protocol_error("masked frame from server")
                return
            if len(buf) < offset + length:
                return
            payload = bytes(buf[offset:offset + length])
            del buf[:offset + length]
            fin, rsv1, opcode = b0 & 0x80, b0 & 0x40, b0 & 0x0F
            if opcode == 0x8:
                self.close()
                return
            if opcode == 0x9:
                self.transport.write(self._frame(0xA, payload))
                continue
            if opcode == 0xA:
                continue
            if opcode in (0x1, 0x2):
                self.fragments = [payload]
                self.fragment_compressed = bool(rsv1)
            elif opcode == 0x0:
                self.fragments.append(payload)
            else:
                self._protocol_error(f"opcode {opcode}")
                return
            if not fin:
                continue
            message = b"".join(self.fragments)
            self.fragments = []
            if self.fragment_compressed:
                message = self.inflater.decompress(message + b"\x00\x00\xff\xff")
                if self.inflate_reset:
                    self.inflater = zlib.decompressobj(-15)
            self._engineio(message, t_ns)

    def _frame(self, opcode: int, payload: bytes, *, compress: bool = False) -> bytes:
        first = 0x80 | opcode
        if compress and self.deflater is not None and payload:
            payload = self.deflater.compress(payload) + self.deflater.flush(zlib.Z_SYNC_FLUSH)
            payload = payload[:-4]
            first |= 0x40
        mask = os.urandom(4)
        length = len(payload)
        if length < 126:
            head = struct.pack("!BB", first, 0x80 | length)
        elif length < 65536:
            head = struct.pack("!BBH", first, 0x80 | 126, length)
        else:
            head = struct.pack("!BBQ", first, 0x80 | 127, length)
        key = int.from_bytes(mask * ((length + 3) // 4), "big") >> (8 * (-length % 4)) if length else 0
        masked = (int.from_bytes(payload, "big") ^ key).to_bytes(length, "big") if length else b""
        return head + mask + masked

    def send_text(self, text: str):
        if self.transport is None or self.transport.is_closing():
            raise ConnectionError("not connected")
        self.transport.write(self._frame(0x1, text.encode(), compress=self.deflate))

    # -- Engine.IO / Socket.IO -----------------------------------------------------------------
    def _engineio(self, message: bytes, t_ns: int):
        if not message:
            return
        kind = message[:1]
        if kind == b"4":
            self._socketio(message[1:], t_ns)
        elif kind == b"2":  # server ping: answer pong
            self.send_text("3" + message[1:].decode())
        elif kind == b"0":  # open: join the namespace with the auth payload
            self.send_text("40" + json.dumps(self.auth, separators=(",", ":")))
        elif kind == b"1":
            self.close()

    def _socketio(self, packet: bytes, t_ns: int):
        kind = packet[:1]
        if kind == b"2":  # event
            if packet.startswith(b'2["state",'):
                match = VERSION.search(packet, 0, 80)
                if match:
                    version = int(match.group(1))
                    self.version = max(self.version, version)
                    if self.on_state is not None:
                        self.on_state(version, t_ns)
            elif packet.startswith(b'2["snapshot",'):
                self.snapshot = json.loads(packet[1:])[1]
                self.version = max(self.version, self.snapshot["version"])
                self._maybe_ready()
        elif kind == b"3":  # ack: 3<id>[...]
            match = re.match(rb"3(\d+)", packet)
            if match:
                future = self.acks.pop(int(match.group(1)), None)
                if future is not None and not future.done():
                    future.set_result(json.loads(packet[match.end():]))
        elif kind == b"0":  # namespace joined
            self.sio_connected = True
            self._maybe_ready()
        elif kind == b"4":  # connect_error
            self._protocol_error("connect_error " + packet[1:].decode(errors="replace"))
        elif kind == b"1":
            self.close()

    def _maybe_ready(self):
        if self.sio_connected and self.snapshot is not None and not self.ready.done():
            self.ready.set_result(True)

    def emit_with_ack(self, event: str, *args) -> tuple[asyncio.Future, int]:
        """Send ``event`` and return (future of the ack's first argument list, t_ns just before sending)."""
        ack_id = self.next_ack
        self.next_ack += 1
        future = asyncio.get_running_loop().create_future()
        self.acks[ack_id] = future
        text = "42" + str(ack_id) + json.dumps([event, *args], separators=(",", ":"))
        t_ns = now_ns()
        self.send_text(text)
        return future, t_ns


async def open_client(host, port, auth, *, cookie=None, deflate=True, on_state=None,
                      timeout=10.0, clock_samples=0) -> SioClient:
    loop = asyncio.get_running_loop()

    def factory():
        return SioClient(host, port, auth, cookie=cookie, deflate=deflate, on_state=on_state)

    transport, client = await asyncio.wait_for(loop.create_connection(factory, host, port), timeout)
    try:
        await asyncio.wait_for(asyncio.shield(client.ready), timeout)
        for _ in range(clock_samples):  # like the browser's clock sync right after connecting
            future, _t = client.emit_with_ack("clock")
            await asyncio.wait_for(future, timeout)
    except BaseException:
        transport.close()
        raise
    return client


# --------------------------------------------------------------------------------------------
# Worker process: holds a share of the audience clients
# --------------------------------------------------------------------------------------------

def out(message: dict):
    sys.stdout.write(json.dumps(message, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def worker_main(args) -> None:
    deadline = time.monotonic() + args.deadline
    received: dict[int, list[int]] = {}
    counts: dict[int, int] = {}
    clients: list[SioClient] = []
    announced: set[int] = set()

    def on_state(version: int, t_ns: int):
        received.setdefault(version, []).append(t_ns)
        counts[version] = counts.get(version, 0) + 1
        if counts[version] >= len(clients) and version not in announced:
            announced.add(version)
            out({"type": "got", "version": version, "t_ns": t_ns})

    auth = {"edition": EDITION, "view": "audience"}
    started = time.monotonic()
    failures = 0
    errors: dict[str, int] = {}
    remaining = args.count
    for _batch in range((args.count + args.batch - 1) // args.batch + args.retries * 10):
        if remaining <= 0 or time.monotonic() > deadline:
            break
        size = min(args.batch, remaining)
        results = await asyncio.gather(*[
            open_client(args.host, args.port, auth, deflate=args.deflate, on_state=on_state,
                        timeout=args.connect_timeout, clock_samples=args.clock_samples)
            for _ in range(size)], return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                failures += 1
                name = type(result).__name__ + (f": {result}" if str(result) else "")
                errors[name[:120]] = errors.get(name[:120], 0) + 1
            else:
                clients.append(result)
                remaining -= 1
        if failures > args.retries * max(1, args.batch):
            break
        if args.batch_pause > 0:
            await asyncio.sleep(args.batch_pause)
    out({"type": "connected", "ok": len(clients), "failures": failures, "errors": errors,
         "seconds": round(time.monotonic() - started, 3), "cpu_s": cpu_s()})

    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    cpu_mark = cpu_s()
    while time.monotonic() < deadline:
        try:
            line = await asyncio.wait_for(reader.readline(), max(0.1, deadline - time.monotonic()))
        except asyncio.TimeoutError:
            break
        if not line:
            break
        command = line.decode().strip()
        if command == "mark":
            cpu_mark = cpu_s()
            out({"type": "marked"})
        elif command == "dump":
            alive = sum(1 for c in clients if c.transport is not None and not c.transport.is_closing())
            out({"type": "dump", "received": {str(k): v for k, v in received.items()},
                 "clients": len(clients), "alive": alive, "cpu_since_mark_s": cpu_s() - cpu_mark,
                 "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})
        elif command == "quit":
            break
    for client in clients:
        client.close()
    await asyncio.sleep(0.2)


# --------------------------------------------------------------------------------------------
# The server under test
# --------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command() -> list[str]:
    script = Path(sys.executable).parent / "pitchday"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "pitchday.cli"]


_LIVE_SERVERS: set["Server"] = set()


@atexit.register
def _stop_live_servers() -> None:
    """Safety net: no server outlives the script, whatever path it exits by."""
    for server in list(_LIVE_SERVERS):
        server.stop()


class Server:
    def __init__(self, *, startup_timeout: float = 60.0):
        self.dir = Path(tempfile.mkdtemp(prefix="pitchday-bench-"))
        self.port = free_port()
        self.log_path = self.dir / "server.log"
        self.process: subprocess.Popen | None = None
        self.moderator_path: str | None = None
        self.startup_timeout = startup_timeout

    def start(self) -> "Server":
        env = {**os.environ,
               "PITCHDAY_DATABASE_URL": f"sqlite:///{self.dir / 'pitchday.sqlite3'}",
               "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"}
        env.pop("PITCHDAY_MESSAGE_QUEUE", None)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                server_command() + ["demo", "--host", "127.0.0.1", "--port", str(self.port)],
                env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True, cwd=self.dir)
        _LIVE_SERVERS.add(self)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited ({self.process.returncode}):\n{self.log()}")
            text = self.log()
            match = LINK.search(text)
            if match and "Serving on" in text and self._healthy():
                self.moderator_path = urlsplit(match.group(1)).path
                return self
            time.sleep(0.1)
        raise RuntimeError(f"server did not come up in {self.startup_timeout:.0f} s:\n{self.log()}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def _healthy(self) -> bool:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
            conn.request("GET", "/healthz")
            ok = conn.getresponse().status == 200
            conn.close()
            return ok
        except OSError:
            return False

    def moderator_cookie(self) -> str:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        conn.request("GET", self.moderator_path)  # http.client never follows redirects
        response = conn.getresponse()
        response.read()
        conn.close()
        if response.status not in (302, 303):
            raise RuntimeError(f"moderator link answered {response.status}")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and value.startswith("pitchday_moderator="):
                return value.split(";", 1)[0]
        raise RuntimeError("no pitchday_moderator cookie in the answer")

    def rss_kb(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def cpu_s(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        _LIVE_SERVERS.discard(self)
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=5)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.process.wait(timeout=5)
        shutil.rmtree(self.dir, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Orchestration
# --------------------------------------------------------------------------------------------

class Worker:
    def __init__(self, process: asyncio.subprocess.Process, count: int):
        self.process, self.count = process, count
        self.got: dict[int, int] = {}
        self.got_event = asyncio.Event()
        self.replies: asyncio.Queue = asyncio.Queue()
        self.stderr = b""
        self.pump = asyncio.create_task(self._pump())

    async def _pump(self):
        for _ in range(10_000_000):  # bounded; ends at EOF
            line = await self.process.stdout.readline()
            if not line:
                break
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if message.get("type") == "got":
                self.got[message["version"]] = message["t_ns"]
                self.got_event.set()
            else:
                await self.replies.put(message)
        await self.replies.put({"type": "eof"})

    async def reply(self, timeout: float) -> dict:
        message = await asyncio.wait_for(self.replies.get(), timeout)
        if message.get("type") == "eof":
            err = (await self.process.stderr.read()).decode(errors="replace")[-2000:]
            raise RuntimeError(f"client worker exited early:\n{err}")
        return message

    async def send(self, line: str):
        self.process.stdin.write((line + "\n").encode())
        await self.process.stdin.drain()

    async def stop(self):
        if self.process.returncode is None:
            try:
                await self.send("quit")
                await asyncio.wait_for(self.process.wait(), 5)
            except Exception:
                if self.process.returncode is None:
                    self.process.kill()
                    await self.process.wait()
        self.pump.cancel()


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p * len(sorted_values) / 100))
    return sorted_values[min(len(sorted_values), rank) - 1]


def summary(values_ms: list[float]) -> dict:
    ordered = sorted(values_ms)
    return {"n": len(ordered), "min": _r(ordered[0] if ordered else None),
            "p50": _r(percentile(ordered, 50)), "p95": _r(percentile(ordered, 95)),
            "p99": _r(percentile(ordered, 99)), "max": _r(ordered[-1] if ordered else None)}


def _r(value):
    return None if value is None else round(value, 2)


async def run_one(n: int, args, deadline: float) -> dict:
    server = Server(startup_timeout=min(60.0, max(5.0, deadline - time.monotonic())))
    workers: list[Worker] = []
    moderator: SioClient | None = None
    try:
        await asyncio.to_thread(server.start)
        cookie = await asyncio.to_thread(server.moderator_cookie)
        moderator = await open_client("127.0.0.1", server.port, {"edition": EDITION, "view": "moderator"},
                                      cookie=cookie, deflate=args.deflate, timeout=10)
        version = moderator.version

        async def command(name: str, cmd_args: dict | None = None) -> tuple[dict, int, int]:
            payload = {"command_id": str(uuid.uuid4()), "name": name, "args": cmd_args or {}, "version": version}
            future, t0 = moderator.emit_with_ack("command", payload)
            ack = await asyncio.wait_for(future, args.round_timeout)
            t_ack = now_ns()
            ack = ack[0] if isinstance(ack, list) and ack else ack
            if not isinstance(ack, dict) or not ack.get("ok"):
                raise RuntimeError(f"command {name} refused: {ack}")
            return ack, t0, t_ack

        ack, _t0, _ta = await command("start")
        version = ack["version"]
        await asyncio.sleep(args.settle)
        rss_before = server.rss_kb()

        # Audience clients, spread over the worker processes.
        shares = [n // args.procs + (1 if i < n % args.procs else 0) for i in range(args.procs)]
        shares = [s for s in shares if s > 0]
        worker_deadline = max(30.0, deadline - time.monotonic())
        connect_started = time.monotonic()
        for i, share in enumerate(shares):
            process = await asyncio.create_subprocess_exec(
                sys.executable, str(Path(__file__).resolve()), "--worker",
                "--host", "127.0.0.1", "--port", str(server.port), "--count", str(share),
                "--batch", str(max(1, args.batch // len(shares))), "--batch-pause", str(args.batch_pause),
                "--connect-timeout", str(args.connect_timeout), "--clock-samples", str(args.clock_samples),
                "--deadline", str(worker_deadline), *(["--deflate"] if args.deflate else ["--no-deflate"]),
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
                limit=64 * 1024 * 1024)
            workers.append(Worker(process, share))
        connect_timeout = max(10.0, min(deadline - time.monotonic(), 30.0 + n * 0.2))
        connected = await asyncio.gather(*[w.reply(connect_timeout) for w in workers])
        connect_seconds = time.monotonic() - connect_started
        ok = sum(c["ok"] for c in connected)
        failures = sum(c["failures"] for c in connected)
        errors: dict[str, int] = {}
        for c in connected:
            for k, v in c["errors"].items():
                errors[k] = errors.get(k, 0) + v
        print(f"  N={n}: {ok} clients connected in {connect_seconds:.1f} s"
              + (f" ({failures} failed attempts: {errors})" if failures else ""), flush=True)
        if ok < n:
            raise RuntimeError(f"only {ok} of {n} clients connected: {errors}")
        await asyncio.sleep(args.settle)
        rss_after_connect = server.rss_kb()

        # Rounds.
        for w in workers:
            await w.send("mark")
        await asyncio.gather(*[w.reply(10) for w in workers])
        server_cpu_start = server.cpu_s()
        rounds = []
        for r in range(args.rounds):
            if time.monotonic() > deadline:
                print(f"  N={n}: deadline reached after {r} rounds", flush=True)
                break
            delta = 30000 if r % 2 == 0 else -30000
            cpu0 = server.cpu_s()
            ack, t0, t_ack = await command("extend", {"delta_ms": delta})
            version = ack["version"]
            wait_until = time.monotonic() + args.round_timeout
            for _ in range(100_000):  # bounded: each pass waits for at least one worker message
                if all(version in w.got for w in workers) or time.monotonic() > wait_until:
                    break
                for w in workers:
                    w.got_event.clear()
                try:
                    await asyncio.wait_for(asyncio.gather(*[w.got_event.wait() for w in workers
                                                            if version not in w.got]),
                                           max(0.01, wait_until - time.monotonic()))
                except asyncio.TimeoutError:
                    pass
            cpu1 = server.cpu_s()
            rounds.append({"version": version, "t0": t0, "ack_ms": (t_ack - t0) / 1e6,
                           "complete": all(version in w.got for w in workers),
                           "server_cpu_ms": (cpu1 - cpu0) * 1000})
            await asyncio.sleep(args.gap)
        server_cpu_total = server.cpu_s() - server_cpu_start
        rss_after_rounds = server.rss_kb()

        for w in workers:
            await w.send("dump")
        dumps = await asyncio.gather(*[w.reply(30) for w in workers])
    finally:
        if moderator is not None:
            moderator.close()
        for w in workers:
            try:
                await w.stop()
            except Exception:
                pass
        await asyncio.to_thread(server.stop)

    all_ms: list[float] = []
    per_round = []
    missing = 0
    for rnd in rounds:
        times = []
        for d in dumps:
            times.extend(d["received"].get(str(rnd["version"]), []))
        lat = sorted((t - rnd["t0"]) / 1e6 for t in times)
        missing += n - len(lat)
        all_ms.extend(lat)
        per_round.append({"version": rnd["version"], "received": len(lat), "ack_ms": _r(rnd["ack_ms"]),
                          "server_cpu_ms": _r(rnd["server_cpu_ms"]),
                          "first_ms": _r(lat[0] if lat else None), "p50_ms": _r(percentile(lat, 50)),
                          "p99_ms": _r(percentile(lat, 99)), "last_ms": _r(lat[-1] if lat else None)})
    lasts = sorted(r["last_ms"] for r in per_round if r["last_ms"] is not None)
    firsts = sorted(r["first_ms"] for r in per_round if r["first_ms"] is not None)
    acks = sorted(r["ack_ms"] for r in per_round)
    cpu_rounds = sorted(r["server_cpu_ms"] for r in per_round)
    result = {
        "clients": n,
        "rounds": len(rounds),
        "samples": len(all_ms),
        "missing": missing,
        "connect_seconds": round(connect_seconds, 2),
        "connect_failures": failures,
        "latency_ms": summary(all_ms),
        "last_client_ms": {"median_over_rounds": _r(percentile(lasts, 50)), "worst": _r(lasts[-1] if lasts else None)},
        "first_client_ms": {"median_over_rounds": _r(percentile(firsts, 50))},
        "ack_ms": {"median": _r(percentile(acks, 50)), "max": _r(acks[-1] if acks else None)},
        "server_cpu_ms_per_round": {"median": _r(percentile(cpu_rounds, 50)),
                                    "total_over_rounds": round(server_cpu_total * 1000, 1)},
        "client_cpu_s_during_rounds": [round(d["cpu_since_mark_s"], 3) for d in dumps],
        "client_alive_at_end": sum(d["alive"] for d in dumps),
        "rss_kb": {"before": rss_before, "after_connect": rss_after_connect, "after_rounds": rss_after_rounds},
        "memory_per_client_kb": {"after_connect": round((rss_after_connect - rss_before) / n, 1),
                                 "after_rounds": round((rss_after_rounds - rss_before) / n, 1)},
        "per_round": per_round,
    }
    return result


def machine_info() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    from importlib import metadata
    for dist in ("python-socketio", "python-engineio", "Flask-SocketIO", "eventlet", "Flask"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    commit = ""
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
                                capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        pass
    return {"cpus": os.cpu_count(), "cpu_model": cpu, "platform": platform.platform(),
            "python": platform.python_version(), "packages": versions, "git": commit}


def print_table(results: list[dict], args) -> None:
    targets = {300: 50.0, 1000: 150.0}
    print()
    print(f"Broadcast latency, moderator emit -> client has the new state "
          f"({'permessage-deflate (browser-like)' if args.deflate else 'no compression'}, "
          f"{args.procs} client process{'es' if args.procs > 1 else ''})")
    header = (f"{'clients':>7} {'rounds':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'last ms':>8} "
              f"{'worst':>8} {'ack ms':>7} {'srv cpu':>8} {'KB/client':>9} {'p99 target':>10}")
    print(header)
    print("-" * len(header))
    for r in results:
        lat = r["latency_ms"]
        target = targets.get(r["clients"])
        verdict = "" if target is None else (f"{target:.0f} {'ok' if lat['p99'] is not None and lat['p99'] <= target else 'MISS'}")
        print(f"{r['clients']:>7} {r['rounds']:>6} {lat['p50']:>8.1f} {lat['p95']:>8.1f} {lat['p99']:>8.1f} "
              f"{r['last_client_ms']['median_over_rounds']:>8.1f} {r['last_client_ms']['worst']:>8.1f} "
              f"{r['ack_ms']['median']:>7.1f} {r['server_cpu_ms_per_round']['median']:>8.0f} "
              f"{r['memory_per_client_kb']['after_connect']:>9.1f} {verdict:>10}")
    print("last ms = median over rounds of the slowest client; worst = slowest client of any round;")
    print("srv cpu = server CPU ms per round (median); KB/client = (RSS after connect - RSS before) / N,"
          " target <= 80.")
    for r in results:
        if r["missing"]:
            print(f"  N={r['clients']}: {r['missing']} client/round samples missing (no state within "
                  f"{args.round_timeout:.0f} s)")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", default="100,300,1000", help="comma-separated client counts (default 100,300,1000)")
    p.add_argument("--rounds", type=int, default=20, help="commands per client count (default 20)")
    p.add_argument("--procs", type=int, default=1, help="client processes holding the audience sockets (default 1)")
    p.add_argument("--batch", type=int, default=50, help="connections opened concurrently (default 50)")
    p.add_argument("--batch-pause", type=float, default=0.0, help="pause between connection batches, s")
    p.add_argument("--clock-samples", type=int, default=5,
                   help="clock round trips each client makes after connecting, as the browser does (default 5)")
    p.add_argument("--connect-timeout", type=float, default=15.0)
    p.add_argument("--retries", type=int, default=2, help="failed connections tolerated, in batches")
    p.add_argument("--gap", type=float, default=0.3, help="pause between rounds, s (default 0.3)")
    p.add_argument("--settle", type=float, default=2.0, help="pause before each RSS reading, s (default 2)")
    p.add_argument("--round-timeout", type=float, default=10.0, help="max wait for one round, s")
    p.add_argument("--max-seconds", type=float, default=540.0, help="deadline of the whole run, s (default 540)")
    deflate = p.add_mutually_exclusive_group()
    deflate.add_argument("--deflate", dest="deflate", action="store_true", default=True,
                         help="offer permessage-deflate like a browser (default)")
    deflate.add_argument("--no-deflate", dest="deflate", action="store_false", help="plain WebSocket frames")
    p.add_argument("--out", help="JSON file (default bench/results/broadcast-<date>[-variant].json)")
    # worker mode (internal)
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--host", default="127.0.0.1", help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, help=argparse.SUPPRESS)
    p.add_argument("--count", type=int, help=argparse.SUPPRESS)
    p.add_argument("--deadline", type=float, default=600.0, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.client_counts = [int(x) for x in str(args.clients).split(",") if x.strip()]
    if args.rounds < 1 or args.procs < 1 or args.batch < 1 or not args.client_counts:
        p.error("rounds, procs, batch and clients must be positive")
    return args


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


async def main_async(args) -> int:
    deadline = time.monotonic() + args.max_seconds
    # SIGTERM (and SIGHUP) cancel the run like Ctrl+C does, so that the finally blocks stop the server.
    task = asyncio.current_task()
    for sig in (signal.SIGTERM, signal.SIGHUP):
        asyncio.get_running_loop().add_signal_handler(sig, task.cancel)
    results = []
    for n in args.client_counts:
        if time.monotonic() > deadline - 20:
            print(f"N={n}: skipped, deadline of {args.max_seconds:.0f} s reached", flush=True)
            break
        print(f"N={n}: starting a server ...", flush=True)
        started = time.monotonic()
        results.append(await run_one(n, args, deadline))
        print(f"  N={n}: done in {time.monotonic() - started:.1f} s", flush=True)
    if not results:
        return 1
    print_table(results, args)
    variant = [] if args.deflate else ["nodeflate"]
    if args.procs > 1:
        variant.append(f"procs{args.procs}")
    out_path = Path(args.out) if args.out else RESULTS / f"broadcast-{dt.date.today().isoformat()}{''.join('-' + v for v in variant)}.json"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "benchmark": "broadcast_latency",
        "when": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": machine_info(),
        "options": {k: v for k, v in vars(args).items() if k not in ("worker", "host", "port", "count", "deadline")},
        "targets": {"p99_ms": {"300": 50, "1000": 150}, "memory_per_client_kb": 80},
        "results": results,
    }
    out_path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"\nJSON: {out_path}")
    return 0


def main(argv=None) -> int:
    args = parse_args(argv)
    raise_fd_limit()
    if args.worker:
        if args.port is None or args.count is None:
            raise SystemExit("worker needs --port and --count")
        asyncio.run(worker_main(args))
        return 0
    try:
        return asyncio.run(main_async(args))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
