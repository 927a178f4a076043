"""Issue 10 end to end in Chromium: the organiser imports the call's applications, invites two
reviewers (the invitations arrive at the loopback SMTP server) and turns blind review on; both
reviewers score four applications, the second seeing the first's scores only after giving their
own; the organiser reads the review list, retains the three best-scored and defers the fourth; the
outbox sends the four messages, which arrive at the SMTP server; the best-scored applicant opens
the link of their e-mail on a phone, confirms, corrects their title and uploads a PDF; the
organiser sees it. Screenshots of each page: artifacts/screenshots/review-*."""
from __future__ import annotations

import csv
import re
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.pdfs import make_pdf

from .helpers import axe_violations
from .layout import overflowing, small_targets
from .test_evening_cycle import ADMIN_EMAIL, PASSWORD, PHONE, SAMPLE, smtp  # noqa: F401 (the SMTP server fixture)
from .test_outbox_speaker import instance  # noqa: F401 (a server with that SMTP server and a data folder)

pytestmark = pytest.mark.e2e

REVIEWERS = {"lea.relit@equipe-essai.example.org": ("Léa Relit", "une relecture attentive 2026"),
             "hugo.relit@equipe-essai.example.org": ("Hugo Relit", "des notes bien pesées 2026")}
# Scores per criterion (four) by reviewer: overall means 4.25, 2.5, 4.5 and 3.5.
SCORES = {
    "AMI-QA-001": ((5, 5, 4, 4), (4, 4, 4, 4)),
    "AMI-QA-002": ((3, 3, 3, 3), (2, 2, 2, 2)),
    "AMI-QA-003": ((4, 4, 4, 4), (5, 5, 5, 5)),
    "AMI-QA-004": ((3, 4, 3, 4), (4, 3, 4, 3)),
}
BEST_FIRST = ["AMI-QA-003", "AMI-QA-001", "AMI-QA-004", "AMI-QA-002"]


def shoot(page, screenshots, name):
    page.screenshot(path=screenshots / f"review-{name}.png", full_page=True)


def mails_to(smtp, address: str):  # noqa: F811
    return [message_from_bytes(content, policy=policy.default) for recipients, content in smtp.messages
            if recipients == [address]]


def sample_rows() -> dict[str, dict[str, str]]:
    with SAMPLE.open(encoding="utf-8") as f:
        return {row["reference"]: row for row in csv.DictReader(f)}


def measured(open_view, page, screenshots, name: str, sizes=((1280, 800), (768, 1024), (390, 844)),  # noqa: F811
             minimum: int = 44) -> list[str]:
    """The page of ``page`` (as its holder sees it) at each size: kept as a screenshot, and what sticks out
    sideways or is too small to touch."""
    problems = []
    for width, height in sizes:
        view = open_view(page.url, width, height, storage_state=page.context.storage_state())
        shoot(view, screenshots, f"{name}-{width}x{height}")
        problems += [f"{name} {width}: {p}" for p in overflowing(view, vertical=False)]
        problems += [f"{name} {width}: small {p}" for p in small_targets(view, minimum, skip_inline_links=True)]
    return problems


def sign_in(page, email: str, password: str) -> None:
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Éditions")


def score(page, reference: str, scores, comment: str = "") -> None:
    page.get_by_role("link", name=reference, exact=True).click()
    for key, value in zip(("c1", "c2", "c3", "c4"), scores):
        page.check(f"#score-{key}-{value}")
    if comment:
        page.fill("#comment-c1", comment)
    page.click("#review-submit")
    expect(page.locator(".flash")).to_have_text("Merci : votre relecture est enregistrée.")


