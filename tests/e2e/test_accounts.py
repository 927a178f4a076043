"""The team's accounts in Chromium (issue 9): the demo's admin invites a reviewer and a régie; the
reviewer chooses a password, reads an application's dossier and is refused the exports and the
personal-data page; the régie opens the console of the evening without any link."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PASSWORDS = {"relecteur": "une relecture attentive 2026", "regie": "la régie tient le micro 42"}


def _sign_in(page, email: str, password: str) -> None:
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Éditions")


def _invite(admin, server, email: str, name: str, role: str) -> str:
    admin.goto(server.url("/organiser/accounts"))
    admin.fill("#invite-email", email)
    admin.fill("#invite-name", name)
    admin.select_option("#invite-role", role)
    admin.select_option("#invite-edition", label="Jeudi du numérique n° 10")
    admin.get_by_role("button", name="Inviter").click()
    link = admin.locator("#shown-link")  # no SMTP in the demo: the link is shown to copy
    expect(link).to_contain_text("/organiser/invitation/")
    return link.inner_text().strip()


def _accept(open_view, link: str, role: str, screenshots) -> object:
    page = open_view(link, 1280, 800)
    expect(page.locator("h1")).to_contain_text("Bienvenue")
    page.fill("#password", PASSWORDS[role])
    page.fill("#password_again", PASSWORDS[role])
    page.screenshot(path=screenshots / f"accounts-invitation-{role}.png", full_page=True)
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.locator("h1")).to_have_text("Éditions")
    return page


def test_admin_invites_a_reviewer_and_a_regie_who_get_their_jobs_only(server, open_view, screenshots):
    admin = open_view(server.url("/organiser/login"), 1280, 800)
    _sign_in(admin, server.organiser_email, server.organiser_password)
    reviewer_link = _invite(admin, server, "lea.relectrice@equipe-demo.example.org", "Léa Relectrice", "relecteur")
    regie_link = _invite(admin, server, "yann.regie@equipe-demo.example.org", "Yann Régie", "regie")
    admin.screenshot(path=screenshots / "accounts-admin-list.png", full_page=True)
    expect(admin.locator("table.accounts")).to_contain_text("Léa Relectrice")

    reviewer = _accept(open_view, reviewer_link, "relecteur", screenshots)
    reviewer.get_by_role("link", name="Jeudi du numérique n° 10").click()
    edition_id = re.search(r"/organiser/editions/(\d+)/", reviewer.url).group(1)
    nav = reviewer.locator("nav.edition-nav")
    expect(nav.get_by_role("link", name="Relecture")).to_be_visible()
    for hidden in ("Candidatures", "Bilan"):  # a reviewer's applications are the review list
        expect(nav.get_by_role("link", name=hidden)).to_have_count(0)
    nav.get_by_role("link", name="Relecture").click()
    reviewer.locator("table a[href*='/applications/']").first.click()
    expect(reviewer).to_have_url(re.compile(rf"/organiser/editions/{edition_id}/applications/\d+$"))
    reviewer.screenshot(path=screenshots / "accounts-reviewer-dossier.png", full_page=True)
    for refused in (f"/organiser/editions/{edition_id}/report.csv", f"/organiser/editions/{edition_id}/report.xlsx",
                    "/organiser/personal-data", f"/organiser/editions/{edition_id}/connections"):
        assert reviewer.goto(server.url(refused)).status == 403, refused
    assert reviewer.goto(server.url(f"/e/jdn10/moderator")).status == 403

    regie = _accept(open_view, regie_link, "regie", screenshots)
    regie.goto(server.url(f"/organiser/editions/{edition_id}/"))
    regie.get_by_role("link", name="Ouvrir la console de régie").click()
    expect(regie).to_have_url(re.compile(r"/e/jdn10/moderator$"))
    expect(regie.locator("#connection")).to_have_text("En ligne")
    expect(regie.locator("#at-controls")).to_contain_text("Yann Régie")
    regie.screenshot(path=screenshots / "accounts-regie-console.png", full_page=True)
    assert regie.goto(server.url(f"/organiser/editions/{edition_id}/applications")).status == 403
