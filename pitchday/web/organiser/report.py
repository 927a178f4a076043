"""The report of an edition: what was planned, what happened, what the room said (page, CSV, XLSX)."""
from __future__ import annotations

from . import bp, organiser_required  # noqa: F401
