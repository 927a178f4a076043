"""The whole cycle in real Chromium, on a new instance: an edition is created, an applicant applies,
the organiser imports the sample applications, retains ten, defers two, orders the evening, the
live show runs in that order, a connect request is introduced by e-mail (received by a real SMTP
server on loopback), and the report is read."""
from __future__ import annotations

import re
import socket
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from tests.serverproc import Server

from .conftest import ROOT
from .helpers import axe_violations, click_command, read

pytestmark = pytest.mark.e2e

PASSWORD = "mot de passe de test e2e"
ADMIN_EMAIL = "admin@cycle-essai.example.org"
SAMPLE = ROOT / "pitchday" / "data" / "candidatures-qualite-air.csv"
# The MEL's decisions (pitchday/data/demo_edition.json): retained in this running order, and deferred.
RUNNING_ORDER = ["AMI-QA-001", "AMI-QA-002", "AMI-QA-003", "AMI-QA-004", "AMI-QA-005", "AMI-QA-008",
                 "AMI-QA-007", "AMI-QA-009", "AMI-QA-010", "AMI-QA-013"]
TITLES = ["CapteurÉcole", "Respirer près de l'école", "AirData Croisée", "Vélos sentinelles", "Classe Bon Air",
          "Crèches : air intérieur", "Alerte Air Perso", "Bien se chauffer au bois", "Ammoniac agricole",
          "Station citoyenne de quartier"]
DEFERRED = ["AMI-QA-006", "AMI-QA-011"]
PHONE = {"is_mobile": True, "has_touch": True}


