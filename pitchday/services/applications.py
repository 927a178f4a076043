"""The pool of applications of an edition: adding rows to it, and the status a decision gives.

Each use case group has its own module: the public form (``application_form``), the review list
and dossier (``review``), decisions and the running order (``programme``), the CSV import
(``application_import``). What they share about the pool lives here.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterable

from sqlalchemy import select

from ..domain.applications import Row, is_late
from ..models import Application, Edition


class NotFound(Exception):
    """No such application, talk, import draft or target edition (in this edition)."""


def import_rows(session, edition: Edition, rows: Iterable[Row], *, source: str = "import") -> list[Application]:
    """Add the given valid rows to the edition's pool, in the caller's transaction (all or nothing).

    A row received after the edition's deadline is stored and flagged ``late``, never dropped.
    """
    added = []
    for row in rows:
        if not row.valid:
            raise ValueError(f"row at line {row.line} is not valid")
        application = Application(edition_id=edition.id, reference=row.reference, received_at=row.received_at,
                                  source=source, late=is_late(row.received_at, edition.applications_close_at),
                                  status="received", **row.values)
        session.add(application)
        added.append(application)
    session.flush()
    return added


def adopt_deferred(session, edition: Edition) -> int:
    """Applications deferred "to a later edition" before any existed join this (later) edition's pool."""
    waiting = session.scalars(select(Application).join(Edition, Application.edition_id == Edition.id).where(
        Application.status == "deferred", Edition.starts_at < edition.starts_at, Edition.id != edition.id))
    moved = 0
    for application in waiting:
        application.deferred_from_edition_id = application.edition_id
        application.edition_id = edition.id
        application.status = "received"
        application.decided_at = None
        moved += 1
    return moved


def decide(application: Application, status: str, *, when: datetime | None = None) -> None:
    application.status = status
    application.decided_at = when or datetime.now(timezone.utc)
