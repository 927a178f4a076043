"""A device whose own clock is minutes wrong still shows the server's countdown."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from playwright.sync_api import expect

from tests.serverproc import get_with_retry, wait_until

from .helpers import FIRST_TALK, click_command, open_moderator, open_public, play_the_opening, read, wait_all_agree

pytestmark = pytest.mark.e2e

SKEW_AHEAD_MS = 7 * 60 * 1000

# The wall clock (Date) runs 7 minutes ahead; performance.now() is left alone, as on a real device.
DATE_AHEAD = """
(() => {
  const skew = %d;
  const RealDate = Date;
  class SkewedDate extends RealDate {
    constructor(...args) { if (args.length === 0) super(RealDate.now() + skew); else super(...args); }
    static now() { return RealDate.now() + skew; }
  }
  globalThis.Date = SkewedDate;
})();
""" % SKEW_AHEAD_MS


def server_ends_at(server) -> float:
    """When the running phase ends, in epoch seconds, as the server stored it (once it runs)."""
    def running():
        live = get_with_retry(server.url("/api/v1/editions/jdn10/live")).json()
        return live if live["running"] else None

    live = wait_until(running, message="the pitch runs")
    return dt.datetime.fromisoformat(live["ends_at"].replace("Z", "+00:00")).timestamp()


def _behind_clock(context):
    # Playwright's fake clock, 5 minutes late: it fakes Date and performance.now() and keeps ticking.
    context.clock.install(time=dt.datetime.now() - dt.timedelta(minutes=5))


def _ahead_clock(context):
    context.add_init_script(DATE_AHEAD)


def test_countdown_is_right_on_a_device_whose_clock_is_wrong(server, open_view):
    moderator = open_moderator(open_view, server, 1280, 800)
    stage = open_public(open_view, server, "stage", 1280, 720)
    stage_behind = open_public(open_view, server, "stage", 1280, 720, before=_behind_clock)
    phone = open_public(open_view, server, "audience", 390, 844)
    phone_ahead = open_public(open_view, server, "audience", 390, 844, before=_ahead_clock,
                              timezone_id="America/New_York")

    # The skew is really there (otherwise this test would prove nothing).
    skew_behind_ms = stage_behind.evaluate("Date.now()") - time.time() * 1000
    skew_ahead_ms = phone_ahead.evaluate("Date.now()") - time.time() * 1000
    assert -5 * 60_000 - 5_000 < skew_behind_ms < -5 * 60_000 + 5_000
    assert SKEW_AHEAD_MS - 5_000 < skew_ahead_ms < SKEW_AHEAD_MS + 5_000

    play_the_opening(moderator)  # the welcome, the opening address, ATMO: the first talk up next
    click_command(moderator, "#btn-main")
    # The server's own end of the pitch (this machine's clock is the server's): every figure below is
    # compared with it at the moment it was read, so a slow machine cannot make the test wrong.
    ends_at = server_ends_at(server)
    wait_all_agree([moderator, stage, stage_behind], phase="Pitch", title=FIRST_TALK)
    for phone_page in (phone, phone_ahead):
        expect(phone_page.locator("#talk-title")).to_have_text(FIRST_TALK)
        expect(phone_page.locator("#phase")).to_have_text("Pitch")

    # Sampled a few times: every device within a second of the server's figure when it was read.
    for _ in range(4):
        for page in (moderator, stage, stage_behind, phone, phone_ahead):
            before = ends_at - time.time()
            shown = read(page).seconds
            after = ends_at - time.time()
            assert shown is not None and after - 1 <= shown <= before + 2, (page.url, shown, before, after)
        time.sleep(0.6)  # let the countdowns move between samples (what is sampled is not timed)

    # Times of the evening are Paris times from the server, whatever the phone's clock or zone.
    times = phone.locator("#agenda .time").all_text_contents()
    assert len(times) == 15 and all(len(t) == 5 and t[2] == ":" for t in times)  # the whole rundown
    assert phone_ahead.locator("#agenda .time").all_text_contents() == times