class Inbox:
    """What the loopback SMTP server received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture()
def smtp():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


@pytest.fixture()
def instance(tmp_path, smtp):
    """A new pitchday, empty, with its first admin (from the environment) and an SMTP server."""
    server = Server(f"sqlite:///{tmp_path / 'pitchday.sqlite3'}", command="serve", env={
        "PITCHDAY_ADMIN_EMAIL": ADMIN_EMAIL, "PITCHDAY_ADMIN_PASSWORD": PASSWORD, "PITCHDAY_SMTP_HOST": "127.0.0.1",
        "PITCHDAY_SMTP_PORT": str(smtp.port), "PITCHDAY_SMTP_SECURITY": "none",
        "PITCHDAY_MAIL_FROM": "pitchday@mel.example.org"}).start()
    yield server
    server.stop()


def shoot(page, screenshots, name):
    page.screenshot(path=screenshots / f"cycle-{name}.png", full_page=True)


def test_an_evening_from_its_applications_to_its_report(instance, smtp, open_view, screenshots):
    paris = ZoneInfo("Europe/Paris")
    day = (datetime.now(paris) + timedelta(days=30)).date()
    deadline = day - timedelta(days=10)

    # -- the organiser creates the 10th edition ----------------------------------------------------
    organiser = open_view(instance.url("/organiser/login"), 1280, 800)
    organiser.fill("#email", ADMIN_EMAIL)
    organiser.fill("#password", PASSWORD)
    organiser.click("button[type=submit]")
    expect(organiser.locator("h1")).to_have_text("Éditions")
    organiser.get_by_role("link", name="Nouvelle édition").click()
    for field, value in {"number": "10", "title": "Jeudi du numérique n° 10", "theme": "Qualité de l'air et numérique",
                         "day": day.isoformat(), "deadline_day": deadline.isoformat(), "deadline_time": "10:00",
                         "venue": "CITC, bâtiment Place, 172 avenue de Bretagne, Lille",
                         "partners": "Métropole Européenne de Lille\nATMO Hauts-de-France\nCITC"}.items():
        organiser.fill(f"#{field}", value)
    shoot(organiser, screenshots, "new-edition-1280x800")
    organiser.click("form.form button[type=submit]")
    expect(organiser.locator("h1")).to_have_text("Vue d'ensemble")
    edition_url = organiser.url

    # -- an applicant sends a reverse pitch from a phone -------------------------------------------
    form_url = instance.url("/e/jdn10/candidater")
    audit = open_view(form_url, 390, 844, **PHONE, bypass_csp=True)
    assert axe_violations(audit) == []
    audit.click("#apply-submit")  # empty: every error shown, then audited too
    expect(audit.locator("#form-errors")).to_be_visible()
    assert axe_violations(audit) == []
    applicant = open_view(form_url, 390, 844, **PHONE)
    applicant.check("#talk_kind-besoin")
    expect(applicant.locator("#part-feedback")).to_be_hidden()  # only the part for a need is asked
    applicant.check("#applicant_type-commune")
    for field, value in {"project_name": "Cour d'école respirable", "organisation": "Ville de Fictiveville",
                         "address": "Hôtel de ville\n59999 Fictiveville", "website": "fictiveville.example.org",
                         "referent_name": "Inès Essai", "referent_role": "Adjointe à l'environnement",
                         "referent_phone": "01 99 00 30 03", "referent_email": "ines.essai@fictiveville.example.org",
                         "description": "Mesurer l'air dans les cours d'école.\nAgir avec les parents.",
                         "situation": "Besoin pour la rentrée.", "exp_what_why": "Objectiver la pollution.",
                         "exp_site": "Trois cours d'école.", "exp_target": "Parents et enseignants",
                         "needs": "Des capteurs, un partenaire pour les données."}.items():
        applicant.fill(f"#{field}", value)
    shoot(applicant, screenshots, "apply-form-390x844")
    applicant.click("#apply-submit")
    expect(applicant.locator("h1")).to_have_text("Candidature enregistrée")
    expect(applicant.locator("#application-reference")).to_have_text("JDN10-001")
    shoot(applicant, screenshots, "apply-confirmation-390x844")

    # -- the organiser imports the sample file -----------------------------------------------------
    organiser.goto(edition_url)
    organiser.get_by_role("link", name="Candidatures").click()
    organiser.click("#import-link")
    organiser.set_input_files("input[type=file]", str(SAMPLE))
    organiser.click("#import-upload")
    expect(organiser.locator("#import-confirm")).to_have_text("Importer les 14 candidatures prêtes")
    shoot(organiser, screenshots, "import-preview-1280x800")
    organiser.click("#import-confirm")
    expect(organiser.locator("h1")).to_have_text("Candidatures")
    list_url = organiser.url
    for reference in ["JDN10-001", *RUNNING_ORDER, *DEFERRED]:
        expect(organiser.get_by_role("link", name=reference, exact=True)).to_be_visible()

    # -- retains ten (in the order of their references), defers two ----------------------------------
    def decide(reference: str, button: str) -> None:
        organiser.goto(list_url)
        organiser.get_by_role("link", name=reference, exact=True).click()
        organiser.click(button)
        expect(organiser.locator("#application-status")).to_be_visible()

    for reference in sorted(RUNNING_ORDER):
        decide(reference, "#decision-retain")
        expect(organiser.locator("#application-status")).to_have_text("Retenue")
    for reference in DEFERRED:
        decide(reference, "#decision-defer")
        expect(organiser.locator("#application-status")).to_have_text("Reportée")
    shoot(organiser, screenshots, "dossier-1280x800")
    organiser.goto(list_url)
    shoot(organiser, screenshots, "applications-1280x800")

    # -- orders the evening: by reference, 007 came before 008; the MEL's order has 008 first ---------
    organiser.get_by_role("link", name="Programme").first.click()
    organiser.get_by_role("button", name="Monter « Crèches : air intérieur »").click()
    # The MEL's sheet has no column for the structure: the organiser names the reverse pitch's team.
    talk = organiser.locator("li", has=organiser.get_by_text("Respirer près de l'école", exact=True))
    talk.locator("summary", has_text="Corriger").click()
    talk.get_by_label("Structure").fill("Ville d'Exempleville")
    talk.get_by_role("button", name="Enregistrer").click()
    expect(organiser.locator("li", has_text="Respirer près de l'école").first).to_contain_text("Ville d'Exempleville")
    shoot(organiser, screenshots, "programme-1280x800")

    # -- the live show uses that order ---------------------------------------------------------------
    organiser.goto(edition_url)
    organiser.fill("input[name=label]", "Tablette régie")
    organiser.get_by_role("button", name="Créer un lien de régie").click()
    moderator_url = organiser.locator(".moderator-links .url a").first.get_attribute("href")
    projector = open_view(instance.url("/e/jdn10/projector"), 1920, 1080)
    moderator = open_view(moderator_url, 1280, 800)
    expect(moderator.locator("#connection")).to_have_text("En ligne")
    click_command(moderator, '[data-command="next"]')  # the first talk up next: the projector shows the agenda
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "agenda")
    expect(projector.locator("#agenda .title")).to_have_text(TITLES)
    shoot(projector, screenshots, "projector-agenda-1920x1080")
    click_command(moderator, "#btn-main")
    expect(projector.locator("#talk-title")).to_have_text(TITLES[0])
    assert read(projector).phase == "Pitch"

    # -- a phone asks to meet the team of the reverse pitch ------------------------------------------
    phone = open_view(instance.url("/e/jdn10/"), 390, 844, **PHONE)
    phone.get_by_role("link", name=re.compile("^Ville d'Exempleville")).click()
    phone.get_by_label("J'ai une solution pour ce besoin").check()
    phone.fill("#name", "Nour Essai")
    phone.fill("#organisation", "Capteurs du Nord (fictif)")
    phone.fill("#email", "nour@capteurs-nord.example.org")
    phone.fill("#message", "Nous équipons déjà deux écoles.")
    phone.check("#consent")
    phone.click("#connect-form button[type=submit]")
    expect(phone.locator("h1")).to_have_text("Demande envoyée")

    # -- the evening ends; the organiser introduces them -----------------------------------------------
    click_command(moderator, '[data-command="questions"]')
    for title in TITLES[1:]:  # every other talk in turn, quickly
        click_command(moderator, '[data-command="next"]')
        expect(moderator.locator("#now-title")).to_have_text(title)
        click_command(moderator, "#btn-main")
    click_command(moderator, '[data-command="next"]')  # after the last one: networking
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "networking")
    organiser.goto(edition_url)
    organiser.get_by_role("link", name="Échanges").click()
    organiser.get_by_role("link", name=re.compile("^Mettre en relation")).click()
    expect(organiser.locator("#team_email")).to_have_value("louis.demo@exempleville.example.org")
    shoot(organiser, screenshots, "introduce-1280x800")
    organiser.get_by_role("button", name="Envoyer", exact=True).click()
    expect(organiser.locator("#count-introduced")).to_have_text("1")
    shoot(organiser, screenshots, "connections-1280x800")
    [(recipients, content)] = smtp.messages
    assert sorted(recipients) == ["louis.demo@exempleville.example.org", "nour@capteurs-nord.example.org"]
    mail = message_from_bytes(content, policy=policy.default)
    assert "Nour Essai" in mail["Subject"] and "Ville d'Exempleville" in mail["Subject"]
    assert "Nous équipons déjà deux écoles." in mail.get_content()

    # -- and reads the report --------------------------------------------------------------------------
    organiser.get_by_role("link", name="Bilan", exact=True).click()
    expect(organiser.locator("svg[role=img]")).to_be_visible()
    expect(organiser.locator("table").first).to_contain_text("CapteurÉcole")
    shoot(organiser, screenshots, "report-1280x800")
