"""After the evening: each speaker's digest through the outbox (published questions, consenting contacts,
in the speaker's language, prepared once, sent once through a real SMTP server on loopback), and the
exports for other tools (the talks' CSV, the frab / pretalx schedule JSON checked against its schema).
"""
from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime, timedelta, timezone

import jsonschema
import pytest
from sqlalchemy import select

from pitchday.extensions import db
from pitchday.models import AuditEntry, ConnectRequest, OutboxMessage, Question, Talk
from pitchday.services import outbox, privacy
from pitchday.services import show as show_service
from pitchday.timeutil import PARIS
from tests import factories
from tests.factories import EVENING, ItemSpec, TalkSpec

from .conftest import csrf_token, fresh_edition, post_form
from .test_outbox import received, smtp  # noqa: F401  (the loopback SMTP server fixture)

pytestmark = pytest.mark.integration

SPEAKERS = (
    TalkSpec("Lampadaires bavards", "solution", "Lueur Urbaine SCOP", "Noé Fictif, gérant", "noe@lueur-urbaine.example.org"),
    TalkSpec("Cantines sans plastique", "besoin", "Commune de Bourg-Essai", "Maëlle Inventée, adjointe",
             "maelle@bourg-essai.example.org"),
    TalkSpec("Retour du terrain : la navette", "retour_experience", '=HYPERLINK("http://piege.example","clic")',
             "Sacha Supposé", "sacha@navette-essai.example.org"),
    TalkSpec("Capteurs sans adresse", "solution", "Structure Muette", "Lou Anonyme"),
)
RUNDOWN = (ItemSpec("Accueil café", "welcome", 15), *SPEAKERS, ItemSpec("Cocktail", "networking", 45))
ALEX, BEA, CHRIS = "alex@fictiveville.example.org", "bea@essai-bis.example.org", "chris@ferme.example.org"
SOON = (datetime.now(timezone.utc) + timedelta(days=21)).astimezone(PARIS).replace(hour=17, minute=0, second=0,
                                                                                    microsecond=0)


def build(app, *, starts_at: datetime = EVENING):
    """Talks 1 and 2 come from applications (the second in English), talk 3 was added on the programme
    page with a contact address, talk 4 has no address; a welcome before and a cocktail after."""
    edition = fresh_edition(app, talks=RUNDOWN, starts_at=starts_at)
    with app.app_context(), db.write() as session:
        talks = list(session.scalars(select(Talk).where(Talk.edition_id == edition.id, Talk.item_kind == "talk")
                                     .order_by(Talk.position)))
        for number, (talk, spec) in enumerate(zip(talks[:2], SPEAKERS), start=1):
            application = factories.make_application(edition, spec, f"DIG-{number:03d}")
            application.language = "en" if number == 2 else "fr"
            session.add(application)
            session.flush()
            talk.application_id, talk.contact_email = application.id, spec.email
        talks[2].contact_email = SPEAKERS[2].email
        talks[2].summary = "@SUM(1+1) un an de navette"
        ids = [t.id for t in talks]
    return edition, ids


def add_question(app, edition_id, talk_id, text, *, status, votes):
    with app.app_context(), db.write() as session:
        session.add(Question(edition_id=edition_id, talk_id=talk_id, client_id=str(uuid.uuid4()), device_id="d" * 16,
                             text=text, status=status, votes=votes))


def add_request(app, edition_id, talk_id, name, email, *, status="new", intent="want_to_experiment", **extra):
    with app.app_context(), db.write() as session:
        session.add(ConnectRequest(edition_id=edition_id, talk_id=talk_id, client_id=str(uuid.uuid4()),
                                   device_id="d" * 16, name=name, organisation=extra.pop("organisation", "Fictiveville"),
                                   email=email, intent=intent, consent_text="J'accepte que mes coordonnées…",
                                   consented_at=EVENING, status=status, **extra))


@pytest.fixture()
def world(app):
    edition, talk_ids = build(app)
    add_question(app, edition.id, talk_ids[0], "Quelle autonomie en hiver ?", status="published", votes=2)
    add_question(app, edition.id, talk_ids[0], "Combien coûte un lampadaire ?", status="answered", votes=7)
    add_question(app, edition.id, talk_ids[0], "Question en attente", status="pending", votes=0)
    add_question(app, edition.id, talk_ids[0], "Question écartée", status="rejected", votes=9)
    add_request(app, edition.id, talk_ids[0], "Alex Testeur", ALEX, phone="01 99 00 20 02",
                message="Nous avons une rue\nà équiper.")
    add_request(app, edition.id, talk_ids[0], "Béa Essai", BEA, status="introduced", intent="learn_more")
    add_request(app, edition.id, talk_ids[0], "Chris Fermé", CHRIS, status="no_follow_up")
    return edition, talk_ids


