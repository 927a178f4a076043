"""The public application form: open and closed, valid, invalid and hostile, sent twice, confirmed."""
from __future__ import annotations

import html
import re
import threading
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import insert, select
from zoneinfo import ZoneInfo

from pitchday.extensions import db
from pitchday.models import Application

from .conftest import csrf_token, post_form

pytestmark = pytest.mark.integration

PARIS = ZoneInfo("Europe/Paris")


def new_edition(app, *, number: int, day: str, deadline_day: str, deadline_time: str = "10:00", **changes):
    """An edition made as the organiser's form makes it (``domain.editions.validate``, then
    ``services.editions.create_edition``)."""
    from pitchday.domain.editions import validate
    from pitchday.services import editions

    values = {"series": "Jeudis du numérique", "number": str(number), "title": f"Jeudi du numérique n° {number}",
              "theme": "Mobilités et numérique", "slug": "", "day": day, "doors": "17:00", "talks_start": "17:25",
              "end": "20:00", "venue": "CITC, Lille", "partners": "Métropole Européenne de Lille",
              "deadline_day": deadline_day, "deadline_time": deadline_time, "talks_wanted": "10", "pitch_ms": "5:00",
              "qa_ms": "5:00", "changeover_ms": "1:00", "connect_retention_days": "30",
              "applications_retention_days": "365", **changes}
    clean, errors = validate(values)
    assert errors == [], errors
    with app.app_context(), db.write():
        created, errors = editions.create_edition(clean)
    assert errors == [], errors
    return created


@pytest.fixture()
def open_edition(app, edition):
    """Jeudi du numérique n° 12, far in the future: its form is open."""
    return new_edition(app, number=12, day="2099-03-19", deadline_day="2099-03-09")


@pytest.fixture()
def closed_edition(app, edition):
    """Jeudi du numérique n° 11, whose applications closed on 9 March 2020 at 10:00 (Paris)."""
    return new_edition(app, number=11, day="2020-03-19", deadline_day="2020-03-09")


def reverse_pitch(**changes) -> dict:
    """A valid "pitch inversé", as a person fills the form."""
    return {"project_name": "Rue scolaire mesurée", "organisation": "Ville d'Exempleville",
            "applicant_type": "commune", "applicant_type_detail": "", "address": "Hôtel de ville\n59100 Exempleville",
            "website": "exempleville.example.org", "referent_name": "Louis Démo", "referent_role": "Adjoint au maire",
            "referent_phone": "01 99 00 10 02", "referent_email": "louis.demo@exempleville.example.org",
            "talk_kind": "besoin", "description": "Mesurer l'air aux heures d'école.\nTester une rue scolaire.",
            "situation": "Pour la rentrée 2099.", "exp_what_why": "Mesurer avant et après.",
            "exp_site": "Rue de l'école Jean-Exemple.", "exp_target": "Parents, riverains", "needs": "Des capteurs.",
            "fb_positive": "", "fb_negative": "", "fb_advice": "", "fb_next": "", "client_id": str(uuid.uuid4()),
            **changes}


def stored(app) -> list[Application]:
    with app.app_context():
        with db.write() as session:
            return list(session.scalars(select(Application).where(Application.source == "form")
                                        .order_by(Application.id)))


def text_of(response) -> str:
    return html.unescape(response.text)


def test_open_form_shows_every_field_both_proposals_and_the_privacy_notice(client, open_edition):
    response = client.get("/e/jdn12/candidater")

    assert response.status_code == 200
    page = response.text
    for name in ("project_name", "organisation", "applicant_type_detail", "address", "website", "referent_name",
                 "referent_role", "referent_phone", "referent_email", "description", "situation", "exp_what_why",
                 "exp_site", "exp_target", "needs", "fb_positive", "fb_negative", "fb_advice", "fb_next"):
        assert f'id="{name}" name="{name}"' in page, name
    for code in ("commune", "entreprise", "association", "acteur_academique", "autre"):
        assert f'id="applicant_type-{code}"' in page
    for code in ("solution", "besoin", "retour_experience"):
        assert f'id="talk_kind-{code}"' in page
    text = text_of(response)
    assert "À remplir pour un pitch projet ou un pitch inversé." in text
    assert "À remplir pour un retour d'expérience." in text
    assert 'href="/e/jdn12/confidentialite"' in page
    assert "servent uniquement à sélectionner les interventions de la soirée" in text
    assert "Candidatures ouvertes jusqu'au lundi 9 mars 2099 à 10:00 (heure de Paris)." in text
    assert re.search(r'name="client_id" value="[0-9a-f-]{36}"', page)
    assert re.search(r'<script type="module" src="/a/[0-9a-f]{12}/js/apply.js">', page)  # hashed (web/assets.py)


