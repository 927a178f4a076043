"""The accessibility statement and the privacy notice where people read them (a phone from 320 px,
a laptop), and the statement's settings page: saved as screenshots and measured."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .layout import broken_words, overflowing, small_targets
from .test_organiser_pages import login

pytestmark = pytest.mark.e2e

PHONE = {"is_mobile": True, "has_touch": True}


@pytest.mark.parametrize("width, height", [(320, 640), (390, 844), (1280, 800)])
def test_accessibility_statement_and_privacy_notice_read_well(module_server, open_view, screenshots, width, height):
    problems = {}
    for name, path in (("accessibility", "/accessibilite"), ("privacy-notice", "/e/jdn10/confidentialite")):
        page = open_view(module_server.url(path), width, height, **(PHONE if width < 800 else {}))
        expect(page.locator("h1")).to_be_visible()
        page.screenshot(path=screenshots / f"{name}-{width}x{height}.png", full_page=True)
        problems[name] = (overflowing(page, vertical=False), broken_words(page, "h1, h2, h3, .site-foot"),
                          small_targets(page, skip_inline_links=True))

    assert problems == {name: ([], [], []) for name in problems}


def test_accessibility_settings_page_shows_its_errors_in_place(module_server, open_view, screenshots):
    page = login(open_view, module_server, 1280, 800)
    page.get_by_role("link", name="Accessibilité", exact=True).click()
    expect(page.locator("h1")).to_have_text("Déclaration d'accessibilité")
    page.check("input[name=conformity][value=partiel]")
    page.click("form.form button[type=submit]")

    expect(page.locator("#audit_date-error")).to_contain_text("Sans audit")
    page.screenshot(path=screenshots / "organiser-accessibility-errors-1280x800.png", full_page=True)
    assert overflowing(page, vertical=False) == []
    assert page.locator("input[name=conformity][value=partiel]").is_checked()  # what was chosen stays
