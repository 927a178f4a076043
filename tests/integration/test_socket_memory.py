"""What each open socket keeps: no nested C frame per middleware in its parked green thread."""
from __future__ import annotations

import inspect

import pytest
from flask import Flask

pytestmark = pytest.mark.integration


def test_every_layer_of_the_wsgi_chain_is_called_without_nesting_a_c_frame(app):
    """Each socket's green thread stays parked inside the WSGI chain for the socket's life, keeping
    its stack saved: a layer called as an object (through C) adds ~0.8 KB per socket, a bound method
    nothing (docs/benchmarks.md §5). So every layer is a bound method, down to Flask's own."""
    layer, names = app.wsgi_app, []
    for _ in range(20):  # bounded: the chain has a handful of layers
        assert inspect.ismethod(layer) or inspect.isfunction(layer), f"{layer!r} is called through C"
        owner = getattr(layer, "__self__", None)
        names.append(type(owner).__name__)
        if isinstance(owner, Flask) or owner is None:
            break
        layer = getattr(owner, "wsgi_app", None) or getattr(owner, "app", None)
    assert names == ["DeclineWebSocketCompression", "AdmitClients", "RefuseUnknownPollingPackets",
                     "_SocketIOMiddleware", "Pitchday"]
