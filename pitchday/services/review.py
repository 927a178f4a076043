"""Reviewing applications: the organiser's filtered list of an edition's pool, and one dossier."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ..extensions import db
from ..models import Application, Edition, Talk
from .programme import talk_of


@dataclass(frozen=True)
class Pool:
    """An edition's applications as the organiser filters them, with counts over the whole pool."""

    applications: list[Application]
    by_status: dict[str, int]
    total: int
    late: int
    origins: dict[int, str]  # edition id → title, for "reportée de …"


def pool(edition_id: int, *, talk_kind: str | None = None, applicant_type: str | None = None,
         status: str | None = None) -> Pool:
    session = db.current()
    query = select(Application).where(Application.edition_id == edition_id)
    if talk_kind:
        query = query.where(Application.talk_kind == talk_kind)
    if applicant_type:
        query = query.where(Application.applicant_type == applicant_type)
    if status:
        query = query.where(Application.status == status)
    found = list(session.scalars(query.order_by(Application.received_at, Application.id)))
    by_status = dict(session.execute(select(Application.status, func.count()).where(
        Application.edition_id == edition_id).group_by(Application.status)).all())
    late = session.scalar(select(func.count()).select_from(Application).where(
        Application.edition_id == edition_id, Application.late))
    origins = _edition_titles(session, {a.deferred_from_edition_id for a in found})
    return Pool(found, by_status, sum(by_status.values()), late, origins)


def _edition_titles(session, ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(session.execute(select(Edition.id, Edition.title).where(Edition.id.in_(ids))).all())


@dataclass(frozen=True)
class Dossier:
    application: Application
    origin_title: str | None
    later_editions: list[Edition]  # where it can be deferred to
    talk: Talk | None  # its place on the programme, when retained


def dossier(edition_id: int, application_id: int) -> Dossier | None:
    session = db.current()
    application = session.get(Application, application_id)
    if application is None or application.edition_id != edition_id:
        return None
    edition = session.get(Edition, edition_id)
    origin = _edition_titles(session, {application.deferred_from_edition_id}).get(
        application.deferred_from_edition_id)
    return Dossier(application, origin, _later_editions(session, edition), talk_of(session, application))


def _later_editions(session, edition: Edition) -> list[Edition]:
    return list(session.scalars(select(Edition).where(Edition.starts_at > edition.starts_at)
                                .order_by(Edition.starts_at)))
