"""The team's accounts end to end (issue 9): invitations and password resets through a real SMTP
server on loopback, the password rules, roles and their refusals, disabling an account in the
middle of a session (pages and console), the console of a régie account, "sign out everywhere",
the migration from the shared password, and the command line."""
from __future__ import annotations

import email
import html
import re
from email.policy import default as default_policy

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from pitchday.extensions import db
from pitchday.models import Account, RoleGrant
from pitchday.services import access, accounts
from tests import factories

from .conftest import (ORGANISER_EMAIL, ORGANISER_PASSWORD, clean_database, connect, csrf_token, fresh_edition, login, post_form,
                       signed_in)
from .test_followup import smtp_server  # noqa: F401 -- the real SMTP server fixture

pytestmark = pytest.mark.integration

INVITED = "camille.relectrice@equipe-essai.example.org"
GOOD_PASSWORD = "une phrase de passe bien longue"


def _mail_link(envelope) -> str:
    message = email.message_from_bytes(envelope.content, policy=default_policy)
    return re.search(r"http://localhost(/organiser/\S+)", message.get_content()).group(1)


def _account_count(app) -> int:
    with app.app_context(), db.read() as session:
        return session.scalar(select(func.count(Account.id)))


def _invite(admin, **fields):
    data = {"email": INVITED, "display_name": "Camille Relectrice", "role": "relecteur", "edition": "", **fields}
    return post_form(admin, "/organiser/accounts/invite", data, page="/organiser/accounts")


def _set_password(http, path: str, password: str, again: str | None = None):
    page = http.get(path)
    return http.post(path, data={"password": password, "password_again": again or password,
                                 "csrf_token": csrf_token(page.text)})


# -- invitations ---------------------------------------------------------------------------------

def test_invitation_by_email_lets_the_person_choose_a_password_once(app, organiser, edition, smtp_server):  # noqa: F811
    assert _invite(organiser).status_code == 303
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == [INVITED]
    path = _mail_link(envelope)
    invitee = app.test_client()
    assert "Bienvenue, Camille Relectrice" in invitee.get(path).text
    assert _set_password(invitee, path, GOOD_PASSWORD).status_code == 303
    # A reviewer's list of applications is the review list.
    listed = invitee.get(f"/organiser/editions/{edition.id}/applications")
    assert listed.status_code == 303 and listed.location.endswith(f"/organiser/editions/{edition.id}/reviews")
    assert invitee.get(listed.location).status_code == 200
    assert invitee.get("/organiser/accounts").status_code == 403
    again = app.test_client()
    assert again.get(path).status_code == 410  # single use
    assert login(app.test_client(), INVITED, GOOD_PASSWORD).status_code == 302


def test_invitation_without_smtp_shows_the_link_to_copy(app, organiser, edition):
    response = _invite(organiser)
    assert response.status_code == 200
    link = re.search(r'id="shown-link">http://localhost([^<]+)<', response.text).group(1)
    assert app.test_client().get(link).status_code == 200


@pytest.mark.parametrize("password, message", [
    ("court123", "au moins 12 caractères"),
    ("qwerty123456", "trop courant"),
    ("aaaaaaaaaaaaaaaa", "trop courant"),
    ("password1234", "trop courant"),
])
def test_invited_person_cannot_choose_a_short_or_common_password(app, organiser, edition, password, message):
    link = re.search(r'id="shown-link">http://localhost([^<]+)<', _invite(organiser).text).group(1)
    invitee = app.test_client()
    refused = _set_password(invitee, link, password)
    assert refused.status_code == 400 and message in refused.text
    assert _set_password(invitee, link, GOOD_PASSWORD, "autre chose encore").status_code == 400
    assert _set_password(invitee, link, GOOD_PASSWORD).status_code == 303  # the link was not spent by refusals


def test_invitation_to_an_existing_address_is_refused_and_creates_nothing(app, organiser, edition):
    before = _account_count(app)
    response = _invite(organiser, email=ORGANISER_EMAIL.upper())
    assert response.status_code == 400 and "Un compte existe déjà avec cette adresse." in response.text
    assert _account_count(app) == before


@pytest.mark.parametrize("edition_field", ["999999", "abc", "1" * 40])
def test_role_for_an_unknown_edition_is_refused_and_creates_nothing(app, organiser, edition, edition_field):
    before = _account_count(app)
    response = _invite(organiser, edition=edition_field)
    assert response.status_code == 400 and "Édition inconnue." in response.text
    assert _account_count(app) == before


