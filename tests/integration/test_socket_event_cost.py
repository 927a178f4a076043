"""What a socket event costs the server beyond its handler: the Flask session is opened once per socket."""
from __future__ import annotations

import pytest
from flask.sessions import SecureCookieSessionInterface

from .conftest import connect, phone

pytestmark = pytest.mark.integration


def test_the_flask_session_is_opened_once_per_socket_not_at_every_event(app, edition, monkeypatch):
    opened: list[str] = []
    library_open = SecureCookieSessionInterface.open_session

    def counted(self, flask_app, request):
        opened.append(request.path)
        return library_open(self, flask_app, request)

    monkeypatch.setattr(SecureCookieSessionInterface, "open_session", counted)
    _http, audience = phone(app)
    opened.clear()  # the page and the connect opened theirs
    for _ in range(5):
        assert "server_time" in audience.emit("clock", callback=True)
    assert audience.emit("mine", callback=True)["ok"]
    assert opened == []
    # A plain HTTP request still opens its own.
    app.test_client().get("/healthz")
    assert opened == ["/healthz"]
    # And a second socket opens one, once, for itself.
    other = connect(app, "projector")
    other.emit("clock", callback=True)
    assert len(opened) == 2
