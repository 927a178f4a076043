"""The projector's QR code, read from a screenshot by a real decoder (zbar), leads a phone to the audience page."""
from __future__ import annotations

import pytest
from PIL import Image
from playwright.sync_api import expect
from pyzbar.pyzbar import ZBarSymbol, decode

from .helpers import FIRST_TALK, click_command, open_moderator, open_public, play_the_opening, read, wait_all_agree

pytestmark = pytest.mark.e2e


def test_projector_qr_code_opens_the_audience_page_on_a_phone(server, open_view, screenshots):
    projector = open_public(open_view, server, "projector", 1920, 1080)
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "welcome")
    qr_image = projector.locator(".screen-welcome .qr img")
    expect(qr_image).to_be_visible()
    projector.wait_for_function("() => document.querySelector('.screen-welcome .qr img').naturalWidth > 0")
    shot = screenshots / "projector-welcome-qr-1920x1080.png"
    projector.screenshot(path=shot)

    with Image.open(shot) as image:
        symbols = decode(image, symbols=[ZBarSymbol.QRCODE])
    assert [s.data.decode() for s in symbols] == [server.url("/e/jdn10/")]
    # The short URL written beside the code says the same thing, for those who type it.
    expect(projector.locator(".screen-welcome .qr figcaption strong")).to_have_text(f"127.0.0.1:{server.port}/e/jdn10")

    moderator = open_moderator(open_view, server, 1280, 800)
    play_the_opening(moderator)  # the welcome, the opening address, ATMO: the first talk up next
    click_command(moderator, "#btn-main")  # the first talk goes on stage
    phone = open_view(symbols[0].data.decode(), 390, 844, is_mobile=True, has_touch=True, device_scale_factor=2)
    expect(phone.locator("body")).to_have_attribute("data-view", "audience")
    expect(phone.locator("#talk-title")).to_have_text(FIRST_TALK)
    expect(phone.locator("#talk-kind")).to_have_text("Pitch projet")
    expect(phone.locator("#talk-organisation")).to_have_text("CapteurÉcole SAS")
    expect(phone.locator("#phase")).to_have_text("Pitch")
    readings = wait_all_agree([moderator, projector], phase="Pitch", title=FIRST_TALK)
    assert abs(read(phone).seconds - readings[0].seconds) <= 1
    expect(phone.locator("#agenda .row-now .title")).to_have_text(FIRST_TALK)
