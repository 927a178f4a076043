"""The organiser area against an attacker: sessions that end, redirects that stay, throttled login,
bad input in URLs and uploads (issue 9, the defects that need no team accounts)."""
from __future__ import annotations

import pytest

from pitchday.extensions import db
from pitchday.services import access

from .conftest import ORGANISER_EMAIL, ORGANISER_PASSWORD, csrf_token

pytestmark = pytest.mark.integration


def _login(http, *, next_path: str | None = None, password: str = ORGANISER_PASSWORD, email: str = ORGANISER_EMAIL):
    token = csrf_token(http.get("/organiser/login").text)
    query = {} if next_path is None else {"next": next_path}
    return http.post("/organiser/login", query_string=query, data={"email": email, "password": password, "csrf_token": token})


def _session_cookie(http) -> str:
    return http.get_cookie("session").value


def test_session_cookie_saved_before_logout_no_longer_opens_the_organiser_area(app, edition):
    http = app.test_client()
    assert _login(http).status_code == 302
    saved = _session_cookie(http)
    page = http.get("/organiser/")
    assert page.status_code == 200
    assert http.post("/organiser/logout", data={"csrf_token": csrf_token(page.text)}).status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", saved)
    response = replay.get("/organiser/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/organiser/login")


def test_session_cookie_saved_before_a_password_change_no_longer_opens_the_organiser_area(app, edition):
    http = app.test_client()
    assert _login(http).status_code == 302
    assert http.get("/organiser/").status_code == 200
    from pitchday.services import accounts

    with app.app_context(), db.write():
        accounts.set_password(accounts.account_by_email(ORGANISER_EMAIL), ORGANISER_PASSWORD)  # a new hash: sessions end
    response = http.get("/organiser/")
    assert response.status_code == 302
    assert _login(http).status_code == 302
    assert http.get("/organiser/").status_code == 200


# Each one, followed by a browser, would leave the site (or split the response's headers).
OPEN_REDIRECTS = [
    "//evil.example.org/",
    "///evil.example.org/",
    "/\\evil.example.org/",
    "\\\\evil.example.org/",
    "/\\/evil.example.org/",
    "\\/evil.example.org/",
    "/\t/evil.example.org/",
    "\t//evil.example.org/",
    "/\r\n/evil.example.org/",
    "/\n/evil.example.org/",
    " //evil.example.org/",
    "/%2F/evil.example.org/",
    "/%2f%2fevil.example.org/",
    "/%5Cevil.example.org/",
    "/%09/evil.example.org/",
    "/%0d%0aSet-Cookie:%20x=1",
    "/\x00/evil.example.org/",
    "/\x7f/evil.example.org/",
    "https://evil.example.org/",
    "http:evil.example.org",
    "https:/evil.example.org",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example.org",
    "",
]


