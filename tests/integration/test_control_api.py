"""The hardware control API (issue 11): per-device tokens, the console's commands over HTTP, exactly
once, versioned, and every refusal with its status and JSON and no change (SQLite and PostgreSQL)."""
from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import func, select

from pitchday.domain import show as domain
from pitchday.extensions import db
from pitchday.models import AuditEntry, ControlDevice, Deck, Edition, LiveState, ShowCommand
from pitchday.services import control
from pitchday.services import show as show_service
from tests import factories

from .conftest import connect, csrf_token, events, fresh_edition, moderator_socket, signed_in
from .test_api import check

pytestmark = pytest.mark.integration


def make_device(app, edition_id: int, name: str = "Stream Deck régie") -> str:
    with app.test_request_context(), db.write():
        _device, token = control.create_device(edition_id, name=name, created_by_id=None)
    return token


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def post(client, slug: str, action: str, token: str | None, body=None, headers: dict | None = None, **kwargs):
    sent = {**(bearer(token) if token else {}), **(headers or {})}
    if body is not None and "data" not in kwargs:
        kwargs["json"] = body
    return client.post(f"/api/v1/control/{slug}/{action}", headers=sent, **kwargs)


def stored_version(app, edition_id: int) -> int:
    with app.app_context(), db.read() as session:
        row = session.get(LiveState, edition_id)
        return row.version if row is not None else 0


def commands_stored(app, edition_id: int) -> int:
    with app.app_context(), db.read() as session:
        return session.scalar(select(func.count()).select_from(ShowCommand).where(ShowCommand.edition_id == edition_id))


def shape(app, edition_id: int) -> tuple:
    """The stored show with talks named by position (two editions compared), without the clock's times."""
    with app.app_context(), db.read() as session:
        show = domain.from_dict(session.get(LiveState, edition_id).state)
        position = {t.id: t.position for t in session.get(Edition, edition_id).talks}
        return (show.version, show.phase.value, position.get(show.current), show.running, show.phase_ms, show.slide,
                show.stage_message, show.can_undo,
                sorted((position[t], run.status.value) for t, run in show.talks.items()))


def give_decks(app, edition_id: int, pages: int = 3) -> None:
    """The first talk gets a deck of ``pages`` (rows only: these tests turn slides, they show none)."""
    with app.app_context(), db.write() as session:
        first = session.get(Edition, edition_id).talks[0]
        session.add(Deck(talk_id=first.id, digest="a" * 64, page_count=pages, width=1920, height=1080))
        session.flush()
        show_service.reset_show(edition_id)


# -- the commands ----------------------------------------------------------------------------------

# (action over HTTP, its body) and what the console sends for it.
SEQUENCE = [
    (("start", None), ("start", {})),
    (("slide_next", None), ("slide_next", {})),
    (("slide_next", None), ("slide_next", {})),
    (("slide_previous", None), ("slide_previous", {})),
    (("plus30", None), ("extend", {"delta_ms": 30_000})),
    (("minus30", None), ("extend", {"delta_ms": -30_000})),
    (("plus30", None), ("extend", {"delta_ms": 30_000})),
    (("toggle", None), ("pause", {})),
    (("toggle", None), ("resume", {})),
    (("pause", None), ("pause", {})),
    (("resume", None), ("resume", {})),
    (("message", {"text": "Plus fort, s'il vous plaît"}), ("message", {"text": "Plus fort, s'il vous plaît"})),
    (("dismiss_message", {}), ("dismiss_message", {})),
    (("questions", None), ("questions", {})),
    (("next", None), ("next", {})),
    (("toggle", None), ("start", {})),
    (("undo", None), ("undo", {})),
    (("previous", None), ("previous", {})),
    (("next", None), ("next", {})),
]


