"""What the benchmarks in ``bench/`` share: the server under test, Socket.IO clients, figures, results.

The clients are python-socketio's asyncio client (``socketio.AsyncClient``, on aiohttp), with
the WebSocket transport only, as browsers connect to pitchday. The server is the real one,
``pitchday demo``, started in a subprocess on a free port with a fresh SQLite database, and
always stopped: on return, on error, on Ctrl+C or SIGTERM, and by an ``atexit`` safety net.

Times are ``time.perf_counter_ns()`` (CLOCK_MONOTONIC on Linux): comparable between the
processes of one machine, so clients may be spread over several processes.
"""
from __future__ import annotations

import asyncio
import atexit
import datetime as dt
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
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import aiohttp
import socketio

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
EDITION = "jdn10"  # the demo edition
MODERATOR_LINK = re.compile(r"Régie \(moderator\) : (\S+/m/\S+)")
MODERATOR_COOKIE = "pitchday_moderator"
DEVICE_COOKIE = "pitchday_device"


def now_ns() -> int:
    return time.perf_counter_ns()


def ms_between(start_ns: int, end_ns: int) -> float:
    return (end_ns - start_ns) / 1e6


class Deadline:
    """The deadline of a whole run; every wait of the benchmarks is bounded by it."""

    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()

    def timeout(self, wanted: float) -> float:
        """``wanted`` seconds, or what is left before the deadline if that is less."""
        return max(0.1, min(wanted, self.left()))


# --------------------------------------------------------------------------------------------
# The server under test
# --------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command() -> list[str]:
    script = Path(sys.executable).parent / "pitchday"
    return [str(script)] if script.exists() else [sys.executable, "-m", "pitchday.cli"]


def rss_kb_of(pid: int) -> int:
    """Resident set size of process ``pid`` (``VmRSS``), in KB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_s_of(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (clock ticks, usually 10 ms)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


_LIVE_SERVERS: set = set()


@atexit.register
def _stop_live_servers() -> None:
    """Safety net: no server outlives the script, whatever path it exits by."""
    for server in list(_LIVE_SERVERS):
        server.stop()


class Server:
    """``pitchday demo`` on 127.0.0.1 and a free port, with its own temporary SQLite database."""

    def __init__(self, *, startup_timeout: float = 60.0, kind: str = "pitchday", env: dict | None = None,
                 wrapper: str | None = None):
        """``kind``: ``pitchday`` (the demo), ``bare`` (bench/bare_server.py, the reference) or ``base``
        (the demo of the checkout named by ``BENCH_BASE_CHECKOUT``: the code before a change, same run)."""
        self.kind = kind
        self.wrapper = wrapper  # a script that runs the server in its own process (bench/traced_server.py)
        self.extra_env = env or {}
        self.dir = Path(tempfile.mkdtemp(prefix="pitchday-bench-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.dir / "server.log"
        self.process: subprocess.Popen | None = None
        self.moderator_path: str | None = None
        self.startup_timeout = startup_timeout

    def start(self) -> "Server":
        """Start the server and wait until it serves (blocking: call it with ``asyncio.to_thread``)."""
        env = {**os.environ,
               "PITCHDAY_DATABASE_URL": f"sqlite:///{self.dir / 'pitchday.sqlite3'}",
               "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"}
        env.pop("PITCHDAY_MESSAGE_QUEUE", None)  # one process, in-memory rooms
        env.update(self.extra_env)
        if self.kind == "bare":
            argv = [sys.executable, str(ROOT / "bench" / "bare_server.py")]
        elif self.kind == "node":  # socket.io on Node (bench/node/server.mjs): the other reference
            if not (ROOT / "bench" / "node" / "node_modules" / "socket.io").exists():
                raise RuntimeError("socket.io for Node is not installed: npm ci --prefix bench/node")
            argv = ["node", str(ROOT / "bench" / "node" / "server.mjs")]
        elif self.kind == "gevent":  # gunicorn -k gevent as deploy/README.md runs it
            return self._start_gevent(env)
        elif self.kind == "base":  # another checkout of pitchday (BENCH_BASE_CHECKOUT), e.g. main before a change
            env["PYTHONPATH"] = os.environ["BENCH_BASE_CHECKOUT"]
            argv = [sys.executable, "-m", "pitchday.cli", "demo"]
        else:
            argv = server_command() + ["demo"]
        if self.wrapper is not None:  # the same server, started by the wrapper (which reads BENCH_SERVER_KIND)
            env["BENCH_SERVER_KIND"] = self.kind
            argv = [sys.executable, self.wrapper] + ([] if self.kind == "bare" else ["demo"])
        with open(self.log_path, "wb") as log:
            # A session of its own: Ctrl+C in the terminal reaches the script, which stops the server.
            self.process = subprocess.Popen(
                argv + ["--host", "127.0.0.1", "--port", str(self.port)],
                env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True, cwd=self.dir)
        _LIVE_SERVERS.add(self)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited ({self.process.returncode}):\n{self.log()}")
            text = self.log()
            match = MODERATOR_LINK.search(text)
            if match and "Serving on" in text and self._healthy():
                self.moderator_path = "/m/" + match.group(1).split("/m/", 1)[1]
                return self
            time.sleep(0.1)
        raise RuntimeError(f"server did not come up in {self.startup_timeout:.0f} s:\n{self.log()}")

    def _start_gevent(self, env: dict) -> "Server":
        """``gunicorn -c python:pitchday.gunicorn_conf`` on the demo edition, loaded and its moderator link
        minted beforehand by the CLI (the WSGI entry point loads no demo)."""
        env["PITCHDAY_ASYNC_MODE"] = "gevent"
        bin_dir = Path(sys.executable).parent
        load = ("from pitchday import create_app; from pitchday.migrate import upgrade; from pitchday.config import Config;"
                "upgrade(Config().DATABASE_URL); app = create_app(); from pitchday.services import editions;"
                "from pitchday.extensions import db; app.app_context().push()\n"
                "with db.write(): editions.load_demo_edition()")
        subprocess.run([sys.executable, "-c", load], env=env, check=True, timeout=self.startup_timeout,
                       cwd=self.dir, stdout=subprocess.DEVNULL)
        link = subprocess.run([str(bin_dir / "pitchday"), "moderator-link", EDITION, "--base-url", self.url], env=env,
                              check=True, capture_output=True, text=True, timeout=self.startup_timeout).stdout
        self.moderator_path = "/m/" + re.search(r"/m/(\S+)", link).group(1)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [str(bin_dir / "gunicorn"), "-c", "python:pitchday.gunicorn_conf", "-b", f"127.0.0.1:{self.port}",
                 "pitchday.wsgi:app"], env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True, cwd=self.dir)
        _LIVE_SERVERS.add(self)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}):\n{self.log()}")
            if self._healthy():
                return self
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not come up in {self.startup_timeout:.0f} s:\n{self.log()}")

    @property
    def pids(self) -> list[int]:
        """The server's processes: gunicorn's master and its worker, or the one process."""
        pids = [self.process.pid]
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
            pids += [int(c) for c in children]
        except OSError:
            pass
        return pids

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

    def rss_kb(self) -> int:
        """Resident set size of the server's processes (``VmRSS``), in KB."""
        return sum(rss_kb_of(pid) for pid in self.pids)

    def cpu_s(self) -> float:
        """User + system CPU time of the server's processes so far (clock ticks, usually 10 ms)."""
        return sum(cpu_s_of(pid) for pid in self.pids)

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


