"""How Socket.IO's WebSockets are served."""
from __future__ import annotations


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
