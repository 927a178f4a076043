"""Every view at its real size, saved as artefacts and measured the way a person in the room would judge it.

The screenshots land in artifacts/screenshots/; look at them after a change of template or style.
All views are captured before any layout complaint fails the test.
"""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from .helpers import (FIRST_TALK, SECOND_TALK, click_command, eventually, extend, open_moderator, open_public,
                      play_the_opening, read)
from .layout import broken_words, digit_height, line_counts, overflowing, overlaps, rows_in_view, small_targets

pytestmark = pytest.mark.e2e

# The wrap-up colours of static/css/base.css, as computed styles.
AMBER_ON_DARK, RED_ON_DARK = "rgb(253, 224, 71)", "rgb(248, 113, 113)"
AMBER_ON_LIGHT, PINK_ON_LIGHT, RED_ON_LIGHT = "rgb(161, 98, 7)", "rgb(190, 24, 93)", "rgb(185, 28, 28)"
LEAKED_KEY = re.compile(r"\b(phase|kind|status|wrap|error|drift)\.[a-z_]+\b|undefined|null|NaN|\{\w+\}")
TALK_PARTS = ["#talk-kind", "#talk-title", "#talk-organisation", ".screen-talk .qr-small", "#phase", "#countdown",
              "#wrap-label", ".screen-talk .progress", ".screen-talk .next"]