@pytest.fixture()
def organiser(app, world):
    from .conftest import signed_in

    return signed_in(app)


def outbox_url(edition) -> str:
    return f"/organiser/editions/{edition.id}/outbox"


def prepare(organiser, edition, **extra):
    return post_form(organiser, outbox_url(edition) + "/digests", extra, page=outbox_url(edition))


def digests(app, edition_id) -> list[OutboxMessage]:
    with app.app_context(), db.read() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.edition_id == edition_id,
                                                                OutboxMessage.kind == "digest")
                                    .order_by(OutboxMessage.id)))


def send_all(organiser, edition):
    token = csrf_token(organiser.get(outbox_url(edition)).text)
    return organiser.post(outbox_url(edition) + "/send", data={"action": "send_all", "csrf_token": token})


# -- what a digest holds -------------------------------------------------------------------------------


def test_digest_holds_the_published_questions_and_the_consenting_contacts(app, world, organiser):
    edition, talk_ids = world

    response = prepare(organiser, edition)

    assert response.status_code == 303 and response.headers["Location"].endswith("/outbox#digests")
    found = digests(app, edition.id)
    assert [(m.talk_id, m.to_email, m.state) for m in found] == [
        (talk_ids[0], SPEAKERS[0].email, "prepared"), (talk_ids[1], SPEAKERS[1].email, "prepared"),
        (talk_ids[2], SPEAKERS[2].email, "prepared")]
    body = found[0].body
    assert found[0].subject == "Votre bilan du Soirée d'essai n° 1 : questions du public et contacts"
    assert body.startswith("Bonjour Noé,\n\nMerci encore pour « Lampadaires bavards » au Soirée d'essai n° 1, "
                           "le jeudi 11 mars 2021, Salle des Essais, 1 rue Fictive, Lille.")
    assert ("Les questions que le public vous a posées :\n"
            "- « Combien coûte un lampadaire ? » (7 votes, répondue sur scène)\n"
            "- « Quelle autonomie en hiver ? » (2 votes, pas traitée sur scène)\n\n") in body
    assert ("- Alex Testeur (Fictiveville)\n  E-mail : alex@fictiveville.example.org\n  Téléphone : 01 99 00 20 02\n"
            "  Sa demande : « Je souhaite expérimenter »\n  Son message : « Nous avons une rue à équiper. »\n"
            "- Béa Essai (Fictiveville)\n  E-mail : bea@essai-bis.example.org\n"
            "  Sa demande : « Je veux en savoir plus »\n\n") in body
    assert "en attente" not in body and "écartée" not in body
    assert CHRIS not in body and "Chris" not in body


def test_digest_is_written_in_the_speakers_language(app, world, organiser):
    edition, talk_ids = world

    prepare(organiser, edition)

    english = digests(app, edition.id)[1]
    assert (english.language, english.to_name) == ("en", "Maëlle Inventée")
    assert english.subject == "Your summary of the Soirée d'essai n° 1: audience questions and contacts"
    assert english.body.startswith("Hello Maëlle,\n\nThank you again for \"Cantines sans plastique\" at the "
                                   "Soirée d'essai n° 1, on Thursday 11 March 2021, ")
    assert "The questions the audience asked you:\nNo audience question was published for your talk.\n" in english.body
    assert ":\nNobody asked to talk with you during the evening.\n" in english.body


def test_digest_of_a_talk_added_without_application_goes_to_its_contact(app, world, organiser):
    edition, talk_ids = world

    prepare(organiser, edition)
    page = organiser.get(outbox_url(edition)).text

    third = digests(app, edition.id)[2]
    assert (third.application_id, third.talk_id, third.language) == (None, talk_ids[2], "fr")
    assert third.body.startswith("Bonjour Sacha,\n\nMerci encore pour « Retour du terrain : la navette »")
    assert 'id="digests-without-contact">1 intervention sans adresse de contact : pas de bilan. Capteurs sans adresse' in page
    assert f'id="digest-talk-{talk_ids[3]}"' not in page and f'id="digest-talk-{talk_ids[2]}"' in page