def test_control_every_action_changes_the_state_as_the_same_command_from_the_console(app, client, moderator_http):
    edition_id = fresh_edition(app).id
    with app.app_context():
        twin = factories.make_edition(slug="soiree-console", number=2)
    give_decks(app, edition_id)
    give_decks(app, twin.id)
    token = make_device(app, edition_id)
    with app.app_context(), db.write():
        from pitchday.services import access

        _link, link_token = access.create_moderator_link(twin.id, hours=2, label="console")
    assert moderator_http.get(f"/m/{link_token}").status_code == 303
    console = connect(app, "moderator", http=moderator_http, edition_slug="soiree-console")
    console_version = events(console, "snapshot")[-1]["version"]
    assert shape(app, edition_id) == shape(app, twin.id)
    for (action, body), (name, args) in SEQUENCE:
        answer = post(client, factories.SLUG, action, token, body)
        ack = console.emit("command", {"command_id": str(uuid.uuid4()), "name": name, "args": args,
                                       "version": console_version}, callback=True)
        assert ack["ok"], (name, ack)
        console_version = ack["version"]
        assert answer.status_code == 200, (action, answer.get_json())
        assert answer.get_json() == {"ok": True, "version": stored_version(app, edition_id)}
        assert shape(app, edition_id) == shape(app, twin.id), action
    assert shape(app, edition_id)[1:3] == ("ready", 2)


def test_control_state_gives_what_the_console_shows_and_matches_the_openapi_document(app, client, edition):
    give_decks(app, edition.id, pages=4)
    token = make_device(app, edition.id)
    document = client.get("/api/v1/openapi.json").get_json()
    before = client.get(f"/api/v1/control/{edition.slug}/state", headers=bearer(token))
    assert before.status_code == 200 and before.headers["Cache-Control"] == "no-store"
    assert "Access-Control-Allow-Origin" not in before.headers  # no other site's page may drive the show
    body = before.get_json()
    check(document, "/control/{slug}/state", 200, body)
    assert (body["phase"], body["version"], body["current"], body["slide"], body["countdown"]) == (
        "welcome", stored_version(app, edition.id), None, None, "")
    assert {"start", "next", "toggle", "message"} <= set(body["allowed"]) and "questions" not in body["allowed"]
    post(client, edition.slug, "start", token)
    post(client, edition.slug, "slide_next", token)
    post(client, edition.slug, "message", token, {"text": "Encore une minute"})
    during = client.get(f"/api/v1/control/{edition.slug}/state", headers=bearer(token)).get_json()
    check(document, "/control/{slug}/state", 200, during)
    assert during["phase"] == "pitch" and during["running"] is True and during["wrap"] == "normal"
    assert during["current"]["title"] == factories.TITLES[0]
    assert during["next"]["title"] == factories.TITLES[1]
    assert during["slide"] == {"page": 2, "pages": 4}
    assert during["message"]["text"] == "Encore une minute"
    assert during["remaining_ms"] == during["ends_at"] - during["server_time"]
    assert during["countdown"] in ("5:00", "4:59")
    assert "questions" in during["allowed"] and "start" not in during["allowed"]
    assert "@" not in json.dumps(during)  # no contact of the talk's team


def test_control_a_repeated_key_is_one_command_answered_the_same(app, client, edition):
    token = make_device(app, edition.id)
    assert post(client, edition.slug, "start", token).status_code == 200
    version, stored = stored_version(app, edition.id), commands_stored(app, edition.id)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = post(client, edition.slug, "plus30", token, headers=key)
    again = post(client, edition.slug, "plus30", token, headers=key)
    assert first.status_code == again.status_code == 200
    assert first.get_json() == again.get_json() == {"ok": True, "version": version + 1}
    check_post(client.get("/api/v1/openapi.json").get_json(), 200, first.get_json())
    assert (stored_version(app, edition.id), commands_stored(app, edition.id)) == (version + 1, stored + 1)
    # The same key in the body (a sender without headers): the same command, not a new one.
    in_body = post(client, edition.slug, "plus30", token, {"command_id": key["Idempotency-Key"]})
    assert in_body.get_json() == first.get_json() and stored_version(app, edition.id) == version + 1
    # A refused command is stored with its answer too: its retry is refused the same, nothing applied.
    refused_key = {"Idempotency-Key": str(uuid.uuid4())}
    stale = post(client, edition.slug, "pause", token, {"version": version}, headers=refused_key)
    assert stale.status_code == 409 and stale.get_json()["error"] == "stale"
    retry = post(client, edition.slug, "pause", token, {"version": version + 1}, headers=refused_key)
    assert (retry.status_code, retry.get_json()) == (409, stale.get_json())
    assert stored_version(app, edition.id) == version + 1
    # Another device's same key is its own command (keys are per device).
    other = make_device(app, edition.id, "Deuxième Stream Deck")
    assert post(client, edition.slug, "plus30", other, headers=key).get_json() == {"ok": True, "version": version + 2}