def test_reverse_pitch_is_stored_before_its_confirmation_with_a_reference(app, client, open_edition):
    before = datetime.now(timezone.utc)

    response = post_form(client, "/e/jdn12/candidater", reverse_pitch())

    assert response.status_code == 303
    [application] = stored(app)
    assert (application.reference, application.edition_id, application.status, application.late) == (
        "JDN12-001", open_edition.id, "received", False)
    assert before - timedelta(seconds=1) <= application.received_at <= datetime.now(timezone.utc)
    assert application.website == "https://exempleville.example.org"
    assert application.address == "Hôtel de ville\n59100 Exempleville"
    assert (application.exp_site, application.fb_positive) == ("Rue de l'école Jean-Exemple.", None)
    confirmation = client.get(response.headers["Location"])
    assert confirmation.status_code == 200
    assert confirmation.headers["Cache-Control"] == "no-store"
    assert 'id="application-reference">JDN12-001</strong>' in confirmation.text
    assert "Votre candidature « Rue scolaire mesurée » est bien enregistrée." in text_of(confirmation)


def test_each_form_gets_the_next_number_of_its_edition(app, client, open_edition):
    post_form(client, "/e/jdn12/candidater", reverse_pitch())
    post_form(client, "/e/jdn12/candidater", reverse_pitch(project_name="Deuxième"))

    assert [a.reference for a in stored(app)] == ["JDN12-001", "JDN12-002"]


def test_form_sent_twice_is_stored_once_and_both_answers_are_the_same(app, client, open_edition):
    values = reverse_pitch()

    first = post_form(client, "/e/jdn12/candidater", values)
    again = post_form(client, "/e/jdn12/candidater", values)

    assert (first.status_code, again.status_code) == (303, 303)
    assert first.headers["Location"] == again.headers["Location"]
    assert [a.reference for a in stored(app)] == ["JDN12-001"]


def test_feedback_talk_stores_its_answers_and_drops_the_experiment(app, client, open_edition):
    response = post_form(client, "/e/jdn12/candidater", reverse_pitch(
        talk_kind="retour_experience", applicant_type="autre", applicant_type_detail="Syndicat mixte",
        fb_positive="Les habitants ont suivi.", fb_negative="Capteurs fragiles.", fb_advice="Commencer petit."))

    assert response.status_code == 303
    [application] = stored(app)
    assert (application.fb_advice, application.fb_next, application.exp_site, application.needs) == (
        "Commencer petit.", None, None, None)
    assert (application.applicant_type, application.applicant_type_detail) == ("autre", "Syndicat mixte")


def test_invalid_form_shows_each_error_under_its_field_and_keeps_what_was_typed(app, client, open_edition):
    response = post_form(client, "/e/jdn12/candidater", reverse_pitch(
        project_name="", referent_email="louis.demo@", exp_site="", description="\n".join(["ligne"] * 16),
        applicant_type="autre", website="pas une adresse"))

    assert response.status_code == 400
    page = response.text
    for name in ("project_name", "referent_email", "exp_site", "description", "applicant_type_detail", "website"):
        assert re.search(rf'id="{name}" name="{name}"[^>]*aria-invalid="true"', page, re.S), name
        assert re.search(rf'<p class="error" id="{name}-error">[^<]+</p>', page), name
    text = text_of(response)
    assert "Adresse e-mail invalide" in text and "15 lignes au plus." in text
    assert "6 champs à corriger" in text
    assert 'value="louis.demo@"' in page and 'value="Adjoint au maire"' in page
    assert ">Mesurer avant et après.</textarea>" in page
    assert re.search(r'value="autre" id="applicant_type-autre"\s+checked', page)
    assert stored(app) == []


