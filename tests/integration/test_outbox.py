"""The outbox: decisions prepare messages, an organiser sends them once through a real SMTP server on
loopback (aiosmtpd), or downloads them as .eml files; the templates' placeholders are checked.
"""
from __future__ import annotations

import email
import email.policy
import html
import io
import re
import zipfile
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from pitchday.extensions import db
from pitchday.models import Application, MessageTemplate, OutboxMessage
from pitchday.services import outbox
from pitchday.timeutil import PARIS
from tests import factories
from tests.factories import TalkSpec

from .conftest import csrf_token, fresh_edition, post_form
from .test_followup import KeepMessages, free_port, point_smtp_at

pytestmark = pytest.mark.integration

# An evening three weeks from now: speaker links work, no reminder is due yet.
SOON = (datetime.now(timezone.utc) + timedelta(days=21)).astimezone(PARIS).replace(hour=17, minute=0, second=0,
                                                                                    microsecond=0)
CANDIDATES = (
    TalkSpec("Capteurs de poussières citoyens", "solution", "Air Clair SCOP", "Jeanne Fictive, cogérante",
             "jeanne@air-clair.example.org"),
    TalkSpec("Cours d'école respirables", "besoin", "Commune de Ventôse-Essai", "Paul Imaginaire, adjoint",
             "paul@ventose-essai.example.org"),
    TalkSpec("Bus au biogaz : un an après", "retour_experience", "Transports d'Essai", "Ada Supposée, directrice",
             "ada@transports-essai.example.org"),
)


def build(app, *, starts_at: datetime = SOON, languages=("fr", "fr", "fr")) -> tuple:
    """An edition with no talk yet and three applications under review: (edition, [application ids])."""
    edition = fresh_edition(app, talks=(), starts_at=starts_at)
    ids = []
    with app.app_context(), db.write() as session:
        for number, (spec, language) in enumerate(zip(CANDIDATES, languages), start=1):
            application = factories.make_application(edition, spec, f"QA-{number:03d}", status="received")
            application.language = language
            session.add(application)
            session.flush()
            ids.append(application.id)
    return edition, ids


@pytest.fixture()
def world(app, organiser):
    return build(app)


def decide(organiser, edition, application_id: int, decision: str, **extra):
    url = f"/organiser/editions/{edition.id}/applications/{application_id}"
    return post_form(organiser, url, {"decision": decision, **extra})


def stored_messages(app, edition_id: int) -> list[OutboxMessage]:
    with app.app_context(), db.read() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.edition_id == edition_id)
                                    .order_by(OutboxMessage.id)))


def outbox_url(edition) -> str:
    return f"/organiser/editions/{edition.id}/outbox"


def send(organiser, edition, action: str = "send_all", ids=()):
    token = csrf_token(organiser.get(outbox_url(edition)).text)
    return organiser.post(outbox_url(edition) + "/send", data={"action": action, "message": [str(i) for i in ids],
                                                               "csrf_token": token})


@pytest.fixture()
def smtp(app, monkeypatch):
    """A real SMTP server on loopback that keeps what it accepts; ``refuse`` lists refused recipients."""
    from aiosmtpd.controller import Controller

    class Handler(KeepMessages):
        refuse: set = set()

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address in self.refuse:
                return "550 5.1.1 No such user here"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    handler = Handler()
    handler.refuse = set()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    point_smtp_at(app, monkeypatch, controller.port)
    yield handler
    controller.stop()


def received(handler) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(e.content, policy=email.policy.default) for e in handler.envelopes]


# -- deciding prepares --------------------------------------------------------------------------------


