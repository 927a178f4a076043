"""A talk with a deck, in Chromium: the projector shows its slides, turned from the console and from a presenter
remote's PageDown on the stage view; the countdown badge takes the wrap-up colour; a Wi-Fi cut never blanks it."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.pdfs import band_rgb, make_pdf

from .layout import overflowing, small_targets
from .helpers import FIRST_TALK, SLUG, click_command, eventually, extend, open_moderator, open_public, play_the_opening

pytestmark = pytest.mark.e2e

PAGES = 6
# The wrap-up palette of the dark screens (static/css/base.css) and the badge's own dark background.
WRAP_ON_DARK = {"minute": ("rgb(253, 224, 71)", "Dernière minute"), "30s": ("rgb(251, 146, 60)", "30 secondes"),
                "over": ("rgb(248, 113, 113)", "Temps écoulé")}
BADGE_DARK = "rgba(11, 16, 32, 0.82)"


@pytest.fixture()
def server(tmp_path_factory):
    from tests.serverproc import Server

    data = tmp_path_factory.mktemp("data")
    srv = Server(f"sqlite:///{tmp_path_factory.mktemp('pitchday') / 'pitchday.sqlite3'}",
                 env={"PITCHDAY_DATA_DIR": str(data)}).start()
    yield srv
    srv.stop()


def upload_deck(open_view, server, tmp_path):
    """The organiser uploads a PDF for the first talk from the programme page; its pages are shown back."""
    page = open_view(server.url("/organiser/login"), 1280, 800)
    page.fill("#email", server.organiser_email)
    page.fill("#password", server.organiser_password)
    page.click("button[type=submit]")
    page.get_by_role("link", name="Jeudi du numérique n° 10").click()
    page.get_by_role("link", name="Programme").first.click()
    first = page.locator("li.talk-item", has_text=FIRST_TALK)
    expect(first).to_contain_text(FIRST_TALK)
    first.locator("details.talk-deck summary").click()
    pdf = tmp_path / "deck.pdf"
    pdf.write_bytes(make_pdf(PAGES, title="CapteurEcole"))
    first.locator("input[type=file]").set_input_files(str(pdf))
    first.locator("button[id^=deck-upload-]").click()
    expect(page.locator(".flash")).to_contain_text(f"{PAGES} pages")
    first = page.locator("li.talk-item", has_text=FIRST_TALK)
    expect(first.locator(".deck-pages")).to_have_text(f"{PAGES} pages")
    assert first.locator("img.deck-preview").evaluate("img => img.complete && img.naturalWidth") == 320


def shown_slide(projector) -> dict:
    """What the projector shows: the slide number in the state, the image visible, and its top-left colour."""
    return projector.evaluate("""() => {
        const stack = document.getElementById('slide-stack');
        // On screen: not hidden, and really laid out full screen (its section displayed).
        const visible = [...stack.querySelectorAll('img')].filter(i => !i.hidden && getComputedStyle(i).visibility === 'visible'
            && i.getBoundingClientRect().width >= innerWidth - 1);
        const img = visible[0];
        let colour = null;
        if (img && img.complete && img.naturalWidth) {
            const c = document.createElement('canvas'); c.width = 192; c.height = 108;
            c.getContext('2d').drawImage(img, 0, 0, 192, 108);
            colour = [...c.getContext('2d').getImageData(3, 3, 1, 1).data.slice(0, 3)];
        }
        return {state: document.getElementById('screen').dataset.slide, visible: visible.length,
                url: img ? img.dataset.url : null, loaded: Boolean(img && img.complete && img.naturalWidth), colour};
    }""")


def expect_slide(projector, page: int, *, state: int | None = None) -> None:
    def ok():
        seen = shown_slide(projector)
        return (seen["visible"] == 1 and seen["loaded"] and seen["url"].endswith(f"/1920/{page}.webp")
                and seen["state"] == str(state or page)
                and all(abs(a - b) <= 16 for a, b in zip(seen["colour"], band_rgb(page))))
    assert eventually(ok), f"projector shows {shown_slide(projector)}, wanted slide {page}"


def test_a_deck_on_the_projector_turned_from_the_console_and_the_stage_remote(server, open_view, screenshots,
                                                                                  tmp_path):
    upload_deck(open_view, server, tmp_path)
    contexts = []
    projector = open_public(open_view, server, "projector", 1920, 1080, before=contexts.append)
    remote = open_moderator(open_view, server, 1280, 720)  # the moderator's cookie, on the stage laptop
    remote.goto(server.url(f"/e/{SLUG}/stage"))
    expect(remote.locator("#screen")).to_have_attribute("data-remote", "true")
    console = open_moderator(open_view, server, 1280, 800)

    play_the_opening(console)  # the welcome and the addresses, then the first talk
    click_command(console, "#btn-main")
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "slides")
    expect_slide(projector, 1)
    expect(console.locator("#deck-position")).to_have_text(f"1 / {PAGES}")
    expect(console.locator("#deck-strip [data-slide-page]")).to_have_count(PAGES)
    expect(remote.locator("#screen")).to_have_attribute("data-slides", "on")
    badge = projector.locator("#slide-badge")
    assert badge.evaluate("b => getComputedStyle(b).backgroundColor") == BADGE_DARK
    assert badge.evaluate("b => b.getBoundingClientRect().height") < 1080 * 0.1
    expect(projector.locator("#badge-countdown")).to_have_text(re.compile(r"^[45]:\d\d$"))
    projector.screenshot(path=screenshots / "projector-slides-1920x1080.png")

    # The console's next button; then the presenter remote's PageDown on the stage view.
    click_command(console, '[data-command="slide_next"]')
    expect_slide(projector, 2)
    remote.keyboard.press("PageDown")
    expect_slide(projector, 3)
    expect(console.locator("#deck-position")).to_have_text(f"3 / {PAGES}")
    expect(console.locator('#deck-strip [aria-current="true"]')).to_have_attribute("data-slide-page", "3")
    expect(remote.locator("#stage-slide-number")).to_have_text(f"Diapositive 3 sur {PAGES}")
    remote.screenshot(path=screenshots / "stage-slides-1280x720.png")
    console.screenshot(path=screenshots / "moderator-slides-1280x800.png")

    # A stage view without the moderator's cookie ignores the keys.
    plain_stage = open_public(open_view, server, "stage", 1280, 720)
    expect(plain_stage.locator("#screen")).to_have_attribute("data-remote", "false")
    plain_stage.keyboard.press("PageDown")
    click_command(console, '[data-command="slide_previous"]')
    expect_slide(projector, 2)
    expect(console.locator("#deck-position")).to_have_text(f"2 / {PAGES}")  # the plain stage's key changed nothing
    console.evaluate("document.activeElement.blur()")
    console.keyboard.press("PageDown")  # the console's own shortcut, when no control has focus
    expect_slide(projector, 3)

    # Slide 4 is preloaded while 3 is shown. The Wi-Fi drops (Playwright's offline mode; the socket.io client
    # hears the browser go offline and disconnects): the screen keeps its slide, it never blanks.
    projector.wait_for_function("""() => [...document.querySelectorAll('#slide-stack img')]
        .some(i => i.dataset.url.endsWith('/1920/4.webp') && i.complete && i.naturalWidth > 0)""")
    projector_context = contexts[0]
    projector_context.set_offline(True)
    expect(projector.locator("#connection")).to_be_visible()
    expect_slide(projector, 3)
    projector_context.set_offline(False)
    expect(projector.locator("#connection")).to_be_hidden()

    # Now the images' own requests fail while the state still arrives (a network that carries the small
    # socket messages but not the pictures): slide 4 shows from what was preloaded.
    blocked = []
    projector_context.route(re.compile(r"/slides/"), lambda route: (blocked.append(route.request.url), route.abort()))
    click_command(console, '[data-command="slide_next"]')
    expect_slide(projector, 4)
    # A slide that was never loaded cannot come meanwhile: the last one stays on screen, never a blank...
    console.click('#deck-strip [data-slide-page="6"]')
    expect(projector.locator("#screen")).to_have_attribute("data-slide", "6")
    assert eventually(lambda: any(url.endswith("/1920/6.webp") for url in blocked))
    expect_slide(projector, 4, state=6)
    projector_context.unroute(re.compile(r"/slides/"))
    expect_slide(projector, 6)  # ...and it is tried again until it comes

    # The wrap-up: under a minute left, the badge grows and takes the wrap-up colour, with its words.
    extend(console, -30000, times=8)
    expect(projector.locator("#screen")).to_have_attribute("data-wrap", re.compile(r"^(minute|30s|over)$"))
    projector.screenshot(path=screenshots / "projector-slides-wrapup-1920x1080.png")
    wrap, colour, label, height = projector.evaluate("""() => {
        const badge = document.getElementById('slide-badge');
        return [document.getElementById('screen').dataset.wrap, getComputedStyle(badge).backgroundColor,
                document.getElementById('badge-label').textContent, badge.getBoundingClientRect().height];
    }""")
    assert colour == WRAP_ON_DARK[wrap][0] and label == WRAP_ON_DARK[wrap][1], (wrap, colour, label)
    assert 1080 * 0.1 < height < 1080 * 0.25  # larger than before, still a small part of the slide
    width = projector.evaluate("document.getElementById('slide-badge').getBoundingClientRect().width")
    assert width < 1920 * 0.25


def test_countdown_only_and_the_speakers_hdmi_are_chosen_per_talk(server, open_view, screenshots, tmp_path):
    upload_deck(open_view, server, tmp_path)
    organiser = open_view(server.url("/organiser/login"), 1280, 800)
    organiser.fill("#email", server.organiser_email)
    organiser.fill("#password", server.organiser_password)
    organiser.click("button[type=submit]")
    organiser.get_by_role("link", name="Jeudi du numérique n° 10").click()
    organiser.get_by_role("link", name="Programme").first.click()
    organiser.locator("li.talk-item", has_text=FIRST_TALK).locator("details.talk-deck summary").click()
    organiser.screenshot(path=screenshots / "organiser-programme-deck-1280x800.png", full_page=True)
    assert small_targets(organiser, skip_inline_links=True) == []
    assert overflowing(organiser, vertical=False) == []
    organiser.locator("li.talk-item", has_text=FIRST_TALK).locator("details.talk-deck summary").click()  # closed again

    def choose(display: str) -> None:
        first = organiser.locator("li.talk-item", has_text=FIRST_TALK)
        first.locator("details.talk-deck summary").click()
        first.locator("select[name=display]").select_option(display)
        first.locator("button[id^=deck-display-save-]").click()
        expect(organiser.locator(".flash")).to_contain_text("Affichage au projecteur enregistré")

    projector = open_public(open_view, server, "projector", 1920, 1080)
    console = open_moderator(open_view, server, 1280, 800)
    play_the_opening(console)
    click_command(console, "#btn-main")
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "slides")

    choose("hdmi")
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "hdmi")
    expect(projector.locator("#hdmi-countdown")).to_have_text(re.compile(r"^[45]:\d\d$"))
    strip = projector.locator("#hdmi-strip").bounding_box()
    assert strip["height"] < 1080 * 0.08 and strip["y"] > 1080 * 0.85  # discreet, at the bottom
    expect(console.locator("#deck-position")).to_contain_text("HDMI du speaker")
    projector.screenshot(path=screenshots / "projector-hdmi-1920x1080.png")

    choose("countdown")
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "talk")
    expect(projector.locator("#countdown")).to_have_text(re.compile(r"^[45]:\d\d$"))
    choose("slides")
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "slides")
    expect_slide(projector, 1)