def test_refused_form_summarises_its_errors_in_order_each_linking_to_its_field(app, client, open_edition):
    response = post_form(client, "/e/jdn12/candidater", reverse_pitch(
        project_name="", talk_kind="", referent_email="louis.demo@", applicant_type=""))

    assert response.status_code == 400
    summary = re.search(r'<div class="error-summary" id="form-errors" tabindex="-1" role="alert"(.*?)</div>',
                        response.text, re.S).group(1)
    links = [(target, " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split()))
             for target, text in re.findall(r'<a href="#([\w-]+)" data-field="[\w-]+">(.*?)</a>', summary, re.S)]
    assert links == [
        ("project_name", "Nom du projet : Ce champ est obligatoire."),
        ("applicant_type-commune", "Vous êtes : Ce champ est obligatoire."),
        ("referent_email", "E-mail du référent : Adresse e-mail invalide (exemple : prenom.nom@exemple.fr)."),
        ("talk_kind-solution", "Type de présentation : Ce champ est obligatoire."),
    ]
    for target, _text in links:  # every link leads to a field of the page
        assert f'id="{target}"' in response.text
    assert 'value="louis.demo@"' in response.text  # what was typed is kept


def test_form_gives_the_editions_own_lengths(client, app, edition):
    new_edition(app, number=16, day="2099-06-19", deadline_day="2099-06-01", pitch_ms="4:30", qa_ms="1")

    page = text_of(client.get("/e/jdn16/candidater"))

    assert ("Présentez votre projet lors du Jeudi du numérique n° 16 : 4 min 30 s de pitch, puis 1 minute de "
            "questions du public.") in page
    assert "5 minutes" not in page


def test_edition_page_gives_the_forms_address_with_its_qr_code_and_a_copy_button(app, organiser, open_edition):
    page = organiser.get(f"/organiser/editions/{open_edition.id}/").text

    section = re.search(r'<section class="apply-link" id="application-form"(.*?)</section>', page, re.S).group(1)
    assert re.search(r'<a href="http://[^"]+/e/jdn12/candidater" id="application-form-url">http://[^<]+'
                     r'/e/jdn12/candidater</a>', section)
    assert 'src="data:image/svg+xml;base64,' in section and 'alt="QR code du formulaire de candidature"' in section
    assert 'data-copy="application-form-url"' in section
    assert re.search(r'<script type="module" src="/a/[0-9a-f]{12}/js/copy.js">', page)


def test_edition_page_without_a_public_form_gives_no_form_address(app, organiser, edition):
    created = new_edition(app, number=15, day="2099-05-19", deadline_day="", deadline_time="10:00")

    page = organiser.get(f"/organiser/editions/{created.id}/").text

    assert 'id="application-form"' not in page and "pas de formulaire public" in page


def test_unknown_kind_of_talk_and_applicant_are_refused(app, client, open_edition):
    response = post_form(client, "/e/jdn12/candidater", reverse_pitch(talk_kind="keynote", applicant_type="roi"))

    assert response.status_code == 400
    assert text_of(response).count("Choisissez l'une des propositions.") == 4  # under each field, in the summary
    assert stored(app) == []


def test_hostile_text_is_stored_as_typed_and_shown_as_text(app, client, organiser, open_edition):
    response = post_form(client, "/e/jdn12/candidater", reverse_pitch(
        project_name='<script>alert("x")</script>', description='=HYPERLINK("http://evil.example","clic")',
        situation="@SUM(1+1)\u202e", referent_role="+33 chef"))

    assert response.status_code == 303
    [application] = stored(app)
    assert application.project_name == '<script>alert("x")</script>'
    assert application.description == '=HYPERLINK("http://evil.example","clic")'  # stored as plain text
    assert application.situation == "@SUM(1+1)"  # the bidi override is stripped
    confirmation = client.get(response.headers["Location"]).text
    assert "<script>alert" not in confirmation and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in confirmation
    dossier = organiser.get(f"/organiser/editions/{open_edition.id}/applications/{application.id}").text
    assert "<script>alert" not in dossier
    assert '=HYPERLINK(&#34;http://evil.example&#34;,&#34;clic&#34;)' in dossier


def test_form_is_closed_after_the_deadline_for_get_and_post(app, client, closed_edition):
    page = client.get("/e/jdn11/candidater")
    # The closed page has no form: the session's CSRF token is taken from another page.
    posted = post_form(client, "/e/jdn11/candidater", reverse_pitch(), page="/organiser/login")

    assert page.status_code == 200
    assert "Les candidatures pour Jeudi du numérique n° 11 sont closes depuis le 9 mars 2020 à 10:00." \
        in text_of(page)
    assert 'name="project_name"' not in page.text
    assert posted.status_code == 403
    assert "sont closes depuis le 9 mars 2020 à 10:00." in text_of(posted)
    assert stored(app) == []


def test_form_open_until_its_deadline_then_closed(app, client, edition):
    """The deadline is a moment: a minute before it the form is open, a minute after it is closed."""
    soon = (datetime.now(timezone.utc) + timedelta(minutes=2)).astimezone(PARIS)
    past = (datetime.now(timezone.utc) - timedelta(minutes=2)).astimezone(PARIS)
    new_edition(app, number=13, day=(soon + timedelta(days=30)).date().isoformat(),
                deadline_day=soon.date().isoformat(), deadline_time=soon.strftime("%H:%M"))
    new_edition(app, number=14, day=(soon + timedelta(days=60)).date().isoformat(),
                deadline_day=past.date().isoformat(), deadline_time=past.strftime("%H:%M"))

    assert 'name="project_name"' in client.get("/e/jdn13/candidater").text
    assert "sont closes depuis le" in text_of(client.get("/e/jdn14/candidater"))


def test_edition_without_a_deadline_has_no_form(client, app, edition):
    new_edition(app, number=15, day="2099-05-19", deadline_day="", deadline_time="")

    assert client.get("/e/jdn15/candidater").status_code == 404
    assert client.get("/e/nowhere/candidater").status_code == 404


def test_form_sent_with_a_bad_token_to_an_edition_without_a_form_is_not_found(client, edition):
    client.get("/organiser/login")  # a session, so that only the token is wrong

    assert client.post("/e/nowhere/candidater", data={"csrf_token": "bad"}).status_code == 404
    assert client.post(f"/e/{edition.slug}/candidater", data={"csrf_token": "bad"}).status_code == 403  # closed


def test_confirmation_cannot_be_guessed_or_forged(app, client, open_edition):
    response = post_form(client, "/e/jdn12/candidater", reverse_pitch())
    good = response.headers["Location"]
    forged = URLSafeSerializer("not the secret", salt="application-confirmation").dumps(
        {"e": open_edition.id, "r": "JDN12-001"})

    assert client.get(good).status_code == 200
    assert "JDN12-001" not in good  # nothing readable to change into a neighbour's number
    assert client.get(f"/e/jdn12/candidater/confirmation/{forged}").status_code == 404
    assert client.get("/e/jdn12/candidater/confirmation/JDN12-001").status_code == 404
    assert client.get(good.replace("/jdn12/", "/jdn10/")).status_code == 404
    assert client.get(good[:-3] + "abc").status_code == 404


def test_form_left_open_too_long_keeps_what_was_typed(app, client, open_edition):
    client.get("/e/jdn12/candidater")

    response = client.post("/e/jdn12/candidater", data={**reverse_pitch(), "csrf_token": "expired"})

    assert response.status_code == 400
    assert "rien n'a encore été envoyé" in text_of(response)
    assert 'value="Rue scolaire mesurée"' in response.text
    assert stored(app) == []


def _submit_while_another_writes(app, client, edition, values: dict, *, reference: str, client_id: str | None):
    """Send the form while another transaction holds an uncommitted application, then commit it."""
    token = csrf_token(client.get("/e/jdn12/candidater").text)
    answer = {}
    now = datetime.now(timezone.utc)
    with app.app_context():
        with db.engine.connect() as other:
            pending = other.begin()
            other.execute(insert(Application.__table__).values(
                edition_id=edition.id, reference=reference, client_id=client_id, received_at=now, source="form",
                late=False, status="received", project_name="L'autre", applicant_type="entreprise", address="Lille",
                referent_name="X", referent_role="Y", referent_email="x@example.org", talk_kind="solution",
                description="D", situation="S", created_at=now))
            worker = threading.Thread(target=lambda: answer.update(response=client.post(
                "/e/jdn12/candidater", data={**values, "csrf_token": token})))
            worker.start()
            worker.join(1.0)
            waiting = worker.is_alive()
            pending.commit()
        worker.join(30)
    assert waiting  # the form was held by the other transaction, not stored beside it
    return answer["response"]


def test_two_forms_numbered_at_the_same_moment_get_two_numbers(app, client, open_edition):
    response = _submit_while_another_writes(app, client, open_edition, reverse_pitch(), reference="JDN12-001",
                                            client_id=str(uuid.uuid4()))

    assert response.status_code == 303
    assert [(a.reference, a.project_name) for a in stored(app)] == [("JDN12-001", "L'autre"),
                                                                    ("JDN12-002", "Rue scolaire mesurée")]


def test_same_form_sent_twice_at_the_same_moment_is_stored_once(app, client, open_edition):
    values = reverse_pitch()

    response = _submit_while_another_writes(app, client, open_edition, values, reference="JDN12-001",
                                            client_id=values["client_id"])

    assert response.status_code == 303
    assert [a.reference for a in stored(app)] == ["JDN12-001"]
    assert "JDN12-001" in client.get(response.headers["Location"]).text


def test_a_flood_of_forms_from_one_address_is_slowed_and_keeps_what_was_typed(app, client, open_edition):
    from .conftest import csrf_token

    url = f"/e/{open_edition.slug}/candidater"
    answers = []
    for i in range(11):
        token = csrf_token(client.get(url).text)
        answers.append(client.post(url, data={**reverse_pitch(project_name=f"Projet {i}"), "csrf_token": token}))

    assert [a.status_code for a in answers] == [303] * 10 + [429]
    assert "Doucement : trop d'envois d'un coup. Réessayez dans" in text_of(answers[-1])
    assert 'value="Projet 10"' in answers[-1].text
    assert len(stored(app)) == 10


def test_english_form_shows_the_deadline_in_english(client, open_edition):
    french = text_of(client.get("/e/jdn12/candidater"))
    english = text_of(client.get("/e/jdn12/candidater?lang=en"))

    assert "lundi 9 mars 2099 à 10:00" in french
    assert "Monday 9 March 2099 at 10:00" in english and " à " not in english.split("<main", 1)[1].split("</main>")[0]
