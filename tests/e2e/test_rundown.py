"""A whole evening's rundown in Chromium: the console runs the welcome, the opening address, then a talk;
the projector shows the welcome screen with its QR code large, the speaker's name card, then the countdown."""
from __future__ import annotations

import pytest
from PIL import Image
from playwright.sync_api import expect
from pyzbar.pyzbar import ZBarSymbol, decode

from .helpers import FIRST_TALK, OPENING_ITEMS, click_command, open_moderator, open_public, read, settled
from .layout import overflowing, small_targets

pytestmark = pytest.mark.e2e

WELCOME, OPENING, ATMO = OPENING_ITEMS


def test_console_runs_the_welcome_then_the_opening_then_a_talk_and_the_projector_follows(
        server, open_view, screenshots):
    projector = open_public(open_view, server, "projector", 1920, 1080)
    console = open_moderator(open_view, server, 1280, 800)
    expect(console.locator("#next-title")).to_contain_text(WELCOME)

    click_command(console, "#btn-main")  # the welcome starts: one timed phase, no questions

    expect(projector.locator("#screen")).to_have_attribute("data-screen", "item")
    expect(projector.locator("#screen")).to_have_attribute("data-item", "qr")
    expect(projector.locator("#item-title")).to_have_text(WELCOME)
    expect(projector.locator("#item-kind")).to_have_text("Accueil")
    expect(projector.locator("#item-countdown")).to_have_text("30:00")  # or 29:59 a moment later
    expect(console.locator("#phase")).to_have_text("Accueil")
    expect(console.locator('[data-command="questions"]')).to_be_disabled()
    expect(console.locator('[data-command="next"]')).to_be_enabled()
    expect(console.locator("#next-title")).to_contain_text(OPENING)
    qr = projector.locator(".screen-item .qr img")
    projector.wait_for_function("() => document.querySelector('.screen-item .qr img').naturalWidth > 0")
    assert qr.bounding_box()["height"] >= 1080 * 0.28  # the QR code large, as on the welcome screen
    settled(projector)
    shot = screenshots / "projector-item-welcome-1920x1080.png"
    projector.screenshot(path=shot)
    with Image.open(shot) as image:
        assert [s.data.decode() for s in decode(image, symbols=[ZBarSymbol.QRCODE])] == [server.url("/e/jdn10/")]

    click_command(console, '[data-command="next"]')  # the opening address is up next
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "agenda")
    click_command(console, "#btn-main")

    expect(projector.locator("#screen")).to_have_attribute("data-item", "speaker")
    expect(projector.locator("#item-title")).to_have_text(OPENING)
    expect(projector.locator("#item-speaker")).to_contain_text("Dominique Exemple")
    name_card = projector.locator("#item-speaker").bounding_box()
    corner_qr = projector.locator(".screen-item .qr img").bounding_box()
    assert corner_qr["height"] < name_card["height"] * 2 and corner_qr["x"] > 1920 / 2  # a small QR in the corner
    projector.screenshot(path=screenshots / "projector-item-speaker-1920x1080.png")

    click_command(console, '[data-command="next"]')  # ATMO's introduction
    click_command(console, "#btn-main")
    expect(projector.locator("#item-title")).to_have_text(ATMO)
    click_command(console, '[data-command="next"]')  # the first talk is up next
    expect(console.locator("#now-title")).to_have_text(FIRST_TALK)
    click_command(console, "#btn-main")

    expect(projector.locator("#screen")).to_have_attribute("data-screen", "talk")
    expect(projector.locator("#talk-title")).to_have_text(FIRST_TALK)
    expect(projector.locator("#phase")).to_have_text("Pitch")
    assert 295 <= read(projector).seconds <= 300
    expect(console.locator('[data-command="questions"]')).to_be_enabled()
    rows = projector.locator("#agenda .row")
    expect(rows).to_have_count(15)  # the whole rundown fits (condensed), nothing cut
    expect(projector.locator("#agenda .row-done")).to_have_count(3)


def test_projector_agenda_of_fifteen_items_fits_the_screen(server, open_view, screenshots):
    projector = open_public(open_view, server, "projector", 1920, 1080)
    console = open_moderator(open_view, server, 1280, 800)
    click_command(console, '[data-command="next"]')  # the welcome up next: the agenda on the projector

    expect(projector.locator("#screen")).to_have_attribute("data-screen", "agenda")
    rows = projector.locator("#agenda .row")
    expect(rows).to_have_count(15)
    last = rows.nth(14).bounding_box()
    assert last["y"] + last["height"] <= 1080  # the networking row is on screen, not cut
    expect(projector.locator("#agenda-late")).to_be_hidden()  # the demo evening ends at 20:00 as planned
    projector.screenshot(path=screenshots / "projector-agenda-15-items-1920x1080.png")


@pytest.mark.parametrize("width, height", [(1280, 800), (390, 844)])
def test_programme_page_adds_an_item_and_reads_well(server, open_view, screenshots, width, height):
    page = open_view(server.url("/organiser/login"), width, height)
    page.fill("#email", server.organiser_email)
    page.fill("#password", server.organiser_password)
    page.click("button[type=submit]")
    page.get_by_role("link", name="Jeudi du numérique n° 10").click()
    page.get_by_role("link", name="Programme").first.click()
    expect(page.locator("#programme > li")).to_have_count(15)

    page.select_option("#item_kind-new", "break")
    page.fill("#title-new", "Pause fraîcheur")
    page.fill("#duration-new", "10")
    page.click("#item-add")

    expect(page.locator("#programme > li")).to_have_count(16)
    expect(page.locator("#programme > li").last).to_contain_text("Pause fraîcheur")
    expect(page.locator("#programme > li").last).to_contain_text("Pause")
    page.screenshot(path=screenshots / f"organiser-programme-rundown-{width}x{height}.png", full_page=True)
    assert overflowing(page, vertical=False) == []
    assert small_targets(page, skip_inline_links=True) == []


def test_networking_item_shows_the_networking_screen_with_its_qr_code(server, open_view):
    projector = open_public(open_view, server, "projector", 1920, 1080)
    console = open_moderator(open_view, server, 1280, 800)
    networking = console.locator("#agenda .row", has_text="Networking et cocktail")
    console.evaluate("document.getElementById('feedback').textContent = ''")
    networking.locator('button[data-action="jump"]').click()
    expect(console.locator("#now-title")).to_have_text("Networking et cocktail")
    click_command(console, "#btn-main")

    expect(projector.locator("#screen")).to_have_attribute("data-screen", "networking")
    expect(projector.locator(".screen-networking .qr img")).to_be_visible()
    expect(console.locator("#next-title")).not_to_have_text("Fin de la soirée")  # items left over by the jump
    expect(console.locator('[data-command="questions"]')).to_be_disabled()
