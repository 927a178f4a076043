"""The layers of README's "Layout": a pure domain, and only services/broadcast emits to clients.

import-linter (``lint-imports``, contracts in pyproject.toml) checks the import graph; these tests
add what it cannot see. The sources are parsed, not imported, so an import hidden in a function
body, behind ``if TYPE_CHECKING`` or made by name (``importlib.import_module``) is found as well,
and so is an ``emit`` on the socketio object, which a module may import for registering handlers.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import pitchday
import pitchday.domain

pytestmark = pytest.mark.unit

# No web framework, translation, ORM, store, signing or async runtime in the domain.
FORBIDDEN = frozenset({"flask", "flask_babel", "flask_socketio", "flask_wtf", "werkzeug", "sqlalchemy", "alembic",
                       "redis", "itsdangerous", "eventlet", "gevent"})
DOMAIN_DIR = Path(pitchday.domain.__file__).parent
PACKAGE_DIR = Path(pitchday.__file__).parent
EMITTER = PACKAGE_DIR / "services" / "broadcast.py"
EMITTING = frozenset({"emit", "send"})  # what Flask-SocketIO (and its server) send clients with
IMPORTERS = {("importlib", "import_module"), ("", "import_module"), ("", "__import__")}


def _call_name(func: ast.expr) -> tuple[str, str] | None:
    if isinstance(func, ast.Name):
        return "", func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.value.id, func.attr
    return None


def imported_modules(source: str) -> set[str]:
    """Absolute module names imported by ``source``, statically or by name."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Call) and _call_name(node.func) in IMPORTERS and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
    return found


def forbidden_imports(source: str) -> set[str]:
    return {name for name in imported_modules(source) if name.split(".")[0] in FORBIDDEN}


def domain_sources() -> list[Path]:
    return sorted(DOMAIN_DIR.rglob("*.py"))


def test_layering_domain_sources_are_found():
    names = {p.name for p in domain_sources()}

    assert {"__init__.py", "show.py", "schedule.py"} <= names


@pytest.mark.parametrize("path", domain_sources(), ids=lambda p: p.relative_to(DOMAIN_DIR).as_posix())
def test_layering_domain_module_imports_no_framework(path):
    source = path.read_text(encoding="utf-8")

    assert forbidden_imports(source) == set()


@pytest.mark.parametrize(
    "source, expected",
    [
        ("import flask", {"flask"}),
        ("from flask_babel import gettext", {"flask_babel"}),
        ("from werkzeug.security import check_password_hash", {"werkzeug.security"}),
        ("import redis", {"redis"}),
        ("from itsdangerous import URLSafeSerializer", {"itsdangerous"}),
        ("from gevent import monkey", {"gevent"}),
        ("import flask_socketio as fs", {"flask_socketio"}),
        ("from sqlalchemy.orm import Mapped", {"sqlalchemy.orm"}),
        ("def f():\n    import eventlet.green\n", {"eventlet.green"}),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from flask import Flask\n", {"flask"}),
        ("import importlib\nm = importlib.import_module('sqlalchemy')", {"sqlalchemy"}),
        ("m = __import__('flask')", {"flask"}),
    ],
)
def test_layering_checker_detects_forbidden_import(source, expected):
    assert forbidden_imports(source) == expected


@pytest.mark.parametrize(
    "source",
    ["import dataclasses", "from .show import Show", "from . import show", "import flasky", "from flaskish import x",
     "import sqlalchemy_utils_lookalike"],
)
def test_layering_checker_allows_unrelated_import(source):
    assert forbidden_imports(source) == set()


def emitting_calls(source: str) -> list[str]:
    """``x.emit(…)``, ``x.send(…)`` on a Socket.IO object, and bare ``emit``/``send`` from flask_socketio."""
    tree = ast.parse(source)
    imported = {alias.asname or alias.name for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("flask_socketio", "socketio")
                for alias in node.names if alias.name in EMITTING}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in EMITTING and "socketio" in ast.unparse(func.value):
            found.append(ast.unparse(func))
        elif isinstance(func, ast.Name) and func.id in imported:
            found.append(func.id)
    return found


def package_sources() -> list[Path]:
    return sorted(p for p in PACKAGE_DIR.rglob("*.py") if p != EMITTER)


@pytest.mark.parametrize("path", package_sources(), ids=lambda p: p.relative_to(PACKAGE_DIR).as_posix())
def test_layering_only_broadcast_emits_to_clients(path):
    assert emitting_calls(path.read_text(encoding="utf-8")) == []


def test_layering_broadcast_is_the_emitter_it_is_said_to_be():
    assert "socketio.emit" in emitting_calls(EMITTER.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "source, expected",
    [
        ("from .extensions import socketio\nsocketio.emit('state', {}, to='r')", ["socketio.emit"]),
        ("from flask_socketio import emit\nemit('snapshot', {})", ["emit"]),
        ("from flask_socketio import send as reply\nreply('x')", ["reply"]),
        ("def f(app):\n    app.extensions['socketio'].emit('x')", ["app.extensions['socketio'].emit"]),
        ("socketio.server.emit('x')", ["socketio.server.emit"]),
    ],
)
def test_layering_emit_checker_detects_an_emit(source, expected):
    assert emitting_calls(source) == expected


@pytest.mark.parametrize(
    "source",
    ["mail.send(message, settings)", "@socketio.on('ask')\ndef on_ask(payload):\n    return {'ok': True}",
     "socketio.start_background_task(loop)", "def emit():\n    pass\nemit()"],
)
def test_layering_emit_checker_allows_what_does_not_emit(source):
    assert emitting_calls(source) == []
