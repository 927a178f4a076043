""""QR plein écran" through the Socket.IO test client, on SQLite and PostgreSQL: a toggle that a retry or a
second console can never flip twice, carried by the projector's state and not by the phones'."""
from __future__ import annotations

import re
import uuid

import pytest

from .conftest import connect, events, phone

pytestmark = pytest.mark.integration


def command(sio, name, version, command_id=None):
    return sio.emit("command", {"command_id": command_id or str(uuid.uuid4()), "name": name, "args": {},
                                "version": version}, callback=True)


def version_of(sio):
    return events(sio, "snapshot")[-1]["version"]


def test_qr_fullscreen_reaches_the_projector_and_not_the_phones(app, edition, moderator_http):
    moderator = connect(app, "moderator", http=moderator_http)
    projector, stage = connect(app, "projector"), connect(app, "stage")
    _http, audience = phone(app)
    version = version_of(moderator)
    assert events(projector, "snapshot")[-1]["state"]["qr_fullscreen"] is False

    assert command(moderator, "qr_fullscreen", version) == {"ok": True, "version": version + 1}

    assert events(projector, "state")[-1]["state"]["qr_fullscreen"] is True
    assert events(stage, "state")[-1]["state"]["qr_fullscreen"] is True
    assert "qr_fullscreen" not in events(audience, "state")[-1]["state"]
    assert "qr_fullscreen" in events(moderator, "state")[-1]["moderator"]["allowed"]
    assert events(connect(app, "projector"), "snapshot")[-1]["state"]["qr_fullscreen"] is True  # it is stored


def test_qr_fullscreen_retried_is_toggled_once(app, edition, moderator_http):
    moderator = connect(app, "moderator", http=moderator_http)
    version = version_of(moderator)
    command_id = str(uuid.uuid4())

    first = command(moderator, "qr_fullscreen", version, command_id)
    again = command(moderator, "qr_fullscreen", version, command_id)

    assert first == again == {"ok": True, "version": version + 1}
    state = events(connect(app, "projector"), "snapshot")[-1]
    assert (state["version"], state["state"]["qr_fullscreen"]) == (version + 1, True)


def test_qr_fullscreen_from_a_second_console_on_the_same_view_is_stale(app, edition, moderator_http):
    tablet_a = connect(app, "moderator", http=moderator_http)
    tablet_b = connect(app, "moderator", http=moderator_http)
    seen = version_of(tablet_b)

    assert command(tablet_a, "qr_fullscreen", seen)["ok"] is True
    ack = command(tablet_b, "qr_fullscreen", seen)

    assert ack["ok"] is False and ack["error"]["code"] == "stale"
    assert events(connect(app, "projector"), "snapshot")[-1]["state"]["qr_fullscreen"] is True


def test_qr_fullscreen_ends_when_the_talk_starts_and_undo_brings_it_back(app, edition, moderator_http):
    moderator = connect(app, "moderator", http=moderator_http)
    projector = connect(app, "projector")
    version = version_of(moderator)
    command(moderator, "qr_fullscreen", version)

    assert command(moderator, "start", version + 1)["ok"] is True
    started = events(projector, "state")[-1]["state"]
    assert (started["phase"], started["qr_fullscreen"]) == ("pitch", False)

    assert command(moderator, "undo", version + 2)["ok"] is True
    undone = events(projector, "state")[-1]["state"]
    assert (undone["phase"], undone["qr_fullscreen"]) == ("welcome", True)


def test_qr_code_with_a_thin_quiet_zone_only_on_request(client, edition):
    """The QR wall's image: 2 modules of margin instead of 4 (its white card is the rest); anything else asked
    gets the standard 4."""
    sizes = {}
    for query in ("", "?quiet=2", "?quiet=0", "?quiet=x"):
        response = client.get(f"/qr/{edition.slug}.svg{query}")
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        sizes[query] = re.search(rb'viewBox="0 0 (\d+) \1"', response.data).group(1)
    modules = int(sizes[""]) - 8

    assert modules in (25, 29, 33)  # versions 2 to 4 of a QR code: the audience address's
    assert sizes == {"": sizes[""], "?quiet=2": str(modules + 4).encode(), "?quiet=0": sizes[""], "?quiet=x": sizes[""]}
