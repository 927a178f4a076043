""""Je veux échanger": connect requests through the socket and the HTML form, and the organiser's list."""
from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from pitchday.extensions import db
from pitchday.models import ConnectRequest, Talk

from .conftest import connect, phone

pytestmark = pytest.mark.integration

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def talk(app, kind: str) -> Talk:
    """The first talk of the demo edition of this kind (solution, besoin, retour_experience)."""
    with app.app_context():
        with db.write() as session:
            return session.scalars(select(Talk).where(Talk.kind == kind).order_by(Talk.position)).first()


def stored(app) -> list[ConnectRequest]:
    with app.app_context():
        with db.write() as session:
            return list(session.scalars(select(ConnectRequest).order_by(ConnectRequest.id)))


def valid(talk_id: int, **changes) -> dict:
    return {"client_id": str(uuid.uuid4()), "talk_id": talk_id, "name": "Alex Testeur",
            "organisation": "Commune de Fictiveville", "email": "alex@fictiveville.example.org",
            "phone": "01 99 00 20 02", "intent": "have_solution", "message": "Nous avons un terrain.\nÀ bientôt",
            "consent": True, **changes}


def send(sio, payload):
    return sio.emit("connect_request", payload, callback=True)


# -- socket -------------------------------------------------------------------------------------------


def test_connect_request_is_stored_with_the_consent_it_was_given(app, edition):
    need = talk(app, "besoin")
    _http, sio = phone(app)

    ack = send(sio, valid(need.id))

    assert ack["ok"] is True
    [request] = stored(app)
    assert (request.talk_id, request.name, request.email, request.intent, request.status) == (
        need.id, "Alex Testeur", "alex@fictiveville.example.org", "have_solution", "new")
    assert request.message == "Nous avons un terrain.\nÀ bientôt"
    assert request.consent_text.startswith("J'accepte que mes coordonnées et mon message soient transmis à l'équipe")
    assert need.organisation in request.consent_text
    assert "la Métropole Européenne de Lille" in request.consent_text
    assert request.consented_at is not None and request.locale == "fr"


def test_connect_request_retried_is_stored_once(app, edition):
    need = talk(app, "besoin")
    _http, sio = phone(app)
    payload = valid(need.id)

    answers = [send(sio, payload) for _ in range(3)]

    assert answers[0]["ok"] is True and answers.count(answers[0]) == 3
    assert len(stored(app)) == 1


@pytest.mark.parametrize("changes, fields", [
    ({"name": ""}, {"name"}),
    ({"name": "n" * 101}, {"name"}),
    ({"organisation": "  "}, {"organisation"}),
    ({"email": "pas-une-adresse"}, {"email"}),
    ({"email": "a@b"}, {"email"}),
    ({"email": "x" * 250 + "@example.org"}, {"email"}),
    ({"phone": "appelez-moi"}, {"phone"}),
    ({"message": "m" * 1001}, {"message"}),
    ({"consent": False}, {"consent"}),
    ({"consent": "true"}, {"consent"}),
    ({"intent": "want_to_experiment"}, {"intent"}),  # a wording for solutions, not for a reverse pitch
    ({"intent": None}, {"intent"}),
    ({"talk_id": 999_999}, {"talk_id"}),
    ({"name": "", "email": "x", "consent": False}, {"name", "email", "consent"}),
])
def test_connect_request_invalid_fields_each_get_a_message_and_nothing_is_stored(app, edition, changes, fields):
    _http, sio = phone(app)

    ack = send(sio, {**valid(talk(app, "besoin").id), **changes})

    assert ack["ok"] is False and ack["error"]["code"] == "invalid"
    assert set(ack["error"]["fields"]) == fields
    assert stored(app) == []


def test_connect_request_consent_error_says_what_to_do(app, edition):
    _http, sio = phone(app)

    ack = send(sio, valid(talk(app, "besoin").id, consent=False))

    assert ack["error"]["fields"]["consent"] == "Cochez la case pour accepter la transmission de vos coordonnées."


@pytest.mark.parametrize("kind, intent", [("solution", "want_to_experiment"), ("solution", "offer_test_site"),
                                          ("retour_experience", "learn_more"), ("besoin", "learn_more")])
def test_connect_request_intent_follows_the_kind_of_talk(app, edition, kind, intent):
    _http, sio = phone(app)

    assert send(sio, valid(talk(app, kind).id, intent=intent))["ok"] is True


def test_connect_request_keeps_hostile_text_as_text_and_strips_bidi(app, edition):
    _http, sio = phone(app)

    ack = send(sio, valid(talk(app, "besoin").id, name="\u202eMallory", message=HOSTILE))

    assert ack["ok"] is True
    [request] = stored(app)
    assert (request.name, request.message) == ("Mallory", HOSTILE)


def test_connect_request_email_is_normalised(app, edition):
    _http, sio = phone(app)

    send(sio, valid(talk(app, "besoin").id, email="Alex@FictiveVille.Example.ORG"))

    assert stored(app)[0].email == "Alex@fictiveville.example.org"


@pytest.mark.parametrize("view", ["projector", "stage"])
def test_connect_request_from_a_screen_is_refused(app, edition, view):
    assert send(connect(app, view), valid(talk(app, "besoin").id))["error"]["code"] == "forbidden"
    assert stored(app) == []