# -- prepared once, sent once ----------------------------------------------------------------------------


def test_digests_are_prepared_once_rewritten_until_sent_and_sent_exactly_once(app, world, organiser, smtp):  # noqa: F811
    edition, talk_ids = world
    prepare(organiser, edition)
    first = [(m.id, m.idempotency_key) for m in digests(app, edition.id)]
    add_question(app, edition.id, talk_ids[1], "Quels fournisseurs locaux ?", status="published", votes=1)

    prepare(organiser, edition)  # before sending: the same messages, written again
    rewritten = digests(app, edition.id)
    assert [(m.id, m.idempotency_key) for m in rewritten] == first
    assert "- \u201cQuels fournisseurs locaux ?\u201d (1 vote, not taken on stage)" in rewritten[1].body

    assert send_all(organiser, edition).status_code == 303
    assert sorted(e.rcpt_tos[0] for e in smtp.envelopes) == sorted(s.email for s in SPEAKERS[:3])
    mails = received(smtp)
    assert {m["Message-ID"] for m in mails} == {f"<{key}@mel.example.org>" for _id, key in first}
    noe = next(m for m in mails if m["To"].addresses[0].addr_spec == SPEAKERS[0].email)
    assert "alex@fictiveville.example.org" in noe.get_content() and CHRIS not in noe.get_content()

    response = prepare(organiser, edition)  # sent: not prepared again
    page = organiser.get(response.headers["Location"]).text
    assert "0 bilan préparé : relisez-le puis envoyez-le. 3 déjà envoyés, non préparés à nouveau." in page
    assert [m.state for m in digests(app, edition.id)] == ["sent"] * 3
    send_all(organiser, edition)
    assert len(smtp.envelopes) == 3

    prepare(organiser, edition, again="yes")  # asked again: one new message each
    again = digests(app, edition.id)
    assert [m.state for m in again] == ["sent"] * 3 + ["prepared"] * 3
    assert [m.talk_id for m in again[3:]] == talk_ids[:3]
    send_all(organiser, edition)
    send_all(organiser, edition)
    assert len(smtp.envelopes) == 6
    assert len({m["Message-ID"] for m in received(smtp)}) == 6


def test_a_talk_that_lost_its_address_keeps_no_unsent_digest(app, world, organiser):
    edition, talk_ids = world
    prepare(organiser, edition)
    with app.app_context(), db.write() as session:
        session.get(Talk, talk_ids[2]).contact_email = None

    prepare(organiser, edition)

    assert [m.talk_id for m in digests(app, edition.id)] == talk_ids[:2]


def test_two_organisers_preparing_at_the_same_moment_make_one_digest_per_talk(app, world, organiser):
    """The second click waits for the first one's unit of work, then finds its digests and rewrites them."""
    import threading

    edition, talk_ids = world
    token = csrf_token(organiser.get(outbox_url(edition)).text)
    answer = {}
    with app.app_context():
        with db.write():
            outbox.prepare_digests(edition.id, intent_labels={})
            worker = threading.Thread(target=lambda: answer.update(response=organiser.post(
                outbox_url(edition) + "/digests", data={"csrf_token": token})))
            worker.start()
            worker.join(1.0)
            waiting = worker.is_alive()
        worker.join(30)

    assert waiting and answer["response"].status_code == 303
    assert [m.talk_id for m in digests(app, edition.id)] == talk_ids[:3]


def test_no_digest_before_the_evening_is_over(app):
    from .conftest import signed_in

    edition, talk_ids = build(app, starts_at=SOON)
    http = signed_in(app)

    page = http.get(outbox_url(edition)).text
    response = prepare(http, edition)

    assert 'id="digests-later"' in page and 'id="prepare-digests"' not in page
    assert response.status_code == 303
    assert "Les bilans se préparent après la soirée" in http.get(response.headers["Location"]).text
    assert digests(app, edition.id) == []
    with app.app_context(), db.write(), pytest.raises(outbox.DigestNotOpen):
        outbox.prepare_digests(edition.id, intent_labels={})


def test_digests_open_once_the_show_reached_its_end_before_its_planned_end(app):
    edition, talk_ids = build(app, starts_at=SOON)
    with app.app_context(), db.write():
        assert show_service.run_internal(edition.id, "networking", {})
        assert outbox.digests_open(edition.id) is False
        assert show_service.run_internal(edition.id, "end", {})

    with app.app_context(), db.write():
        done = outbox.prepare_digests(edition.id, intent_labels={})

    assert (done.prepared, done.rewritten, done.skipped) == (3, 0, 0)