def test_expired_invitation_is_refused(app, organiser, edition):
    link = re.search(r'id="shown-link">http://localhost([^<]+)<', _invite(organiser).text).group(1)
    from datetime import datetime, timedelta, timezone

    from pitchday.models import AccountToken

    with app.app_context(), db.write() as session:
        for row in session.scalars(select(AccountToken)):
            row.expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
    assert app.test_client().get(link).status_code == 410


def test_forged_invitation_is_refused(app, edition):
    assert app.test_client().get("/organiser/invitation/pas-un-jeton").status_code == 410


# -- roles and the last admin ---------------------------------------------------------------------

def _id_of(app, address: str) -> int:
    with app.app_context(), db.read():
        return accounts.account_by_email(address).id


def test_the_last_admin_can_neither_lose_the_role_nor_be_disabled(app, organiser, edition):
    admin_id = _id_of(app, ORGANISER_EMAIL)
    removed = post_form(organiser, f"/organiser/accounts/{admin_id}/roles/remove", {"role": "admin", "edition": ""},
                        page="/organiser/accounts")
    assert removed.status_code == 400 and "dernier compte administrateur" in removed.text
    disabled = post_form(organiser, f"/organiser/accounts/{admin_id}/disable", {}, page="/organiser/accounts")
    assert disabled.status_code == 400
    with app.app_context(), db.read() as session:
        assert session.scalar(select(func.count(RoleGrant.id)).where(RoleGrant.role == "admin")) == 1


def test_a_role_given_per_edition_opens_that_edition_only(app, organiser, edition):
    with app.app_context():
        other = factories.make_edition(slug="autre-soiree", number=2)
        factories.make_account(INVITED, role=None)
    account_id = _id_of(app, INVITED)
    given = post_form(organiser, f"/organiser/accounts/{account_id}/roles", {"role": "organisateur", "edition": str(other.id)},
                      page="/organiser/accounts")
    assert given.status_code == 303
    person = app.test_client()
    assert login(person, INVITED).status_code == 302
    assert person.get(f"/organiser/editions/{other.id}/programme").status_code == 200
    assert person.get(f"/organiser/editions/{edition.id}/programme").status_code == 403
    dashboard = html.unescape(person.get("/organiser/").text)
    assert other.title in dashboard and edition.title not in dashboard


def test_navigation_shows_only_what_the_person_may_open(app, edition):
    reviewer = signed_in(app, role="relecteur", edition_id=edition.id, email=INVITED)
    page = reviewer.get(f"/organiser/editions/{edition.id}/reviews").text
    assert f'href="/organiser/editions/{edition.id}/reviews"' in page
    # Their applications are the review list: no second tab leading there.
    assert f'href="/organiser/editions/{edition.id}/applications"' not in page
    for hidden in ("/programme", "/report", "/connections", "/edit"):
        assert f'href="/organiser/editions/{edition.id}{hidden}"' not in page
    assert 'href="/organiser/personal-data"' not in page and 'href="/organiser/accounts"' not in page


# -- a disabled account, in the middle of its session ---------------------------------------------

def test_disabled_account_loses_its_pages_at_the_next_request(app, organiser, edition):
    person = signed_in(app, role="organisateur", edition_id=edition.id, email=INVITED)
    assert person.get(f"/organiser/editions/{edition.id}/programme").status_code == 200
    account_id = _id_of(app, INVITED)
    assert post_form(organiser, f"/organiser/accounts/{account_id}/disable", {}, page="/organiser/accounts").status_code == 303
    response = person.get(f"/organiser/editions/{edition.id}/programme")
    assert response.status_code == 302 and "/organiser/login" in response.headers["Location"]
    assert login(app.test_client(), INVITED).status_code == 401  # and it cannot sign in again
    post_form(organiser, f"/organiser/accounts/{account_id}/enable", {}, page="/organiser/accounts")
    assert login(app.test_client(), INVITED).status_code == 302


