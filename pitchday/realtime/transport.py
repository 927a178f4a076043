"""How Socket.IO's transports are served: WebSockets without compression, polling without garbage."""
from __future__ import annotations

import io
import logging

logger = logging.getLogger(__name__)


class DeclineWebSocketCompression:
    """WSGI middleware: answer WebSocket handshakes without permessage-deflate.

    Every browser offers the extension, and eventlet accepts it, keeping a zlib compressor and
    decompressor per socket: measured at about 110 KB of server memory per phone, and a
    compression pass per phone on every broadcast. Our frames are a few kilobytes on a local
    network, so the memory and CPU matter more than the bytes saved (see docs/benchmarks.md).
    """

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return self.wsgi_app(environ, start_response)


class RefuseUnknownPollingPackets:
    """WSGI middleware: a long-polling POST holding a packet Engine.IO cannot take gets a 400 at once.

    python-engineio (4.15) answers a packet of unknown type (``9``, or ``0``/``2``/``6``, which
    only a server sends) by closing the session with ``Socket.close(wait=True)``: that waits
    until a GET has drained the session's queue, which a garbage client never sends, so the POST
    hangs; meanwhile the session is closed but still registered, and the next POST on it meets
    ``KeyError('Session is disconnected')`` outside the library's error handling: a 500. A
    client sends only close (1), pong (3), message (4), upgrade (5) and base64 binary (``b``)
    packets, so anything else is refused here, before the library sees it, and the session stays
    as it was. A body larger than the frame limit is left to Engine.IO, which refuses it.
    """

    CLIENT_PACKETS = frozenset("1345b")
    SEPARATOR = "\x1e"

    def __init__(self, wsgi_app, *, path: str = "/socket.io", max_bytes: int):
        self.wsgi_app = wsgi_app
        self.path = path.rstrip("/") + "/"
        self.max_bytes = max_bytes

    def _refused(self, body: bytes) -> str | None:
        """Why Engine.IO could not take this polling body, or None."""
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return "not UTF-8"
        if text.startswith("d="):  # JSONP; the Socket.IO client never sends it: let Engine.IO judge
            return None
        for packet in text.split(self.SEPARATOR) if text else ():
            if not packet or packet[0] not in self.CLIENT_PACKETS:
                return f"unknown packet type {packet[:1]!r}"
        return None

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "POST" or not (environ.get("PATH_INFO", "") + "/").startswith(self.path):
            return self.wsgi_app(environ, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= self.max_bytes:
            return self.wsgi_app(environ, start_response)
        body = environ["wsgi.input"].read(length)
        reason = self._refused(body)
        if reason is not None:
            logger.warning("garbage Engine.IO packet refused: %s", reason)
            answer = b"Unknown packet type"
            start_response("400 BAD REQUEST", [("Content-Type", "text/plain"), ("Content-Length", str(len(answer)))])
            return [answer]
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return self.wsgi_app(environ, start_response)


class AdmitClients:
    """WSGI middleware: refuse, at once, the Socket.IO handshake of a client beyond the process's
    ceiling (``PITCHDAY_MAX_CLIENTS``, see services/capacity.py).

    Checked on a new Engine.IO session (a ``/socket.io/`` request without a ``sid``), before any
    green thread is kept for it: the answer is ``503`` with the reason as JSON and ``Retry-After``,
    so the phone's Socket.IO client tries again a few seconds later (or a proxy tries another
    process), instead of hanging in a full pool. Requests of sessions already open pass.
    """

    def __init__(self, wsgi_app, app, path: str = "/socket.io/"):
        self.wsgi_app, self.app, self.path = wsgi_app, app, path

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith(self.path) and "sid=" not in environ.get("QUERY_STRING", ""):
            from ..extensions import socketio
            from ..services import capacity

            connected = len(socketio.server.eio.sockets)  # this process's open Engine.IO sessions
            if not capacity.admit(connected, self.app.config["PITCHDAY_MAX_CLIENTS"]):
                body = b'{"code":"server_full","message":"This server holds as many clients as it can; try again."}'
                start_response("503 Service Unavailable", [("Content-Type", "application/json"),
                                                           ("Content-Length", str(len(body))),
                                                           ("Retry-After", "5"), ("Cache-Control", "no-store")])
                return [body]
        return self.wsgi_app(environ, start_response)


def socket_event_sessions(base):
    """A session interface that opens the Flask session once per socket, not at every event.

    Flask-SocketIO pushes a request context for every Socket.IO event, and Flask opens the
    session at each push (a signed cookie to check: measured at about a third of a vote's CPU in a
    vote storm), only for Flask-SocketIO to replace it at once with the copy it keeps for the
    socket (``environ["saved_session"]``, made at the socket's first event). That copy is what this
    answers once it exists; HTTP requests open their session as usual.
    """

    class SocketEventSessions(base):
        def open_session(self, app, request):
            kept = request.environ.get("saved_session")
            if kept is not None:
                return kept
            return super().open_session(app, request)

    return SocketEventSessions()
