#!/usr/bin/env python3
"""The reference of the fan-out benchmarks: a bare Flask-SocketIO server on eventlet, no database.

It speaks the few things ``bench/broadcast_latency.py`` needs of pitchday, and nothing else: a
"moderator link" that sets a cookie, ``/healthz``, a ``snapshot`` on connect, ``clock``, and a
``command`` that bumps a version and emits one ``state`` to the room of every audience socket,
then acknowledges ``{"ok": true, "version": …}``. Its state message has a fixed size
(``--state-bytes``, default 388: the bare server of issue 12's table), so what pitchday costs beyond
it is pitchday's own: its database, its payload, its rooms. WebSocket compression is declined as
pitchday declines it.

    .venv/bin/python bench/bare_server.py --port 5401
"""
from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import gc  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

from flask import Flask, make_response, redirect, request  # noqa: E402
from flask_socketio import SocketIO, join_room  # noqa: E402


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def create(state_bytes: int):
    app = Flask(__name__)
    socketio = SocketIO(app, async_mode="eventlet", ping_interval=10, ping_timeout=10)
    version = {"value": 0}
    # A state of the asked size once JSON-encoded (compact, as python-socketio sends it).
    filler = max(0, state_bytes - len('{"version":0,"server_time":0000000000000,"state":{"pad":""}}'))
    state = {"pad": "x" * filler}

    def message() -> dict:
        return {"version": version["value"], "server_time": now_ms(), "state": state}

    @app.get("/healthz")
    def healthz():
        return {"ok": True}

    @app.get("/e/jdn10/")
    def audience_page():  # what a phone opens first: a small page that sets its device cookie
        response = make_response("<!doctype html><title>bare</title><p>audience</p>")
        response.set_cookie("pitchday_device", uuid.uuid4().hex, httponly=True)
        return response

    @app.get("/m/bare")
    def moderator_link():
        response = make_response(redirect("/", code=303))
        response.set_cookie("pitchday_moderator", "bare")
        return response

    @socketio.on("connect")
    def on_connect(auth):
        if (auth or {}).get("view") != "moderator":
            join_room("audience")
        socketio.emit("snapshot", message(), to=request.sid)

    @socketio.on("clock")
    def on_clock(*_args):
        return {"server_time": now_ms()}

    @socketio.on("command")
    def on_command(*_args):
        version["value"] += 1
        socketio.emit("state", message(), to="audience")
        return {"ok": True, "version": version["value"]}

    def decline_deflate(wsgi_app):
        def middleware(environ, start_response):
            environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
            return wsgi_app(environ, start_response)
        return middleware

    app.wsgi_app = decline_deflate(app.wsgi_app)
    return app, socketio


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--state-bytes", type=int, default=388)
    p.add_argument("--max-clients", type=int, default=10000, help="eventlet's WSGI pool (default 10000)")
    args = p.parse_args()
    app, socketio = create(args.state_bytes)
    print(f"Régie (moderator) : http://{args.host}:{args.port}/m/bare", flush=True)
    print(f"Serving on http://{args.host}:{args.port} (bare Flask-SocketIO, eventlet)", flush=True)
    gc.collect()
    gc.freeze()  # as pitchday does (pitchday/process.py), so that both are measured alike
    gc.set_threshold(7000, *gc.get_threshold()[1:])
    # What socketio.run does, without eventlet's ceilings (a pool of 1 024 green threads, a backlog
    # of 50): the reference must not hang at 1 025 clients where pitchday does not.
    import eventlet.wsgi
    listener = eventlet.listen((args.host, args.port), backlog=2048)
    eventlet.wsgi.server(listener, app, log_output=False, max_size=args.max_clients)


if __name__ == "__main__":
    main()