# -- its template ----------------------------------------------------------------------------------------


def test_digest_template_is_checked_then_used(app, world, organiser):
    edition, talk_ids = world
    url = f"/organiser/editions/{edition.id}/outbox/templates/digest/fr"

    refused = post_form(organiser, url, {"subject": "Bilan {titre}", "body": "Bonjour {prenom}\n{questions}"})
    accepted = post_form(organiser, url, {"subject": "Votre bilan, {prenom}",
                                          "body": "Questions :\n{questions}\nContacts :\n{contacts}\n{{fin}}"})
    prepare(organiser, edition)

    assert refused.status_code == 400
    assert "Il manque {contacts} : c&#39;est le contenu du bilan." in refused.text
    assert "Bonjour {prenom}" in refused.text  # what was typed is kept
    assert "{questions}" in organiser.get(url).text and "{contacts}" in organiser.get(url).text
    assert accepted.status_code == 303
    first = digests(app, edition.id)[0]
    assert first.subject == "Votre bilan, Noé"
    assert first.body.startswith("Questions :\n- « Combien coûte un lampadaire ? »") and first.body.endswith("\n{fin}")
    assert digests(app, edition.id)[1].subject.startswith("Your summary")  # the English one kept its default


def test_a_decision_template_refuses_the_digest_placeholders(app, world, organiser):
    edition, talk_ids = world
    url = f"/organiser/editions/{edition.id}/outbox/templates/retained/fr"

    response = post_form(organiser, url, {"subject": "Retenu", "body": "{lien} {questions}"})

    assert response.status_code == 400 and "Champ inconnu : {questions}." in response.text


# -- personal data ---------------------------------------------------------------------------------------


def test_digest_is_in_the_speakers_export_and_erased_with_a_listed_contact_or_its_recipient(app, world, organiser):
    edition, talk_ids = world
    prepare(organiser, edition)

    with app.app_context(), db.write():
        exported = privacy.export_for(SPEAKERS[2].email)  # a talk without application: found by its recipient
        noe = privacy.export_for(SPEAKERS[0].email)
        counts = privacy.erase(ALEX)
    assert [m["type"] for m in exported["messages"]] == ["Bilan intervenant"]
    assert [m["type"] for m in noe["messages"]] == ["Bilan intervenant"]
    assert counts == {"connect_requests": 1, "applications": 0, "talk_contacts": 0, "digests": 1}
    assert [m.talk_id for m in digests(app, edition.id)] == talk_ids[1:3]

    with app.app_context(), db.write():
        privacy.erase(SPEAKERS[2].email)
    assert [m.talk_id for m in digests(app, edition.id)] == [talk_ids[1]]


def test_digests_are_purged_with_the_connect_requests_they_copy(app, world, organiser):
    edition, talk_ids = world
    prepare(organiser, edition)

    with app.app_context(), db.write():
        # Counted from the last change of the run of show (the factory set it up just now: a replay).
        totals = privacy.purge(now=datetime.now(timezone.utc) + timedelta(days=edition.connect_retention_days, hours=1))

    assert totals["digests"] == 3 and totals["connect_requests"] == 3
    assert digests(app, edition.id) == []


# -- exports for other tools -----------------------------------------------------------------------------


def test_talks_csv_lists_the_talks_and_their_speakers_formula_safe(app, world, organiser):
    edition, talk_ids = world

    response = organiser.get(f"/organiser/editions/{edition.id}/talks.csv")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="interventions-soiree-essai.csv"'
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["ordre", "date", "début prévu", "durée", "type", "titre", "structure", "intervenant", "résumé",
                       "e-mail de contact", "langue", "référence de la candidature"]
    assert [r[:5] for r in rows[1:]] == [["2", "2021-03-11", "17:40", "00:10", "Pitch projet"],
                                         ["3", "2021-03-11", "17:51", "00:10", "Pitch inversé"],
                                         ["4", "2021-03-11", "18:02", "00:10", "Retour d'expérience"],
                                         ["5", "2021-03-11", "18:13", "00:10", "Pitch projet"]]
    assert rows[1][5:] == ["Lampadaires bavards", "Lueur Urbaine SCOP", "Noé Fictif, gérant",
                           "Résumé de « Lampadaires bavards ».", SPEAKERS[0].email, "fr", "DIG-001"]
    assert rows[2][9:] == [SPEAKERS[1].email, "en", "DIG-002"]
    assert rows[3][6] == "'" + SPEAKERS[2].organisation and rows[3][8] == "'@SUM(1+1) un an de navette"
    assert rows[3][9:] == [SPEAKERS[2].email, "fr", ""] and rows[4][9:] == ["", "fr", ""]
    with app.app_context(), db.read() as session:
        assert session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)) == "talks_export_csv"


