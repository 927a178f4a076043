"""The running order as a stage manager's spreadsheet: export it, preview an import, import it whole.

The file, CSV or XLSX, is read by ``services.spreadsheets`` (as the applications import's), checked by ``domain.rundown``
and written by ``services.exports`` (cells made safe for spreadsheets). The preview stores nothing:
the confirmation sends the same file back and it is read and checked again, under the programme's
lock, before anything changes.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone

from ..domain import rundown as sheet
from ..domain.editions import PARIS, paris
from ..extensions import db
from ..models import Edition, Talk
from ..timeutil import to_ms
from . import show as show_service
from .exports import csv_bytes, xlsx_bytes
from .presenter import plan_of
from .spreadsheets import read_table
from .programme import _lock_programme, _renumber, _talks  # the programme's own lock and order

__all__ = ["ImportRefused", "Preview", "export_csv", "export_rows", "export_xlsx", "import_rundown",
           "preview_rundown"]


def export_rows(edition_id: int) -> list[list]:
    """The running order as the sheet's rows (``domain.rundown.COLUMNS``), planned starts in Paris time."""
    session = db.current()
    edition = session.get(Edition, edition_id)
    show = show_service.current_show(edition_id)
    plan = plan_of(edition, show, now=to_ms(edition.talks_start_at))
    items = {t.id: t for t in edition.talks}
    rows = []
    for slot in plan.slots:
        item = items[slot.talk_id]
        start = _paris_clock(slot.planned_start)
        length = item.effective_pitch_ms + item.effective_qa_ms
        rows.append([item.title, sheet.kind_word(item.item_kind), item.speaker or "", start,
                     sheet.sheet_duration(length), item.note or ""])
    return rows


def _paris_clock(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).astimezone(PARIS).strftime("%H:%M")


def export_csv(edition_id: int) -> bytes:
    return csv_bytes(sheet.COLUMNS, export_rows(edition_id))


def export_xlsx(edition_id: int) -> bytes:
    return xlsx_bytes([("Conducteur", sheet.COLUMNS, export_rows(edition_id))])


@dataclass(frozen=True)
class Preview:
    plan: sheet.Plan
    fingerprint: str  # of the file: the confirmation must send back the file previewed


def _fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def preview_rundown(edition_id: int, data: bytes, filename: str = "") -> Preview:
    """Every row of the file (CSV or XLSX) with its planned start and its errors (``FileRefused`` if unreadable)."""
    session = db.current()
    edition = session.get(Edition, edition_id)
    rows = sheet.parse_rundown(read_table(data, filename, max_rows=sheet.MAX_ROWS))
    talks = [sheet.KnownTalk(t.id, t.title, t.effective_pitch_ms + t.effective_qa_ms)
             for t in edition.talks if t.is_talk]
    start = edition.talks_start_at.astimezone(PARIS).time()
    return Preview(sheet.plan_rundown(rows, talks, start=start, changeover_ms=edition.changeover_ms),
                   _fingerprint(data))


class ImportRefused(Exception):
    """Nothing changed: ``code`` is "invalid" (errors in the file) or "changed" (not the file previewed)."""

    def __init__(self, code: str, preview: Preview | None = None):
        super().__init__(code)
        self.code = code
        self.preview = preview


def import_rundown(edition_id: int, data: bytes, *, fingerprint: str) -> int:
    """Replace the rundown by the file's, whole or not at all, in the caller's write; the rows imported.

    Raises ``programme.EveningStarted`` once the evening has started, ``ImportRefused`` otherwise."""
    session = db.current()
    _lock_programme(session, edition_id)
    preview = preview_rundown(edition_id, data)
    if preview.fingerprint != fingerprint:
        raise ImportRefused("changed", preview)
    if not preview.plan.valid:
        raise ImportRefused("invalid", preview)
    edition = session.get(Edition, edition_id)
    existing = {t.id: t for t in _talks(session, edition_id)}
    for item in existing.values():
        if not item.is_talk:
            session.delete(item)
    order = []
    for row in preview.plan.rows:
        if row.talk_id is not None:
            talk = existing[row.talk_id]
            talk.note = row.note
            if row.speaker:
                talk.speaker = row.speaker
        else:
            talk = Talk(edition_id=edition_id, position=0, title=row.title, organisation="", kind="", summary="",
                        item_kind=row.kind, speaker=row.speaker, note=row.note, pitch_ms=row.duration_ms)
            session.add(talk)
        order.append(talk)
    if preview.plan.start is not None:
        edition.talks_start_at = paris(edition.talks_start_at.astimezone(PARIS).date(), preview.plan.start)
    session.flush()
    _renumber(session, order)
    show_service.reset_show(edition_id)
    return len(order)
