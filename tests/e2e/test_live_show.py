"""A live show driven from two moderator consoles, watched on the projector and the stage view."""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from .helpers import (DONE, FIRST_TALK, OPENING_ITEMS, SECOND_TALK, STALE, UNDONE, Wifi, click_command, extend,
                      open_moderator, open_public, play_the_opening, read, wait_all_agree, wait_presence)

pytestmark = pytest.mark.e2e

PITCH_S = QA_S = 300


def _elapsed(since: float) -> float:
    return time.monotonic() - since


def test_show_commands_from_either_console_reach_every_view(server, open_view):
    projector = open_public(open_view, server, "projector", 1920, 1080)
    stage = open_public(open_view, server, "stage", 1280, 720)
    console_a = open_moderator(open_view, server, 1280, 800)
    console_b = open_moderator(open_view, server, 768, 1024)
    views = [projector, stage, console_a, console_b]
    wait_presence(console_a, projector=1, stage=1, moderator_count=2)
    wait_presence(console_b, projector=1, stage=1, moderator_count=2)
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "welcome")
    assert read(stage).phase == "Bienvenue" and read(stage).countdown == ""
    assert read(console_b).countdown == "–:––"

    # Start (console A): the pitch of the first talk counts down from 5:00 everywhere.
    play_the_opening(console_a)  # the welcome, the opening address, ATMO: the first talk up next
    started = time.monotonic()
    click_command(console_a, "#btn-main")
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "talk")
    wait_all_agree(views, phase="Pitch", title=FIRST_TALK, around=PITCH_S - _elapsed(started))
    expect(console_b.locator("#btn-main")).to_have_text("Pause")  # B's main button follows A's command

    # Pause (console B): every view freezes on exactly the same figure.
    time.sleep(1.2)
    click_command(console_b, "#btn-main")
    paused = wait_all_agree(views, phase="Pitch · En pause", title=FIRST_TALK, tolerance_s=0,
                            around=PITCH_S - _elapsed(started))
    expect(console_a.locator("#btn-main")).to_have_text("Reprendre")
    frozen = paused[0].seconds
    assert PITCH_S - 4 <= frozen <= PITCH_S - 1
    time.sleep(1.2)
    assert [read(v).seconds for v in views] == [frozen] * 4

    # Extend +30 s while paused (console A): exactly 30 s more on every view.
    extend(console_a, 30000)
    wait_all_agree(views, phase="Pitch · En pause", title=FIRST_TALK, around=frozen + 30, tolerance_s=0)
    assert [read(v).seconds for v in views] == [frozen + 30] * 4

    # Resume (console B): counting down again from the extended figure.
    resumed = time.monotonic()
    click_command(console_b, "#btn-main")
    wait_all_agree(views, phase="Pitch", title=FIRST_TALK, around=frozen + 30 - _elapsed(resumed))
    time.sleep(1.1)
    assert all(read(v).seconds < frozen + 30 for v in views)

    # Questions (console A): a fresh 5:00 for the Q&A.
    questions_at = time.monotonic()
    click_command(console_a, '[data-command="questions"]')
    wait_all_agree(views, phase="Questions", title=FIRST_TALK, around=QA_S - _elapsed(questions_at))
    time.sleep(3)  # so that a restarted Q&A (5:00) cannot be mistaken for the resumed one after undo

    # Next (console B): the second talk is up, not started; the projector shows the agenda.
    click_command(console_b, '[data-command="next"]')
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "agenda")
    expect(projector.locator("#agenda .row-next .title")).to_have_text(SECOND_TALK)
    expect(projector.locator("#agenda .row-done .title")).to_have_text([*OPENING_ITEMS, FIRST_TALK])
    for console in (console_a, console_b):
        expect(console.locator("#phase")).to_have_text("À suivre")
        expect(console.locator("#now-title")).to_have_text(SECOND_TALK)
        expect(console.locator("#countdown")).to_have_text("–:––")
        expect(console.locator("#btn-main")).to_have_text("Démarrer")
    expect(stage.locator("#phase")).to_have_text("À suivre")
    expect(stage.locator("#talk-title")).to_have_text(SECOND_TALK)
    expect(stage.locator("#countdown")).to_have_text("")

    # Undo (console A): back to the questions of the first talk, on the clock they had (not restarted).
    click_command(console_a, '[data-command="undo"]', expect_feedback=UNDONE)
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "talk")
    readings = wait_all_agree(views, phase="Questions", title=FIRST_TALK, around=QA_S - _elapsed(questions_at))
    assert all(r.seconds <= QA_S - 3 for r in readings), readings  # 3 s had already gone before "next"


