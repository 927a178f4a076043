"""A read-only JSON API of public edition data (never personal data), described by OpenAPI."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