def test_control_without_a_key_two_presses_are_two_commands(app, client, edition):
    token = make_device(app, edition.id)
    post(client, edition.slug, "start", token)
    version = stored_version(app, edition.id)
    assert post(client, edition.slug, "plus30", token).get_json()["version"] == version + 1
    assert post(client, edition.slug, "plus30", token).get_json()["version"] == version + 2


def test_control_a_stale_version_is_refused_and_the_current_one_applies(app, client, edition):
    token = make_device(app, edition.id)
    post(client, edition.slug, "start", token)
    version = stored_version(app, edition.id)
    stale = post(client, edition.slug, "pause", token, {"version": version - 1})
    assert stale.status_code == 409
    body = stale.get_json()
    assert (body["ok"], body["error"], body["version"]) == (False, "stale", version)
    assert body["message"] == "L'état a changé entre-temps : vérifiez puis recommencez."
    assert stored_version(app, edition.id) == version
    assert post(client, edition.slug, "pause", token, {"version": version}).get_json() == {"ok": True,
                                                                                            "version": version + 1}


def test_control_a_refusal_of_the_domain_is_a_409_with_its_reason(app, client, edition):
    token = make_device(app, edition.id)
    refused = post(client, edition.slug, "questions", token)
    assert refused.status_code == 409
    assert refused.get_json() == {"ok": False, "error": "wrong_phase", "message": "Impossible à cette étape de la soirée.",
                                  "version": stored_version(app, edition.id)}
    english = client.post(f"/api/v1/control/{edition.slug}/questions?lang=en", headers=bearer(token))
    assert english.get_json()["message"] == "Not possible at this stage of the evening."


# Each refusal: its status, its code, and nothing changed (the version, the commands stored).
ERRORS = {
    "no token": (lambda t: {}, None, {}, 401, "unauthorized"),
    "a token nobody holds": (lambda t: bearer("pdc_" + "x" * 43), None, {}, 401, "unauthorized"),
    "another scheme": (lambda t: {"Authorization": f"Basic {t}"}, None, {}, 401, "unauthorized"),
    "malformed JSON": (bearer, None, {"data": b'{"version": ', "content_type": "application/json"}, 400, "bad_request"),
    "not an object": (bearer, None, {"data": b"[1, 2]", "content_type": "application/json"}, 400, "bad_request"),
    "NaN": (bearer, None, {"data": b'{"version": NaN}', "content_type": "application/json"}, 400, "bad_request"),
    "wrong content type": (bearer, None, {"data": b'{"version": 1}', "content_type": "text/plain"}, 415,
                           "unsupported_media_type"),
    "unknown action": (bearer, "explode", {}, 400, "bad_request"),
    "body too big": (bearer, None, {"data": b'{"text": "' + b"x" * 3000 + b'"}', "content_type": "application/json"},
                     413, "too_large"),
    "version not a number": (bearer, None, {"json": {"version": "3"}}, 400, "bad_request"),
    "bad key": (lambda t: {**bearer(t), "Idempotency-Key": "court"}, None, {}, 400, "bad_request"),
    "key and command_id differ": (lambda t: {**bearer(t), "Idempotency-Key": "a" * 16}, None,
                                  {"json": {"command_id": "b" * 16}}, 400, "bad_request"),
    "message too long": (bearer, "message", {"json": {"text": "x" * 141}}, 400, "too_long"),
    "message without text": (bearer, "message", {"json": {}}, 400, "bad_args"),
}
# Refused by the domain, as the console's: the refusal is stored with its id (a retry gets it again),
# the show does not change.
JUDGED = {"message too long", "message without text"}