def test_outbox_retaining_prepares_one_french_message_with_the_slot_and_link(app, organiser, world):
    edition, ids = world

    assert decide(organiser, edition, ids[0], "retain").status_code == 303

    [message] = stored_messages(app, edition.id)
    assert (message.kind, message.language, message.state, message.attempts) == ("retained", "fr", "prepared", 0)
    assert message.to_email == "jeanne@air-clair.example.org" and message.to_name == "Jeanne Fictive"
    assert message.subject == "Votre intervention est retenue pour le Soirée d'essai n° 1"
    assert message.body.startswith("Bonjour Jeanne,\n\nBonne nouvelle : « Capteurs de poussières citoyens »")
    assert "Votre passage : intervention n° 1, vers " in message.body
    assert "Le format : 5 min de présentation, puis 5 min de questions du public." in message.body
    assert re.search(r"http://localhost/s/[A-Za-z0-9_.\-]+\n", message.body)
    assert "{" not in message.body


def test_outbox_a_changed_decision_rewrites_the_unsent_message_and_reconsidering_drops_it(app, organiser, world):
    edition, ids = world
    decide(organiser, edition, ids[0], "retain")
    [first] = stored_messages(app, edition.id)

    decide(organiser, edition, ids[0], "decline")
    [rewritten] = stored_messages(app, edition.id)
    decide(organiser, edition, ids[0], "reconsider")

    assert (rewritten.id, rewritten.idempotency_key) == (first.id, first.idempotency_key)
    assert rewritten.kind == "declined" and "n'a pas été retenue" in rewritten.body and "/s/" not in rewritten.body
    assert stored_messages(app, edition.id) == []


def test_outbox_an_english_applicant_gets_the_english_template(app, organiser):
    edition, ids = build(app, languages=("en", "fr", "fr"))

    decide(organiser, edition, ids[0], "defer")

    [message] = stored_messages(app, edition.id)
    assert (message.kind, message.language) == ("deferred", "en")
    assert message.subject == "Your application to the Soirée d'essai n° 1: a later edition?"
    assert "Tell us whether you wish to keep it" in message.body and "?lang=en" in message.body


def test_outbox_page_lists_every_message_with_its_state(app, organiser, world):
    edition, ids = world
    decide(organiser, edition, ids[0], "retain")
    decide(organiser, edition, ids[1], "decline")

    page = organiser.get(outbox_url(edition)).text

    assert page.count('data-state="prepared"') == 2
    assert "Jeanne Fictive" in page and "Paul Imaginaire" in page
    assert 'href="/organiser/editions/%d/outbox"' % edition.id in page  # the section's tab


# -- sending, exactly once ---------------------------------------------------------------------------


def test_outbox_send_all_delivers_each_message_once_and_again_sends_nothing(app, organiser, world, smtp):
    edition, ids = world
    for application_id in ids:
        decide(organiser, edition, application_id, "retain")

    first = send(organiser, edition)
    again = send(organiser, edition)

    assert first.status_code == 303 and again.status_code == 303
    mails = received(smtp)
    assert sorted(m["To"].addresses[0].addr_spec for m in mails) == sorted(s.email for s in CANDIDATES)
    keys = {m.idempotency_key for m in stored_messages(app, edition.id)}
    assert {m["Message-ID"] for m in mails} == {f"<{key}@mel.example.org>" for key in keys}
    assert [(m.state, m.attempts) for m in stored_messages(app, edition.id)] == [("sent", 1)] * 3


def test_outbox_a_refused_recipient_is_bounced_with_the_reason_and_others_still_go(app, organiser, world, smtp):
    edition, ids = world
    for application_id in ids[:2]:
        decide(organiser, edition, application_id, "retain")
    smtp.refuse = {"jeanne@air-clair.example.org"}

    send(organiser, edition)

    bounced, sent = stored_messages(app, edition.id)
    assert bounced.state == "bounced"
    assert bounced.reason == f"Envoi impossible : le serveur SMTP 127.0.0.1:{app.config['PITCHDAY_SMTP_PORT']} a refusé les destinataires."
    assert sent.state == "sent"
    assert [m["To"].addresses[0].addr_spec for m in received(smtp)] == ["paul@ventose-essai.example.org"]
    page = organiser.get(outbox_url(edition)).text
    assert "adresse refusée" in page and html.escape(bounced.reason) in page