async def cookie_from(http: aiohttp.ClientSession, url: str, name: str) -> str:
    """``name=value`` of the cookie that a GET of ``url`` sets (redirects are not followed)."""
    async with http.get(url, allow_redirects=False) as response:
        await response.read()
        if response.status >= 400:
            raise RuntimeError(f"GET {url} answered {response.status}")
        if name not in response.cookies:
            raise RuntimeError(f"GET {url} set no {name} cookie")
        return f"{name}={response.cookies[name].value}"


async def moderator_cookie(http: aiohttp.ClientSession, server: Server) -> str:
    """The moderator link answers with a redirect that sets the moderator cookie."""
    return await cookie_from(http, server.url + server.moderator_path, MODERATOR_COOKIE)


async def device_cookie(http: aiohttp.ClientSession, server: Server) -> str:
    """A phone's identity: the audience page gives every new visitor a signed device cookie."""
    return await cookie_from(http, f"{server.url}/e/{EDITION}/", DEVICE_COOKIE)


# --------------------------------------------------------------------------------------------
# Socket.IO clients (python-socketio)
# --------------------------------------------------------------------------------------------

def new_client(*, deflate: bool = True) -> socketio.AsyncClient:
    """An asyncio Socket.IO client that never reconnects by itself and leaves Ctrl+C to the script.

    aiohttp offers ``permessage-deflate`` by default, as every browser does (pitchday declines
    it unless ``PITCHDAY_WEBSOCKET_COMPRESSION=true``); ``deflate=False`` does not offer it.
    """
    options = {} if deflate else {"compress": 0}
    return socketio.AsyncClient(reconnection=False, handle_sigint=False, websocket_extra_options=options)


