"""Where the files that are not Python live: one place, for the checkout and the installed wheel.

In the checkout (and an editable install) templates/, static/, migrations/ and translations/ sit
beside the package and the browser's Socket.IO client in node_modules/; the wheel installs them
inside the package (pyproject.toml, [tool.setuptools.package-dir]).
"""
from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent


def _located(installed: str, in_checkout: str) -> Path:
    inside = PACKAGE / installed
    return inside if inside.is_dir() else CHECKOUT / in_checkout


TEMPLATES = _located("templates", "templates")
STATIC = _located("static", "static")
MIGRATIONS = _located("migrations", "migrations")
TRANSLATIONS = _located("translations", "translations")
SOCKETIO_CLIENT = _located("vendor", "node_modules/socket.io-client/dist")
