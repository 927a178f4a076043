"""The programme for other tools (branch digest): the talks and their speakers as a CSV.

The same evening as the pretalx / frab schedule JSON is public (``/e/<slug>/schedule.json``,
``web/public.py``): it holds only what the programme page publishes, and schedule apps fetch it
without an account. The CSV holds the speakers' contact addresses: an export, recorded in the
audit trail.
"""
from __future__ import annotations

from ...extensions import db
from ...services import audit
from ...services import schedule_export
from . import bp, requires
from .editions import edition_or_404
from .report import download


@bp.get("/editions/<int:edition_id>/talks.csv")
@requires("exports")
@db.write()  # a GET that writes, on purpose: the audit trail records every export
def talks_csv(edition_id: int):
    edition = edition_or_404(edition_id)
    content = schedule_export.talks_csv(edition)
    audit.record(db.current(), "talks_export_csv", edition_id=edition_id, object_type="edition",
                 object_id=edition_id)
    return download(f"interventions-{edition.slug}.csv", content, "text/csv; charset=utf-8")
