"""Garbage sent to the real server's Socket.IO endpoint: one line in the log each, no traceback."""
from __future__ import annotations

import json

import pytest
import requests

from tests.serverproc import Server, wait_until

pytestmark = pytest.mark.integration
TIMEOUT_S = 30

# Engine.IO message packets ("4…") whose Socket.IO content is not a packet.
GARBAGE = ["42[", "4x", "4" + "\u00ff" * 3, '42["command",', "43[", "4-1"]
REFUSED = "garbage Socket.IO packet refused"


@pytest.fixture()
def server(tmp_path):
    running = Server(f"sqlite:///{tmp_path / 'pitchday.sqlite3'}").start()
    yield running
    running.stop()


def _engineio_session(server: Server) -> str:
    opened = requests.get(f"{server.base}/socket.io/?EIO=4&transport=polling", timeout=TIMEOUT_S)
    assert opened.status_code == 200 and opened.text.startswith("0")
    return json.loads(opened.text[1:])["sid"]


def test_each_garbage_packet_logs_one_line_and_no_traceback(server):
    sid = _engineio_session(server)
    url = f"{server.base}/socket.io/?EIO=4&transport=polling&sid={sid}"
    for sent, packet in enumerate(GARBAGE, start=1):
        answer = requests.post(url, data=packet.encode("utf-8"), timeout=TIMEOUT_S)
        assert answer.status_code == 200, packet
        wait_until(lambda: "".join(server.output).count(REFUSED) >= sent, timeout_s=TIMEOUT_S,
                   message=f"a line for the garbage packet {packet!r}")
    server.stop()  # returns once all the process wrote has been read
    output = "".join(server.output)
    assert output.count(REFUSED) == len(GARBAGE), output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    assert "message handler error" in [line for line in server.output if REFUSED in line][0]
    assert "Serving on" in output  # the output was captured: the checks above looked at something


# Engine.IO packets a client never sends: unknown types, and open/ping/noop, which only a server sends.
UNKNOWN_TYPES = ["9", "7{}", "0", "2", "6", "40\x1e9", "\u00ff"]


@pytest.mark.parametrize("packet", UNKNOWN_TYPES)
def test_polling_packet_of_unknown_type_is_refused_at_once_and_the_session_goes_on(server, packet):
    """python-engineio closes the session on such a packet and waits for a GET that never comes (the POST
    hung), and the next POST on the half-closed session got a 500. Now: a 400, and the session still works."""
    sid = _engineio_session(server)
    url = f"{server.base}/socket.io/?EIO=4&transport=polling&sid={sid}"

    refused = requests.post(url, data=packet.encode("utf-8"), timeout=TIMEOUT_S)
    connected = requests.post(url, data=b"40", timeout=TIMEOUT_S)  # Socket.IO's connect (no auth) on the same session
    answer = requests.get(url, timeout=TIMEOUT_S)

    assert (refused.status_code, refused.text) == (400, "Unknown packet type")
    assert (connected.status_code, connected.text) == (200, "OK")
    assert (answer.status_code, answer.text) == (200, '44{"message":"bad_view"}')  # pitchday's own refusal
    wait_until(lambda: "garbage Engine.IO packet refused" in "".join(server.output), timeout_s=TIMEOUT_S,
               message="the refusal's line in the log")
    assert "Traceback" not in "".join(server.output)
