"""The organiser area against an attacker: sessions that end, redirects that stay, throttled login,
bad input in URLs and uploads (issue 9, the defects that need no team accounts)."""
from __future__ import annotations

import pytest

from pitchday.extensions import db
from pitchday.services import access

from .conftest import ORGANISER_PASSWORD, csrf_token

pytestmark = pytest.mark.integration


def _login(http, *, next_path: str | None = None, password: str = ORGANISER_PASSWORD):
    token = csrf_token(http.get("/organiser/login").text)
    query = {} if next_path is None else {"next": next_path}
    return http.post("/organiser/login", query_string=query, data={"password": password, "csrf_token": token})


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
    with app.app_context(), db.write():
        access.set_organiser_password(ORGANISER_PASSWORD)  # the same text, a new hash: sessions end
    response = http.get("/organiser/")
    assert response.status_code == 302
    assert _login(http).status_code == 302
    assert http.get("/organiser/").status_code == 200