def test_every_view_reads_well_at_its_real_size(server, open_view, screenshots):
    problems: list[str] = []

    def check(condition: bool, what: str) -> None:
        if not condition:
            problems.append(what)

    def shoot(page, name: str, *, fixed: bool, targets: bool = False, full_page: bool = False) -> None:
        page.screenshot(path=screenshots / f"{name}.png", full_page=full_page)
        check(overflowing(page, vertical=fixed) == [], f"{name}: overflow {overflowing(page, vertical=fixed)}")
        text = page.evaluate("document.body.innerText")
        check(not LEAKED_KEY.search(text), f"{name}: untranslated or broken text {LEAKED_KEY.findall(text)}")
        if targets:
            check(small_targets(page) == [], f"{name}: touch targets under 44 px {small_targets(page)}")

    login = open_view(server.url("/organiser/login"), 1280, 800)
    expect(login.locator("h1")).to_have_text("Espace organisateurs")
    shoot(login, "organiser-login-1280x800", fixed=False, targets=True)

    projector = open_public(open_view, server, "projector", 1920, 1080)
    calm_projector = open_public(open_view, server, "projector", 1920, 1080, reduced_motion="reduce")
    stage = open_public(open_view, server, "stage", 1280, 720)
    console = open_moderator(open_view, server, 1280, 800)
    tablet = open_moderator(open_view, server, 768, 1024)
    phone = open_public(open_view, server, "audience", 390, 844, is_mobile=True, has_touch=True)
    small_phone = open_public(open_view, server, "audience", 320, 640, is_mobile=True, has_touch=True)

    # Welcome: nothing started yet.
    projector.wait_for_function("() => document.querySelector('.screen-welcome .qr img').naturalWidth > 0")
    shoot(projector, "projector-welcome-1920x1080", fixed=True)
    caption = projector.locator(".screen-welcome .qr figcaption strong")
    check(line_counts(caption) == [1], f"welcome: the short URL takes {line_counts(caption)} lines")

    # A talk running, with a message to the speaker.
    play_the_opening(console)  # the welcome, the opening address, ATMO: the first talk up next
    click_command(console, "#btn-main")
    click_command(console, '[data-message="Concluez"]')
    expect(stage.locator("#message-text")).to_have_text("Concluez")
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "talk")
    for page in (projector, stage, console, tablet):
        expect(page.locator("#phase")).to_have_text("Pitch")
    expect(phone.locator("#talk-title")).to_have_text(FIRST_TALK)
    expect(small_phone.locator("#talk-title")).to_have_text(FIRST_TALK)

    shoot(projector, "projector-talk-1920x1080", fixed=True)
    digits = digit_height(projector, "#countdown")
    check(digits >= 0.30 * 1080, f"projector: countdown digits {digits:.0f} px high, want a third of 1080")
    check(overlaps(projector, TALK_PARTS) == [], f"projector: overlapping parts {overlaps(projector, TALK_PARTS)}")
    # The widest figure the projector can show (+59:59 of overtime) still fits across the screen.
    widest = projector.evaluate("""() => {
        const c = document.getElementById('countdown'), clone = c.cloneNode(true);
        clone.id = ''; clone.textContent = '+59:59'; clone.dataset.chars = '6';
        clone.style.position = 'absolute'; clone.style.visibility = 'hidden'; clone.style.whiteSpace = 'nowrap';
        c.parentNode.appendChild(clone); const w = clone.getBoundingClientRect().width; clone.remove(); return w; }""")
    check(widest <= 1920 * 0.96, f"projector: '+59:59' is {widest:.0f} px wide")

    shoot(stage, "stage-message-1280x720", fixed=True)
    stage_parts = ["#phase", "#countdown", "#talk-title", "#message"]
    check(overlaps(stage, stage_parts) == [], f"stage: overlapping parts {overlaps(stage, stage_parts)}")
    check(digit_height(stage, "#countdown") >= 0.25 * 720, "stage: countdown digits under a quarter of the screen")

    shoot(console, "moderator-1280x800", fixed=False, targets=True)
    shoot(tablet, "moderator-768x1024", fixed=False, targets=True)
    tablet.screenshot(path=screenshots / "moderator-768x1024-full.png", full_page=True)
    for page, name in ((console, "moderator 1280×800"), (tablet, "moderator 768×1024")):
        # The next action is always in the same place, on the first screen, without scrolling.
        for selector in ("#btn-main", '[data-command="questions"]', '[data-command="next"]', '[data-command="undo"]'):
            box = page.locator(selector).bounding_box()
            check(box["y"] + box["height"] <= page.viewport_size["height"], f"{name}: {selector} below the fold")
        times = line_counts(page.locator("#agenda td:nth-child(2), #agenda td:nth-child(3), .agenda th:not(:last-child)"))
        check(set(times) == {1}, f"{name}: times or headings broken over several lines {times}")
        broken = broken_words(page, "#agenda td:first-child")
        check(broken == [], f"{name}: words of the agenda broken over two lines {broken}")
    seen = rows_in_view(console, "#agenda tr")
    check(seen >= 8, f"moderator 1280×800: only {seen} talks of the agenda on the first screen")
    queue_top = tablet.locator(".side-panel").bounding_box()["y"]
    check(queue_top < 1024, f"moderator 768×1024: the agenda and questions start at {queue_top:.0f} px, below the screen")
    for page, name in ((console, "moderator-1280x800"), (tablet, "moderator-768x1024")):
        # "Absent…" opens its choices inside the screen.
        page.locator("#agenda details.absent summary").first.click()
        expect(page.locator("#agenda details.absent[open] .absent-choices")).to_be_visible()
        shoot(page, f"{name}-absent-open", fixed=False, targets=True)
        page.locator("#agenda details.absent summary").first.click()
        # The questions tab, its talk selector included, fits; the timer's controls stay in view while it scrolls.
        page.click("#tab-questions")
        expect(page.locator("#panel-questions")).to_be_visible()
        shoot(page, f"{name}-questions", fixed=False, targets=True)
        page.click("#tab-agenda")
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        for selector in ("#btn-main", '[data-command="next"]', "#countdown"):
            box = page.locator(selector).bounding_box()
            check(0 <= box["y"] and box["y"] + box["height"] <= page.viewport_size["height"],
                  f"{name}: {selector} scrolled out of view with the agenda")
        page.screenshot(path=screenshots / f"{name}-scrolled.png")
        page.evaluate("window.scrollTo(0, 0)")

    shoot(phone, "audience-390x844", fixed=False, targets=True)
    shoot(small_phone, "audience-320x640", fixed=False, targets=True)
    small_phone.screenshot(path=screenshots / "audience-320x640-full.png", full_page=True)

    # Last minute: the moderator takes 4 min off (8 × −30 s).
    extend(console, -30000, times=8)
    expect(projector.locator("#wrap-label")).to_have_text("Dernière minute")
    expect(projector.locator("#screen")).to_have_attribute("data-wrap", "minute")
    check(0 < read(projector).seconds <= 60, f"last minute shows {read(projector).countdown}")
    expect(stage.locator("#screen")).to_have_attribute("data-wrap", "minute")
    expect(console.locator("#countdown")).to_have_attribute("data-wrap", "minute")
    # One palette (base.css): lighter shades on the dark screens, darker ones on the console.
    for locator, colour in ((projector.locator("#countdown"), AMBER_ON_DARK), (projector.locator("#wrap-label"), AMBER_ON_DARK),
                            (stage.locator("#countdown"), AMBER_ON_DARK), (console.locator("#countdown"), AMBER_ON_LIGHT),
                            (console.locator("#wrap-label"), AMBER_ON_LIGHT)):
        expect(locator).to_have_css("color", colour)
    expect(console.locator("#wrap-label")).to_have_text("Dernière minute")  # the stage in words, not colour alone
    shoot(projector, "projector-last-minute-1920x1080", fixed=True)

    # The last 30 seconds: another colour and other words on the console.
    extend(console, -30000)
    expect(console.locator("#countdown")).to_have_attribute("data-wrap", "30s")
    expect(console.locator("#wrap-label")).to_have_text("30 secondes")
    for locator in (console.locator("#countdown"), console.locator("#wrap-label")):
        expect(locator).to_have_css("color", PINK_ON_LIGHT)
    shoot(console, "moderator-last-30s-1280x800", fixed=False)

    # Overtime: 30 s more off, the pitch is now over its time and counts up.
    extend(console, -30000)
    for page in (projector, calm_projector):
        expect(page.locator("#wrap-label")).to_have_text(re.compile(r"^Temps écoulé \+0:\d\d$"))
        expect(page.locator("#screen")).to_have_attribute("data-wrap", "over")
        expect(page.locator("#wrap-label")).to_have_css("color", RED_ON_DARK)
    expect(projector.locator("#progress")).to_have_css("background-color", RED_ON_DARK)
    expect(stage.locator("#countdown")).to_have_css("color", RED_ON_DARK)
    expect(console.locator("#countdown")).to_have_css("color", RED_ON_LIGHT)
    expect(console.locator("#wrap-label")).to_have_text("Temps écoulé")
    over = read(projector).seconds
    check(eventually(lambda: read(projector).seconds < over), "overtime does not count up")
    check(projector.locator("#countdown").get_attribute("data-chars") == str(len(read(projector).countdown)),
          "projector: the countdown's data-chars does not follow its text")
    animation = projector.locator("#countdown").evaluate(
        "e => [getComputedStyle(e).animationName, getComputedStyle(e).animationDuration]")
    check(animation == ["overtime", "1s"], f"overtime flashing: {animation}")  # one pulse a second, under 3/s
    check(calm_projector.locator("#countdown").evaluate("e => getComputedStyle(e).animationName") == "none",
          "overtime flashes despite prefers-reduced-motion")
    shoot(calm_projector, "projector-overtime-1920x1080", fixed=True)
    shoot(stage, "stage-overtime-1280x720", fixed=True)

    # Between talks: the agenda.
    click_command(console, '[data-command="next"]')
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "agenda")
    expect(projector.locator("#agenda .row-next .title")).to_have_text(SECOND_TALK)
    expect(projector.locator("#agenda .row")).to_have_count(15)  # every item of the rundown, nothing cut
    shoot(projector, "projector-agenda-1920x1080", fixed=True)
    check(overlaps(projector, ["#agenda", ".screen-agenda .qr-agenda"]) == [], "agenda: the list runs under the QR code")

    # Networking, chosen from the console's projector modes.
    click_command(console, '[data-mode="networking"]')
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "networking")
    projector.wait_for_function("() => document.querySelector('.screen-networking .qr img').naturalWidth > 0")
    shoot(projector, "projector-networking-1920x1080", fixed=True)

    assert problems == [], "\n".join(problems)
