"""End-to-end fixtures: the real ``pitchday demo`` server in a subprocess (``tests/serverproc.py``)
and Debian's Chromium. Every server gets its own SQLite file and a free port."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.serverproc import Server

from .helpers import TIMEOUT_S

# Every expect() waits for its condition this long before failing (Playwright's default: 5 s).
expect.set_options(timeout=TIMEOUT_S * 1000)

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def pytest_collection_modifyitems(items):
    # Belt and braces: every test of this folder is e2e, even one that forgot its pytestmark.
    for item in items:
        if "/tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def _server(tmp_path_factory) -> Server:
    return Server(f"sqlite:///{tmp_path_factory.mktemp('pitchday') / 'pitchday.sqlite3'}").start()


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