def test_two_reviewers_score_the_organiser_decides_and_a_speaker_answers(instance, smtp, open_view, screenshots):  # noqa: F811
    day = (datetime.now(ZoneInfo("Europe/Paris")) + timedelta(days=30)).date()
    rows = sample_rows()

    # -- an edition, the call's fourteen applications, two reviewers invited ---------------------------
    organiser = open_view(instance.url("/organiser/login"), 1280, 800)
    sign_in(organiser, ADMIN_EMAIL, PASSWORD)
    organiser.get_by_role("link", name="Nouvelle édition").click()
    for field, value in {"number": "12", "title": "Jeudi du numérique n° 12", "theme": "Air et numérique",
                         "day": day.isoformat(), "deadline_day": (day - timedelta(days=10)).isoformat(),
                         "deadline_time": "10:00", "venue": "Salle Fictive, 1 rue de l'Essai, Lille"}.items():
        organiser.fill(f"#{field}", value)
    organiser.click("form.form button[type=submit]")
    expect(organiser.locator("h1")).to_have_text("Vue d'ensemble")
    edition_id = re.search(r"/organiser/editions/(\d+)/", organiser.url).group(1)
    organiser.get_by_role("link", name="Candidatures").click()
    organiser.click("#import-link")
    organiser.set_input_files("input[type=file]", str(SAMPLE))
    organiser.click("#import-upload")
    organiser.click("#import-confirm")
    expect(organiser.locator("h1")).to_have_text("Candidatures")

    for email, (name, _password) in REVIEWERS.items():
        organiser.goto(instance.url("/organiser/accounts"))
        organiser.fill("#invite-email", email)
        organiser.fill("#invite-name", name)
        organiser.select_option("#invite-role", "relecteur")
        organiser.select_option("#invite-edition", label="Jeudi du numérique n° 12")
        organiser.get_by_role("button", name="Inviter").click()
        expect(organiser.locator(".flash")).to_have_text("Invitation envoyée par e-mail.")

    # -- blind review on; the criteria are the call's ------------------------------------------------
    organiser.goto(instance.url(f"/organiser/editions/{edition_id}/reviews"))
    organiser.click("#settings-link")
    expect(organiser.locator("#label-c1")).to_have_value("Adéquation au thème qualité de l'air")
    expect(organiser.locator("#assignments thead")).to_contain_text("Léa Relit")
    organiser.check("#blind")
    assert measured(open_view, organiser, screenshots, "settings") == []
    organiser.click("#settings-save")
    expect(organiser.locator(".flash")).to_have_text("Réglages de la relecture enregistrés.")
    expect(organiser.locator("#blind")).to_be_checked()

    # -- each reviewer accepts their invitation (from the e-mail) and scores four applications ---------
    pages = {}
    for email, (name, password) in REVIEWERS.items():
        [invitation] = mails_to(smtp, email)
        link = re.search(r"(http://\S+/organiser/invitation/\S+)", invitation.get_content()).group(1)
        page = open_view(link, 1280, 800)
        page.fill("#password", password)
        page.fill("#password_again", password)
        page.get_by_role("button", name="Enregistrer le mot de passe").click()
        expect(page.locator("h1")).to_have_text("Éditions")
        page.get_by_role("link", name="Jeudi du numérique n° 12").click()
        page.locator("nav.edition-nav").get_by_role("link", name="Relecture").click()
        expect(page.locator("h1")).to_have_text("Relecture")
        expect(page.locator("#blind-notice")).to_be_visible()
        pages[email] = page
    lea, hugo = pages.values()

    for reference, (by_lea, _by_hugo) in SCORES.items():
        lea.goto(instance.url(f"/organiser/editions/{edition_id}/reviews?sort=reference&order=asc"))
        score(lea, reference, by_lea, comment="Très bien ancré dans le territoire." if reference == "AMI-QA-003" else "")
    shoot(lea, screenshots, "reviewer-dossier-1280x800")
    first = rows["AMI-QA-003"]
    hugo.goto(instance.url(f"/organiser/editions/{edition_id}/reviews?sort=reference&order=asc"))
    expect(hugo.locator("#reviews tbody tr")).to_have_count(14)
    expect(hugo.locator("#reviews tbody tr[data-reference='AMI-QA-003'] td[data-hidden]")).to_have_text(
        "Notez d'abord cette candidature pour voir les notes.")
    shoot(hugo, screenshots, "reviewer-list-1280x800")
    hugo.get_by_role("link", name="AMI-QA-003", exact=True).click()
    expect(hugo.locator("#others-hidden")).to_have_text(
        "1 autre relecture : vous la verrez après avoir donné la vôtre.")
    dossier = hugo.content()
    for secret in (first["referent_nom"], first["referent_email"], first["site_internet"], first["referent_telephone"]):
        assert secret not in dossier  # blind review: never in the page
    expect(hugo.locator("#value-referent_email")).to_have_text("masqué (relecture anonyme)")
    shoot(hugo, screenshots, "reviewer-blind-before-1280x800")
    narrow = open_view(hugo.url, 390, 844, storage_state=hugo.context.storage_state())
    assert narrow.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(narrow, screenshots, "reviewer-dossier-390x844")
    audit = open_view(hugo.url, 1280, 800, bypass_csp=True, storage_state=hugo.context.storage_state())
    assert axe_violations(audit) == []
    for reference, (_by_lea, by_hugo) in SCORES.items():
        hugo.goto(instance.url(f"/organiser/editions/{edition_id}/reviews?sort=reference&order=asc"))
        score(hugo, reference, by_hugo)
    expect(hugo.locator("#review-figures")).to_be_visible()  # AMI-QA-004, both reviews now
    hugo.goto(instance.url(f"/organiser/editions/{edition_id}/reviews?sort=reference&order=asc"))
    hugo.get_by_role("link", name="AMI-QA-003", exact=True).click()
    expect(hugo.locator("#review-figures")).to_contain_text("Très bien ancré dans le territoire.")
    expect(hugo.locator("#review-overall .figure")).to_have_text("4,5 (4\u2060–\u20605)")
    # The scores' targets are their 44-px labels; the radio inside is 24 px (WCAG 2.5.8).
    assert measured(open_view, hugo, screenshots, "reviewer-after", minimum=24) == []

    # -- the organiser reads the review list, best first, and decides ----------------------------------
    organiser.goto(instance.url(f"/organiser/editions/{edition_id}/reviews"))
    expect(organiser.locator("#sort-overall")).to_contain_text("▼")
    listed = organiser.locator("#reviews tbody tr")
    assert [listed.nth(i).get_attribute("data-reference") for i in range(4)] == BEST_FIRST
    expect(listed.nth(0).locator("td[data-overall] strong")).to_have_text("4,5 (4\u2060–\u20605)")
    expect(listed.nth(0)).to_contain_text(first["nom_projet"])
    assert measured(open_view, organiser, screenshots, "list") == []
    organiser.click("#sort-overall")  # the other way: lowest first, the never-reviewed still last
    assert [listed.nth(i).get_attribute("data-reference") for i in range(4)] == list(reversed(BEST_FIRST))
    audit = open_view(organiser.url, 1280, 800, bypass_csp=True, storage_state=organiser.context.storage_state())
    assert axe_violations(audit) == []
    for reference, button in zip(BEST_FIRST, ("#decision-retain",) * 3 + ("#decision-defer",)):
        organiser.goto(instance.url(f"/organiser/editions/{edition_id}/reviews"))
        organiser.get_by_role("link", name=reference, exact=True).click()
        expect(organiser.locator("#review-summary")).to_contain_text("2 relectures")
        organiser.click(button)
        expect(organiser.locator("#application-status")).to_have_text(
            "Retenue" if button == "#decision-retain" else "Reportée")
    shoot(organiser, screenshots, "dossier-decided-1280x800")

    # -- the outbox sends the four messages, which arrive at the SMTP server ---------------------------
    organiser.locator("nav.edition-nav").get_by_role("link", name="Messages").click()
    expect(organiser.locator("#outbox tbody tr")).to_have_count(4)
    organiser.click("#send-all")
    expect(organiser.locator(".flash")).to_have_text("4 messages envoyés.")
    shoot(organiser, screenshots, "outbox-sent-1280x800")
    for reference in BEST_FIRST:
        assert len(mails_to(smtp, rows[reference]["referent_email"])) == 1, reference
    [told] = mails_to(smtp, first["referent_email"])
    assert told["Subject"] == "Votre intervention est retenue pour le Jeudi du numérique n° 12"
    link = re.search(r"(http://\S+/s/\S+)", told.get_content()).group(1)

    # -- the best-scored applicant answers from their phone --------------------------------------------
    speaker = open_view(link, 390, 844, **PHONE)
    expect(speaker.locator("h1")).to_have_text(f"Bonjour {first['referent_nom']}")
    expect(speaker.locator("#slot")).to_contain_text("intervention n° 1 sur 3")
    shoot(speaker, screenshots, "speaker-390x844")
    speaker.click("#confirm")
    expect(speaker.locator("#answer-state")).to_have_text("Vous avez confirmé votre venue.")
    speaker.fill("#title", "Respirer mieux à l'école, mesures à l'appui")
    speaker.click("#save-details")
    expect(speaker.locator(".flash")).to_have_text("Merci : le public verra ces textes.")
    speaker.set_input_files("#deck-file", files=[{"name": "pitch.pdf", "mimeType": "application/pdf",
                                                  "buffer": make_pdf(2, title="Respirer mieux")}])
    speaker.click("#deck-upload")
    expect(speaker.locator(".flash")).to_have_text("Merci : votre présentation est enregistrée (2 pages).")
    assert speaker.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(speaker, screenshots, "speaker-slides-390x844")

    # -- the organiser sees the answer, the deck and the new title --------------------------------------
    organiser.reload()
    answered = organiser.locator("#speakers tbody tr", has_text="Respirer mieux à l'école, mesures à l'appui")
    expect(answered).to_have_attribute("data-answer", "confirmed")
    expect(answered.locator("td[data-deck]")).to_contain_text("2 pages")
    shoot(organiser, screenshots, "outbox-answers-1280x800")
    organiser.locator("nav.edition-nav").get_by_role("link", name="Programme").click()
    expect(organiser.locator("#programme")).to_contain_text("Respirer mieux à l'école, mesures à l'appui")
