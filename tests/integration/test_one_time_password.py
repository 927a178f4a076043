"""A password printed by the command line (``make demo``, ``pitchday user add``) is one-time: the account
opens "Mon compte" only, until the person has chosen their own."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from pitchday.extensions import db
from pitchday.models import Account
from pitchday.services import accounts

from .conftest import connect, csrf_token, login

pytestmark = pytest.mark.integration

EMAIL = "camille.premiere@equipe-essai.example.org"
PRINTED = "imprime-par-la-console-Xq7"
CHOSEN = "une phrase de passe bien à moi"


def regie_with(app, edition, *, one_time: bool) -> None:
    with app.app_context(), db.write():
        account = accounts.create_account(EMAIL, "Camille Première", password=PRINTED, one_time=one_time)
        accounts.grant(account.id, "organisateur", edition.id)


def must_change(app) -> bool:
    with app.app_context(), db.read() as session:
        return session.scalar(select(Account.password_must_change).where(func.lower(Account.email) == EMAIL))


def test_one_time_password_leads_every_organiser_page_to_my_account(app, edition):
    regie_with(app, edition, one_time=True)
    http = app.test_client()
    assert login(http, EMAIL, PRINTED).status_code == 302

    for path in ("/organiser/", f"/organiser/editions/{edition.id}/", f"/organiser/editions/{edition.id}/console",
                 "/organiser/audit"):
        answer = http.get(path)
        assert (answer.status_code, answer.headers.get("Location")) == (303, "/organiser/me"), path
    me = http.get("/organiser/me")
    assert me.status_code == 200 and 'id="one-time-password"' in me.text
    # A form sent meanwhile (from a page opened before) changes nothing either.
    token = csrf_token(me.text)
    sent = http.post(f"/organiser/editions/{edition.id}/moderator-links", data={"label": "Tablette", "csrf_token": token})
    assert (sent.status_code, sent.headers.get("Location")) == (303, "/organiser/me")
    assert must_change(app) is True


def test_one_time_password_opens_no_console_socket(app, edition):
    regie_with(app, edition, one_time=True)
    http = app.test_client()
    login(http, EMAIL, PRINTED)

    assert not connect(app, "moderator", http=http).is_connected()


def test_choosing_a_password_opens_the_organiser_area(app, edition):
    regie_with(app, edition, one_time=True)
    http = app.test_client()
    login(http, EMAIL, PRINTED)
    token = csrf_token(http.get("/organiser/me").text)

    changed = http.post("/organiser/me/password", data={"current_password": PRINTED, "password": CHOSEN,
                                                        "password_again": CHOSEN, "csrf_token": token})

    assert (changed.status_code, changed.headers.get("Location")) == (303, "/organiser/me")
    assert must_change(app) is False
    assert 'id="one-time-password"' not in http.get("/organiser/me").text
    assert http.get(f"/organiser/editions/{edition.id}/").status_code == 200
    assert connect(app, "moderator", http=http).is_connected()


def test_a_refused_new_password_keeps_the_account_on_my_account(app, edition):
    regie_with(app, edition, one_time=True)
    http = app.test_client()
    login(http, EMAIL, PRINTED)
    token = csrf_token(http.get("/organiser/me").text)

    refused = http.post("/organiser/me/password", data={"current_password": PRINTED, "password": "court",
                                                        "password_again": "court", "csrf_token": token})

    assert refused.status_code == 400
    assert must_change(app) is True
    assert http.get("/organiser/").status_code == 303


def test_a_password_the_person_chose_opens_the_area_at_once(app, edition):
    regie_with(app, edition, one_time=False)
    http = app.test_client()
    login(http, EMAIL, PRINTED)

    assert http.get(f"/organiser/editions/{edition.id}/").status_code == 200
    assert 'id="one-time-password"' not in http.get("/organiser/me").text


def test_a_new_printed_password_is_one_time_again(app, edition):
    regie_with(app, edition, one_time=False)
    with app.app_context(), db.write():
        accounts.set_password(accounts.account_by_email(EMAIL), "un autre imprimé-Yw3", one_time=True)
    http = app.test_client()
    login(http, EMAIL, "un autre imprimé-Yw3")

    assert http.get("/organiser/").headers.get("Location") == "/organiser/me"


def test_a_password_sign_in_is_written_to_the_audit_trail_and_a_failed_one_is_not(app, edition):
    from pitchday.models import AuditEntry

    regie_with(app, edition, one_time=False)
    http = app.test_client()
    assert login(http, EMAIL, "pas le bon mot de passe").status_code == 401
    assert login(http, EMAIL, PRINTED).status_code == 302

    with app.app_context(), db.read() as session:
        account_id = accounts.account_by_email(EMAIL).id
        entries = [(e.action, e.actor_id, e.object_type, e.object_id, e.detail)
                   for e in session.scalars(select(AuditEntry).where(AuditEntry.action == "organiser.sign_in"))]
    assert entries == [("organiser.sign_in", account_id, "account", account_id, {"method": "password"})]
