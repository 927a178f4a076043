""""QR plein écran" in Chromium: the console's button toggles it, the projector follows, undo works, and the
next item's start takes it down by itself."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .helpers import UNDONE, click_command, open_moderator, open_public
from .layout import overflowing, small_targets

pytestmark = pytest.mark.e2e


def test_console_toggles_qr_fullscreen_the_projector_follows_and_undo_brings_it_back(server, open_view, screenshots):
    projector = open_public(open_view, server, "projector", 1920, 1080)
    console = open_moderator(open_view, server, 1280, 800)
    button = console.locator("#btn-qrwall")
    screen = projector.locator("#screen")
    expect(screen).to_have_attribute("data-screen", "welcome")
    expect(button).to_have_attribute("aria-pressed", "false")

    click_command(console, "#btn-qrwall")  # "Scannez maintenant"
    expect(screen).to_have_attribute("data-screen", "qrwall")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(projector.locator("#qrwall-url")).to_have_text(f"127.0.0.1:{server.port}/e/jdn10")
    expect(projector.locator("#qrwall-now")).to_have_text("Ensuite : Accueil café")
    console.screenshot(path=screenshots / "console-qr-fullscreen-on-1280x800.png")
    assert small_targets(console) == []

    click_command(console, "#btn-qrwall")  # pressed again: off
    expect(screen).to_have_attribute("data-screen", "welcome")
    expect(button).to_have_attribute("aria-pressed", "false")

    click_command(console, '[data-command="undo"]', expect_feedback=UNDONE)  # undo "off": on again
    expect(screen).to_have_attribute("data-screen", "qrwall")
    expect(button).to_have_attribute("aria-pressed", "true")

    # Over any projector mode: the black screen waits underneath until the code is taken down.
    click_command(console, '[data-mode="blackout"]')
    expect(screen).to_have_attribute("data-screen", "qrwall")
    click_command(console, "#btn-qrwall")
    expect(screen).to_have_attribute("data-screen", "blackout")
    click_command(console, '[data-mode="auto"]')
    click_command(console, "#btn-qrwall")
    expect(screen).to_have_attribute("data-screen", "qrwall")

    # The welcome item starts: the room now watches it, the code goes down by itself...
    click_command(console, "#btn-main")
    expect(screen).to_have_attribute("data-screen", "item")
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(console.locator("#phase")).to_have_text("Accueil")

    # ...and undoing the start puts back the moment before it, code included.
    click_command(console, '[data-command="undo"]', expect_feedback=UNDONE)
    expect(screen).to_have_attribute("data-screen", "qrwall")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(console.locator("#btn-main")).to_have_text("Démarrer")


def test_qr_fullscreen_keeps_the_countdown_running_in_its_strip(server, open_view, screenshots):
    projector = open_public(open_view, server, "projector", 1920, 1080)
    console = open_moderator(open_view, server, 768, 1024)
    click_command(console, "#btn-main")  # the welcome item runs (30 minutes)
    click_command(console, "#btn-qrwall")
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "qrwall")
    countdown = projector.locator("#qrwall-countdown")
    expect(countdown).to_have_text(re.compile(r"^(30:00|29:[0-5]\d)$"))
    first = countdown.text_content()
    expect(countdown).not_to_have_text(first)  # it moves: a second later it shows the next second

    click_command(console, '[data-command="pause"]')
    expect(projector.locator("#qrwall-label")).to_have_text("En pause")
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "qrwall")  # a pause keeps the code up
    console.screenshot(path=screenshots / "console-qr-fullscreen-on-768x1024.png", full_page=True)
    assert overflowing(console, vertical=False) == []
    projector.screenshot(path=screenshots / "projector-qrwall-paused-1920x1080.png")
