"""The Télécommandes page (control devices) at a laptop's and a phone's width: a token made, shown once,
listed, revoked; saved as screenshots and measured (nothing overflows, targets big enough)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .layout import page_problems
from .test_organiser_pages import login

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width, height", [(1280, 800), (390, 844), (320, 640)])
def test_control_page_reads_well(module_server, open_view, screenshots, width, height):
    problems = []
    page = login(open_view, module_server, width, height)

    def shoot(name):
        page.screenshot(path=screenshots / f"organiser-control-{name}-{width}x{height}.png", full_page=True)
        problems.extend(page_problems(page, name))

    page.get_by_role("link", name="Jeudi du numérique n° 10").click()
    page.get_by_role("link", name="Télécommandes").click()
    expect(page.locator("h1")).to_have_text("Télécommandes")
    page.click("form.inline-form button[type=submit]")  # no name: refused, the field says why
    expect(page.locator("#device-name-error")).to_be_visible()
    shoot("error")
    page.fill("#device-name", f"Stream Deck régie {width}")
    page.click("form.inline-form button[type=submit]")
    expect(page.locator("#new-token")).to_contain_text("pdc_")
    shoot("created")
    page.get_by_role("button", name=f"Révoquer Stream Deck régie {width}").click()
    expect(page.locator(".flash")).to_contain_text("Jeton révoqué")
    expect(page.locator("#new-token")).to_have_count(0)
    shoot("revoked")
    assert problems == [], "\n".join(problems)


def test_a_device_command_reaches_the_console_which_names_the_device(module_server, open_view, screenshots):
    import requests

    from .helpers import open_moderator

    page = login(open_view, module_server, 1280, 800)
    page.get_by_role("link", name="Jeudi du numérique n° 10").click()
    page.get_by_role("link", name="Télécommandes").click()
    page.fill("#device-name", "Stream Deck du plateau")
    page.click("form.inline-form button[type=submit]")
    token = page.locator("#new-token").inner_text().strip()
    console = open_moderator(open_view, module_server, 1280, 800)
    version = requests.get(module_server.url("/api/v1/control/jdn10/state"), timeout=30,
                           headers={"Authorization": f"Bearer {token}"}).json()["version"]
    answer = requests.post(module_server.url("/api/v1/control/jdn10/toggle"), json={"version": version}, timeout=30,
                           headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    expect(console.locator("#at-controls")).to_contain_text("télécommande Stream Deck du plateau")
    expect(console.locator("#btn-main")).to_have_text("Pause")  # the console follows the device's command
    console.screenshot(path=screenshots / "moderator-control-device-1280x800.png")
