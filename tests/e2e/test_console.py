"""The moderator's console as a moderator uses it through an evening: keys, edges, stage messages."""
from __future__ import annotations

import re
import sqlite3

import pytest
from playwright.sync_api import expect

from .helpers import (DONE, FIRST_TALK, SECOND_TALK, click_command, open_moderator, open_public, play_the_closing,
                      play_the_opening)
from .layout import overflowing

pytestmark = pytest.mark.e2e

DEMO_TALKS = 10


def test_console_space_on_a_focused_button_presses_that_button_not_start(server, open_view):
    console = open_moderator(open_view, server, 1280, 800)
    play_the_opening(console)  # the welcome, the opening address, ATMO: the first talk up next
    click_command(console, "#btn-main")  # talk 1 starts
    click_command(console, '[data-command="next"]')  # talk 1 done, talk 2 up next
    expect(console.locator("#now-title")).to_have_text(SECOND_TALK)
    expect(console.locator("#phase")).to_have_text("À suivre")

    console.focus('[data-command="previous"]')
    console.evaluate("document.getElementById('feedback').textContent = ''")
    console.keyboard.press("Space")  # presses Précédent itself: back to talk 1, still not started

    expect(console.locator("#feedback")).to_have_text(DONE)
    expect(console.locator("#now-title")).to_have_text(FIRST_TALK)
    expect(console.locator("#phase")).to_have_text("À suivre")
    expect(console.locator("#btn-main")).to_have_text("Démarrer")

    # With no control focused, Space is the main button's shortcut again.
    console.evaluate("document.activeElement.blur()")
    console.keyboard.press("Space")
    expect(console.locator("#phase")).to_have_text("Pitch")
    expect(console.locator("#shortcuts")).to_contain_text("Espace")
    expect(console.locator("#shortcuts")).to_contain_text("Ctrl")


def test_console_at_networking_disables_questions_and_next_and_names_the_end(server, open_view):
    console = open_moderator(open_view, server, 1280, 800)
    play_the_opening(console)
    for _ in range(DEMO_TALKS):  # each talk played in turn, then the closing and the networking item
        click_command(console, "#btn-main")
        click_command(console, '[data-command="next"]')
    play_the_closing(console)

    expect(console.locator("#phase")).to_have_text("Temps d'échanges")
    expect(console.locator('[data-command="questions"]')).to_be_disabled()
    expect(console.locator('[data-command="next"]')).to_be_disabled()
    expect(console.locator("#btn-main")).to_be_disabled()
    expect(console.locator('[data-command="extend"][data-delta="30000"]')).to_be_disabled()
    expect(console.locator('[data-command="previous"]')).to_be_enabled()
    expect(console.locator("#next-title")).to_have_text("Fin de la soirée")
    console.keyboard.press("n")  # the key of a refused command does nothing
    expect(console.locator("#feedback")).to_have_text(DONE)


def test_stage_message_flashes_on_arrival_shows_on_the_console_and_leaves_with_its_talk(server, open_view):
    stage = open_public(open_view, server, "stage", 1280, 720)
    calm_stage = open_public(open_view, server, "stage", 1280, 720, reduced_motion="reduce")
    console = open_moderator(open_view, server, 1280, 800)
    play_the_opening(console)  # the welcome, the opening address, ATMO: the first talk up next
    click_command(console, "#btn-main")
    expect(console.locator("#current-message")).to_have_text("Aucun message sur l'écran de scène.")

    click_command(console, '[data-message="Concluez"]')

    expect(stage.locator("#message-text")).to_have_text("Concluez")
    expect(stage.locator("#message")).to_have_attribute("data-arrived", "1")
    animation = stage.eval_on_selector("#message", "e => [getComputedStyle(e).animationName, "
                                                   "getComputedStyle(e).animationDuration, getComputedStyle(e).animationIterationCount]")
    assert animation == ["message-arrived", "1s", "1"]  # two pulses in one second: under 3 flashes a second
    expect(calm_stage.locator("#message-text")).to_have_text("Concluez")
    assert calm_stage.eval_on_selector("#message", "e => getComputedStyle(e).animationName") == "none"
    expect(console.locator("#current-message")).to_have_text("Affiché sur l'écran de scène : « Concluez »")
    expect(console.locator("#current-message")).to_have_attribute("data-shown", "true")

    click_command(console, '[data-command="next"]')

    expect(stage.locator("#message")).to_be_hidden()
    expect(console.locator("#current-message")).to_have_text("Aucun message sur l'écran de scène.")
    expect(console.locator('[data-command="dismiss_message"]')).to_be_disabled()


@pytest.mark.parametrize("width, height", [(1280, 800), (768, 1024)])
def test_console_screenshot_fits_the_tablet(server, open_view, screenshots, width, height):
    console = open_moderator(open_view, server, width, height)
    play_the_opening(console)  # the welcome, the opening address, ATMO: the first talk up next
    click_command(console, "#btn-main")
    click_command(console, '[data-message="Concluez"]')
    expect(console.locator("#current-message")).to_have_attribute("data-shown", "true")
    expect(console.locator("#clock")).to_have_text(re.compile(r"^\d{2}:\d{2}$"))

    console.screenshot(path=screenshots / f"console-message-{width}x{height}.png")

    assert overflowing(console, vertical=False) == []


def test_stage_shows_the_clock_of_day_and_who_speaks_next(server, open_view, screenshots):
    stage = open_public(open_view, server, "stage", 1280, 720)
    console = open_moderator(open_view, server, 1280, 800)
    expect(stage.locator("#next-speaker")).to_be_hidden()  # before the first talk, the title says who is next
    play_the_opening(console)  # the welcome, the opening address, ATMO: the first talk up next
    click_command(console, "#btn-main")
    click_command(console, '[data-message="Concluez"]')

    expect(stage.locator("#clock")).to_have_text(re.compile(r"^\d{2}:\d{2}$"))
    expect(stage.locator("#next-speaker")).to_contain_text("Ensuite : ")
    expect(stage.locator("#next-speaker")).to_contain_text(SECOND_TALK)
    expect(stage.locator("#message-text")).to_have_text("Concluez")
    stage.screenshot(path=screenshots / "stage-message-1280x720.png")
    assert overflowing(stage, vertical=True) == []


def test_console_whose_link_is_revoked_says_access_ended_not_reconnecting(server, open_view):
    moderator = open_moderator(open_view, server, 1280, 800)

    # Revoked by another process (as an organiser on another server would): the next moderators'
    # refresh, within seconds, cuts the console off.
    with sqlite3.connect(server.database) as conn:
        conn.execute("update moderator_links set revoked_at = '2026-01-01 00:00:00.000000'")

    expect(moderator.locator("#connection")).to_have_text(re.compile(r"^Accès retiré"))
    expect(moderator.locator("#connection")).to_have_attribute("data-up", "false")