# The frab / pretalx schedule JSON as Giggity, EventFahrplan and voctosched read it: voc/schedule's
# validator/json/schema.json, written again here field by field. One difference, on purpose: that schema
# says an event's "start" is a date-time, but frab and pretalx write "HH:MM" (the date is in "date"),
# and the readers parse that; "start" is checked as "HH:MM" here.
DURATION = {"type": "string", "pattern": r"^[0-9]+:[0-9]{2}$"}
NULLABLE_TEXT = {"type": ["string", "null"]}
FRAB_SCHEDULE = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "additionalProperties": False,
    "required": ["schedule"],
    "properties": {
        "$schema": {"type": "string"},
        "generator": {"type": "object", "properties": {"name": {"type": "string"}, "version": {"type": "string"}}},
        "schedule": {
            "type": "object",
            "required": ["version", "conference"],
            "properties": {
                "version": {"type": "string", "minLength": 1},
                "base_url": {"type": "string", "format": "uri"},
                "conference": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["title", "acronym", "days", "daysCount", "start", "end", "timeslot_duration"],
                    "properties": {
                        "acronym": {"type": "string", "pattern": r"^[a-z0-9_-][a-z0-9_]{3,}(-2[0-9]{3}-[a-z]+)?$"},
                        "title": {"type": "string"},
                        "description": {"type": "string"},
                        "start": {"type": "string", "format": "date"},
                        "end": {"type": "string", "format": "date"},
                        "daysCount": {"type": "integer"},
                        "timeslot_duration": DURATION,
                        "time_zone_name": {"type": "string", "pattern": r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$"},
                        "url": {"type": "string", "format": "uri"},
                        "tracks": {"type": "array", "items": {"type": "object", "properties": {
                            "name": {"type": "string"}}, "required": ["name"]}},
                        "rooms": {"type": "array", "items": {
                            "type": "object", "additionalProperties": False, "required": ["guid", "name"],
                            "properties": {"name": {"type": "string"}, "guid": {"type": "string", "format": "uuid"}}}},
                        "days": {"type": "array", "minItems": 1, "items": {
                            "type": "object", "additionalProperties": False,
                            "required": ["date", "day_end", "day_start", "index", "rooms"],
                            "properties": {
                                "index": {"type": "integer"},
                                "date": {"type": "string", "format": "date"},
                                "day_start": {"type": "string", "format": "date-time"},
                                "day_end": {"type": "string", "format": "date-time"},
                                "rooms": {"type": "object", "additionalProperties": {
                                    "type": "array", "items": {"$ref": "#/definitions/Event"}}},
                            }}},
                    },
                },
            },
        },
    },
    "definitions": {
        "Event": {
            "type": "object",
            "additionalProperties": False,
            "required": ["abstract", "date", "duration", "guid", "id", "language", "links", "persons", "room", "slug",
                         "start", "subtitle", "title", "track", "type", "url"],
            "properties": {
                "id": {"type": "integer", "minimum": 1},
                "guid": {"type": "string", "format": "uuid"},
                "date": {"type": "string", "format": "date-time"},
                "start": {"type": "string", "pattern": r"^[0-2][0-9]:[0-5][0-9]$"},
                "duration": DURATION,
                "room": {"type": "string"},
                "slug": {"type": "string", "pattern": r"^[a-z0-9_-]+[a-z0-9]$"},
                "url": {"type": "string", "format": "uri"},
                "title": {"type": "string"},
                "subtitle": NULLABLE_TEXT,
                "track": NULLABLE_TEXT,
                "type": {"type": "string"},
                "language": {"type": "string", "pattern": "^[a-z]{2}$"},
                "abstract": NULLABLE_TEXT,
                "description": NULLABLE_TEXT,
                "persons": {"type": "array", "items": {
                    "type": "object",
                    # frab's {id, public_name} or pretalx's {name}: exactly one of the two shapes
                    "oneOf": [{"required": ["public_name", "id"]}, {"required": ["name"]}],
                    "properties": {"id": {"type": "integer"}, "public_name": {"type": "string"},
                                   "name": {"type": "string"}, "guid": {"type": "string", "format": "uuid"}}}},
                "links": {"type": "array"},
                "attachments": {"type": "array"},
            },
        },
    },
}


