"""Public pages that are not live screens: the agenda of an edition (HTML with JSON-LD, iCalendar)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("public", __name__)
