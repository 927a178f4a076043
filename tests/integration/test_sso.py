"""Single sign-on end to end: the real pitchday server and a real OpenID provider, both on loopback.

The provider (tests/oidc/provider.mjs, the npm package oidc-provider) requires PKCE of pitchday's
client and signs its id_tokens; its fictional users: "lea" (verified address of an account), "hugo"
(an account's address, not verified), "usurpateur" (lea's address, not verified), "nina" (verified,
no account), "lea-maj" (lea's address in capitals, verified).
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
from sqlalchemy import func, select

from tests.oidc import CLIENT_ID, CLIENT_SECRET, Provider, finish, sign_in
from tests.serverproc import REQUEST_TIMEOUT_S, Server, free_port

from .conftest import fresh_edition

pytestmark = pytest.mark.integration

LEA, HUGO = "lea.fontaine@example.org", "hugo.marchal@example.org"


@pytest.fixture()
def team(app):
    """Accounts of the organising team: Léa and Hugo with a role, Zoé without, Marc disabled."""
    edition = fresh_edition(app)
    with app.app_context():
        from pitchday.extensions import db
        from pitchday.services import accounts

        with db.write():
            for email, name, role in ((LEA, "Léa Fontaine", "organisateur"), (HUGO, "Hugo Marchal", "relecteur"),
                                      ("zoe.lambert@example.org", "Zoé Lambert", None),
                                      ("marc.dupuis@example.org", "Marc Dupuis", "organisateur")):
                account = accounts.create_account(email, name)
                if role:
                    accounts.grant(account.id, role, edition.id)
        with db.write() as session:
            from datetime import datetime, timezone

            accounts.account_by_email("marc.dupuis@example.org").disabled_at = datetime.now(timezone.utc)
            session.flush()
    return edition


@pytest.fixture()
def sso(app, database_url, team):
    """(pitchday server, provider) with single sign-on configured."""
    provider_port = free_port()
    server = Server(database_url, command="serve", env={
        "PITCHDAY_OIDC_ISSUER": f"http://127.0.0.1:{provider_port}",
        "PITCHDAY_OIDC_CLIENT_ID": CLIENT_ID, "PITCHDAY_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "PITCHDAY_OIDC_NAME": "l'annuaire de la Métropole"}).start()
    provider = Provider(provider_port, server.url("/organiser/login/sso/callback")).start()
    yield server, provider
    provider.stop()
    server.stop()


def account_count(app) -> int:
    from pitchday.extensions import db
    from pitchday.models import Account

    with app.app_context(), db.read() as session:
        return session.scalar(select(func.count()).select_from(Account))


def test_the_login_page_offers_the_provider(sso):
    server, _provider = sso
    page = requests.get(server.url("/organiser/login"), timeout=REQUEST_TIMEOUT_S).text
    assert "Se connecter avec l&#39;annuaire de la Métropole" in page
    assert 'href="/organiser/login/sso' in page


def test_a_verified_address_of_an_account_opens_the_organiser_area(sso):
    server, _provider = sso
    http = requests.Session()
    answer = sign_in(http, server.url("/organiser/login/sso?next=/organiser/"), "lea")

    assert answer.status_code == 200, answer.text[:500]
    assert urlsplit(answer.url).path == "/organiser/"
    assert "Se déconnecter" in answer.text
    # The session holds: the next page opens too, and nobody else's browser does.
    assert http.get(server.url("/organiser/"), allow_redirects=False, timeout=REQUEST_TIMEOUT_S).status_code == 200
    assert requests.get(server.url("/organiser/"), allow_redirects=False, timeout=REQUEST_TIMEOUT_S).status_code == 302


def test_the_server_output_holds_no_address_code_or_token(sso):
    server, _provider = sso
    http = requests.Session()
    callback = sign_in(http, server.url("/organiser/login/sso"), "lea", follow_callback=False)
    query = parse_qs(urlsplit(callback.headers["Location"]).query)
    assert urlsplit(finish(http, http.get(callback.headers["Location"], timeout=REQUEST_TIMEOUT_S)).url).path == "/organiser/"
    sign_in(requests.Session(), server.url("/organiser/login/sso"), "nina")  # a refusal is logged: its code only
    server.stop()

    output = server.log()
    assert "single sign-on refused: unknown" in output
    for secret in (LEA, "nina.roussel", query["code"][0], query["state"][0], CLIENT_SECRET):
        assert secret not in output


def test_the_address_matches_whatever_its_case(sso):
    server, _provider = sso
    answer = sign_in(requests.Session(), server.url("/organiser/login/sso"), "lea-maj")
    assert urlsplit(answer.url).path == "/organiser/"


@pytest.mark.parametrize("login, status, words", [
    ("hugo", 403, "ne garantit pas votre adresse"),        # an account's address, not verified
    ("usurpateur", 403, "ne garantit pas votre adresse"),  # someone else's address, not verified
    ("nina", 403, "Aucun compte de l'équipe"),           # verified, but no account
])
def test_an_unverified_or_unknown_address_is_refused_and_creates_no_account(app, sso, login, status, words):
    server, _provider = sso
    before = account_count(app)
    http = requests.Session()
    answer = sign_in(http, server.url("/organiser/login/sso"), login)

    assert answer.status_code == status
    assert words in answer.text.replace("&#39;", "'")
    assert account_count(app) == before
    assert http.get(server.url("/organiser/"), allow_redirects=False, timeout=REQUEST_TIMEOUT_S).status_code == 302


@pytest.mark.parametrize("login, words", [("marc", "Ce compte est désactivé"), ("zoe", "aucun rôle")])
def test_a_disabled_account_or_one_without_a_role_is_refused(sso, login, words):
    server, _provider = sso
    http = requests.Session()
    answer = sign_in(http, server.url("/organiser/login/sso"), login)

    assert answer.status_code == 403
    assert words in answer.text
    assert http.get(server.url("/organiser/"), allow_redirects=False, timeout=REQUEST_TIMEOUT_S).status_code == 302


def test_a_callback_this_browser_did_not_start_is_refused(sso):
    server, _provider = sso
    victim = requests.Session()
    callback = sign_in(requests.Session(), server.url("/organiser/login/sso"), "lea", follow_callback=False)
    url = requests.compat.urljoin(callback.url, callback.headers["Location"])

    # Another browser (no state in its session): a forged or stolen callback.
    answer = victim.get(url, timeout=REQUEST_TIMEOUT_S)
    assert answer.status_code == 400
    assert victim.get(server.url("/organiser/"), allow_redirects=False, timeout=REQUEST_TIMEOUT_S).status_code == 302


def test_a_state_changed_on_the_way_is_refused(sso):
    server, _provider = sso
    http = requests.Session()
    callback = sign_in(http, server.url("/organiser/login/sso"), "lea", follow_callback=False)
    parts = urlsplit(requests.compat.urljoin(callback.url, callback.headers["Location"]))
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    assert query["code"] and query["state"]
    query["state"] = query["state"][::-1]

    answer = http.get(urlunsplit(parts._replace(query=urlencode(query))), timeout=REQUEST_TIMEOUT_S)
    assert answer.status_code == 400
    assert http.get(server.url("/organiser/"), allow_redirects=False, timeout=REQUEST_TIMEOUT_S).status_code == 302


def test_a_callback_is_good_once(sso):
    server, _provider = sso
    http = requests.Session()
    callback = sign_in(http, server.url("/organiser/login/sso"), "lea", follow_callback=False)
    url = requests.compat.urljoin(callback.url, callback.headers["Location"])
    assert urlsplit(finish(http, http.get(url, timeout=REQUEST_TIMEOUT_S)).url).path == "/organiser/"

    replay = requests.Session()
    replay.cookies.update(http.cookies)
    assert replay.get(url, timeout=REQUEST_TIMEOUT_S).status_code == 400  # the state was used up


def test_no_provider_configured_means_no_button_and_no_route(app, client):
    assert "sso" not in client.get("/organiser/login").text
    assert client.get("/organiser/login/sso").status_code == 404
    assert client.get("/organiser/login/sso/callback?code=x&state=y").status_code == 404


def test_a_provider_that_does_not_answer_gets_a_clear_page_not_a_500(database_url, team):
    closed = free_port()  # nobody listens there
    server = Server(database_url, command="serve", env={
        "PITCHDAY_OIDC_ISSUER": f"http://127.0.0.1:{closed}", "PITCHDAY_OIDC_CLIENT_ID": CLIENT_ID,
        "PITCHDAY_OIDC_CLIENT_SECRET": CLIENT_SECRET}).start()
    try:
        answer = requests.get(server.url("/organiser/login/sso"), allow_redirects=False, timeout=REQUEST_TIMEOUT_S)
        assert answer.status_code == 502
        assert "Le fournisseur d&#39;identité ne répond pas" in answer.text
        forged = requests.get(server.url("/organiser/login/sso/callback?error=x%0Aforged%20line&state=s"),
                              timeout=REQUEST_TIMEOUT_S)
        assert forged.status_code == 400
    finally:
        server.stop()
    assert "forged line" not in server.log() and "Traceback" not in server.log()



# qrwall: a single sign-on is audited like a password sign-in
def sign_ins(app) -> list[tuple[str, str, dict]]:
    from pitchday.extensions import db
    from pitchday.models import Account, AuditEntry

    with app.app_context(), db.read() as session:
        rows = session.execute(select(Account.email, AuditEntry.object_type, AuditEntry.detail)
                               .join(Account, Account.id == AuditEntry.actor_id)
                               .where(AuditEntry.action == "organiser.sign_in", AuditEntry.object_id == Account.id))
        return [tuple(row) for row in rows]


def test_a_single_sign_on_is_written_to_the_audit_trail_once(app, sso):
    server, _provider = sso
    before = sign_ins(app)
    http = requests.Session()
    callback = sign_in(http, server.url("/organiser/login/sso"), "lea", follow_callback=False)
    page = http.get(requests.compat.urljoin(callback.url, callback.headers["Location"]), timeout=REQUEST_TIMEOUT_S)
    assert page.status_code == 200 and 'id="sso-finish"' in page.text
    assert sign_ins(app) == before  # the callback, a GET, wrote nothing
    assert http.get(server.url("/organiser/"), allow_redirects=False, timeout=REQUEST_TIMEOUT_S).status_code == 302

    signed_in = finish(http, page)

    assert urlsplit(signed_in.url).path == "/organiser/"
    assert sign_ins(app) == before + [(LEA, "account", {"method": "sso"})]
    again = finish(http, page)  # the same form sent twice: refused (its verified sign-in and token are gone)
    assert again.status_code == 400 and sign_ins(app) == before + [(LEA, "account", {"method": "sso"})]


def test_a_refused_single_sign_on_writes_no_sign_in(app, sso):
    server, _provider = sso
    before = sign_ins(app)

    assert sign_in(requests.Session(), server.url("/organiser/login/sso"), "nina").status_code == 403
    assert sign_ins(app) == before
