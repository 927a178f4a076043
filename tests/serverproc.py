"""The real pitchday server in a subprocess, for the tests that need real sockets or a real browser.

``pitchday demo`` (the demo edition, its links printed) or ``pitchday serve`` (an empty instance),
on a free port. ``kill9()`` then ``start()`` restarts it on the same database and port, like a
crashed process brought back.
"""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

PITCHDAY = Path(sys.executable).parent / "pitchday"
MODERATOR_LINK = re.compile(r"Régie \(moderator\) : (http://\S+/m/\S+)")
ORGANISER_PASSWORD = re.compile(r"Mot de passe org\. : (\S+)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One pitchday process; its output is kept for the failure report."""

    def __init__(self, database_url: str, *, command: str = "demo", env: dict | None = None, port: int | None = None):
        self.database_url = database_url
        self.command = command
        self.env = env or {}
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self.moderator_url: str | None = None  # printed by the demo
        self.organiser_password: str | None = None  # printed by the demo on its first start
        self.output: list[str] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    @property
    def database(self) -> Path:
        """The SQLite file (for tests that look into what was stored)."""
        assert self.database_url.startswith("sqlite:///"), "not a SQLite server"
        return Path(self.database_url.removeprefix("sqlite:///"))

    def start(self, timeout_s: float = 40) -> "Server":
        env = {**os.environ, "PITCHDAY_DATABASE_URL": self.database_url, "PYTHONUNBUFFERED": "1", **self.env}
        env.pop("PITCHDAY_PUBLIC_URL", None)  # links and QR codes must name this very server
        self.moderator_url = None
        self.process = subprocess.Popen(
            [str(PITCHDAY), self.command, "--host", "127.0.0.1", "--port", str(self.port)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        ready = threading.Event()
        if self.command != "demo":
            ready.set()  # only the demo prints a moderator link to wait for

        def pump(stream):
            for line in stream:
                self.output.append(line)
                password = ORGANISER_PASSWORD.search(line)
                if password:
                    self.organiser_password = password.group(1)
                link = MODERATOR_LINK.search(line)
                if link:
                    self.moderator_url = link.group(1)
                    ready.set()

        threading.Thread(target=pump, args=(self.process.stdout,), daemon=True).start()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"pitchday {self.command} exited with {self.process.returncode}:\n{self.log()}")
            if ready.is_set():
                try:
                    if requests.get(self.url("/healthz"), timeout=1).json() == {"ok": True}:
                        return self
                except (requests.ConnectionError, requests.Timeout, ValueError):
                    pass
            time.sleep(0.05)
        raise RuntimeError(f"pitchday {self.command} did not answer /healthz in {timeout_s} s:\n{self.log()}")

    def moderator_cookie(self) -> str:
        """The HttpOnly cookie the demo's moderator link is exchanged for."""
        response = requests.get(self.moderator_url, allow_redirects=False, timeout=5)
        assert response.status_code == 303
        return response.cookies["pitchday_moderator"]

    def kill9(self) -> None:
        """kill -9 the whole process group: no clean shutdown, like a crash or a pulled plug."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill9()

    def log(self) -> str:
        """The output without the QR codes' block characters."""
        return "".join(line for line in self.output if not any(c in line for c in "█▀▄"))
