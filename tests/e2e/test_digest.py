"""After the evening (the demo edition is dated 2020): someone asks to meet a team from their phone; the
organiser prepares the speakers' digests in the outbox and reads the one that lists them; the public
programme links its schedule.json. Screenshots of each page at the sizes people use are kept
(artifacts/screenshots/digest-*)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .layout import overflowing
from .test_organiser_pages import login

pytestmark = pytest.mark.e2e

PHONE = {"is_mobile": True, "has_touch": True}


def test_the_organiser_prepares_the_speakers_digests_after_the_evening(server, open_view, screenshots):
    agenda = open_view(server.url("/e/jdn10/programme"), 390, 844, **PHONE)
    first_talk = agenda.locator("li.talk:not(.item)").first
    talk_id = first_talk.get_attribute("id").removeprefix("talk-")
    expect(agenda.locator("#schedule-link a")).to_have_attribute("href", "/e/jdn10/schedule.json")
    agenda.screenshot(path=screenshots / "digest-agenda-390x844.png", full_page=True)
    assert overflowing(agenda, vertical=False) == []

    phone = open_view(server.url(f"/e/jdn10/echanger/{talk_id}"), 390, 844, **PHONE)
    phone.locator("input[name=intent]").first.check()
    phone.fill("#name", "Nour Essai")
    phone.fill("#organisation", "Capteurs du Nord (fictif)")
    phone.fill("#email", "nour@capteurs-nord.example.org")
    phone.check("#consent")
    phone.click("#connect-form button[type=submit]")
    expect(phone).to_have_url(re.compile(r"/echanger/\d+/envoye$"))

    problems = []
    for width, height in ((1280, 800), (390, 844), (320, 640)):
        page = login(open_view, server, width, height)
        page.goto(server.url("/organiser/"))
        page.get_by_role("link", name="Jeudi du numérique n° 10").click()
        page.get_by_role("link", name="Messages", exact=True).click()
        expect(page.locator("#digests-title")).to_have_text("Bilans des intervenants")
        if width == 1280:
            expect(page.locator(f"#digest-talk-{talk_id} td").nth(3)).to_have_text("1")
            page.click("#prepare-digests")
            expect(page.locator("p.flash")).to_contain_text("bilans préparés : relisez-les puis envoyez-les.")
        expect(page.locator(f"#digest-talk-{talk_id} .status")).to_have_text("préparé")
        page.screenshot(path=screenshots / f"digest-outbox-{width}x{height}.png", full_page=True)
        # The card tables' header cells sit in a 1-px clipped header (read by screen readers, not seen).
        found = [box for box in overflowing(page, vertical=False) if not box.startswith("th ")]
        if found:
            problems.append(f"outbox {width}: overflow {found}")
        page.locator(f"#digest-talk-{talk_id} a").click()
        body = page.locator("#body")
        expect(body).to_have_value(re.compile(r"Les questions que le public vous a posées :\n.*"
                                              r"- Nour Essai \(Capteurs du Nord \(fictif\)\)\n"
                                              r"  E-mail : nour@capteurs-nord\.example\.org\n", re.S))
        page.screenshot(path=screenshots / f"digest-message-{width}x{height}.png", full_page=True)
        found = overflowing(page, vertical=False)
        if found:
            problems.append(f"message {width}: overflow {found}")
        if width == 1280:
            page.get_by_role("link", name="Programme", exact=True).click()
            expect(page.locator("#talks-csv")).to_have_attribute("href", re.compile(r"/organiser/editions/\d+/talks\.csv$"))
            expect(page.locator("#schedule-json")).to_have_attribute("href", "/e/jdn10/schedule.json")
            page.locator("#other-tools").screenshot(path=screenshots / "digest-programme-other-tools-1280.png")
            page.goto(page.url.replace("/programme", "/outbox") + "?lang=en")
            expect(page.locator("#digests-title")).to_have_text("Speaker summaries")
            expect(page.locator("#prepare-digests")).to_have_text("Prepare the speaker summaries")
            page.locator("#digests").screenshot(path=screenshots / "digest-outbox-en-1280.png")
            page.goto(page.url.split("?")[0] + "?lang=fr")
    assert problems == [], "\n".join(problems)
