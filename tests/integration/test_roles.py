"""THE ROLE TABLE: every organiser route and every privileged socket event, asked as every kind of
person, gives exactly the access its row says (issue 9). The rows are written here by hand, not
derived from domain/access: the table in the domain is what this test checks.

Persons: an admin (every edition), the organiser of this edition, the organiser of another
edition, a reviewer and a régie of this edition, and nobody (not signed in). Denied: 403 (nobody:
a redirect to the login page), never a 500 and never the data. A route or a socket event that
has no row fails the test (``test_every_route_has_a_row``, ``test_every_socket_event_has_a_row``).
"""
from __future__ import annotations

import uuid

import pytest

from pitchday.extensions import db, socketio
from pitchday.models import ConnectRequest, ImportDraft
from pitchday.services import access
from tests import factories

from .conftest import connect, csrf_token, fresh_edition, login

pytestmark = pytest.mark.integration

ADMIN, ORGANISER, OTHER_ORGANISER, REVIEWER, REGIE, NOBODY = (
    "admin", "organiser", "other_organiser", "reviewer", "regie", "nobody")
PERSONS = (ADMIN, ORGANISER, OTHER_ORGANISER, REVIEWER, REGIE, NOBODY)
EVERYONE = frozenset(PERSONS)
SIGNED_IN = frozenset({ADMIN, ORGANISER, OTHER_ORGANISER, REVIEWER, REGIE})
ANYONE_OF_THIS_EDITION = frozenset({ADMIN, ORGANISER, REVIEWER, REGIE})
ORGANISERS = frozenset({ADMIN, ORGANISER})
READERS = frozenset({ADMIN, ORGANISER, REVIEWER})
LIVE = frozenset({ADMIN, ORGANISER, REGIE})
ADMIN_ONLY = frozenset({ADMIN})

