"""The public JSON API: every real answer checked against its schema in the OpenAPI document, and no personal data."""
from __future__ import annotations

import json
import uuid

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import select

from pitchday.domain import events
from pitchday.extensions import db
from pitchday.models import Application, ConnectRequest, Talk
from pitchday.services import connections, questions
from pitchday.services import show as show_service
from tests.factories import SLUG, TALKS, TITLES

pytestmark = pytest.mark.integration

DOCUMENT_URI = "urn:pitchday:openapi"


@pytest.fixture()
def document(client, edition) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def check(document: dict, path: str, status: int, body) -> None:
    """``body`` matches the schema the document gives for ``path`` (a key of ``paths``) and ``status``."""
    pointer = "/paths/" + path.replace("~", "~0").replace("/", "~1") + f"/get/responses/{status}/content/application~1json/schema"
    registry = Registry().with_resource(DOCUMENT_URI, Resource.from_contents(document, default_specification=DRAFT202012))
    validator = Draft202012Validator({"$ref": f"{DOCUMENT_URI}#{pointer}"}, registry=registry,
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
    assert errors == [], f"{path} {status}"


def get(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, url
    assert response.mimetype == "application/json"
    return response.get_json()


def play(app, edition_id: int, *commands) -> None:
    with app.app_context():
        for name, args in commands:
            with db.write():  # one unit of work per command, as the socket handler opens
                version = show_service.current_show(edition_id).version
                result = show_service.run_command(edition_id, command_id=str(uuid.uuid4()), name=name, args=args,
                                                  version=version)
            assert result["ok"], result


def spotlight_a_question(app, edition) -> tuple[str, str]:
    """A published question on the projector, and a pending one that must never leave the moderators."""
    with app.test_request_context(), db.write():
        with db.read() as session:
            talk_id = session.scalar(select(Talk.id).where(Talk.edition_id == edition.id, Talk.item_kind == "talk")
                                  .order_by(Talk.position).limit(1))

        def ask(text, author):
            asked = events.Ask.parse({"client_id": str(uuid.uuid4()), "talk_id": talk_id, "text": text,
                                      "author": author})
            return questions.ask(edition.id, device_id=f"d-{uuid.uuid4()}", address="192.0.2.1",
                                 asked=asked)["question"]["id"]

        public = ask("Combien coûte un capteur ?", "Léa")
        ask("Question en attente de modération", "Zoé")
        assert questions.moderate(edition.id, events.Moderate.parse({"question_id": public, "action": "approve"}))["ok"]
    play(app, edition.id, ("start", {}), ("spotlight", {"question_id": public}))
    return "Combien coûte un capteur ?", "Question en attente de modération"


# -- the document ---------------------------------------------------------------------------------


def test_api_openapi_document_is_valid_openapi_3_1(document):
    validate_openapi(document)

    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {"/editions", "/editions/{slug}", "/editions/{slug}/live", "/openapi.json",
                                      "/control/{slug}/state", "/control/{slug}/{action}"}  # branch control
    assert "Paris local time with its offset" in document["info"]["description"]


def test_api_openapi_answer_matches_its_own_schema(client, document):
    check(document, "/openapi.json", 200, document)


# -- every answer against its schema -------------------------------------------------------------------


def test_api_editions_list_matches_its_schema(client, document):
    body = get(client, "/api/v1/editions")

    check(document, "/editions", 200, body)
    [listed] = body["editions"]
    assert listed["slug"] == SLUG and listed["number"] == 1
    assert (listed["starts_at"], listed["ends_at"], listed["talks_start_at"]) == (
        "2021-03-11T17:00:00+01:00", "2021-03-11T20:00:00+01:00", "2021-03-11T17:25:00+01:00")
    assert listed["links"] == {
        "self": f"http://localhost/api/v1/editions/{SLUG}", "agenda": f"http://localhost/e/{SLUG}/programme",
        "ics": f"http://localhost/e/{SLUG}/programme.ics", "audience": f"http://localhost/e/{SLUG}/",
        "live": f"http://localhost/api/v1/editions/{SLUG}/live",
        "schedule": f"http://localhost/e/{SLUG}/schedule.json"}  # branch digest: the frab schedule JSON


def test_api_edition_matches_its_schema_with_talks_in_running_order(client, document):
    body = get(client, f"/api/v1/editions/{SLUG}")

    check(document, "/editions/{slug}", 200, body)
    assert [t["title"] for t in body["talks"]] == TITLES
    assert [t["position"] for t in body["talks"]] == [1, 2, 3]
    assert body["talks"][1]["kind"] == "besoin"
    # 17:25, then 5 min of pitch, 5 of questions and 1 of changeover per talk.
    assert body["talks"][1]["planned_start"] == "2021-03-11T17:36:00+01:00"
    assert body["talks"][2]["planned_end"] == "2021-03-11T17:57:00+01:00"


@pytest.mark.parametrize("url, path", [
    ("/api/v1/editions/nope", "/editions/{slug}"),
    ("/api/v1/editions/nope/live", "/editions/{slug}/live"),
])
def test_api_unknown_edition_is_a_json_404_matching_its_schema(client, document, url, path):
    body = get(client, url, 404)

    check(document, path, 404, body)
    assert body["error"]["code"] == "not_found"


def test_api_unknown_address_is_a_json_404(client, document):
    body = get(client, "/api/v1/nothing/here", 404)

    assert body == {"error": {"code": "not_found", "message": "No such endpoint: see /api/v1/openapi.json"}}


def test_api_live_before_the_start_matches_its_schema(client, document):
    body = get(client, f"/api/v1/editions/{SLUG}/live")

    check(document, "/editions/{slug}/live", 200, body)
    assert (body["phase"], body["running"], body["ends_at"], body["current"]) == ("welcome", False, None, None)
    assert body["next"]["title"] == TITLES[0]


def test_api_live_during_a_pitch_matches_its_schema_and_gives_the_end(app, client, document, edition):
    play(app, edition.id, ("start", {}))

    body = get(client, f"/api/v1/editions/{SLUG}/live")

    check(document, "/editions/{slug}/live", 200, body)
    assert (body["phase"], body["running"], body["phase_ms"]) == ("pitch", True, 300_000)
    assert body["current"] == {"id": body["current"]["id"], "title": TALKS[0].title,
                               "organisation": TALKS[0].organisation, "kind": "solution", "speaker": TALKS[0].speaker,
                               "item_kind": "talk"}
    assert body["next"]["title"] == TALKS[1].title
    assert body["ends_at"] is not None and body["remaining_ms"] is None


def test_api_live_paused_gives_the_remaining_time(app, client, document, edition):
    play(app, edition.id, ("start", {}), ("pause", {}))

    body = get(client, f"/api/v1/editions/{SLUG}/live")

    check(document, "/editions/{slug}/live", 200, body)
    assert body["running"] is False and body["ends_at"] is None
    assert 0 < body["remaining_ms"] <= 300_000


def test_api_live_shows_a_spotlighted_question_without_its_author_and_never_a_pending_one(app, client, document,
                                                                                       edition):
    public_text, pending_text = spotlight_a_question(app, edition)

    response = client.get(f"/api/v1/editions/{SLUG}/live")

    body = response.get_json()
    check(document, "/editions/{slug}/live", 200, body)
    assert body["spotlight"]["text"] == public_text
    assert body["spotlight"]["status"] == "published"
    text = json.dumps(body, ensure_ascii=False)
    assert pending_text not in text
    assert "Léa" not in text and "Zoé" not in text


# -- no personal data, public headers ----------------------------------------------------------------------


def every_answer(client, slug: str) -> dict[str, str]:
    urls = ["/api/v1/editions", f"/api/v1/editions/{slug}", f"/api/v1/editions/{slug}/live", "/api/v1/openapi.json",
            "/api/v1/editions/nope", "/api/v1/editions/nope/live", "/api/v1/nothing"]
    # Decoded, then written without escapes: "é" is searched as "é", not as "\u00e9".
    return {url: json.dumps(client.get(url).get_json(), ensure_ascii=False) for url in urls}


def test_api_never_serves_personal_data(app, client, demo_edition):
    """On the demo, whose fourteen applications hold e-mails, phones and addresses that must not leak."""
    edition = demo_edition
    with app.test_request_context(), db.write():
        talk_id = connections.by_talk(edition.id)[0][0].id
        sent = events.ConnectRequest.parse({
            "client_id": str(uuid.uuid4()), "talk_id": talk_id, "name": "Alex Testeur",
            "organisation": "Commune de Fictiveville", "email": "alex@fictiveville.example.org",
            "phone": "01 99 00 20 02", "intent": "learn_more", "message": "Message privé pour l'équipe",
            "consent": True})
        answer = connections.submit(edition.id, device_id="phone-1", address="192.0.2.1", locale="fr", sent=sent)
        assert answer["ok"]
        with db.read() as session:
            applications = list(session.scalars(select(Application)))
            requests = list(session.scalars(select(ConnectRequest)))
    spotlight_a_question(app, edition)
    private = {"camille@capteurecole.example.org", "01 99 00 10 01", "Message privé pour l'équipe",
               "Question en attente de modération"}
    private |= {a.referent_email for a in applications} | {a.referent_phone for a in applications if a.referent_phone}
    private |= {a.address for a in applications} | {a.reference for a in applications}
    private |= {r.email for r in requests} | {r.phone for r in requests if r.phone} | {r.name for r in requests}
    assert len(applications) == 14 and len(requests) == 1

    answers = every_answer(client, edition.slug)

    leaks = {(url, value) for url, text in answers.items() for value in private if value in text}
    assert leaks == set()
    assert all("@" not in text.replace("@pitchday", "") for url, text in answers.items() if "openapi" not in url)


def test_api_answers_may_be_read_by_any_site_and_are_cached_briefly(client, edition):
    for url in ("/api/v1/editions", f"/api/v1/editions/{SLUG}", "/api/v1/openapi.json", "/api/v1/editions/nope"):
        response = client.get(url)
        assert response.headers["Access-Control-Allow-Origin"] == "*", url
        assert response.headers["Cache-Control"] == "public, max-age=60", url
    live = client.get(f"/api/v1/editions/{SLUG}/live")
    assert live.headers["Access-Control-Allow-Origin"] == "*"
    assert live.headers["Cache-Control"] == "public, max-age=1"


def test_api_sets_no_cookie(client, edition):
    response = client.get(f"/api/v1/editions/{SLUG}")

    assert "Set-Cookie" not in response.headers