def test_disabled_regie_account_console_is_cut_off_at_once(app, organiser, edition):
    regie = signed_in(app, role="regie", edition_id=edition.id, email=INVITED)
    console = connect(app, "moderator", http=regie)
    assert console.is_connected()
    console.get_received()
    account_id = _id_of(app, INVITED)
    assert post_form(organiser, f"/organiser/accounts/{account_id}/disable", {}, page="/organiser/accounts").status_code == 303
    assert not console.is_connected()
    held, console.queue = console.queue, []  # get_received refuses once disconnected
    assert [e["args"][0] for e in held if e["name"] == "access_ended"] == [{"reason": "moderator_link"}]


def test_link_minted_for_a_regie_account_stops_with_the_account(app, organiser, edition):
    with app.app_context():
        holder = factories.make_account(INVITED, role="regie", edition_id=edition.id)
        with db.write():
            _link, token = access.create_moderator_link(edition.id, hours=2, holder_name="Camille", account_id=holder.id)
    tablet = app.test_client()
    assert tablet.get(f"/m/{token}").status_code == 303
    console = connect(app, "moderator", http=tablet)
    assert console.is_connected()
    post_form(organiser, f"/organiser/accounts/{holder.id}/disable", {}, page="/organiser/accounts")
    assert not console.is_connected()
    assert tablet.get(f"/e/{edition.slug}/moderator").status_code == 403


# -- the console without a link -------------------------------------------------------------------

def test_regie_account_opens_the_console_of_its_edition_without_a_link(app, edition):
    regie = signed_in(app, role="regie", edition_id=edition.id, email=INVITED)
    opened = regie.get(f"/organiser/editions/{edition.id}/console")
    assert opened.status_code == 303 and opened.headers["Location"].endswith(f"/e/{edition.slug}/moderator")
    assert regie.get(f"/e/{edition.slug}/moderator").status_code == 200
    console = connect(app, "moderator", http=regie)
    assert console.is_connected()
    answer = console.emit("moderation_list", {"talk_id": edition.talks[0].id}, callback=True)
    assert answer["ok"] is True


def test_reviewer_cannot_open_the_console(app, edition):
    reviewer = signed_in(app, role="relecteur", edition_id=edition.id, email=INVITED)
    assert reviewer.get(f"/e/{edition.slug}/moderator").status_code == 403
    assert not connect(app, "moderator", http=reviewer).is_connected()


# -- sessions ----------------------------------------------------------------------------------

def test_sign_out_everywhere_ends_the_other_sessions_too(app, organiser, edition):
    laptop, tablet = app.test_client(), app.test_client()
    assert login(laptop).status_code == 302 and login(tablet).status_code == 302
    assert post_form(laptop, "/organiser/me/sign-out-everywhere", {}, page="/organiser/me").status_code == 303
    for http in (laptop, tablet, organiser):
        assert http.get("/organiser/").status_code == 302


def test_login_rotates_the_session(app, edition):
    http = app.test_client()
    http.get("/organiser/login")
    before = http.get_cookie("session").value
    assert login(http).status_code == 302
    after = http.get_cookie("session")
    assert after.value != before and after.http_only and after.same_site == "Lax"


def test_unknown_address_and_wrong_password_get_the_same_answer(app, edition):
    unknown = login(app.test_client(), "personne@nulle-part.example.org", ORGANISER_PASSWORD)
    wrong = login(app.test_client(), ORGANISER_EMAIL, "pas le bon mot de passe")
    assert unknown.status_code == wrong.status_code == 401
    def page(response, address):
        return re.sub(r'name="csrf_token" value="[^"]+"', "", response.text.replace(address, "ADRESSE"))

    assert page(unknown, "personne@nulle-part.example.org") == page(wrong, ORGANISER_EMAIL)


def test_login_ignores_the_case_of_the_address(app, edition):
    assert login(app.test_client(), ORGANISER_EMAIL.upper()).status_code == 302


# -- password reset ----------------------------------------------------------------------------

def test_password_reset_by_email_link(app, edition, smtp_server):  # noqa: F811
    http = app.test_client()
    for address in (ORGANISER_EMAIL, "personne@nulle-part.example.org"):
        answer = post_form(http, "/organiser/password/forgot", {"email": address})
        assert answer.status_code == 200 and "Si un compte existe avec cette adresse" in answer.text
    [envelope] = smtp_server.envelopes  # only the account's address gets a message
    assert envelope.rcpt_tos == [ORGANISER_EMAIL]
    path = _mail_link(envelope)
    assert _set_password(app.test_client(), path, GOOD_PASSWORD).status_code == 303
    assert login(app.test_client(), ORGANISER_EMAIL, ORGANISER_PASSWORD).status_code == 401
    assert login(app.test_client(), ORGANISER_EMAIL, GOOD_PASSWORD).status_code == 302
    assert app.test_client().get(path).status_code == 410


