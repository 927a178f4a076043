"""Pages, security headers, language, moderator links and the organiser login."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from pitchday.domain.audience import AUTHOR_MAX_CHARS, QUESTION_MAX_CHARS
from pitchday.domain.show import MAX_MESSAGE_CHARS
from pitchday.extensions import db
from pitchday.models import Setting
from pitchday.services import access

from tests.factories import SLUG

from .conftest import ORGANISER_EMAIL, ORGANISER_PASSWORD

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("path", [f"/e/{SLUG}/projector", f"/e/{SLUG}/stage", f"/e/{SLUG}/"])
def test_public_views_need_no_login_and_carry_a_strict_csp(client, edition, path):
    response = client.get(path)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert 'lang="fr"' in response.text


def test_projector_shows_edition_facts_in_french_and_paris_time(client, edition):
    html = client.get(f"/e/{SLUG}/projector").text
    assert "Villes et numérique" in html  # tests/factories.py: the edition's theme and evening
    assert "jeudi 11 mars 2021" in html
    assert "17:00–20:00" in html
    assert f"localhost/e/{SLUG}" in html  # the short URL written beside the QR code


@pytest.mark.parametrize("path", [f"/e/{SLUG}/projector", f"/e/{SLUG}/stage", f"/e/{SLUG}/"])
def test_live_views_carry_the_domain_rules_as_page_data(client, edition, path):
    html = client.get(path).text
    block = re.search(r'<script type="application/json" id="rules">(.*?)</script>', html).group(1)

    assert json.loads(block) == {"question_max_chars": QUESTION_MAX_CHARS, "author_max_chars": AUTHOR_MAX_CHARS,
                                 "message_max_chars": MAX_MESSAGE_CHARS, "wrap_up_ms": [["30s", 30000], ["minute", 60000]]}


def test_audience_form_limits_are_the_domain_limits(client, edition):
    html = client.get(f"/e/{SLUG}/").text

    assert f'id="ask-text" name="text" rows="3" maxlength="{QUESTION_MAX_CHARS}"' in html
    assert f'id="ask-author" name="author" maxlength="{AUTHOR_MAX_CHARS}"' in html


def test_english_is_available_and_remembered(client, edition):
    response = client.get(f"/e/{SLUG}/?lang=en")
    assert 'lang="en"' in response.text and "On stage" in response.text
    assert 'lang="en"' in client.get(f"/e/{SLUG}/").text


def test_unknown_edition_is_404(client, edition):
    assert client.get("/e/nope/projector").status_code == 404


def test_audience_qr_code_is_an_svg_of_the_audience_url(client, edition):
    response = client.get(f"/qr/{SLUG}.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.data.startswith(b"<?xml") and b"<path" in response.data


def test_moderator_console_is_locked_without_the_cookie(client, edition):
    response = client.get(f"/e/{SLUG}/moderator")
    assert response.status_code == 403
    assert "Accès à la régie" in response.text


def test_moderator_link_becomes_an_httponly_cookie_and_leaves_the_url(app, client, edition):
    with app.app_context(), db.write():
        _link, token = access.create_moderator_link(edition.id, hours=1)
    response = client.get(f"/m/{token}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/e/{SLUG}/moderator"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(access.MODERATOR_COOKIE + "=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert token not in cookie
    assert client.get(f"/e/{SLUG}/moderator").status_code == 200


def test_forged_expired_or_revoked_link_is_refused(app, client, edition):
    with app.app_context(), db.write():
        link, token = access.create_moderator_link(edition.id, hours=1)
        _gone, expired = access.create_moderator_link(edition.id, hours=0)
        access.revoke_moderator_link(link.id)
    assert client.get(f"/m/{token}").status_code == 403
    assert client.get(f"/m/{expired}").status_code == 403
    assert client.get(f"/m/{token[:-2]}xx").status_code == 403
    assert client.get(f"/e/{SLUG}/moderator").status_code == 403


def test_account_password_is_stored_hashed(app, edition):
    from pitchday.models import Account

    with app.app_context():
        with db.read() as session:
            stored = session.scalar(select(Account.password_hash).where(Account.email == ORGANISER_EMAIL))
    assert stored.startswith("scrypt:") and ORGANISER_PASSWORD not in stored


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_organiser_area_needs_login(client, edition):
    response = client.get("/organiser/")
    assert response.status_code == 302 and "/organiser/login" in response.headers["Location"]


def test_login_without_csrf_token_is_refused(client, edition):
    assert client.post("/organiser/login", data={"email": ORGANISER_EMAIL, "password": ORGANISER_PASSWORD}).status_code == 400


def test_wrong_password_is_refused_with_a_clear_message(client, edition):
    token = _csrf(client.get("/organiser/login").text)
    response = client.post("/organiser/login", data={"email": ORGANISER_EMAIL, "password": "nope", "csrf_token": token})
    assert response.status_code == 401 and "Adresse e-mail ou mot de passe incorrect." in response.text


def test_organiser_creates_then_revokes_a_moderator_link(app, client, edition):
    token = _csrf(client.get("/organiser/login").text)
    response = client.post("/organiser/login", data={"email": ORGANISER_EMAIL, "password": ORGANISER_PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    page = client.get(f"/organiser/editions/{edition.id}/").text
    created = client.post(f"/organiser/editions/{edition.id}/moderator-links", data={"label": "Tablette A", "csrf_token": _csrf(page)})
    assert created.status_code == 303, created.text
    page = client.get(f"/organiser/editions/{edition.id}/").text
    assert "Tablette A" in page and 'src="data:image/svg+xml;base64,' in page
    url = re.search(r'href="(http://localhost/m/[^"]+)"', page).group(1)
    moderator = app.test_client()
    assert moderator.get(url.removeprefix("http://localhost")).status_code == 303
    with app.app_context(), db.write():
        link_id = access.moderator_links(edition.id)[0].id
    client.post(f"/organiser/moderator-links/{link_id}/revoke", data={"csrf_token": _csrf(page)})
    assert moderator.get(f"/e/{SLUG}/moderator").status_code == 403


def test_login_redirect_never_leaves_the_site(client, edition):
    token = _csrf(client.get("/organiser/login").text)
    response = client.post("/organiser/login?next=//evil.example.org/", data={"email": ORGANISER_EMAIL, "password": ORGANISER_PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/organiser/"
