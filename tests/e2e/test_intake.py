"""Applications in a browser: a new edition with its public form, the form's error summary (focus and links),
the form's address on the edition's page, the import page and the review list's bulk bar; screenshots kept."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .layout import overflowing
from .test_organiser_pages import login

pytestmark = pytest.mark.e2e



def create_edition_with_a_form(page, server) -> str:
    """Jeudi du numérique n° 11 in 2099, its form open: the edition's page URL."""
    page.goto(server.url("/organiser/editions/new"))
    page.fill("#theme", "Mobilités et numérique")
    page.fill("#venue", "CITC, Lille")
    page.fill("#day", "2099-03-19")
    page.fill("#deadline_day", "2099-03-09")
    page.fill("#pitch_ms", "4:30")
    page.fill("#qa_ms", "3:00")
    page.click("form.form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Vue d'ensemble")
    return page.url


def test_refused_application_moves_focus_to_the_summary_whose_links_reach_the_fields(
        module_server, open_view, screenshots):
    organiser = login(open_view, module_server, 1280, 800)
    edition_url = create_edition_with_a_form(organiser, module_server)
    expect(organiser.locator("#application-form-url")).to_have_text(module_server.url("/e/jdn11/candidater"))
    organiser.screenshot(path=screenshots / "intake-edition-form-link-1280x800.png", full_page=True)
    organiser.set_viewport_size({"width": 390, "height": 844})
    organiser.goto(edition_url)
    assert overflowing(organiser, vertical=False) == []
    organiser.screenshot(path=screenshots / "intake-edition-form-link-390x844.png", full_page=True)

    for width, height in ((390, 844), (1280, 800)):
        phone = open_view(module_server.url("/e/jdn11/candidater"), width, height)
        expect(phone.locator("#apply-format")).to_contain_text("4 min 30 s de pitch, puis 3 minutes de questions")
        phone.fill("#project_name", "Rue scolaire mesurée")
        phone.fill("#referent_email", "louis.demo@")
        phone.click("#apply-submit")

        summary = phone.locator("#form-errors")
        expect(summary).to_be_focused()
        expect(phone.locator("#project_name")).to_have_value("Rue scolaire mesurée")  # kept
        links = summary.locator("a")
        expect(links.first).to_have_text("Vous êtes\u00a0: Ce champ est obligatoire.")
        assert overflowing(phone, vertical=False) == []
        phone.screenshot(path=screenshots / f"intake-apply-errors-{width}x{height}.png", full_page=False)
        summary.get_by_role("link", name="E-mail du référent").click()
        expect(phone.locator("#referent_email")).to_be_focused()
        summary.get_by_role("link", name="Vous êtes").click()
        expect(phone.locator("#applicant_type-commune")).to_be_focused()


@pytest.mark.parametrize("width, height", [(1280, 800), (390, 844)])
def test_import_page_and_bulk_bar_read_well(module_server, open_view, screenshots, width, height):
    page = login(open_view, module_server, width, height)
    page.get_by_role("link", name="Jeudi du numérique n° 10").click()
    page.locator(".edition-nav").get_by_role("link", name="Candidatures", exact=True).click()
    expect(page.locator("#bulk-form")).to_be_visible()
    # On a phone the list's header row is visually hidden (clipped, kept for screen readers): its cells'
    # boxes still reach past the edge, nothing a person sees.
    found = [f for f in overflowing(page, vertical=False) if not (width < 760 and f.startswith("th ["))]
    page.screenshot(path=screenshots / f"intake-applications-bulk-{width}x{height}.png", full_page=True)
    assert found == []
    if width >= 760:  # the table's header row, with the "select all" box (a phone shows cards, without it)
        boxes = page.locator('input[type=checkbox][form="bulk-form"]')
        page.locator("#select-all").check()
        assert boxes.count() > 1 and all(boxes.nth(i).is_checked() for i in range(boxes.count()))
        boxes.first.uncheck()
        assert page.locator("#select-all").evaluate("box => box.indeterminate") is True
    page.locator("#import-link").click()
    expect(page.locator("#import-columns")).to_be_visible()
    assert overflowing(page, vertical=False) == []
    page.screenshot(path=screenshots / f"intake-import-{width}x{height}.png", full_page=True)
