"""Personal data: the notice's settings, one person's export and erasure, retention and the audit log."""
from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from pitchday.extensions import db
from pitchday.models import Application, AuditEntry, ConnectRequest, ErasedRequestCount, ImportDraft, Question, QuestionVote, Talk
from pitchday.services import privacy

from tests.factories import TALKS

from .conftest import fresh_edition, phone, post_form

pytestmark = pytest.mark.integration


@pytest.fixture()
def edition(app):
    """Three talks, each from a retained application whose referent is the talk's contact."""
    return fresh_edition(app, applications=True)


NOE = TALKS[0].email  # referent of ESSAI-001, contact of the first talk


def rows(app, model, *where):
    with app.app_context():
        with db.write() as session:
            return list(session.scalars(select(model).where(*where)))


def request_from(app, talk_id: int, email: str, name: str = "Alex Testeur"):
    _http, sio = phone(app)
    ack = sio.emit("connect_request", {"client_id": str(uuid.uuid4()), "talk_id": talk_id, "name": name,
                                       "organisation": "Org", "email": email, "intent": "learn_more",
                                       "message": "Bonjour", "consent": True}, callback=True)
    assert ack["ok"] is True, ack


def first_talk(app) -> Talk:
    return rows(app, Talk, Talk.position == 1)[0]


# -- the notice --------------------------------------------------------------------------------------


def test_notice_shows_the_default_wording_and_the_editions_retention(client, edition):
    page = html.unescape(client.get(f"/e/{edition.slug}/confidentialite").text)

    assert "la Métropole Européenne de Lille" in page
    assert "effacées 30 jours après la soirée" in page and "effacées 365 jours après la soirée" in page
    assert "CNIL" in page


def test_notice_gives_the_legal_basis_of_each_processing(client, edition):
    page = html.unescape(client.get(f"/e/{edition.slug}/confidentialite").text)

    bases = [re.sub(r"<[^>]+>", "", li) for li in re.findall(r"<li><strong>.*?</li>", page.split("Sur quelle base")[1])]
    assert len(bases) == 3
    assert bases[1] == ("Demandes « Je veux échanger » et transmission de vos coordonnées à l'équipe choisie\u00a0: "
                        "votre consentement (article 6, 1, a du RGPD), que vous pouvez retirer à tout moment.")
    assert [b.count("mission d'intérêt public (article 6, 1, e du RGPD)") for b in bases] == [1, 0, 1]
    english = html.unescape(client.get(f"/e/{edition.slug}/confidentialite?lang=en").text)
    assert "your consent (GDPR article 6(1)(a)), which you can withdraw at any time" in english


def test_without_a_dpo_contact_the_notice_says_so_and_organisers_are_warned(client, organiser, edition):
    notice = html.unescape(client.get(f"/e/{edition.slug}/confidentialite").text)
    assert "Délégué à la protection des données : contact à renseigner par l'organisateur." in notice
    assert "Les mentions sur les données personnelles n'ont pas de contact" in html.unescape(
        organiser.get("/organiser/").text)
    assert "Aucun contact n'est renseigné" in html.unescape(organiser.get("/organiser/privacy").text)

    post_form(organiser, "/organiser/privacy", {"controller": "Métropole Exemple", "dpo_contact": "dpo@metropole.example.org",
                                                "purposes": "", "recipients": "", "rights": ""})

    assert "contact à renseigner" not in html.unescape(client.get(f"/e/{edition.slug}/confidentialite").text)
    assert "n'ont pas de contact" not in html.unescape(organiser.get("/organiser/").text)