def test_outbox_server_down_then_back_sends_each_failed_message_exactly_once(app, organiser, world, monkeypatch):
    edition, ids = world
    for application_id in ids:
        decide(organiser, edition, application_id, "retain")
    port = free_port()
    point_smtp_at(app, monkeypatch, port)  # nothing listens there yet

    send(organiser, edition)
    states_while_down = [m.state for m in stored_messages(app, edition.id)]
    from aiosmtpd.controller import Controller

    handler = KeepMessages()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        send(organiser, edition)
        send(organiser, edition)
    finally:
        controller.stop()

    assert states_while_down == ["failed"] * 3
    assert sorted(e.rcpt_tos[0] for e in handler.envelopes) == sorted(s.email for s in CANDIDATES)
    assert [(m.state, m.attempts) for m in stored_messages(app, edition.id)] == [("sent", 2)] * 3


def test_outbox_a_message_left_sending_by_a_restart_is_never_resent_until_a_person_says(app, organiser, world, smtp):
    edition, ids = world
    for application_id in ids[:2]:
        decide(organiser, edition, application_id, "retain")
    interrupted, other = stored_messages(app, edition.id)
    with app.app_context(), db.write():  # the process claimed it ten minutes ago, then died before its SMTP call ended
        assert outbox.claim(edition.id, interrupted.id, now=datetime.now(timezone.utc) - timedelta(minutes=10))

    send(organiser, edition)
    page = organiser.get(outbox_url(edition) + f"/{interrupted.id}").text
    post_form(organiser, outbox_url(edition) + f"/{interrupted.id}", {"action": "resolve_unsent"})
    send(organiser, edition)

    assert 'id="message-state">à vérifier</span>' in page and "Il n'est pas parti : le remettre à envoyer" in page
    assert [e.rcpt_tos[0] for e in smtp.envelopes] == [CANDIDATES[1].email, CANDIDATES[0].email]
    assert [m.state for m in stored_messages(app, edition.id)] == ["sent", "sent"]


def test_outbox_a_message_being_sent_shows_in_progress_and_cannot_be_put_back(app, organiser, world):
    edition, ids = world
    decide(organiser, edition, ids[0], "retain")
    [message] = stored_messages(app, edition.id)
    with app.app_context(), db.write():  # another tab is sending it right now
        assert outbox.claim(edition.id, message.id) is not None

    page = organiser.get(outbox_url(edition) + f"/{message.id}").text
    response = post_form(organiser, outbox_url(edition) + f"/{message.id}", {"action": "resolve_unsent"})

    assert 'id="message-state">envoi en cours</span>' in page and 'id="to-check"' not in page
    assert response.status_code == 409
    assert stored_messages(app, edition.id)[0].state == "sending"


def test_outbox_a_claim_is_won_once(app, world, organiser):
    edition, ids = world
    decide(organiser, edition, ids[0], "retain")
    [message] = stored_messages(app, edition.id)

    with app.app_context():
        with db.write():
            first = outbox.claim(edition.id, message.id)
        with db.write():
            second = outbox.claim(edition.id, message.id)

    assert first is not None and second is None


def test_outbox_a_sent_message_cannot_be_edited_or_dropped(app, organiser, world, smtp):
    edition, ids = world
    decide(organiser, edition, ids[0], "retain")
    send(organiser, edition)
    [message] = stored_messages(app, edition.id)

    response = post_form(organiser, outbox_url(edition) + f"/{message.id}", {"action": "drop"})

    assert response.status_code == 409
    assert stored_messages(app, edition.id)[0].state == "sent"