# (endpoint, method): who may. One row per route and method of the organiser blueprint.
ROUTES = {
    ("organiser.login", "GET"): EVERYONE,
    ("organiser.login", "POST"): EVERYONE,
    ("organiser.logout", "POST"): EVERYONE,
    ("organiser.first_admin", "GET"): EVERYONE,
    ("organiser.first_admin", "POST"): EVERYONE,
    ("organiser.accept_invitation", "GET"): EVERYONE,
    ("organiser.accept_invitation", "POST"): EVERYONE,
    ("organiser.reset_password", "GET"): EVERYONE,
    ("organiser.reset_password", "POST"): EVERYONE,
    ("organiser.forgot_password", "GET"): EVERYONE,
    ("organiser.forgot_password", "POST"): EVERYONE,
    ("organiser.dashboard", "GET"): SIGNED_IN,
    ("organiser.my_sessions", "GET"): SIGNED_IN,
    ("organiser.change_password", "POST"): SIGNED_IN,
    ("organiser.sign_out_everywhere", "POST"): SIGNED_IN,
    ("organiser.edition", "GET"): ANYONE_OF_THIS_EDITION,
    ("organiser.new_edition", "GET"): ADMIN_ONLY,
    ("organiser.new_edition", "POST"): ADMIN_ONLY,
    ("organiser.edit_edition", "GET"): ORGANISERS,
    ("organiser.edit_edition", "POST"): ORGANISERS,
    ("organiser.create_link", "POST"): ORGANISERS,
    ("organiser.revoke_link", "POST"): ORGANISERS,
    ("organiser.durations", "GET"): ORGANISERS,
    ("organiser.durations", "POST"): ORGANISERS,
    ("organiser.console", "GET"): LIVE,
    ("organiser.applications", "GET"): READERS,
    ("organiser.application", "GET"): READERS,
    ("organiser.application", "POST"): ORGANISERS,
    ("organiser.programme", "GET"): ORGANISERS,
    ("organiser.programme", "POST"): ORGANISERS,
    ("organiser.import_applications", "GET"): ORGANISERS,
    ("organiser.import_applications", "POST"): ORGANISERS,
    ("organiser.import_preview", "GET"): ORGANISERS,
    ("organiser.import_preview", "POST"): ORGANISERS,
    ("organiser.cancel_import", "POST"): ORGANISERS,
    ("organiser.connections", "GET"): ORGANISERS,
    ("organiser.connection_status", "POST"): ORGANISERS,
    ("organiser.introduce", "GET"): ORGANISERS,
    ("organiser.introduce", "POST"): ORGANISERS,
    ("organiser.digest", "GET"): ORGANISERS,
    ("organiser.digest_csv", "GET"): ORGANISERS,
    ("organiser.report", "GET"): ORGANISERS,
    ("organiser.report_csv", "GET"): ORGANISERS,
    ("organiser.report_xlsx", "GET"): ORGANISERS,
    ("organiser.privacy_settings", "GET"): ADMIN_ONLY,
    ("organiser.privacy_settings", "POST"): ADMIN_ONLY,
    ("organiser.personal_data", "GET"): ADMIN_ONLY,
    ("organiser.personal_data", "POST"): ADMIN_ONLY,
    ("organiser.accounts", "GET"): ADMIN_ONLY,
    ("organiser.invite", "POST"): ADMIN_ONLY,
    ("organiser.add_role", "POST"): ADMIN_ONLY,
    ("organiser.remove_role", "POST"): ADMIN_ONLY,
    ("organiser.disable_account", "POST"): ADMIN_ONLY,
    ("organiser.enable_account", "POST"): ADMIN_ONLY,
    ("organiser.reset_link", "POST"): ADMIN_ONLY,
    ("organiser.outbox_page", "GET"): ORGANISERS,
    ("organiser.outbox_send", "POST"): ORGANISERS,
    ("organiser.outbox_reminders", "POST"): ORGANISERS,
    ("organiser.outbox_slides_reminders", "POST"): ORGANISERS,
    ("organiser.outbox_message", "GET"): ORGANISERS,
    ("organiser.outbox_message", "POST"): ORGANISERS,
    ("organiser.outbox_templates", "GET"): ORGANISERS,
    ("organiser.outbox_template", "GET"): ORGANISERS,
    ("organiser.outbox_template", "POST"): ORGANISERS,
    ("organiser.rundown_export", "GET"): ORGANISERS,
    ("organiser.rundown_export_xlsx", "GET"): ORGANISERS,
    ("organiser.rundown_import", "GET"): ORGANISERS,
    ("organiser.rundown_import", "POST"): ORGANISERS,
    ("organiser.upload_deck", "POST"): ORGANISERS,
    ("organiser.deck_display", "POST"): ORGANISERS,
    ("organiser.audit_log", "GET"): ADMIN_ONLY,
    ("organiser.audit_csv", "GET"): ADMIN_ONLY,
    # branch control: the control devices (hardware control API tokens)
    ("organiser.control_devices", "GET"): LIVE,
    ("organiser.control_devices", "POST"): ORGANISERS,
    ("organiser.revoke_control_device", "POST"): ORGANISERS,
    # branch digest: the speakers' digests, the talks' CSV for other tools
    ("organiser.outbox_digests", "POST"): ORGANISERS,
    ("organiser.talks_csv", "GET"): ORGANISERS,
    # -- branch reviews
    ("organiser.reviews_page", "GET"): READERS,
    ("organiser.review_application", "POST"): READERS,
    ("organiser.review_settings", "GET"): ORGANISERS,
    ("organiser.review_settings", "POST"): ORGANISERS,
    # intake: the import templates, the review list's bulk decisions
    ("organiser.import_template_csv", "GET"): ORGANISERS,
    ("organiser.import_template_xlsx", "GET"): ORGANISERS,
    ("organiser.bulk_decision", "POST"): ORGANISERS,
    # wording
    ("organiser.accessibility_settings", "GET"): ADMIN_ONLY,
    ("organiser.accessibility_settings", "POST"): ADMIN_ONLY,
}
# Requests after which the person signs in again (they end the session they were sent with).
ENDS_THE_SESSION = {"organiser.logout", "organiser.sign_out_everywhere"}

