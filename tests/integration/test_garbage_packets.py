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
