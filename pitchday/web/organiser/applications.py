"""Applications of an edition: the review list, a dossier, decisions, the CSV import, the running order."""
from __future__ import annotations

from . import bp, organiser_required  # noqa: F401