@pytest.mark.parametrize("case", list(ERRORS))
def test_control_bad_requests_get_their_status_and_json_and_change_nothing(app, client, edition, case):
    headers_of, action, kwargs, status, code = ERRORS[case]
    token = make_device(app, edition.id)
    document = client.get("/api/v1/openapi.json").get_json()
    version, stored = stored_version(app, edition.id), commands_stored(app, edition.id)
    response = client.post(f"/api/v1/control/{edition.slug}/{action or 'next'}", headers=headers_of(token), **kwargs)
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert (body["ok"], body["error"]) == (False, code) and body["message"]
    check_post(document, status, body)
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert (stored_version(app, edition.id), commands_stored(app, edition.id)) == (version, stored + (case in JUDGED))


def check_post(document: dict, status: int, body) -> None:
    """An answer of ``POST /control/{slug}/{action}`` matches the document's schema for ``status``."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    from .test_api import DOCUMENT_URI

    pointer = f"/paths/~1control~1{{slug}}~1{{action}}/post/responses/{status}/content/application~1json/schema"
    registry = Registry().with_resource(DOCUMENT_URI, Resource.from_contents(document, default_specification=DRAFT202012))
    validator = Draft202012Validator({"$ref": f"{DOCUMENT_URI}#{pointer}"}, registry=registry)
    assert [e.message for e in validator.iter_errors(body)] == []


def test_control_a_token_of_another_edition_is_forbidden_and_an_unknown_edition_not_found(app, client, edition):
    with app.app_context():
        other = factories.make_edition(slug="autre-soiree", number=2)
    foreign = make_device(app, other.id)
    version = stored_version(app, edition.id)
    refused = post(client, edition.slug, "start", foreign)
    assert refused.status_code == 403 and refused.get_json()["error"] == "forbidden"
    assert client.get(f"/api/v1/control/{edition.slug}/state", headers=bearer(foreign)).status_code == 403
    missing = post(client, "pas-de-soiree", "start", foreign)
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"
    assert stored_version(app, edition.id) == version and stored_version(app, other.id) == 0
    assert client.get(f"/api/v1/control/{edition.slug}/state").status_code == 401


def test_control_a_token_revoked_while_in_use_stops_at_once(app, client, edition):
    token = make_device(app, edition.id, "Stream Deck à révoquer")
    organiser = signed_in(app)
    assert post(client, edition.slug, "start", token).status_code == 200
    version = stored_version(app, edition.id)
    page = organiser.get(f"/organiser/editions/{edition.id}/control")
    with app.app_context(), db.read() as session:
        device_id = session.scalar(select(ControlDevice.id).where(ControlDevice.edition_id == edition.id))
    revoked = organiser.post(f"/organiser/editions/{edition.id}/control/revoke",
                             data={"device_id": device_id, "csrf_token": csrf_token(page.text)})
    assert revoked.status_code == 303
    refused = post(client, edition.slug, "pause", token)
    assert refused.status_code == 401 and refused.get_json()["error"] == "unauthorized"
    assert client.get(f"/api/v1/control/{edition.slug}/state", headers=bearer(token)).status_code == 401
    assert stored_version(app, edition.id) == version
    listed = organiser.get(f"/organiser/editions/{edition.id}/control").text
    assert "Stream Deck à révoquer" in listed and "révoqué le" in listed
    with app.app_context(), db.read() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "control_device_revoke"))
        assert (entry.edition_id, entry.object_type, entry.object_id) == (edition.id, "control_device", device_id)


def test_control_commands_are_rate_limited_per_token(app, client, edition):
    token = make_device(app, edition.id)
    answers = [post(client, edition.slug, "questions", token).status_code for _ in range(60)]
    assert answers == [409] * 60  # refused by the domain (nothing on stage), but counted
    version, stored = stored_version(app, edition.id), commands_stored(app, edition.id)
    limited = post(client, edition.slug, "start", token)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert limited.get_json()["error"] == "rate_limited"
    assert (stored_version(app, edition.id), commands_stored(app, edition.id)) == (version, stored)
    other = make_device(app, edition.id, "Autre appareil")  # another token has its own budget
    assert post(client, edition.slug, "start", other).status_code == 200


def test_control_answers_503_when_the_database_does_not_answer():
    """A PostgreSQL nobody listens on (port 9, discard): the request's unit of work fails, nothing stored."""
    from pitchday import create_app
    from pitchday.config import Config

    down = create_app(Config(DATABASE_URL="postgresql+psycopg2://pitchday@127.0.0.1:9/absente",
                             ASYNC_MODE="threading", TESTING=True, SECRET_KEY="s" * 48))
    response = down.test_client().post(f"/api/v1/control/{factories.SLUG}/start",
                                       headers=bearer("pdc_" + "y" * 43))
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.get_json()["error"] == "database_unavailable"