def test_organiser_sets_controller_dpo_and_purposes_and_the_notice_and_consent_follow(app, organiser, client, edition):
    response = post_form(organiser, "/organiser/privacy", {
        "controller": "Métropole Exemple", "dpo_contact": "dpo@metropole.example.org",
        "purposes": "Organiser les mises en relation.\nÉtudier les candidatures.", "recipients": "", "rights": ""})

    assert response.status_code == 303
    page = html.unescape(client.get(f"/e/{edition.slug}/confidentialite").text)
    assert "Métropole Exemple, organisateur" in page
    assert "Délégué à la protection des données : dpo@metropole.example.org." in page
    assert "Organiser les mises en relation.\nÉtudier les candidatures." in page
    assert "L'équipe organisatrice et, pour une demande d'échange" in page  # blank: the default wording
    form = html.unescape(client.get(f"/e/{edition.slug}/echanger/{first_talk(app).id}").text)
    assert "et à Métropole Exemple, organisateur de la soirée" in form


def test_notice_settings_need_a_controller_and_the_login(client, organiser, edition):
    refused = post_form(organiser, "/organiser/privacy", {"controller": " ", "dpo_contact": "", "purposes": "",
                                                          "recipients": "", "rights": ""})

    assert refused.status_code == 400 and 'id="controller-error">Ce champ est obligatoire.' in refused.text
    assert client.get("/organiser/privacy").status_code == 302


# -- one person ---------------------------------------------------------------------------------------


def test_search_counts_what_is_held_whatever_the_case_of_the_address(app, organiser, edition):
    request_from(app, first_talk(app).id, NOE)

    page = html.unescape(organiser.get("/organiser/personal-data?email=Noe@Lueur-Urbaine.example.org").text)

    assert "1 demande d'échange" in page and "1 candidature" in page
    assert "1 adresse de contact d'intervention" in page


def test_export_gives_everything_held_and_the_log_keeps_only_counts(app, organiser, edition):
    request_from(app, first_talk(app).id, NOE, name="Noé Fictif")

    response = post_form(organiser, "/organiser/personal-data", {"email": NOE, "action": "export"},
                         page=f"/organiser/personal-data?email={NOE}")

    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert list(data) == ["format", "adresse", "exporte_le", "langue", "responsable_du_traitement", "demandes_echange",
                          "candidatures", "contacts_intervention", "messages", "reponses_intervenant", "evaluations"]
    assert (data["format"], data["adresse"], data["langue"]) == (1, NOE, "fr")
    [asked] = data["demandes_echange"]
    assert (asked["nom"], asked["intervention"], asked["edition"]) == ("Noé Fictif", TALKS[0].title, "Soirée d'essai n° 1")
    assert (asked["souhait"], asked["suivi"]) == ("Je veux en savoir plus", "nouvelle")  # labels, not codes
    assert asked["consentement"].startswith("J'accepte")
    [applied] = data["candidatures"]
    assert (applied["reference"], applied["statut"], applied["referent_telephone"]) == (
        "ESSAI-001", "Retenue", "01 99 00 30 01")
    assert applied["type_d_intervention"] in ("Pitch projet", "Pitch inversé", "Retour d'expérience")
    assert not {"id", "client_id", "device_id", "edition_id"} & (set(applied) | set(asked))  # no internal ids
    assert data["contacts_intervention"] == [{"edition": "Soirée d'essai n° 1", "intervention": TALKS[0].title,
                                              "email": NOE}]
    [entry] = rows(app, AuditEntry, AuditEntry.action == "export_person")
    assert entry.detail == {"connect_requests": 1, "applications": 1, "talk_contacts": 1}
    assert "noe" not in json.dumps(entry.detail).lower()


def test_erase_needs_confirmation(app, organiser, edition):
    response = post_form(organiser, "/organiser/personal-data", {"email": NOE, "action": "erase"},
                         page=f"/organiser/personal-data?email={NOE}")

    assert response.status_code == 400 and "Cochez la case de confirmation" in response.text
    assert len(rows(app, Application, Application.reference == "ESSAI-001")) == 1


