"""kill -9 in the middle of a talk, start again on the same database and port: nothing is lost."""
from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from .helpers import FIRST_TALK, click_command, open_moderator, open_public, play_the_opening, read, wait_presence
from .layout import overlaps

pytestmark = pytest.mark.e2e

QA_S = 300


def test_views_reconnect_by_themselves_after_a_crash_with_the_right_time(server, open_view, screenshots):
    projector = open_public(open_view, server, "projector", 1920, 1080)
    stage = open_public(open_view, server, "stage", 1280, 720)
    moderator = open_moderator(open_view, server, 1280, 800)
    views = (projector, stage, moderator)
    play_the_opening(moderator)  # the welcome, the opening address, ATMO: the first talk up next
    click_command(moderator, "#btn-main")  # start the pitch
    before = time.time()
    click_command(moderator, '[data-command="questions"]')
    after = time.time()
    questions_started = (before + after) / 2  # the server stamped it between the click and its answer

    def expected_left() -> float:
        return QA_S - (time.time() - questions_started)

    time.sleep(1.0)
    server.kill9()
    # Every view notices the loss at once (the kernel closes the sockets of a killed process)…
    expect(projector.locator("#connection")).to_be_visible()
    expect(stage.locator("#connection")).to_be_visible()
    expect(moderator.locator("#connection")).to_have_text("Hors ligne — reconnexion…")
    projector.screenshot(path=screenshots / "projector-reconnecting-1920x1080.png")
    hidden_by_notice = overlaps(projector, ["#connection", "#talk-kind", "#talk-title", ".screen-talk .qr-small",
                                            "#phase", "#countdown"])
    assert hidden_by_notice == []
    # …and keeps counting from the state it holds while the server is away.
    time.sleep(1.0)
    assert abs(read(projector).seconds - expected_left()) <= 1.5

    server.start()  # same database file, same port
    restarted = time.monotonic()
    expect(projector.locator("#connection")).to_be_hidden()
    expect(stage.locator("#connection")).to_be_hidden()
    expect(moderator.locator("#connection")).to_have_text("En ligne")
    wait_presence(moderator, projector=1, stage=1, moderator_count=1)  # they are connected to the new process
    reconnect_s = time.monotonic() - restarted
    assert reconnect_s < 5, f"views took {reconnect_s:.1f} s to come back"

    for page in views:
        shown = read(page)
        assert (shown.phase, shown.title) == ("Questions", FIRST_TALK), shown
        assert abs(shown.seconds - expected_left()) <= 1.5, (shown, expected_left())
    values = [read(p).seconds for p in views]
    assert max(values) - min(values) <= 1, values

    # The console still works with the cookie it had, and the undo history survived the crash.
    expect(moderator.locator('[data-command="undo"]')).to_be_enabled()
    click_command(moderator, "#btn-main")  # pause
    expect(projector.locator("#phase")).to_have_text("Questions · En pause")
    expect(stage.locator("#phase")).to_have_text("Questions · En pause")
    assert read(stage).seconds == read(projector).seconds == read(moderator).seconds
