"""The real pitchday server in a subprocess, for the tests that need real sockets or a real browser.

``pitchday demo`` (the demo edition, its links printed) or ``pitchday serve`` (an empty instance),
on a free port. ``kill9()`` then ``start()`` restarts it on the same database and port, like a
crashed process brought back.

Everything here tolerates a loaded machine (two cores, a second test run beside this one):
readiness is polled until a generous deadline and any request error is retried.
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
ORGANISER_EMAIL = re.compile(r"Compte admin +: (\S+@\S+)")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


# Generous: a server start takes a second on an idle machine, many on a loaded one.
START_TIMEOUT_S = 90
REQUEST_TIMEOUT_S = 10


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, *, timeout_s: float = 30, interval_s: float = 0.05, message: str = "condition"):
    """Poll ``condition()`` until it returns something truthy (returned), or fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{message}: not met within {timeout_s} s")
        time.sleep(interval_s)


def get_with_retry(url: str, *, timeout_s: float = START_TIMEOUT_S, **kwargs) -> requests.Response:
    """GET ``url``, retrying any request error (refused, reset, read timeout…) until ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return requests.get(url, timeout=REQUEST_TIMEOUT_S, **kwargs)
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def healthy(url: str) -> bool:
    """One readiness probe: True when ``url`` answers ``{"ok": true}``; any error is a "not yet"."""
    try:
        return requests.get(url, timeout=REQUEST_TIMEOUT_S).json() == {"ok": True}
    except (requests.RequestException, ValueError):
        return False


class PortTaken(Exception):
    """The server could not bind its port: someone else took it first."""


class Server:
    """One pitchday process; its output is kept for the failure report."""

    def __init__(self, database_url: str, *, command: str = "demo", env: dict | None = None, port: int | None = None,
                 executable: Path = PITCHDAY, cwd: Path | None = None):
        self.database_url = database_url
        self.executable = executable  # the `pitchday` script (another virtual environment's, for the wheel)
        self.cwd = cwd
        self.command = command
        self.env = env or {}
        self.fixed_port = port is not None
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self.moderator_url: str | None = None  # printed by the demo
        self.printed_password: str | None = None  # printed by the demo on its first start (one-time)
        self.chosen_password: str | None = None  # what the first sign-in chose in its place
        self.organiser_email: str | None = None  # the demo's admin account, printed at every start
        self.output: list[str] = []
        self.pump: threading.Thread | None = None

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

    def start(self, timeout_s: float = START_TIMEOUT_S) -> "Server":
        for _attempt in range(3):
            try:
                return self._start(timeout_s)
            except PortTaken:
                # Another test run took the free port between our probe and the server's bind.
                if self.fixed_port:
                    raise
                self.port = free_port()
        raise RuntimeError(f"pitchday {self.command} found no free port:\n{self.log()}")

    def _start(self, timeout_s: float) -> "Server":
        env = {**os.environ, "PITCHDAY_DATABASE_URL": self.database_url, "PYTHONUNBUFFERED": "1", **self.env}
        env.pop("PITCHDAY_PUBLIC_URL", None)  # links and QR codes must name this very server
        self.moderator_url = None
        self.process = subprocess.Popen(
            [str(self.executable), self.command, "--host", "127.0.0.1", "--port", str(self.port)],
            env=env, cwd=self.cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        ready = threading.Event()
        if self.command != "demo":
            ready.set()  # only the demo prints a moderator link to wait for

        def pump(stream):
            for line in stream:
                self.output.append(line)
                email = ORGANISER_EMAIL.search(line)
                if email:
                    self.organiser_email = email.group(1)
                password = ORGANISER_PASSWORD.search(line)
                if password:
                    self.printed_password = password.group(1)
                link = MODERATOR_LINK.search(line)
                if link:
                    self.moderator_url = link.group(1)
                    ready.set()

        self.pump = threading.Thread(target=pump, args=(self.process.stdout,), daemon=True)
        self.pump.start()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.pump.join(timeout=10)
                if "Address already in use" in self.log():
                    raise PortTaken()
                raise RuntimeError(f"pitchday {self.command} exited with {self.process.returncode}:\n{self.log()}")
            if ready.is_set() and healthy(self.url("/healthz")):
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"pitchday {self.command} did not answer /healthz in {timeout_s} s:\n{self.log()}")

    @property
    def organiser_password(self) -> str | None:
        """The demo admin's password. The demo prints a one-time one: the first time a test asks for it,
        the admin signs in with it once, is led to "Mon compte" (checked here), and chooses a new one,
        as a person must; that one is the password from then on."""
        if self.chosen_password is None and self.printed_password is not None:
            self.chosen_password = self._choose_password(self.printed_password)
        return self.chosen_password

    def _choose_password(self, printed: str) -> str:
        chosen = printed + "-choisi-par-moi"
        http = requests.Session()
        token = CSRF.search(http.get(self.url("/organiser/login"), timeout=REQUEST_TIMEOUT_S).text).group(1)
        signed_in = http.post(self.url("/organiser/login"), data={"email": self.organiser_email, "password": printed,
                              "csrf_token": token}, allow_redirects=False, timeout=REQUEST_TIMEOUT_S)
        assert signed_in.status_code == 302, signed_in.text[:500]
        first_page = http.get(self.url("/organiser/"), allow_redirects=False, timeout=REQUEST_TIMEOUT_S)
        assert (first_page.status_code, first_page.headers.get("Location")) == (303, "/organiser/me")
        token = CSRF.search(http.get(self.url("/organiser/me"), timeout=REQUEST_TIMEOUT_S).text).group(1)
        changed = http.post(self.url("/organiser/me/password"), data={
            "current_password": printed, "password": chosen, "password_again": chosen, "csrf_token": token},
            allow_redirects=False, timeout=REQUEST_TIMEOUT_S)
        assert changed.status_code == 303, changed.text[:500]
        return chosen

    def moderator_cookie(self) -> str:
        """The HttpOnly cookie the demo's moderator link is exchanged for."""
        response = get_with_retry(self.moderator_url, allow_redirects=False)
        assert response.status_code == 303
        return response.cookies["pitchday_moderator"]

    def kill9(self) -> None:
        """kill -9 the whole process group: no clean shutdown, like a crash or a pulled plug."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """Stop the process and wait until its whole output has been read (``output`` is then final)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill9()
        if self.pump is not None:
            self.pump.join(timeout=30)

    def log(self) -> str:
        """The output without the QR codes' block characters."""
        return "".join(line for line in self.output if not any(c in line for c in "█▀▄"))