def test_schedule_json_has_the_frab_structure_field_by_field(app, world, client):
    edition, talk_ids = world

    response = client.get("/e/soiree-essai/schedule.json")

    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    data = response.get_json()
    checker = jsonschema.Draft7Validator(FRAB_SCHEDULE, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    assert [e.message for e in checker.iter_errors(data)] == []
    conference = data["schedule"]["conference"]
    assert {key: conference[key] for key in ("acronym", "title", "start", "end", "daysCount", "time_zone_name")} == {
        "acronym": "soiree_essai", "title": "Soirée d'essai n° 1", "start": "2021-03-11", "end": "2021-03-11",
        "daysCount": 1, "time_zone_name": "Europe/Paris"}
    assert conference["url"] == "http://localhost/e/soiree-essai/programme"
    assert conference["tracks"] == [{"name": "Pitch projet"}, {"name": "Pitch inversé"}, {"name": "Retour d'expérience"}]
    [day] = conference["days"]
    assert (day["day_start"], day["day_end"]) == ("2021-03-11T17:00:00+01:00", "2021-03-11T20:00:00+01:00")
    events = day["rooms"]["Salle des Essais"]
    assert [(e["start"], e["duration"], e["type"], e["track"], e["title"]) for e in events] == [
        ("17:25", "00:15", "welcome", None, "Accueil café"),
        ("17:40", "00:10", "talk", "Pitch projet", "Lampadaires bavards"),
        ("17:51", "00:10", "talk", "Pitch inversé", "Cantines sans plastique"),
        ("18:02", "00:10", "talk", "Retour d'expérience", "Retour du terrain : la navette"),
        ("18:13", "00:10", "talk", "Pitch projet", "Capteurs sans adresse"),
        ("18:23", "00:45", "networking", None, "Cocktail")]
    first = events[1]
    assert first["id"] == talk_ids[0] and first["date"] == "2021-03-11T17:40:00+01:00"
    assert first["url"] == f"http://localhost/e/soiree-essai/programme#talk-{talk_ids[0]}"
    assert first["slug"] == f"soiree_essai-{talk_ids[0]}-lampadaires-bavards"
    assert (first["subtitle"], first["abstract"], first["language"]) == (
        "Lueur Urbaine SCOP", "Résumé de « Lampadaires bavards ».", "fr")
    assert [(p["public_name"], p["name"]) for p in first["persons"]] == [("Noé Fictif", "Noé Fictif")]
    assert events[2]["language"] == "en" and events[0]["persons"] == []
    assert len({e["guid"] for e in events}) == 6
    # No personal data: the programme page's texts only.
    assert "@" not in response.get_data(as_text=True).replace("@SUM", "")


def test_schedule_json_guids_and_version_are_stable_and_the_version_follows_the_programme(app, world, client):
    edition, talk_ids = world
    before = client.get("/e/soiree-essai/schedule.json").get_json()
    again = client.get("/e/soiree-essai/schedule.json").get_json()
    with app.app_context(), db.write() as session:
        session.get(Talk, talk_ids[0]).title = "Lampadaires très bavards"

    after = client.get("/e/soiree-essai/schedule.json").get_json()

    assert again == before
    events = lambda data: data["schedule"]["conference"]["days"][0]["rooms"]["Salle des Essais"]  # noqa: E731
    assert [e["guid"] for e in events(after)] == [e["guid"] for e in events(before)]
    assert after["schedule"]["version"] != before["schedule"]["version"]


def test_programme_pages_and_the_api_link_the_exports(app, world, organiser, client):
    edition, talk_ids = world

    programme = organiser.get(f"/organiser/editions/{edition.id}/programme").text
    agenda = client.get("/e/soiree-essai/programme").text
    api = client.get("/api/v1/editions/soiree-essai").get_json()

    assert f'href="/organiser/editions/{edition.id}/talks.csv"' in programme
    assert 'href="/e/soiree-essai/schedule.json"' in programme and 'href="/e/soiree-essai/schedule.json"' in agenda
    assert api["links"]["schedule"] == "http://localhost/e/soiree-essai/schedule.json"