def test_connect_requests_are_limited_per_phone(app, edition):
    need = talk(app, "besoin")
    _http, sio = phone(app)

    answers = [send(sio, valid(need.id)) for _ in range(6)]

    assert [a["ok"] for a in answers] == [True] * 5 + [False]
    assert answers[-1]["error"]["code"] == "rate_limited"


def test_moderators_see_the_count_of_connect_requests_per_talk(app, edition, moderator_http):
    from pitchday.services import broadcast

    need = talk(app, "besoin")
    moderator = connect(app, "moderator", http=moderator_http)
    for _ in range(2):
        send(phone(app)[1], valid(need.id))
    moderator.get_received()

    with app.app_context():
        broadcast.flush()

    counts = [e["args"][0] for e in moderator.get_received() if e["name"] == "moderation_counts"]
    assert counts[-1]["connect"] == {str(need.id): 2}


# -- HTML form (no JavaScript) ---------------------------------------------------------------------


def csrf_and_client_id(html: str) -> dict:
    return {name: re.search(rf'name="{name}" value="([^"]+)"', html).group(1) for name in ("csrf_token", "client_id")}


def form_data(html: str, **changes) -> dict:
    data = {**valid(0), **csrf_and_client_id(html), "consent": "yes", **changes}
    data.pop("talk_id")
    return {k: v for k, v in data.items() if v is not None}


def test_form_shows_the_wording_of_a_reverse_pitch_and_an_unticked_consent(client, edition, app):
    need = talk(app, "besoin")

    html = client.get(f"/e/{edition.slug}/echanger/{need.id}").text

    assert "J&#39;ai une solution pour ce besoin" in html
    assert "Je souhaite expérimenter" not in html
    assert re.search(r'<input type="checkbox" id="consent"[^>]*>', html)
    assert "checked" not in re.search(r'<input type="checkbox" id="consent"[^>]*>', html).group(0)
    assert f"/e/{edition.slug}/confidentialite" in html


def test_form_for_a_solution_offers_to_experiment_or_a_terrain(client, edition, app):
    html = client.get(f"/e/{edition.slug}/echanger/{talk(app, 'solution').id}").text

    assert "Je souhaite expérimenter" in html and "Je peux proposer un terrain d&#39;expérimentation" in html
    assert "J&#39;ai une solution pour ce besoin" not in html


def test_form_post_stores_once_and_confirms(client, edition, app):
    need = talk(app, "besoin")
    url = f"/e/{edition.slug}/echanger/{need.id}"
    data = form_data(client.get(url).text)

    first = client.post(url, data=data)
    again = client.post(url, data=data)  # the browser's "resubmit" after a flaky reply

    assert first.status_code == again.status_code == 303
    assert first.headers["Location"].endswith(f"/e/{edition.slug}/echanger/{need.id}/envoye")
    assert len(stored(app)) == 1
    assert "Demande envoyée" in client.get(first.headers["Location"]).text


def test_form_post_with_errors_shows_them_by_field_and_keeps_what_was_typed(client, edition, app):
    url = f"/e/{edition.slug}/echanger/{talk(app, 'besoin').id}"
    data = form_data(client.get(url).text, email="pas-une-adresse", consent=None)

    response = client.post(url, data=data)

    assert response.status_code == 400
    html = response.text
    assert 'id="email-error">Adresse e-mail invalide' in html
    assert 'id="consent-error">Cochez la case' in html
    assert 'value="Alex Testeur"' in html and 'value="pas-une-adresse"' in html
    assert re.search(r'id="email"[^>]*aria-invalid="true"', html)
    assert stored(app) == []


def test_form_post_without_csrf_token_is_refused(client, edition, app):
    url = f"/e/{edition.slug}/echanger/{talk(app, 'besoin').id}"
    data = form_data(client.get(url).text)
    data.pop("csrf_token")

    assert client.post(url, data=data).status_code == 400
    assert stored(app) == []


def test_form_for_an_unknown_talk_is_404(client, edition):
    assert client.get(f"/e/{edition.slug}/echanger/999999").status_code == 404


def test_privacy_notice_names_controller_purpose_retention_and_rights(client, edition):
    html = client.get(f"/e/{edition.slug}/confidentialite").text

    assert "la Métropole Européenne de Lille" in html
    assert "30 jours après la soirée" in html
    assert "CNIL" in html and "effacer" in html


# -- organiser -----------------------------------------------------------------------------------------


def test_organiser_sees_a_request_from_a_phone_on_the_board_under_its_talk(app, edition, organiser):
    need = talk(app, "besoin")
    _http, sio = phone(app)
    request_id = send(sio, valid(need.id, name="Alex Testeur", message=HOSTILE))["request_id"]

    html = organiser.get(f"/organiser/editions/{edition.id}/connections").text

    section = html.split(f'id="talk-{need.id}"', 1)[1].split("</section>", 1)[0]
    assert f'id="request-{request_id}"' in section
    assert "Alex Testeur" in section and 'href="mailto:alex@fictiveville.example.org"' in section
    assert "J&#39;ai une solution pour ce besoin" in section
    assert '<span class="status status-new">nouvelle</span>' in section
    assert f'href="/organiser/editions/{edition.id}/connections/{request_id}/introduce"' in section
    assert "&lt;script&gt;" in section and "<script>alert" not in html


def test_organiser_list_needs_the_login(client, edition):
    response = client.get(f"/organiser/editions/{edition.id}/connections")

    assert response.status_code == 302 and "/organiser/login" in response.headers["Location"]