def test_control_a_console_sees_the_command_of_a_device(app, client, edition, moderator_http):
    token = make_device(app, edition.id)
    console, projector = moderator_socket(app, moderator_http), connect(app, "projector")
    version = events(console, "snapshot")[-1]["version"]
    assert post(client, edition.slug, "start", token).get_json() == {"ok": True, "version": version + 1}
    screen = events(projector, "state")[-1]
    assert screen["version"] == version + 1 and "moderator" not in screen
    state = events(console, "state")[-1]
    assert state["version"] == version + 1 and state["state"]["phase"] == "pitch"
    # The console names the device among those at the controls (it sent a command lately)...
    assert state["moderator"]["control_devices"] == ["Stream Deck régie"]
    # ...and no longer once it is revoked.
    with app.app_context(), db.write() as session:
        device_id = session.scalar(select(ControlDevice.id).where(ControlDevice.edition_id == edition.id))
        control.revoke_device(edition.id, device_id)
    assert command_from_console(console, version + 1)["ok"]
    assert events(console, "state")[-1]["moderator"]["control_devices"] == []


def command_from_console(console, version: int) -> dict:
    return console.emit("command", {"command_id": str(uuid.uuid4()), "name": "pause", "args": {}, "version": version},
                        callback=True)


# -- the organisers' page -------------------------------------------------------------------------

def test_control_page_shows_a_new_token_once_and_stores_only_its_digest(app, edition):
    organiser = signed_in(app)
    page = organiser.get(f"/organiser/editions/{edition.id}/control")
    assert page.status_code == 200 and "Aucun appareil" in page.text
    created = organiser.post(f"/organiser/editions/{edition.id}/control",
                             data={"name": "  Stream Deck   régie ", "csrf_token": csrf_token(page.text)})
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    token = created.text.split('id="new-token">', 1)[1].split("<", 1)[0]
    assert token.startswith("pdc_") and len(token) == 47
    assert f"/api/v1/control/{edition.slug}/state" in created.text
    with app.app_context(), db.read() as session:
        device = session.scalar(select(ControlDevice).where(ControlDevice.edition_id == edition.id))
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "control_device_create"))
        assert device.name == "Stream Deck régie" and device.token_digest != token and token not in str(entry.detail)
        assert (entry.edition_id, entry.object_type, entry.object_id) == (edition.id, "control_device", device.id)
    again = organiser.get(f"/organiser/editions/{edition.id}/control").text
    assert token not in again and "Stream Deck régie" in again and "jamais" in again
    http = app.test_client()
    assert http.post(f"/api/v1/control/{edition.slug}/start", headers=bearer(token)).status_code == 200
    assert "jamais" not in organiser.get(f"/organiser/editions/{edition.id}/control").text


