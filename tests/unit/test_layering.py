"""The domain stays pure: no web framework, ORM or async runtime (DESIGN.md §2).

The sources are parsed, not imported, so an import hidden in a function body or
behind ``if TYPE_CHECKING`` is found as well.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import pitchday.domain

pytestmark = pytest.mark.unit

FORBIDDEN = frozenset({"flask", "flask_socketio", "sqlalchemy", "eventlet"})
DOMAIN_DIR = Path(pitchday.domain.__file__).parent
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