def test_outbox_edit_then_drop_a_prepared_message(app, organiser, world):
    edition, ids = world
    decide(organiser, edition, ids[0], "retain")
    [message] = stored_messages(app, edition.id)
    url = outbox_url(edition) + f"/{message.id}"

    too_long = post_form(organiser, url, {"action": "save", "subject": "x" * 201, "body": "Bonjour"})
    saved = post_form(organiser, url, {"action": "save", "subject": "Bonne nouvelle", "body": "Bonjour Jeanne,\n\nÀ jeudi."})
    [edited] = stored_messages(app, edition.id)
    dropped = post_form(organiser, url, {"action": "drop"})

    assert too_long.status_code == 400 and "200 caractères au plus." in too_long.text
    assert saved.status_code == 303 and (edited.subject, edited.body) == ("Bonne nouvelle", "Bonjour Jeanne,\n\nÀ jeudi.")
    assert dropped.status_code == 303 and stored_messages(app, edition.id) == []


def test_outbox_without_smtp_gives_the_messages_as_eml_files_in_a_zip(app, organiser, world, monkeypatch):
    monkeypatch.setitem(app.config, "PITCHDAY_SMTP_HOST", None)
    edition, ids = world
    decide(organiser, edition, ids[0], "retain")
    decide(organiser, edition, ids[1], "decline")

    response = send(organiser, edition, "zip_all")

    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = sorted(archive.namelist())
    assert len(names) == 2 and names[0].endswith("-retained.eml") and names[1].endswith("-declined.eml")
    parsed = [email.message_from_bytes(archive.read(n), policy=email.policy.default) for n in names]
    assert [m["To"].addresses[0].addr_spec for m in parsed] == [CANDIDATES[0].email, CANDIDATES[1].email]
    assert all(m["X-Unsent"] == "1" for m in parsed)
    assert [m.state for m in stored_messages(app, edition.id)] == ["prepared", "prepared"]


def test_outbox_send_without_smtp_refuses_and_keeps_the_messages(app, organiser, world, monkeypatch):
    monkeypatch.setitem(app.config, "PITCHDAY_SMTP_HOST", None)
    edition, ids = world
    decide(organiser, edition, ids[0], "retain")

    response = send(organiser, edition)

    assert response.status_code == 303
    assert "aucun serveur d&#39;envoi n&#39;est configuré" in organiser.get(outbox_url(edition)).text
    assert stored_messages(app, edition.id)[0].state == "prepared"


# -- templates --------------------------------------------------------------------------------------


def template_url(edition, kind="retained", language="fr") -> str:
    return f"/organiser/editions/{edition.id}/outbox/templates/{kind}/{language}"


def test_outbox_template_with_an_unknown_placeholder_is_refused_and_not_saved(app, organiser, world):
    edition, ids = world

    response = post_form(organiser, template_url(edition), {"subject": "Retenu !", "body": "Bonjour {prénom}, {lien}"})

    assert response.status_code == 400
    assert "Champ inconnu : {prénom}. Utilisez l&#39;un des champs de la liste." in response.text
    assert 'id="body" name="body"' in response.text and "Bonjour {prénom}, {lien}</textarea>" in response.text
    with app.app_context(), db.read() as session:
        assert session.scalars(select(MessageTemplate)).all() == []


def test_outbox_template_without_the_link_is_refused(app, organiser, world):
    edition, ids = world

    response = post_form(organiser, template_url(edition), {"subject": "Retenu", "body": "Bonjour {prenom}"})

    assert response.status_code == 400
    assert "Il manque {lien} : sans lui, le destinataire ne peut pas répondre." in response.text


def test_outbox_saved_template_is_used_by_the_next_decision(app, organiser, world):
    edition, ids = world

    saved = post_form(organiser, template_url(edition), {
        "subject": "{titre} : c'est oui", "body": "Bonjour {prenom},\nvotre lien : {lien}\n{{accolades}}"})
    decide(organiser, edition, ids[0], "retain")

    assert saved.status_code == 303
    [message] = stored_messages(app, edition.id)
    assert message.subject == "Capteurs de poussières citoyens : c'est oui"
    assert message.body.startswith("Bonjour Jeanne,\nvotre lien : http://localhost/s/")
    assert message.body.endswith("\n{accolades}")


