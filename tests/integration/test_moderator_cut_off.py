"""A moderator console whose link is revoked or expires while its socket is open is cut off at once."""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from pitchday.extensions import db
from pitchday.models import ModeratorLink, Talk
from pitchday.services import access, broadcast

from .conftest import connect, csrf_token, phone

pytestmark = pytest.mark.integration

SECRET_QUESTION = "Une question encore en attente de modération ?"


def _console(app, edition, label: str):
    """A moderator's HTTP client (cookie from a real link), its socket, and the link's id."""
    with app.app_context(), db.write():
        link, token = access.create_moderator_link(edition.id, hours=2, label=label)
        link_id = link.id
    http = app.test_client()
    assert http.get(f"/m/{token}").status_code == 303
    sio = connect(app, "moderator", http=http)
    assert sio.is_connected()
    sio.get_received()  # the welcome snapshot
    return sio, link_id


def _inbox(sio) -> list[dict]:
    """Every event the test client holds, connected or not (``get_received`` refuses once disconnected)."""
    held, sio.queue = sio.queue, []
    return held


def _received(sio) -> list[str]:
    return [e["name"] for e in _inbox(sio)]


def _pending_question_broadcast(app, edition) -> None:
    """A phone asks (pending: moderators only), then what the scheduler does five times a second."""
    with app.app_context(), db.read() as session:
        talk_id = session.scalar(select(Talk.id).where(Talk.edition_id == edition.id).order_by(Talk.position))
    _http, audience = phone(app)
    ack = audience.emit("ask", {"client_id": str(uuid.uuid4()), "talk_id": talk_id, "text": SECRET_QUESTION},
                        callback=True)
    assert ack["ok"] is True and ack["question"]["status"] == "pending"
    with app.app_context():
        broadcast.flush()


def _wait_for(sio, name: str, *, deadline_s: float = 30.0) -> list[dict]:
    """The events received until one named ``name`` came (the marker), within a generous deadline."""
    seen: list[dict] = []
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        seen += sio.get_received()
        if any(e["name"] == name for e in seen):
            return seen
        time.sleep(0.01)
    raise AssertionError(f"no {name!r} within {deadline_s} s: {[e['name'] for e in seen]}")


def test_console_revoked_through_the_organiser_page_stops_receiving_moderators_broadcasts(app, edition, organiser):
    revoked, revoked_id = _console(app, edition, "Tablette révoquée")
    kept, _kept_id = _console(app, edition, "Tablette gardée")
    page = organiser.get(f"/organiser/editions/{edition.id}/")
    answer = organiser.post(f"/organiser/moderator-links/{revoked_id}/revoke", data={"csrf_token": csrf_token(page.text)})
    assert answer.status_code == 303

    assert not revoked.is_connected()
    _pending_question_broadcast(app, edition)
    marker = _wait_for(kept, "moderation")
    assert SECRET_QUESTION in str([e["args"] for e in marker if e["name"] == "moderation"])
    assert "moderation" not in _received(revoked)
    assert kept.is_connected()


def test_revoked_console_is_told_why_before_it_is_disconnected(app, edition):
    sio, link_id = _console(app, edition, "Tablette")
    with app.app_context(), db.write():
        access.revoke_moderator_link(link_id)
    assert not sio.is_connected()
    assert [e["args"][0] for e in _inbox(sio) if e["name"] == "access_ended"] == [{"reason": "moderator_link"}]


def _expire(app, link_id: int) -> None:
    with app.app_context(), db.write() as session:
        session.get(ModeratorLink, link_id).expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)


def test_console_whose_link_expired_gets_no_moderator_extras_on_resync(app, edition):
    sio, link_id = _console(app, edition, "Tablette")
    _expire(app, link_id)
    answer = sio.emit("resync", callback=True)
    assert answer["ok"] is False and answer["error"]["code"] == "forbidden"
    assert "moderator" not in str(answer)
    assert not sio.is_connected()


def test_console_whose_link_expired_is_cut_off_at_the_moderators_refresh(app, edition):
    expired, expired_id = _console(app, edition, "Tablette expirée")
    kept, _kept_id = _console(app, edition, "Tablette valide")
    _expire(app, expired_id)
    with app.app_context():
        broadcast.moderators_refresh(edition.id)  # what the scheduler does every few seconds
    assert not expired.is_connected()
    _wait_for(kept, "state")
    _pending_question_broadcast(app, edition)
    _wait_for(kept, "moderation")
    assert "moderation" not in _received(expired)
