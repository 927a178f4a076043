"""The projector at every size a venue may have, and its QR code as a phone at the back of the room sees it.

What a phone's camera sees, worked out once: a phone's main camera (a 26 mm equivalent lens) has a
horizontal field of view of 2·atan(18 / 26) ≈ 69.4°, and a scanning app reads a 1280-pixel-wide
preview. From ``d`` metres the camera spans 2·d·18/26 ≈ 1.385·d metres of wall, so a projection
``w`` metres wide covers 1280 · w / (1.385·d) pixels of the preview:

- 3 m wide from 15 m (the back row, welcome screen): 1280 · 3 / 20.77 ≈ 185 px for the whole screen;
- 3 m wide from 6 m (during a talk, corner code): 1280 · 3 / 8.31 ≈ 462 px.

The agenda screen (between two talks) and the *QR plein écran* mode must scan from 15 m too; for the
latter the test also walks back half a metre at a time and reports how far it still decodes.

The test shrinks the projector's screenshot to that width (Lanczos, like a lens blurring what it
cannot resolve), sets it in a dim 1280×720 frame as the wall around it, and asks zbar to decode it.
zbar needs about two preview pixels per module: on the welcome screen at 15 m, a 29-module code
(the audience URL) must be about 29 · 2.2 / 185 ≈ 34 % of the screen's width wide (44 % with its
quiet zone), and the talk's corner code 29 · 2.2 / 462 ≈ 14 % (18 % with its quiet zone).
"""
from __future__ import annotations

import math
import re

import pytest
from PIL import Image
from playwright.sync_api import expect
from pyzbar.pyzbar import ZBarSymbol, decode

from .helpers import click_command, open_moderator, open_public, play_the_opening, settled
from .layout import digit_height, overflowing, overlaps

pytestmark = pytest.mark.e2e

SIZES = [(1920, 1080), (1280, 720), (1920, 1200), (1280, 800), (1024, 768)]
FIELD_OF_VIEW = 2 * math.atan(18 / 26)  # a 26 mm equivalent lens, horizontally
PREVIEW = (1280, 720)  # the camera preview a scanning app decodes
PROJECTION_M = 3.0
TALK_PARTS = ["#talk-kind", "#talk-title", "#talk-organisation", ".screen-talk .qr-small", "#phase", "#countdown",
              "#wrap-label", ".screen-talk .progress", ".screen-talk .next"]
NETWORKING_PARTS = [".screen-networking h1", ".screen-networking .theme", ".screen-networking .qr"]
WELCOME_PARTS = [".welcome-text h1", ".welcome-text .theme", ".welcome-text .when", ".screen-welcome .qr"]
AGENDA_PARTS = [".screen-agenda h1", "#agenda", ".screen-agenda .qr"]
QRWALL_PARTS = [".qrwall-code", ".qrwall-call", "#qrwall-url", "#qrwall-strip"]
FARTHEST_M = 60  # the walk back stops there: no room is that deep


