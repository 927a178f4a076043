"""The import of applications (CSV or XLSX): a draft, its row-by-row preview, then all of it or nothing."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..domain.applications import (CHOICE_LABELS, COLUMN_LABELS, CSV_COLUMNS, MAX_ROWS, REQUIRED_CSV_COLUMNS, Row,
                                   is_late, parse_table)
from ..domain.sheets import Table
from ..extensions import db
from ..models import Application, Edition, ImportDraft
from .applications import NotFound, import_rows
from .exports import csv_bytes, xlsx_bytes
from .privacy import DRAFT_LIFETIME, audit
from .spreadsheets import read_table

__all__ = ["ImportFailed", "Imported", "NotFound", "Preview", "PreviewRow", "cancel_import", "confirm_import",
           "preview_import", "start_import", "template_csv", "template_xlsx"]


def start_import(edition_id: int, filename: str, data: bytes) -> int:
    """Check the file (CSV or XLSX) can be read (``FileRefused`` otherwise) and keep it as a draft: its id.

    The draft keeps the sheet as read (header and rows as text), whatever the file's format."""
    table = read_table(data, filename, max_rows=MAX_ROWS)
    parse_table(table)
    session = db.current()
    draft = ImportDraft(edition_id=edition_id, filename=(filename or "")[:200], content=_stored(table))
    session.add(draft)
    session.flush()
    return draft.id


def _stored(table: Table) -> str:
    return json.dumps({"header": table.header, "rows": table.rows}, ensure_ascii=False)


def _table(content: str) -> Table:
    """A draft's sheet (drafts stored before XLSX imports hold the CSV's text)."""
    try:
        stored = json.loads(content)
    except ValueError:
        return read_table(content.encode("utf-8"), "draft.csv", max_rows=MAX_ROWS)
    return Table(tuple(stored["header"]), tuple((line, tuple(cells)) for line, cells in stored["rows"]))


def template_rows() -> tuple[tuple[str, ...], list[list[str]]]:
    """The help sheet of the template: every column, its labels, whether it is required, the choices."""
    choices = {"type_porteur": "applicant_type", "type_presentation": "talk_kind"}
    rows = []
    for column in CSV_COLUMNS:
        table = CHOICE_LABELS.get(choices.get(column, ""), {})
        rows.append([column, " / ".join(COLUMN_LABELS[column][:2]),
                     _("oui") if column in REQUIRED_CSV_COLUMNS else _("non"),
                     " ; ".join(f"{code} ({', '.join(words)})" for code, words in table.items())])
    return (_("colonne"), _("libellés acceptés"), _("obligatoire"), _("valeurs acceptées")), rows


def template_csv() -> bytes:
    """An empty applications sheet: the header row only, in the import's own columns."""
    return csv_bytes(CSV_COLUMNS, [])


def template_xlsx() -> bytes:
    """The same as a workbook, with a second sheet that explains each column."""
    header, rows = template_rows()
    return xlsx_bytes([(_("Candidatures"), CSV_COLUMNS, []), (_("Colonnes"), header, rows)])


@dataclass(frozen=True)
class PreviewRow:
    row: Row
    state: str  # "ready" / "invalid" / "already"
    late: bool


@dataclass(frozen=True)
class Preview:
    draft: ImportDraft
    rows: list[PreviewRow]

    @property
    def ready(self) -> list[PreviewRow]:
        return [r for r in self.rows if r.state == "ready"]

    def count(self, state: str) -> int:
        return sum(1 for r in self.rows if r.state == state)

    @property
    def late(self) -> int:
        return sum(1 for r in self.ready if r.late)

    @property
    def fingerprint(self) -> str:
        """Which rows the organiser is shown as ready: the import refuses if that changed meanwhile."""
        return _fingerprint(r.row.reference for r in self.ready)


def _fingerprint(references: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(references)).encode()).hexdigest()[:32]


def _draft(session, edition_id: int, draft_id: int, now: datetime) -> ImportDraft | None:
    draft = session.get(ImportDraft, draft_id)
    if draft is None or draft.edition_id != edition_id or draft.created_at < now - DRAFT_LIFETIME:
        return None
    return draft


def _preview(session, edition: Edition, draft: ImportDraft) -> Preview:
    rows = parse_table(_table(draft.content))
    references = [r.reference for r in rows if r.reference]
    existing = set(session.scalars(select(Application.reference).where(Application.reference.in_(references)))) \
        if references else set()
    return Preview(draft, [
        PreviewRow(row, "invalid" if not row.valid else "already" if row.reference in existing else "ready",
                   row.received_at is not None and is_late(row.received_at, edition.applications_close_at))
        for row in rows])


def preview_import(edition_id: int, draft_id: int, *, now: datetime | None = None) -> Preview | None:
    """Every row of the draft: ready, already imported (skipped) or with its errors; late ones flagged."""
    now = now or datetime.now(timezone.utc)
    session = db.current()
    draft = _draft(session, edition_id, draft_id, now)
    return None if draft is None else _preview(session, session.get(Edition, edition_id), draft)


class ImportFailed(Exception):
    """Nothing was stored; ``code`` says why ("changed": the rows ready are not those previewed)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Imported:
    imported: int
    skipped: int


def confirm_import(edition_id: int, draft_id: int, *, fingerprint: str, now: datetime | None = None) -> Imported:
    """Import every ready row of the draft in one transaction: all of them, or nothing at all.

    The draft is parsed again (the preview page is not trusted); if the rows ready now are not the
    ones the organiser saw (another import stored some meanwhile), nothing is stored.
    """
    now = now or datetime.now(timezone.utc)
    session = db.current()
    draft = _draft(session, edition_id, draft_id, now)
    if draft is None:
        raise NotFound()
    edition = session.get(Edition, edition_id)
    preview = _preview(session, edition, draft)
    if not preview.ready:
        raise ImportFailed("nothing")
    if preview.fingerprint != fingerprint:
        raise ImportFailed("changed")
    try:
        with session.begin_nested():  # a savepoint: a conflict undoes the whole import, and only it
            import_rows(session, edition, [r.row for r in preview.ready])
            result = Imported(len(preview.ready), len(preview.rows) - len(preview.ready))
            audit(session, "import_applications", edition_id=edition_id, imported=result.imported,
                  skipped=result.skipped)
            session.delete(draft)
    except IntegrityError:
        raise ImportFailed("conflict") from None  # a reference stored meanwhile: rolled back, whole
    return result


def cancel_import(edition_id: int, draft_id: int) -> None:
    session = db.current()
    session.execute(delete(ImportDraft).where(ImportDraft.id == draft_id, ImportDraft.edition_id == edition_id))
