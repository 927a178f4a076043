"""URL converters: an id in a URL is a database id, so one beyond 64 bits is simply not found."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**63 - 1  # the largest signed 64-bit integer (SQLite's INTEGER, PostgreSQL's BIGINT)


class DatabaseIdConverter(IntegerConverter):
    """``<int:…>`` bounded to a database id: 0 to 2⁶³ − 1, else the route does not match (404).

    Without the bound, SQLite raises OverflowError on a longer number (a 500)."""

    def __init__(self, map, fixed_digits=0, min=0, max=MAX_ID, signed=False):  # noqa: A002 -- Werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register(app) -> None:
    """Before any blueprint adds its rules: every ``<int:…>`` of the application is bounded."""
    app.url_map.converters["int"] = DatabaseIdConverter
