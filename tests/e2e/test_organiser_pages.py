"""The organiser's pages at the sizes they are used (laptop, tablet), saved as screenshots and measured."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .layout import page_problems

pytestmark = pytest.mark.e2e


def login(open_view, server, width, height):
    page = open_view(server.url("/organiser/login"), width, height)
    page.fill("#email", server.organiser_email)
    page.fill("#password", server.organiser_password)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Éditions")
    return page


@pytest.mark.parametrize("width, height", [(1280, 800), (768, 1024), (390, 844)])
def test_organiser_pages_read_well(module_server, open_view, screenshots, width, height):
    problems = []
    page = login(open_view, module_server, width, height)

    def shoot(name):
        page.screenshot(path=screenshots / f"organiser-{name}-{width}x{height}.png", full_page=True)
        problems.extend(page_problems(page, name))

    shoot("editions")
    page.get_by_role("link", name="Jeudi du numérique n° 10").click()
    expect(page.locator("h1")).to_have_text("Vue d'ensemble")
    shoot("edition")
    page.get_by_role("link", name="Réglages").click()
    page.fill("#pitch_ms", "cinq minutes")
    page.click("form.form button[type=submit]")
    expect(page.locator("#pitch_ms-error")).to_have_text("Durée au format minutes:secondes (exemple : 5:00).")
    shoot("settings-errors")
    page.get_by_role("link", name="Confidentialité").click()
    shoot("privacy")
    page.get_by_role("link", name="Données personnelles").click()
    page.fill("#email", "camille@capteurecole.example.org")
    page.click("form[role=search] button")
    expect(page.locator("#held-title")).to_contain_text("camille@capteurecole.example.org")
    shoot("personal-data")

    assert problems == [], "\n".join(problems)
