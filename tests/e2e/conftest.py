"""End-to-end fixtures: the real ``pitchday demo`` server in a subprocess and Debian's Chromium.

Every server gets its own SQLite file and a free port. ``PitchdayServer.kill9()`` then
``start()`` restarts it on the same database and port, like a crashed process brought back.
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

import pytest
import requests
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
PITCHDAY = Path(sys.executable).parent / "pitchday"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
MODERATOR_LINK = re.compile(r"Régie \(moderator\) : (http://\S+/m/\S+)")
ORGANISER_PASSWORD = re.compile(r"Mot de passe org\. : (\S+)")


def pytest_collection_modifyitems(items):
    # Belt and braces: every test of this folder is e2e, even one that forgot its pytestmark.
    for item in items:
        if "/tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PitchdayServer:
    """``pitchday demo`` in a subprocess, its output kept for the failure report."""

    def __init__(self, database: Path, port: int | None = None, *, command: str = "demo", env: dict | None = None):
        self.database = database
        self.port = port or free_port()
        self.command = command  # "demo" (loads the demo edition, prints its links) or "serve" (an empty instance)
        self.env = env or {}
        self.process: subprocess.Popen | None = None
        self.moderator_url: str | None = None
        self.organiser_password: str | None = None  # printed by the demo on its first start
        self.output: list[str] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self, timeout_s: float = 30) -> "PitchdayServer":
        env = {**os.environ, "PITCHDAY_DATABASE_URL": f"sqlite:///{self.database}", "PYTHONUNBUFFERED": "1",
               **self.env}
        env.pop("PITCHDAY_PUBLIC_URL", None)  # links and QR codes must name this very server
        self.moderator_url = None
        self.process = subprocess.Popen(
            [str(PITCHDAY), self.command, "--host", "127.0.0.1", "--port", str(self.port)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )
        link_seen = threading.Event()
        if self.command != "demo":
            link_seen.set()  # only the demo prints a moderator link

        def pump(stream):
            for line in stream:
                self.output.append(line)
                password = ORGANISER_PASSWORD.search(line)
                if password:
                    self.organiser_password = password.group(1)
                found = MODERATOR_LINK.search(line)
                if found:
                    self.moderator_url = found.group(1)
                    link_seen.set()

        threading.Thread(target=pump, args=(self.process.stdout,), daemon=True).start()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"pitchday demo exited with {self.process.returncode}:\n{self.log()}")
            if link_seen.is_set():
                try:
                    if requests.get(self.url("/healthz"), timeout=1).json() == {"ok": True}:
                        return self
                except (requests.ConnectionError, requests.Timeout, ValueError):
                    pass
            time.sleep(0.05)
        raise RuntimeError(f"pitchday demo did not answer /healthz in {timeout_s} s:\n{self.log()}")

    def kill9(self) -> None:
        """kill -9 the whole process group: no clean shutdown, like a crash or a pulled plug."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def restart_after_crash(self) -> "PitchdayServer":
        """kill -9, then the same command on the same database and port."""
        self.kill9()
        return self.start()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill9()

    def log(self) -> str:
        return "".join(line for line in self.output if "█" not in line and "▀" not in line and "▄" not in line)


def _server(tmp_path_factory) -> PitchdayServer:
    return PitchdayServer(tmp_path_factory.mktemp("pitchday") / "pitchday.sqlite3").start()


@pytest.fixture()
def server(tmp_path_factory):
    """A fresh server (fresh database, demo edition at its welcome screen) for one test."""
    srv = _server(tmp_path_factory)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def module_server(tmp_path_factory):
    """One server shared by the tests of a module (they must not depend on each other's state)."""
    srv = _server(tmp_path_factory)
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture()
def open_view(browser):
    """``open_view(url, width, height, **context_options)`` → a page in its own browser context.

    Uncaught script errors in any page fail the test at teardown.
    """
    contexts, errors = [], []

    def opener(url: str, width: int, height: int, *, before=None, **options):
        options = {"locale": "fr-FR", "timezone_id": "Europe/Paris", **options}
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        contexts.append(context)
        if before is not None:
            before(context)  # e.g. install a fake clock or a WebSocket route before the page loads
        page = context.new_page()
        page.on("pageerror", lambda error, u=url: errors.append(f"{u}: {error}"))
        page.goto(url)
        return page

    yield opener
    for context in contexts:
        context.close()
    assert errors == [], f"uncaught errors in the pages: {errors}"