def seen_from(screenshot, distance_m: float) -> Image.Image:
    """The screenshot as a phone ``distance_m`` away sees it in its preview (see the module's docstring)."""
    wall_m = 2 * distance_m * math.tan(FIELD_OF_VIEW / 2)
    with Image.open(screenshot) as image:
        width = round(PREVIEW[0] * PROJECTION_M / wall_m)
        height = round(image.height * width / image.width)
        small = image.convert("L").resize((width, height), Image.LANCZOS)
    frame = Image.new("L", PREVIEW, 40)
    frame.paste(small, ((PREVIEW[0] - width) // 2, (PREVIEW[1] - height) // 2))
    return frame


def decoded(image: Image.Image) -> list[str]:
    return [s.data.decode() for s in decode(image, symbols=[ZBarSymbol.QRCODE])]


def farthest(screenshot, expected: str, *, from_m: float = 15, step_m: float = 0.5) -> float | None:
    """How far back (in metres, from ``from_m`` by ``step_m``) the code of ``screenshot`` still decodes to
    ``expected`` at every step; None if it does not even from ``from_m``."""
    distance = None
    steps = round((FARTHEST_M - from_m) / step_m)
    for i in range(steps + 1):
        if decoded(seen_from(screenshot, from_m + i * step_m)) != [expected]:
            break
        distance = from_m + i * step_m
    return distance


def on_wall_mm(pixels: float, screen_width: int) -> float:
    """A length on screen, in millimetres of the 3 m wide projection."""
    return pixels * PROJECTION_M * 1000 / screen_width


def test_the_preview_model_is_the_one_of_the_docstring(tmp_path):
    white = tmp_path / "white.png"
    Image.new("RGB", (1920, 1080), "white").save(white)

    assert seen_from(white, 15).getbbox() is not None
    assert round(PREVIEW[0] * PROJECTION_M / (2 * 15 * math.tan(FIELD_OF_VIEW / 2))) == 185
    assert round(PREVIEW[0] * PROJECTION_M / (2 * 6 * math.tan(FIELD_OF_VIEW / 2))) == 462


@pytest.mark.parametrize("width, height", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_projector_at_every_size_fits_and_its_code_scans_from_the_back(server, open_view, screenshots, width, height):
    problems: list[str] = []
    audience = server.url("/e/jdn10/")
    projector = open_public(open_view, server, "projector", width, height)
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "welcome")
    projector.wait_for_function("() => document.querySelector('.screen-welcome .qr img').naturalWidth > 0")
    welcome = screenshots / f"projector-welcome-{width}x{height}.png"
    projector.screenshot(path=welcome)
    problems += [f"welcome: {p}" for p in overflowing(projector, vertical=True)]
    problems += [f"welcome: overlap {p}" for p in overlaps(projector, WELCOME_PARTS)]
    if decoded(seen_from(welcome, 15)) != [audience]:
        problems.append("welcome: the code does not scan from 15 m")
    seen_from(welcome, 15).save(screenshots / f"projector-welcome-{width}x{height}-seen-from-15m.png")

    moderator = open_moderator(open_view, server, 1280, 800)
    click_command(moderator, '[data-mode="networking"]')
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "networking")
    networking = screenshots / f"projector-networking-{width}x{height}.png"
    projector.screenshot(path=networking)
    problems += [f"networking: {p}" for p in overflowing(projector, vertical=True)]
    problems += [f"networking: overlap {p}" for p in overlaps(projector, NETWORKING_PARTS)]
    if decoded(seen_from(networking, 15)) != [audience]:
        problems.append("networking: the code does not scan from 15 m")
    click_command(moderator, '[data-mode="auto"]')

    play_the_opening(moderator)  # the welcome and the addresses, then the first talk
    click_command(moderator, "#btn-main")
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "talk")
    expect(projector.locator("#phase")).to_have_text("Pitch")
    talk = screenshots / f"projector-talk-{width}x{height}.png"
    projector.screenshot(path=talk)
    problems += [f"talk: {p}" for p in overflowing(projector, vertical=True)]
    problems += [f"talk: overlap {p}" for p in overlaps(projector, TALK_PARTS)]
    digits = digit_height(projector, "#countdown")
    if digits < 0.30 * height:
        problems.append(f"talk: countdown digits {digits:.0f} px high, want a third of {height}")
    if decoded(seen_from(talk, 6)) != [audience]:
        problems.append("talk: the corner code does not scan from 6 m")
    seen_from(talk, 6).save(screenshots / f"projector-talk-{width}x{height}-seen-from-6m.png")

    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("width, height", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_agenda_and_qr_fullscreen_at_every_size_fit_and_scan_from_the_back(server, open_view, screenshots,
                                                                            width, height):
    problems: list[str] = []
    audience = server.url("/e/jdn10/")
    projector = open_public(open_view, server, "projector", width, height)
    moderator = open_moderator(open_view, server, 1280, 800)

    # Doors open, the welcome item announced: the agenda, with the code large beside it.
    click_command(moderator, '[data-command="next"]')
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "agenda")
    projector.wait_for_function("() => document.querySelector('.screen-agenda .qr img').naturalWidth > 0")
    settled(projector)
    agenda = screenshots / f"projector-agenda-{width}x{height}.png"
    projector.screenshot(path=agenda)
    problems += [f"agenda: {p}" for p in overflowing(projector, vertical=True)]
    problems += [f"agenda: overlap {p}" for p in overlaps(projector, AGENDA_PARTS)]
    rows = projector.locator("#agenda .row").count()
    hidden = projector.evaluate("() => ['agenda-before', 'agenda-after'].map((id) => document.getElementById(id))"
                                ".filter((e) => !e.hidden).map((e) => e.textContent)")
    if rows < 8 or (rows < 15 and not hidden):
        problems.append(f"agenda: {rows} of the 15 items shown, the others not counted ({hidden})")
    agenda_m = farthest(agenda, audience)
    if agenda_m is None:
        problems.append("agenda: the code does not scan from 15 m")
    seen_from(agenda, 15).save(screenshots / f"projector-agenda-{width}x{height}-seen-from-15m.png")

    # "Scannez maintenant": the QR wall over the agenda, the welcome item up next in its strip.
    click_command(moderator, "#btn-qrwall")
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "qrwall")
    expect(projector.locator("#qrwall-now")).to_have_text("Ensuite : Accueil café")
    expect(moderator.locator("#btn-qrwall")).to_have_attribute("aria-pressed", "true")

    # The welcome starts (the QR wall gives way to its screen), then the moderator calls for the scan again:
    # the countdown goes on in the strip.
    click_command(moderator, "#btn-main")
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "item")
    click_command(moderator, "#btn-qrwall")
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "qrwall")
    expect(projector.locator("#qrwall-now")).to_have_text("Accueil café")
    expect(projector.locator("#qrwall-countdown")).to_have_text(re.compile(r"^(30:00|29:[0-5]\d)$"))
    projector.wait_for_function("() => document.querySelector('.qrwall-code').naturalWidth > 0")
    settled(projector)
    wall = screenshots / f"projector-qrwall-{width}x{height}.png"
    projector.screenshot(path=wall)
    problems += [f"qrwall: {p}" for p in overflowing(projector, vertical=True)]
    problems += [f"qrwall: overlap {p}" for p in overlaps(projector, QRWALL_PARTS)]
    expect(projector.locator("#qrwall-url")).to_have_text(f"127.0.0.1:{server.port}/e/jdn10")
    # The address is read from the back: its digits at least 1/200 of 15 m high on the wall (a signage rule
    # of thumb), 75 mm.
    digits_mm = on_wall_mm(digit_height(projector, "#qrwall-url"), width)
    if digits_mm < 75:
        problems.append(f"qrwall: the address's digits are {digits_mm:.0f} mm high on a 3 m wall, want 75")
    code = projector.locator(".qrwall-code").bounding_box()
    wall_m = farthest(wall, audience)
    if wall_m is None:
        problems.append("qrwall: the code does not scan from 15 m")
    seen_from(wall, 15).save(screenshots / f"projector-qrwall-{width}x{height}-seen-from-15m.png")
    if wall_m is not None:
        seen_from(wall, wall_m).save(screenshots / f"projector-qrwall-{width}x{height}-seen-from-{wall_m:g}m.png")

    report = (f"{width}x{height}: agenda scans up to {agenda_m} m; QR plein écran up to {wall_m} m "
              f"(code {code['width'] / width:.0%} of the width, address digits {digits_mm:.0f} mm)")
    (screenshots / f"projector-qr-distances-{width}x{height}.txt").write_text(report + "\n", "utf-8")
    print(report)
    assert problems == [], "\n".join(problems)