def test_erase_removes_the_persons_data_and_keeps_the_announced_talk(app, organiser, edition):
    request_from(app, first_talk(app).id, NOE.upper())
    request_from(app, first_talk(app).id, "someone.else@example.org")

    response = post_form(organiser, "/organiser/personal-data", {"email": NOE, "action": "erase", "confirm": "yes"},
                         page=f"/organiser/personal-data?email={NOE}")

    assert response.status_code == 303
    assert rows(app, Application, Application.reference == "ESSAI-001") == []
    assert [r.email for r in rows(app, ConnectRequest)] == ["someone.else@example.org"]
    talk = first_talk(app)
    assert (talk.title, talk.speaker, talk.contact_email, talk.application_id) == (
        TALKS[0].title, TALKS[0].speaker, None, None)
    assert "Effacé : 1 demande d'échange, 1 candidature, 1 adresse de contact d'intervention." in html.unescape(
        organiser.get(response.headers["Location"]).text)
    [entry] = rows(app, AuditEntry, AuditEntry.action == "erase_person")
    assert entry.detail == {"connect_requests": 1, "applications": 1, "talk_contacts": 1}
    after = html.unescape(organiser.get(f"/organiser/personal-data?email={NOE}").text)
    assert "<li>0 demande d'échange</li>" in after and "<li>0 candidature</li>" in after  # French: 0 is singular
    assert "Effacement des données d'une personne" in after and "erase_person" not in after
    assert "1 demande d'échange · 1 candidature · 1 adresse de contact d'intervention" in after


def test_export_in_english_keeps_the_keys_and_translates_the_labels(app, organiser, edition):
    request_from(app, first_talk(app).id, NOE)

    response = post_form(organiser, "/organiser/personal-data", {"email": NOE, "action": "export", "language": "en"},
                         page=f"/organiser/personal-data?email={NOE}")

    data = json.loads(response.data)
    assert data["langue"] == "en"
    assert (data["demandes_echange"][0]["souhait"], data["demandes_echange"][0]["suivi"]) == ("I want to know more", "new")
    assert data["candidatures"][0]["statut"] == "Retained"


@pytest.mark.parametrize("lang, expected", [
    ("fr", ["0 demande d'échange", "1 candidature", "2 adresses de contact d'intervention"]),
    ("en", ["0 connect requests", "1 application", "2 talk contact addresses"]),
])
def test_personal_data_page_counts_in_words_with_the_plural_of_each_language(app, organiser, lang, expected):
    """No request, one application, two talks with this contact address: 0, 1 and 2 in one page."""
    fresh_edition(app, applications=True)
    with app.app_context(), db.write() as session:
        talks = list(session.scalars(select(Talk).order_by(Talk.position)))[:2]
        for talk in talks:
            talk.contact_email = NOE
    assert rows(app, ConnectRequest) == []

    page = html.unescape(organiser.get(f"/organiser/personal-data?email={NOE}&lang={lang}").text)

    assert re.findall(r"<li>([^<]*)</li>", page.split('id="held-title"')[1].split("</ul>")[0]) == expected


def test_erasing_a_person_keeps_the_reports_counts(app, organiser, edition):
    from pitchday.services import report

    request_from(app, first_talk(app).id, NOE)
    request_from(app, first_talk(app).id, "someone.else@example.org")
    with app.test_request_context(), db.read():
        before = report.edition_report(edition.id).totals.requests

    post_form(organiser, "/organiser/personal-data", {"email": NOE, "action": "erase", "confirm": "yes"},
              page=f"/organiser/personal-data?email={NOE}")

    with app.test_request_context(), db.read():
        found = report.edition_report(edition.id)
    assert (before, found.totals.requests) == (2, 2)
    assert [r.counts.requests for r in found.rows if r.talk.id == first_talk(app).id] == [2]
    assert [r.email for r in rows(app, ConnectRequest)] == ["someone.else@example.org"]  # the person is gone


def test_personal_data_page_refuses_a_malformed_address_and_needs_the_login(client, organiser, edition):
    assert organiser.get("/organiser/personal-data?email=pas-une-adresse").status_code == 400
    assert client.get("/organiser/personal-data").status_code == 302