def test_stale_command_is_refused_and_the_console_catches_up(server, open_view):
    """Console A misses a broadcast; its next command is refused as stale and changes nothing."""
    dropping = {"state": False}

    def lose_state_broadcasts(context):
        def route(ws):
            upstream = ws.connect_to_server()

            def to_page(message):
                if dropping["state"] and isinstance(message, str) and message.startswith('42["state"'):
                    return  # a lost "state" broadcast; acks and snapshots still get through
                ws.send(message)

            upstream.on_message(to_page)

        context.route_web_socket(re.compile(r"/socket\.io/"), route)

    projector = open_public(open_view, server, "projector", 1920, 1080)
    console_a = open_moderator(open_view, server, 1280, 800, before=lose_state_broadcasts)
    console_b = open_moderator(open_view, server, 768, 1024)
    play_the_opening(console_b)  # the welcome, the opening address, ATMO: the first talk up next
    click_command(console_b, "#btn-main")  # start
    wait_all_agree([projector, console_a, console_b], phase="Pitch", title=FIRST_TALK, around=PITCH_S)

    dropping["state"] = True
    click_command(console_b, "#btn-main")  # pause: console A never hears of it
    expect(projector.locator("#phase")).to_have_text("Pitch · En pause")
    paused_at = read(projector).seconds
    assert read(console_a).phase == "Pitch"  # A still believes the pitch runs

    # A asks for questions on its old version: refused, with the reason, and nothing changes.
    click_command(console_a, '[data-command="questions"]', expect_feedback=STALE)
    # …and A fetched the current state by itself, though "state" broadcasts are still lost.
    expect(console_a.locator("#phase")).to_have_text("Pitch · En pause")
    expect(console_a.locator("#countdown")).to_have_text(projector.text_content("#countdown"))
    expect(console_a.locator("#btn-main")).to_have_text("Reprendre")
    for page in (projector, console_b):
        assert read(page).phase == "Pitch · En pause"
        assert read(page).seconds == paused_at

    # Its next command is built on the right version and goes through. It is also the marker that
    # the refused one changed nothing: the pitch resumes from the very figure it was paused on.
    dropping["state"] = False
    click_command(console_a, "#btn-main")  # resume
    wait_all_agree([projector, console_a, console_b], phase="Pitch", title=FIRST_TALK, around=paused_at)


def test_automatic_switch_to_questions_happens_on_a_screen_cut_off_from_the_server(server, open_view):
    """With the automatic switch on, 0:00 of a pitch starts its questions on every screen, even on one
    that has missed every broadcast since: the state's timeline says when, the screen's clock does the rest."""
    wifi = []
    projector = open_public(open_view, server, "projector", 1920, 1080, before=lambda context: wifi.append(Wifi(context)))
    stage = open_public(open_view, server, "stage", 1280, 720)
    console = open_moderator(open_view, server, 1280, 800)
    views = [projector, stage, console]
    wait_presence(console, projector=1, stage=1, moderator_count=1)
    console.evaluate("document.getElementById('feedback').textContent = ''")
    console.check("#auto-questions")
    expect(console.locator("#feedback")).to_have_text(DONE)

    play_the_opening(console)  # the welcome, the opening address, ATMO: the first talk up next
    click_command(console, "#btn-main")
    extend(console, -30000, times=9)  # 30 s of the pitch left
    wait_all_agree(views, phase="Pitch", title=FIRST_TALK)
    wifi[0].cut()
    expect(projector.locator("#connection")).to_be_visible()

    for page in views:
        expect(page.locator("#phase")).to_have_text("Questions", timeout=45_000)
    wait_all_agree(views, phase="Questions", title=FIRST_TALK, around=QA_S)
    expect(projector.locator("#connection")).to_be_visible()  # it never heard of the switch


def test_reorder_from_the_console_while_a_talk_is_up_next(server, open_view):
    """The order a move sends is the server's list of upcoming talks (the one up next is not in it)."""
    console = open_moderator(open_view, server, 1280, 800)
    play_the_opening(console)  # the first talk is up next, not started (after the demo's three opening items)
    titles = console.locator("#agenda .row strong")
    expect(titles.nth(3)).to_have_text(FIRST_TALK)
    before = titles.all_text_contents()

    click_command(console, '#agenda .row:nth-child(5) button[data-action="down"]')

    expect(titles).to_have_text([*before[:4], before[5], before[4], *before[6:]])