async def connect(client: socketio.AsyncClient, url: str, view: str, *, cookie: str | None = None,
                  timeout: float = 15.0) -> None:
    """Connect ``client`` to the demo edition at ``url`` as ``view`` over WebSocket, within ``timeout`` s.

    A refusal (``connect_error``) is raised with the server's reason.
    """
    refused: list = []
    client.on("connect_error", lambda data=None: refused.append(data))
    try:
        await asyncio.wait_for(client.connect(
            url, headers={"Cookie": cookie} if cookie else {}, auth={"edition": EDITION, "view": view},
            transports=["websocket"], wait_timeout=timeout), timeout)
    except BaseException as error:
        await disconnect(client)
        if refused:
            raise ConnectionError(f"{view} connection refused: {refused[0]}") from error
        raise


async def disconnect(client: socketio.AsyncClient, timeout: float = 5.0) -> None:
    """Disconnect, quietly and within ``timeout``: used on the way out, also after errors."""
    try:
        await asyncio.wait_for(client.disconnect(), timeout)
    except Exception:
        pass


async def disconnect_all(clients: list[socketio.AsyncClient], timeout: float = 10.0) -> None:
    await asyncio.gather(*[disconnect(c, timeout) for c in clients])


async def timed_call(client: socketio.AsyncClient, event: str, data=None, *,
                     timeout: float) -> tuple[object, int, int]:
    """Emit ``event`` with an ack; return (the ack's argument, ns just before the emit, ns at the ack).

    The second time is taken in the ack callback, as soon as the client has decoded the ack.
    Raises ``TimeoutError`` if no ack comes within ``timeout`` seconds.
    """
    answered = asyncio.get_running_loop().create_future()

    def on_ack(*args):
        if not answered.done():
            answered.set_result((args[0] if len(args) == 1 else list(args), now_ns()))

    start = now_ns()
    await client.emit(event, data, callback=on_ack)
    ack, end = await asyncio.wait_for(answered, timeout)
    return ack, start, end


# --------------------------------------------------------------------------------------------
# Figures and results
# --------------------------------------------------------------------------------------------

def percentile(sorted_values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p * len(sorted_values) / 100))
    return sorted_values[min(len(sorted_values), rank) - 1]


def rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def summary(values_ms: list[float]) -> dict:
    """Count, min, p50, p95, p99 and max of a list of milliseconds."""
    ordered = sorted(values_ms)
    return {"n": len(ordered), "min": rounded(ordered[0] if ordered else None),
            "p50": rounded(percentile(ordered, 50)), "p95": rounded(percentile(ordered, 95)),
            "p99": rounded(percentile(ordered, 99)), "max": rounded(ordered[-1] if ordered else None)}


def fmt(value: float | None, width: int = 8, digits: int = 1) -> str:
    """A figure for a table column; ``-`` when there is none."""
    return f"{'-':>{width}}" if value is None else f"{value:>{width}.{digits}f}"


def process_cpu_s() -> float:
    """CPU time used by this process so far (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def machine_info() -> dict:
    """The machine, the versions of the packages that matter, and the commit measured."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for dist in ("python-socketio", "python-engineio", "Flask-SocketIO", "eventlet", "Flask", "aiohttp"):
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


def command_line() -> str:
    return " ".join([Path(sys.executable).name, *sys.argv])


def write_results(name: str, document: dict, out: str | None = None) -> Path:
    """Write ``document`` as JSON to ``out``, or to ``bench/results/<name>-<date>.json``.

    An earlier result is never overwritten: a second run on the same day gets ``-2``, then ``-3``...
    """
    if out:
        path = Path(out)
    else:
        stem = f"{name}-{dt.date.today().isoformat()}"
        path = RESULTS / f"{stem}.json"
        for n in range(2, 1000):
            if not path.exists():
                break
            path = RESULTS / f"{stem}-{n}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def raise_fd_limit() -> None:
    """A thousand sockets need more file descriptors than the usual soft limit of 1024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def run(main, args) -> int:
    """Run ``main(args, deadline)`` within ``args.max_seconds``; the exit code of the script.

    Ctrl+C, SIGTERM and SIGHUP cancel the run, and so does the deadline: the ``finally`` blocks
    of ``main`` stop the server and the client processes on the way out.
    """
    raise_fd_limit()

    async def guarded() -> int:
        task = asyncio.current_task()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            asyncio.get_running_loop().add_signal_handler(sig, task.cancel)
        deadline = Deadline(args.max_seconds)
        try:
            async with asyncio.timeout(args.max_seconds) as limit:
                return await main(args, deadline)
        except TimeoutError:
            if limit.expired():
                print(f"deadline of {args.max_seconds:.0f} s reached: run abandoned", file=sys.stderr)
                return 3
            raise

    try:
        return asyncio.run(guarded())
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("interrupted", file=sys.stderr)
        return 130