# Socket events that need a moderator (a link, or a signed-in régie or organiser of the edition):
# who may. The audience's events and the clock are public; "resync" answers everyone, with the
# moderators' extras only to a moderator (test_moderator_cut_off.py).
PRIVILEGED_EVENTS = {
    "connect:moderator": LIVE,
    "command": LIVE,
    "moderate": LIVE,
    "moderation_list": LIVE,
    "question_settings": LIVE,
}
PUBLIC_EVENTS = {"connect", "disconnect", "clock", "resync", "ask", "vote", "connect_request", "mine", "board"}

EMAILS = {ORGANISER: "orga@equipe-essai.example.org", OTHER_ORGANISER: "orga-autre@equipe-essai.example.org",
          REVIEWER: "relecteur@equipe-essai.example.org", REGIE: "regie@equipe-essai.example.org"}
ROLE_OF = {ORGANISER: "organisateur", OTHER_ORGANISER: "organisateur", REVIEWER: "relecteur", REGIE: "regie"}
# What a denied answer must never hold: an applicant's address, an attendee's, a moderator link.
SECRET_ATTENDEE = "alex@fictiveville.example.org"


def _organiser_routes(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("organiser.") and rule.endpoint != "organiser.static":
            found |= {(rule.endpoint, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def test_every_route_has_a_row(app):
    assert _organiser_routes(app) == set(ROUTES)


def test_every_socket_event_has_a_row(app):
    handled = set(socketio.server.handlers["/"])
    assert handled - PUBLIC_EVENTS == {e for e in PRIVILEGED_EVENTS if not e.startswith("connect:")}


def test_every_route_declares_a_permission_or_is_public(app):
    from pitchday.web.organiser.auth import PERMISSION_ATTRIBUTE, PUBLIC_ENDPOINTS

    undeclared = {endpoint for endpoint, _method in _organiser_routes(app)
                  if endpoint not in PUBLIC_ENDPOINTS
                  and getattr(app.view_functions[endpoint], PERMISSION_ATTRIBUTE, None) is None}
    assert undeclared == set()


def test_a_route_that_declares_no_permission_is_refused(app):
    """Fail closed: the blueprint's check refuses a view that forgot its ``@requires``."""
    from werkzeug.exceptions import Forbidden

    from pitchday.web.organiser.auth import check_access

    saved = app.view_functions["organiser.dashboard"]
    app.view_functions["organiser.dashboard"] = lambda: "data"  # the same route, without a declaration
    try:
        with app.test_request_context("/organiser/"), pytest.raises(Forbidden):
            check_access()
    finally:
        app.view_functions["organiser.dashboard"] = saved


def _world(app):
    built = fresh_edition(app, applications=True)
    with app.app_context():
        other = factories.make_edition(slug="autre-soiree", number=2)
        for person, email in EMAILS.items():
            factories.make_account(email, role=ROLE_OF[person],
                                   edition_id=other.id if person == OTHER_ORGANISER else built.id)
        target = factories.make_account("cible@equipe-essai.example.org", role="relecteur", edition_id=built.id)
        with db.write() as session:
            talk = built.talks[0]
            request = ConnectRequest(edition_id=built.id, talk_id=talk.id, client_id=str(uuid.uuid4()),
                                     device_id="d" * 16, name="Alex Testeur", organisation="Fictiveville",
                                     email=SECRET_ATTENDEE, intent="learn_more",
                                     consent_text="J'accepte…", consented_at=built.starts_at)
            draft = ImportDraft(edition_id=built.id, filename="candidatures.csv", content="a;b\n1;2\n")
            session.add_all([request, draft])
            session.flush()
            link, token = access.create_moderator_link(built.id, hours=2, holder_name="Camille Régie")
            ids = {"edition_id": built.id, "talk_id": talk.id, "request_id": request.id, "draft_id": draft.id,
                   "application_id": talk.application_id, "link_id": link.id, "account_id": target.id,
                   "token": "pas-un-jeton", "message_id": 1, "kind": "retained", "language": "fr"}
    return built, ids, token


def _url(app, endpoint: str, ids: dict) -> str:
    from flask import url_for

    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    missing = set(rule.arguments) - set(ids)
    assert not missing, f"the role table test has no value for {missing} of {endpoint}: add it to _world"
    with app.test_request_context():
        return url_for(endpoint, **{name: ids[name] for name in rule.arguments})


def _client(app, person: str):
    http = app.test_client()
    if person == NOBODY:
        return http
    from .conftest import ORGANISER_EMAIL

    assert login(http, ORGANISER_EMAIL if person == ADMIN else EMAILS[person]).status_code == 302
    return http


def _token(http) -> str:
    return csrf_token(http.get("/organiser/login").text)


@pytest.mark.parametrize("person", PERSONS)
def test_every_organiser_route_answers_each_person_as_its_row_says(app, person):
    built, ids, link_token = _world(app)
    http = _client(app, person)
    token = _token(http)
    wrong = []
    for (endpoint, method), allowed in sorted(ROUTES.items()):
        url = _url(app, endpoint, ids)
        response = http.get(url) if method == "GET" else http.post(url, data={"csrf_token": token})
        status = response.status_code
        to_login = status == 302 and "/organiser/login" in response.headers.get("Location", "")
        if endpoint in {e for e, _m in ROUTES if ROUTES[(e, _m)] == EVERYONE}:
            denied = False
        else:
            denied = status == 403 or to_login
        if person in allowed and denied:
            wrong.append(f"{method} {endpoint}: refused ({status}) but allowed")
        if person not in allowed:
            expected = "login" if person == NOBODY else 403
            if (expected == "login" and not to_login) or (expected == 403 and status != 403):
                wrong.append(f"{method} {endpoint}: {status}, expected {expected}")
            body = response.get_data(as_text=True)
            if SECRET_ATTENDEE in body or link_token in body or "noe@lueur-urbaine.example.org" in body:
                wrong.append(f"{method} {endpoint}: data in a refusal")
        assert status != 500
        if endpoint in ENDS_THE_SESSION:
            http = _client(app, person)
            token = _token(http)
    assert wrong == []


@pytest.mark.parametrize("person", PERSONS)
def test_every_privileged_socket_event_answers_each_person_as_its_row_says(app, person):
    built, ids, _token_ = _world(app)
    http = _client(app, person)
    moderator = connect(app, "moderator", http=http, edition_slug=built.slug)
    assert moderator.is_connected() == (person in PRIVILEGED_EVENTS["connect:moderator"])
    # A socket that is not a moderator's (the audience view, same person) asks the privileged events.
    sio = moderator if moderator.is_connected() else connect(app, "audience", http=http, edition_slug=built.slug)
    payloads = {"command": {"command_id": str(uuid.uuid4()), "name": "pause", "args": {}, "version": 0},
                "moderate": {"question_id": 1, "action": "hide"},
                "moderation_list": {"talk_id": ids["talk_id"]},
                "question_settings": {"auto": False}}
    wrong = []
    for event, allowed in PRIVILEGED_EVENTS.items():
        if event.startswith("connect:"):
            continue
        answer = sio.emit(event, payloads[event], callback=True)
        refused = isinstance(answer, dict) and not answer.get("ok") and answer.get("error", {}).get("code") == "forbidden"
        if refused == (person in allowed):
            wrong.append(f"{event}: {answer}")
    assert wrong == []