@pytest.mark.parametrize("target", OPEN_REDIRECTS)
def test_login_next_outside_the_site_goes_to_the_dashboard(app, edition, target):
    response = _login(app.test_client(), next_path=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/organiser/"


@pytest.mark.parametrize("target", ["/organiser/editions/7/applications", "/organiser/?tab=a%20b", "/e/demo/"])
def test_login_next_inside_the_site_is_followed(app, edition, target):
    response = _login(app.test_client(), next_path=target)
    assert response.status_code == 302
    assert response.headers["Location"] == target


def test_login_page_asked_for_by_the_area_comes_back_to_the_page(app, edition):
    http = app.test_client()
    asked = http.get(f"/organiser/editions/{edition.id}/")
    assert asked.status_code == 302
    token = csrf_token(http.get(asked.headers["Location"]).text)
    response = http.post(asked.headers["Location"], data={"email": ORGANISER_EMAIL, "password": ORGANISER_PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == f"/organiser/editions/{edition.id}/"


THROTTLED = "Trop de tentatives de connexion. Réessayez dans 1 minute."


def _from(app, address: str):
    http = app.test_client()
    http.environ_base["REMOTE_ADDR"] = address
    return http


def test_fifteen_wrong_passwords_from_one_address_are_not_all_answered(app, edition):
    http = _from(app, "198.51.100.7")
    statuses = [_login(http, password=f"wrong guess {n}").status_code for n in range(15)]
    assert statuses == [401] * 5 + [429] * 10
    throttled = _login(http, password="wrong guess 16")
    assert THROTTLED in throttled.text and "mot de passe incorrect." not in throttled.text
    assert 1 <= int(throttled.headers["Retry-After"]) <= 60


def test_throttled_address_gets_the_same_answer_with_the_right_password(app, edition):
    http = _from(app, "198.51.100.8")
    for n in range(5):
        assert _login(http, password=f"wrong guess {n}").status_code == 401
    right = _login(http)
    wrong = _login(http, password="wrong guess 6")
    assert (right.status_code, wrong.status_code) == (429, 429)
    assert right.text.count(THROTTLED) == 1 and wrong.text.count(THROTTLED) == 1
    assert http.get("/organiser/").status_code == 302  # the right guess opened nothing


def test_throttled_address_does_not_lock_out_another_address(app, edition):
    attacker = _from(app, "198.51.100.9")
    for n in range(6):
        _login(attacker, password=f"wrong guess {n}", email="quelqu-un@equipe-essai.example.org")
    assert _login(attacker).status_code == 429
    organiser = _from(app, "203.0.113.20")
    assert _login(organiser).status_code == 302


def test_wrong_passwords_for_one_account_from_many_addresses_meet_the_account_ceiling(app, edition):
    statuses = [_login(_from(app, f"198.51.100.{30 + n}"), password=f"wrong guess {n}").status_code for n in range(6)]
    assert statuses == [401] * 5 + [429]
    assert _login(_from(app, "203.0.113.21")).status_code == 429  # even the right password, from a new address
    assert _login(_from(app, "203.0.113.21"), email="autre@equipe-essai.example.org").status_code == 401


def test_wrong_passwords_spread_over_many_addresses_meet_the_instance_ceiling(app, edition):
    statuses = [_login(_from(app, f"10.9.{n // 200}.{n % 200}"), password="wrong guess",
                       email=f"personne-{n}@equipe-essai.example.org").status_code for n in range(61)]
    assert statuses == [401] * 60 + [429]


def test_throttled_login_is_worded_in_english_too(app, edition):
    http = _from(app, "198.51.100.10")
    http.set_cookie("pitchday_lang", "en")
    for n in range(5):
        _login(http, password=f"wrong guess {n}")
    assert "Too many login attempts. Try again in 1 minute." in _login(http).text


BEYOND_64_BITS = 2**64 + 1


@pytest.mark.parametrize("path", [
    f"/organiser/editions/{BEYOND_64_BITS}/",
    f"/organiser/editions/{2**63}/applications",
    f"/organiser/editions/{BEYOND_64_BITS}/applications/import",
    f"/organiser/editions/1/applications/{BEYOND_64_BITS}",
    "/organiser/editions/" + "9" * 400 + "/",
])
def test_organiser_url_with_an_id_beyond_64_bits_is_404(organiser, path):
    assert organiser.get(path).status_code == 404


def test_organiser_post_with_an_id_beyond_64_bits_is_404(organiser, edition):
    page = organiser.get(f"/organiser/editions/{edition.id}/")
    answer = organiser.post(f"/organiser/moderator-links/{BEYOND_64_BITS}/revoke", data={"csrf_token": csrf_token(page.text)})
    assert answer.status_code == 404


def test_audience_url_with_an_id_beyond_64_bits_is_404(client, edition):
    assert client.get(f"/e/{edition.slug}/echanger/{BEYOND_64_BITS}").status_code == 404


@pytest.mark.parametrize("path", ["/e/{slug}%00/", "/e/%00/", "/e/{slug}%00/projector", "/qr/{slug}%00.svg",
                                  "/api/v1/editions/{slug}%00", "/e/{slug}%01/", "/e/{slug}%7F/"])
def test_slug_with_a_control_character_is_404(client, edition, path):
    assert client.get(path.format(slug=edition.slug)).status_code == 404


def test_socket_auth_with_a_nul_byte_in_the_slug_is_refused(app, edition):
    from .conftest import connect

    assert not connect(app, "projector", edition_slug=f"{edition.slug}\x00").is_connected()
