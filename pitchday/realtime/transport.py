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
