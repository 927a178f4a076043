"""Debian's nginx in a subprocess, configured by deploy/nginx.conf itself (rendered with test ports).

Its own prefix, pid file, logs and temporary folders in a temporary directory: no root needed, and
the machine's own nginx (if any) is never touched. ``stop()`` stops only this one.
"""
from __future__ import annotations

import getpass
import importlib.util
import os
import signal
import subprocess
import time
from pathlib import Path

import requests

from .serverproc import REQUEST_TIMEOUT_S, START_TIMEOUT_S, PortTaken, free_port

NGINX = Path("/usr/sbin/nginx")
ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
VENDOR = ROOT / "node_modules" / "socket.io-client" / "dist"


def _render_module():
    spec = importlib.util.spec_from_file_location("render_nginx", ROOT / "deploy" / "render_nginx.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def render(folder: Path, port: int, upstreams: list[int], **options) -> Path:
    """deploy/nginx.conf for ``upstreams`` (ports on 127.0.0.1), listening on 127.0.0.1:``port``;
    ``options``: render_nginx.render's others (``max_sockets``...)."""
    for sub in ("logs", "temp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    text = _render_module().render(
        upstreams=[f"127.0.0.1:{p}" for p in upstreams], static=str(STATIC), vendor=str(VENDOR),
        listen=f"127.0.0.1:{port}", user=getpass.getuser(), pid=str(folder / "nginx.pid"),
        logs=str(folder / "logs"), temp=str(folder / "temp"), **options)
    conf = folder / "nginx.conf"
    conf.write_text(text)
    return conf


class Nginx:
    def __init__(self, folder: Path, upstreams: list[int], **options):
        self.folder = folder
        self.upstreams = upstreams
        self.options = options
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def log(self) -> str:
        path = self.folder / "logs" / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self) -> "Nginx":
        for _attempt in range(3):
            try:
                return self._start()
            except PortTaken:
                self.port = free_port()
        raise RuntimeError("nginx found no free port")

    def _start(self) -> "Nginx":
        conf = render(self.folder, self.port, self.upstreams, **self.options)
        checked = subprocess.run([str(NGINX), "-t", "-p", str(self.folder), "-c", str(conf)],
                                 capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        self.process = subprocess.Popen([str(NGINX), "-p", str(self.folder), "-c", str(conf), "-g", "daemon off;"],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.process.stdout.read()
                if "Address already in use" in output + self.log():
                    raise PortTaken()
                raise RuntimeError(f"nginx exited with {self.process.returncode}:\n{output}\n{self.log()}")
            try:
                requests.get(self.url("/static/css/base.css"), timeout=REQUEST_TIMEOUT_S).raise_for_status()
                return self
            except requests.RequestException:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nginx did not answer in {START_TIMEOUT_S} s:\n{self.log()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGQUIT)  # graceful: workers finish, then exit
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)


class Cluster:
    """``size`` pitchday processes on one PostgreSQL database and one Redis, behind Debian's nginx.

    The first process loads the demo edition (``pitchday demo``), the others serve the same
    database. Every client of a test talks to ``nginx``; ``servers`` is for killing one.
    """

    def __init__(self, folder: Path, database_url: str, *, size: int = 3, redis_url: str = "redis://127.0.0.1:6379/7"):
        import uuid

        from .serverproc import Server

        self.database_url = database_url
        self.redis_url = redis_url
        # A channel of our own: a second test run beside this one never hears our broadcasts, and
        # the Redis keys of presence and of the scheduler's lock are prefixed by it.
        self.channel = f"pitchday-test-{uuid.uuid4().hex}"
        env = {"PITCHDAY_MESSAGE_QUEUE": redis_url, "PITCHDAY_MESSAGE_QUEUE_CHANNEL": self.channel,
               "PITCHDAY_TRUSTED_PROXIES": "1",
               # Rate-limit counters in each process's memory: in the shared Redis they would be keyed
               # by address only (127.0.0.1), shared with every other test run for an hour.
               "PITCHDAY_RATE_LIMIT_STORAGE": "memory://"}
        self.servers = [Server(database_url, command="demo" if i == 0 else "serve", env=env) for i in range(size)]
        self.nginx: Nginx | None = None
        self.folder = folder

    def start(self) -> "Cluster":
        try:
            self.servers[0].start()  # loads the demo edition once, before the others read it
            for server in self.servers[1:]:
                server.start()
            self.nginx = Nginx(self.folder, [server.port for server in self.servers]).start()
        except Exception:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        for server in self.servers:
            server.stop()

    @property
    def base(self) -> str:
        return self.nginx.base

    def url(self, path: str) -> str:
        return self.nginx.url(path)

    def redis(self):
        import redis

        return redis.Redis.from_url(self.redis_url, socket_timeout=REQUEST_TIMEOUT_S)

    def key(self, *parts: str) -> str:
        return ":".join((f"pitchday:{self.channel}", *parts))

    def server_of(self, process_id: str):
        """The Server whose pitchday process shares its counts as ``process_id`` (host-pid-random)."""
        pid = int(process_id.rsplit("-", 2)[1])
        return next((s for s in self.servers if s.process is not None and s.process.pid == pid), None)

    def counts_by_process(self, view: str = "audience") -> dict[int, int]:
        """What each process stores in Redis as its own count of ``view`` clients: {port: n}."""
        store = self.redis()
        counted = {}
        for key in store.scan_iter(match=self.key("presence", "*")):
            process_id = key.decode().rsplit(":", 1)[1]
            server = self.server_of(process_id)
            if server is None:
                continue
            tally = {k.decode(): int(v) for k, v in store.hgetall(key).items()}
            counted[server.port] = sum(n for k, n in tally.items() if k.endswith(f":{view}"))
        store.close()
        return counted

    def leader(self):
        """The Server holding the scheduler's lock, or None."""
        store = self.redis()
        holder = store.get(self.key("scheduler"))
        store.close()
        return self.server_of(holder.decode()) if holder else None

    def log(self) -> str:
        return "\n".join(f"--- pitchday :{s.port}\n{s.log()[-3000:]}" for s in self.servers) + (
            f"\n--- nginx\n{self.nginx.log()[-3000:]}" if self.nginx else "")