def test_change_password_ends_the_other_sessions(app, organiser, edition):
    other = app.test_client()
    assert login(other).status_code == 302
    changed = post_form(organiser, "/organiser/me/password", {"current_password": ORGANISER_PASSWORD,
                                                              "password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD},
                        page="/organiser/me")
    assert changed.status_code == 303
    assert organiser.get("/organiser/").status_code == 200
    assert other.get("/organiser/").status_code == 302


# -- from the shared password ------------------------------------------------------------------

def test_shared_password_leads_to_the_first_admin_then_stops_working(app, edition):
    clean_database(app, admin=False)
    with app.app_context(), db.write():
        access.set_organiser_password("ancien mot de passe partagé")
    http = app.test_client()
    response = login(http, "", "ancien mot de passe partagé")
    assert response.status_code == 302 and response.headers["Location"] == "/organiser/first-admin"
    assert app.test_client().get("/organiser/first-admin").status_code == 302  # only after the shared password
    created = post_form(http, "/organiser/first-admin", {"email": "chef@equipe-essai.example.org", "display_name": "Cheffe",
                                                         "password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD})
    assert created.status_code == 303
    assert http.get("/organiser/accounts").status_code == 200
    assert login(app.test_client(), "", "ancien mot de passe partagé").status_code == 401
    assert login(app.test_client(), "chef@equipe-essai.example.org", GOOD_PASSWORD).status_code == 302
    clean_database(app)  # the world's admin again, for the tests after this one


def test_shared_password_opens_nothing_once_an_account_exists(app, edition):
    with app.app_context(), db.write():
        access.set_organiser_password("ancien mot de passe partagé")
    assert login(app.test_client(), "", "ancien mot de passe partagé").status_code == 401


# -- the command line and the first start --------------------------------------------------------

def test_cli_user_add_prints_a_password_that_signs_in(app, edition, database_url):
    """In a process of its own: importing pitchday.cli here would monkey-patch this one with eventlet
    (and every later test of the run with it)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    pitchday = Path(sys.executable).parent / "pitchday"
    env = {**os.environ, "PITCHDAY_DATABASE_URL": database_url, "PITCHDAY_ASYNC_MODE": "threading"}

    def cli(*args):
        return subprocess.run([str(pitchday), *args], env=env, capture_output=True, text=True, timeout=300)

    added = cli("user", "add", "Nouvelle.Regie@equipe-essai.example.org", "--role", "regie", "--edition", edition.slug)
    assert added.returncode == 0, added.stdout + added.stderr
    password = re.search(r"One-time password: (\S+)", added.stdout).group(1)
    http = app.test_client()
    assert login(http, "nouvelle.regie@equipe-essai.example.org", password).status_code == 302
    # The printed password is one-time: "Mon compte" first, where the person chooses their own.
    assert http.get(f"/organiser/editions/{edition.id}/console").headers["Location"] == "/organiser/me"
    refused = cli("user", "add", "x@equipe-essai.example.org", "--role", "regie", "--edition", "nulle")
    assert refused.returncode != 0 and "no edition" in refused.stdout + refused.stderr


def test_admin_from_the_environment_on_first_start(tmp_path):
    """PITCHDAY_ADMIN_EMAIL + PITCHDAY_ADMIN_PASSWORD: the first admin, made by the app at its start
    (in a process of its own, on a database of its own); once an admin exists, nothing more."""
    import os
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'premier.sqlite3'}"
    script = ("from pitchday.migrate import upgrade; from pitchday import create_app; from pitchday.config import Config;"
              "from pitchday.extensions import db; from pitchday.services import accounts;"
              f"upgrade({url!r}); app = create_app(Config());"
              "ctx = app.app_context(); ctx.push();"
              "u = db.read(); u.__enter__();"
              "print(sorted(a.email for a in accounts.all_accounts()),"
              f" accounts.check_password('premiere@equipe-essai.example.org', {GOOD_PASSWORD!r}) is not None)")
    env = {**os.environ, "PITCHDAY_DATABASE_URL": url, "PITCHDAY_ASYNC_MODE": "threading",
           "PITCHDAY_ADMIN_EMAIL": "premiere@equipe-essai.example.org", "PITCHDAY_ADMIN_PASSWORD": GOOD_PASSWORD}
    first = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert first.stdout.strip() == "['premiere@equipe-essai.example.org'] True", first.stderr
    env["PITCHDAY_ADMIN_EMAIL"] = "seconde@equipe-essai.example.org"
    second = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert second.stdout.strip() == "['premiere@equipe-essai.example.org'] True", second.stderr


# -- personal moderator links: who is at the controls ------------------------------------------

def test_two_consoles_show_who_is_at_the_controls(app, organiser, edition):
    page = organiser.get(f"/organiser/editions/{edition.id}/")
    made = organiser.post(f"/organiser/editions/{edition.id}/moderator-links",
                          data={"holder_name": "Sacha\u202e Tablette", "label": "Tablette A", "csrf_token": csrf_token(page.text)})
    assert made.status_code == 303
    listed = organiser.get(f"/organiser/editions/{edition.id}/").text
    assert "détenu par Sacha Tablette" in listed  # the bidi control is gone, as from the audience's texts
    url = re.search(r'href="http://localhost(/m/[^"]+)"', listed).group(1)
    tablet = app.test_client()
    assert tablet.get(url).status_code == 303
    first = connect(app, "moderator", http=tablet)
    regie = signed_in(app, role="regie", edition_id=edition.id, email=INVITED, name="Camille Régie")
    second = connect(app, "moderator", http=regie)
    snapshot = [e["args"][0] for e in second.get_received() if e["name"] == "snapshot"][0]
    assert snapshot["moderator"]["presence"]["at_controls"] == ["Camille Régie", "Sacha Tablette"]
    from pitchday.services import broadcast

    broadcast.flush()
    presence = [e["args"][0] for e in first.get_received() if e["name"] == "presence"]
    assert presence[-1]["at_controls"] == ["Camille Régie", "Sacha Tablette"]


def test_session_cookie_is_secure_behind_https(app, edition):
    http = app.test_client()
    token = csrf_token(http.get("/organiser/login", base_url="https://localhost").text)
    response = http.post("/organiser/login", base_url="https://localhost",
                         headers={"Referer": "https://localhost/organiser/login"},  # CSRF over HTTPS checks it
                         data={"email": ORGANISER_EMAIL, "password": ORGANISER_PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    plain = login(app.test_client())
    assert "Secure" not in plain.headers["Set-Cookie"]


def test_session_cookie_is_secure_when_the_public_address_is_https():
    from pitchday.config import Config

    assert Config(PUBLIC_URL="https://pitch.example.org").as_flask()["SESSION_COOKIE_SECURE"] is True
    assert Config(PUBLIC_URL="http://192.0.2.4:5000").as_flask()["SESSION_COOKIE_SECURE"] is False


def test_link_minted_for_a_regie_account_from_the_edition_page(app, organiser, edition):
    with app.app_context():
        holder = factories.make_account(INVITED, role="regie", edition_id=edition.id, name="Camille Régie")
    page = organiser.get(f"/organiser/editions/{edition.id}/")
    assert f'<option value="{holder.id}">Camille Régie</option>' in page.text
    made = organiser.post(f"/organiser/editions/{edition.id}/moderator-links",
                          data={"holder_account": str(holder.id), "label": "", "csrf_token": csrf_token(page.text)})
    assert made.status_code == 303
    with app.app_context(), db.read():
        [link] = access.moderator_links(edition.id)
        assert (link.account_id, link.holder_name) == (holder.id, "Camille Régie")


def test_reviewer_reads_a_dossier_without_the_decision_buttons(app, edition):
    with app.app_context():
        built = fresh_edition(app, applications=True)
    reviewer = signed_in(app, role="relecteur", edition_id=built.id, email=INVITED)
    application_id = built.talks[0].application_id
    page = reviewer.get(f"/organiser/editions/{built.id}/applications/{application_id}")
    assert page.status_code == 200 and "ESSAI-001" in page.text
    assert 'name="decision"' not in page.text
    assert 'name="decision"' in signed_in(app).get(f"/organiser/editions/{built.id}/applications/{application_id}").text
