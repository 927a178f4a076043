"""An organiser tells a retained applicant through the outbox; the speaker opens the link of the
mail a real SMTP server on loopback received, on a phone, confirms and corrects their title; the
organiser sees the answer. The speaker uploads a small PDF and sees its page count and first page; the
organiser sees the deck received. Screenshots of each page are kept (artifacts/screenshots/outbox-*)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.pdfs import make_pdf
from tests.serverproc import Server

from .helpers import axe_violations
from .test_evening_cycle import ADMIN_EMAIL, PASSWORD, PHONE, smtp  # noqa: F401 (the loopback SMTP server fixture)

pytestmark = pytest.mark.e2e


@pytest.fixture()
def instance(tmp_path, smtp):  # noqa: F811
    server = Server(f"sqlite:///{tmp_path / 'pitchday.sqlite3'}", command="serve", env={
        "PITCHDAY_ADMIN_EMAIL": ADMIN_EMAIL, "PITCHDAY_ADMIN_PASSWORD": PASSWORD, "PITCHDAY_SMTP_HOST": "127.0.0.1",
        "PITCHDAY_SMTP_PORT": str(smtp.port), "PITCHDAY_SMTP_SECURITY": "none",
        "PITCHDAY_MAIL_FROM": "jeudis@mel.example.org", "PITCHDAY_DATA_DIR": str(tmp_path / "data")}).start()
    yield server
    server.stop()


def shoot(page, screenshots, name):
    page.screenshot(path=screenshots / f"outbox-{name}.png", full_page=True)


def test_outbox_sends_the_decision_and_the_speaker_confirms_from_the_mail(instance, smtp, open_view, screenshots):  # noqa: F811
    paris = ZoneInfo("Europe/Paris")
    day = (datetime.now(paris) + timedelta(days=30)).date()

    # -- an edition, and one application from its public form -----------------------------------
    organiser = open_view(instance.url("/organiser/login"), 1280, 800)
    organiser.fill("#email", ADMIN_EMAIL)
    organiser.fill("#password", PASSWORD)
    organiser.click("button[type=submit]")
    organiser.get_by_role("link", name="Nouvelle édition").click()
    for field, value in {"number": "12", "title": "Jeudi du numérique n° 12", "theme": "Air et numérique",
                         "day": day.isoformat(), "deadline_day": (day - timedelta(days=10)).isoformat(),
                         "deadline_time": "10:00", "venue": "Salle Fictive, 1 rue de l'Essai, Lille"}.items():
        organiser.fill(f"#{field}", value)
    organiser.click("form.form button[type=submit]")
    expect(organiser.locator("h1")).to_have_text("Vue d'ensemble")
    edition_url = organiser.url

    applicant = open_view(instance.url("/e/jdn12/candidater"), 390, 844, **PHONE)
    applicant.check("#talk_kind-solution")
    applicant.check("#applicant_type-entreprise")
    for field, value in {"project_name": "Capteurs de poussières citoyens", "organisation": "Air Clair SCOP",
                         "address": "2 rue Fictive\n59999 Fictiveville", "referent_name": "Jeanne Fictive",
                         "referent_role": "Cogérante", "referent_email": "jeanne@air-clair.example.org",
                         "description": "Des capteurs prêtés aux écoles.", "situation": "Prototype en essai.",
                         "exp_what_why": "Mesurer l'air.", "exp_site": "Deux écoles.", "exp_target": "Parents",
                         "needs": "Un terrain d'essai."}.items():
        applicant.fill(f"#{field}", value)
    applicant.click("#apply-submit")
    expect(applicant.locator("#application-reference")).to_have_text("JDN12-001")

    # -- retaining prepares a message; nothing is sent until the organiser clicks -----------------
    organiser.goto(edition_url)
    organiser.get_by_role("link", name="Candidatures").click()
    organiser.get_by_role("link", name="JDN12-001", exact=True).click()
    organiser.click("#decision-retain")
    expect(organiser.locator("#application-status")).to_have_text("Retenue")
    organiser.get_by_role("link", name="Messages", exact=True).click()
    expect(organiser.locator("h1")).to_have_text("Messages aux candidats")
    expect(organiser.locator("#outbox tbody tr")).to_have_count(1)
    expect(organiser.locator("#outbox tbody tr .status")).to_have_text("préparé")
    assert smtp.messages == []
    shoot(organiser, screenshots, "prepared-1280x800")
    audit_outbox = open_view(organiser.url, 1280, 800, bypass_csp=True,
                             storage_state=organiser.context.storage_state())
    assert axe_violations(audit_outbox) == []
    organiser.locator("#outbox tbody a").click()
    expect(organiser.locator("h1")).to_have_text("Message à Jeanne Fictive")
    expect(organiser.locator("#body")).to_contain_text("Bonjour Jeanne,")
    shoot(organiser, screenshots, "message-1280x800")
    organiser.go_back()
    organiser.click("#send-all")
    expect(organiser.locator(".flash")).to_have_text("1 message envoyé.")
    expect(organiser.locator("#outbox tbody tr .status")).to_have_text("envoyé")
    shoot(organiser, screenshots, "sent-1280x800")
    organiser.click("#send-all")  # again: nothing left to send, nothing sent twice
    expect(organiser.locator(".flash")).to_have_text("Aucun message en attente : tous sont déjà envoyés.")

    [(recipients, content)] = smtp.messages
    assert recipients == ["jeanne@air-clair.example.org"]
    mail = message_from_bytes(content, policy=policy.default)
    assert mail["Subject"] == "Votre intervention est retenue pour le Jeudi du numérique n° 12"
    link = re.search(r"(http://\S+/s/\S+)", mail.get_content()).group(1)
    assert link.startswith(instance.url("/s/"))

    # -- the speaker opens the link on a phone, confirms and corrects the title --------------------
    speaker = open_view(link, 390, 844, **PHONE)
    expect(speaker.locator("h1")).to_have_text("Bonjour Jeanne Fictive")
    expect(speaker.locator("#slot")).to_contain_text("intervention n° 1 sur 1")
    shoot(speaker, screenshots, "speaker-390x844")
    speaker.click("#confirm")
    expect(speaker.locator(".flash")).to_have_text("Merci : votre venue est confirmée.")
    expect(speaker.locator("#answer-state")).to_have_text("Vous avez confirmé votre venue.")
    speaker.fill("#title", "Des capteurs citoyens dans les cours d'école")
    speaker.fill("#summary", "x" * 280)
    speaker.click("#save-details")
    expect(speaker.locator(".flash")).to_have_text("Merci : le public verra ces textes.")
    expect(speaker.locator("#title")).to_have_value("Des capteurs citoyens dans les cours d'école")
    assert speaker.evaluate("document.documentElement.scrollWidth") <= 390
    narrow = open_view(link, 320, 640, **PHONE)
    assert narrow.evaluate("document.documentElement.scrollWidth") <= 320
    shoot(narrow, screenshots, "speaker-320x640")
    audit = open_view(link, 390, 844, **PHONE, bypass_csp=True)
    assert axe_violations(audit) == []

    # -- the speaker uploads their slides (a real 3-page PDF) and sees them back --------------------
    expect(speaker.locator("#deck-state")).to_have_text("Nous n'avons pas encore reçu votre présentation.")
    speaker.set_input_files("#deck-file", files=[{"name": "capteurs.pdf", "mimeType": "application/pdf",
                                                  "buffer": make_pdf(3, title="Capteurs citoyens")}])
    speaker.click("#deck-upload")
    expect(speaker.locator(".flash")).to_have_text("Merci : votre présentation est enregistrée (3 pages).")
    expect(speaker.locator("#deck-state")).to_contain_text("Présentation reçue : 3 pages.")
    speaker.wait_for_function("document.querySelector('#deck-preview').complete && "
                              "document.querySelector('#deck-preview').naturalWidth === 320")
    expect(speaker.locator("#deck-upload")).to_have_text("Remplacer ma présentation")
    assert speaker.evaluate("document.documentElement.scrollWidth") <= 390
    speaker.locator("#slides").scroll_into_view_if_needed()
    shoot(speaker, screenshots, "speaker-slides-390x844")
    speaker.locator("#slides").screenshot(path=screenshots / "outbox-speaker-slides-section-390.png")
    slides_audit = open_view(link, 390, 844, **PHONE, bypass_csp=True)
    assert axe_violations(slides_audit) == []

    # -- the organiser sees the answer and the deck, and the programme the new title ----------------
    organiser.reload()
    expect(organiser.locator("#speakers tbody tr td[data-deck]")).to_have_attribute("data-deck", "yes")
    expect(organiser.locator("#speakers tbody tr td[data-deck]")).to_contain_text("3 pages")
    expect(organiser.locator("#speakers tbody tr")).to_have_attribute("data-answer", "confirmed")
    expect(organiser.locator("#speakers tbody tr .status")).to_have_text("a confirmé")
    shoot(organiser, screenshots, "answers-1280x800")
    organiser.get_by_role("link", name="Programme").first.click()
    expect(organiser.locator("#programme")).to_contain_text("Des capteurs citoyens dans les cours d'école")