def test_control_page_refuses_a_blank_name_and_keeps_what_was_typed(app, edition):
    organiser = signed_in(app)
    page = organiser.get(f"/organiser/editions/{edition.id}/control")
    refused = organiser.post(f"/organiser/editions/{edition.id}/control",
                             data={"name": "   ", "csrf_token": csrf_token(page.text)})
    assert refused.status_code == 400 and 'aria-invalid="true"' in refused.text
    long_name = "N" * 61
    too_long = organiser.post(f"/organiser/editions/{edition.id}/control",
                              data={"name": long_name, "csrf_token": csrf_token(page.text)})
    assert too_long.status_code == 400 and f'value="{long_name}"' in too_long.text
    with app.app_context(), db.read() as session:
        assert session.scalar(select(func.count()).select_from(ControlDevice)) == 0


def test_control_page_lists_devices_to_the_regie_without_the_forms(app, edition):
    make_device(app, edition.id, "Stream Deck de la régie")
    regie = signed_in(app, role="regie", edition_id=edition.id, email="regie@equipe-essai.example.org")
    page = regie.get(f"/organiser/editions/{edition.id}/control")
    assert page.status_code == 200 and "Stream Deck de la régie" in page.text
    assert 'name="device_id"' not in page.text and 'id="device-name"' not in page.text
    refused = regie.post(f"/organiser/editions/{edition.id}/control",
                         data={"name": "Intrus", "csrf_token": csrf_token(page.text)})
    assert refused.status_code == 403


def test_control_revoking_a_device_of_another_edition_is_not_found(app, edition):
    with app.app_context():
        other = factories.make_edition(slug="autre-soiree", number=2)
    token = make_device(app, other.id)
    organiser = signed_in(app)
    page = organiser.get(f"/organiser/editions/{edition.id}/control")
    with app.app_context(), db.read() as session:
        device_id = session.scalar(select(ControlDevice.id))
    refused = organiser.post(f"/organiser/editions/{edition.id}/control/revoke",
                             data={"device_id": device_id, "csrf_token": csrf_token(page.text)})
    assert refused.status_code == 404
    assert app.test_client().get("/api/v1/control/autre-soiree/state", headers=bearer(token)).status_code == 200


def test_control_openapi_document_lists_exactly_the_routes_of_the_api(app):
    import re

    from pitchday.web.api import openapi_document

    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule).removeprefix("/api/v1")
              for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/") and rule.endpoint not in ("api.unknown", "control_api.unknown")}
    assert routes == set(openapi_document()["paths"])
    operations = openapi_document()["paths"]
    assert operations["/control/{slug}/{action}"]["post"]["security"] == [{"controlToken": []}]
    assert "security" not in operations["/editions/{slug}/live"]["get"]  # the public data needs no token


def test_control_any_other_address_or_method_answers_in_json(app, client, edition):
    token = make_device(app, edition.id)
    for method, url, status, code in [("GET", f"/api/v1/control/{edition.slug}/start", 404, "not_found"),
                                      ("POST", f"/api/v1/control/{edition.slug}", 404, "not_found"),
                                      ("POST", "/api/v1/control/", 404, "not_found"),
                                      ("PUT", f"/api/v1/control/{edition.slug}/next", 405, "method_not_allowed"),
                                      ("DELETE", f"/api/v1/control/{edition.slug}/state", 405, "method_not_allowed")]:
        response = client.open(url, method=method, headers=bearer(token))
        assert (response.status_code, response.mimetype) == (status, "application/json"), (method, url)
        assert response.get_json()["error"] == code and "Access-Control-Allow-Origin" not in response.headers
    assert stored_version(app, edition.id) == 0


def test_control_the_same_key_sent_at_once_from_several_threads_is_one_command(app, edition):
    """A retry that overtakes the first request (a device resending after a timeout): one command, one answer."""
    import threading

    token = make_device(app, edition.id)
    assert post(app.test_client(), edition.slug, "start", token).status_code == 200
    version, stored = stored_version(app, edition.id), commands_stored(app, edition.id)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    answers, start = [], threading.Barrier(6)

    def send():
        start.wait(timeout=60)
        answers.append(post(app.test_client(), edition.slug, "plus30", token, headers=key).get_json())

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert answers == [{"ok": True, "version": version + 1}] * 6
    assert (stored_version(app, edition.id), commands_stored(app, edition.id)) == (version + 1, stored + 1)