# -- retention -------------------------------------------------------------------------------------------


def ask_and_vote(app, talk_id: int) -> None:
    from pitchday.domain.events import Ask, Moderate, Vote
    from pitchday.services import questions

    edition_id = first_talk(app).edition_id
    with app.app_context(), db.write():
        asked = questions.ask(edition_id=edition_id, device_id="device-a", address="192.0.2.1",
                              asked=Ask.parse({"client_id": str(uuid.uuid4()), "talk_id": talk_id,
                                               "text": "Et ensuite ?", "author": "Zoé"}))
        questions.moderate(edition_id, Moderate.parse({"question_id": asked["question"]["id"], "action": "approve"}))
        questions.vote(edition_id, device_id="device-b", address="192.0.2.1",
                       voted=Vote.parse({"question_id": asked["question"]["id"]}))


def test_purge_keeps_everything_within_the_retention_period(app, edition):
    request_from(app, first_talk(app).id, "kept@example.org")
    ask_and_vote(app, first_talk(app).id)

    with app.app_context(), db.write():
        erased = privacy.purge(now=datetime.now(timezone.utc) + timedelta(days=29))

    assert not any(erased.values())
    assert len(rows(app, ConnectRequest)) == 1 and len(rows(app, Application)) == 3


def test_purge_after_the_retention_periods_erases_requests_then_applications(app, edition):
    request_from(app, first_talk(app).id, "gone@example.org")
    ask_and_vote(app, first_talk(app).id)
    # The edition is dated 2021 but was just played: retention counts from now.
    now = datetime.now(timezone.utc)

    with app.app_context(), db.write():
        first = privacy.purge(now=now + timedelta(days=31))
    assert first == {"connect_requests": 1, "applications": 0, "votes": 1, "questions_anonymised": 1, "import_drafts": 0}
    assert rows(app, ConnectRequest) == [] and rows(app, QuestionVote) == []
    [question] = rows(app, Question)
    assert (question.text, question.votes, question.author, question.device_id) == ("Et ensuite ?", 1, None, "")
    assert len(rows(app, Application)) == 3
    [kept] = rows(app, ErasedRequestCount)  # the report still counts the request, anonymously
    assert (kept.talk_id, kept.count) == (first_talk(app).id, 1)

    with app.app_context(), db.write():
        second = privacy.purge(now=now + timedelta(days=366))
    assert second["applications"] == 3
    assert rows(app, Application) == []
    assert {t.contact_email for t in rows(app, Talk)} == {None}
    entries = rows(app, AuditEntry, AuditEntry.action == "purge")
    assert [(e.detail["connect_requests"], e.detail["applications"]) for e in sorted(entries, key=lambda e: e.id)] \
        == [(1, 0), (0, 3)]


def test_purge_deletes_import_drafts_older_than_a_day(app, edition):
    with app.app_context():
        with db.write() as session:
            session.add(ImportDraft(edition_id=edition.id, filename="vieux.csv", content="x",
                                    created_at=datetime.now(timezone.utc) - timedelta(days=2)))
            session.add(ImportDraft(edition_id=edition.id, filename="frais.csv", content="x"))
        with db.write():
            erased = privacy.purge()

    assert erased["import_drafts"] == 1
    assert [d.filename for d in rows(app, ImportDraft)] == ["frais.csv"]


def test_purge_command_runs_from_the_shell(tmp_path):
    env = {**os.environ, "PITCHDAY_DATABASE_URL": f"sqlite:///{tmp_path / 'purge.sqlite3'}"}

    result = subprocess.run([str(Path(sys.executable).parent / "pitchday"), "purge"], env=env,
                            capture_output=True, text=True, timeout=300)

    assert result.returncode == 0, result.stderr
    assert "Aucune donnée personnelle échue." in result.stdout