# -- reminders ------------------------------------------------------------------------------------


def test_outbox_proposes_a_reminder_only_when_confirmation_is_late_and_never_sends_it_alone(app, organiser, smtp):
    edition, ids = build(app, starts_at=datetime.now(timezone.utc) + timedelta(days=2))
    decide(organiser, edition, ids[0], "retain")
    decide(organiser, edition, ids[1], "retain")
    before_sending = organiser.get(outbox_url(edition)).text
    send(organiser, edition)
    page = organiser.get(outbox_url(edition)).text

    response = post_form(organiser, outbox_url(edition) + "/reminders", {}, page=outbox_url(edition))
    after = organiser.get(outbox_url(edition)).text

    assert 'id="reminders"' not in before_sending  # not told yet: nothing to remind
    assert "2 intervenants n'ont pas encore confirmé leur venue." in page
    assert response.status_code == 303
    reminders = [m for m in stored_messages(app, edition.id) if m.kind == "reminder"]
    assert [(m.state, m.subject) for m in reminders] == [
        ("prepared", "Rappel : confirmez votre venue au Soirée d'essai n° 1")] * 2
    assert len(smtp.envelopes) == 2  # the decisions only: the reminders wait for a click
    assert 'id="reminders"' not in after


def test_outbox_decision_messages_are_erased_with_the_person(app, organiser, world):
    edition, ids = world
    decide(organiser, edition, ids[0], "retain")
    from pitchday.services import privacy

    with app.app_context(), db.write():
        privacy.erase("jeanne@air-clair.example.org")

    assert stored_messages(app, edition.id) == []
    with app.app_context(), db.read() as session:
        assert session.get(Application, ids[0]) is None


def test_outbox_messages_and_answers_are_in_the_persons_export(app, organiser, world):
    edition, ids = world
    decide(organiser, edition, ids[0], "retain")
    from pitchday.services import privacy

    with app.app_context(), db.write():
        exported = privacy.export_for("jeanne@air-clair.example.org")

    # The export's keys (docs/personal-data-export.md), labels instead of codes.
    assert [(m["type"], m["email"], m["etat"]) for m in exported["messages"]] == [
        ("Retenue", "jeanne@air-clair.example.org", "préparé")]
    assert exported["reponses_intervenant"] == []


def test_outbox_deferring_into_a_later_edition_tells_from_this_outbox_and_the_link_opens(app, organiser, world):
    edition, ids = world
    with app.app_context():
        later = factories.make_edition(slug="soiree-suivante", number=2, talks=(), starts_at=SOON + timedelta(days=60))

    decide(organiser, edition, ids[0], "defer", target=str(later.id))

    [message] = stored_messages(app, edition.id)
    assert (message.kind, message.state) == ("deferred", "prepared")
    path = re.search(r"http://localhost(/s/\S+)", message.body).group(1)
    page = organiser.get(path)
    assert page.status_code == 200 and "Je maintiens ma candidature" in page.text


def test_outbox_the_application_forms_language_is_the_messages_language(app, organiser):
    from .test_apply_form import new_edition, reverse_pitch

    fresh_edition(app, talks=())
    new_edition(app, number=12, day="2099-03-19", deadline_day="2099-03-09")  # its form opens at /e/jdn12/
    english, french = app.test_client(), app.test_client()

    post_form(english, "/e/jdn12/candidater?lang=en", reverse_pitch(referent_email="en@example.org"))
    post_form(french, "/e/jdn12/candidater", reverse_pitch(referent_email="fr@example.org"))

    with app.app_context(), db.read() as session:
        languages = dict(session.execute(select(Application.referent_email, Application.language)).all())
    assert languages == {"en@example.org": "en", "fr@example.org": "fr"}
