"""Applications ("dossiers de candidature"): storing them, selecting them, and the running order.

The public form, the CSV import, the organiser's decisions and the programme all live here. A
change of the talks of an edition is allowed only before its evening starts; it is checked in the
same transaction as the change, with the live state's row locked, then the live run of show is
reset so that every screen follows the new order.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from ..domain import selection
from ..domain import show as show_domain
from ..domain.applications import Row, is_late, parse_csv, validate
from ..domain.forms import TalkCorrection
from ..domain.text import InvalidField
from ..extensions import db, rate_limits
from ..models import Application, Edition, ImportDraft, LiveState, Talk
from . import broadcast
from . import show as show_service
from .privacy import DRAFT_LIFETIME, audit

REFERENCE_ATTEMPTS = 5  # two forms numbered at the same moment: the loser takes the next number


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


# -- the public form ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Submission:
    """What became of a form: ``closed``, ``invalid`` (with ``errors``) or stored (``reference``)."""

    outcome: str  # "stored" / "invalid" / "closed" / "rate_limited"
    reference: str | None = None
    project_name: str | None = None
    errors: list[InvalidField] = field(default_factory=list)
    retry_after_s: int = 0


def submit_form(edition_id: int, values: Mapping[str, Any], *, client_id: str, address: str | None = None,
                now: datetime | None = None) -> Submission:
    """Store an application from the public form, once per ``client_id``, before anything is confirmed.

    A form sent again (double click, back and resend) answers with the first one's reference.
    """
    now = now or datetime.now(timezone.utc)
    clean, errors = validate(values)
    for _attempt in range(REFERENCE_ATTEMPTS):
        try:
            with db.transaction() as session:
                edition = session.get(Edition, edition_id)
                if not selection.form_is_open(edition.applications_close_at, now):
                    return Submission("closed")
                stored = _stored_form(session, edition_id, client_id)
                if stored is not None:
                    return Submission("stored", stored.reference, stored.project_name)
                if errors:
                    return Submission("invalid", errors=errors)
                if _attempt == 0:  # a retry of the numbering is the same submission
                    decision = rate_limits.check("apply", device_id=f"address:{address}", address=address)
                    if not decision.allowed:
                        return Submission("rate_limited", retry_after_s=decision.retry_after_s)
                prefix = selection.reference_prefix(edition.slug)
                taken = session.scalars(select(Application.reference).where(
                    Application.reference.startswith(prefix + "-", autoescape=True)))
                application = Application(
                    edition_id=edition_id, reference=selection.next_reference(prefix, taken), client_id=client_id,
                    received_at=now, source="form", late=False, status="received", **clean)
                session.add(application)
                session.flush()
                return Submission("stored", application.reference, application.project_name)
        except IntegrityError:
            continue  # the same form stored meanwhile (found on the next turn), or its number taken: try again
    raise RuntimeError("could not number the application")


def _stored_form(session, edition_id: int, client_id: str) -> Application | None:
    return session.scalar(select(Application).where(Application.edition_id == edition_id,
                                                    Application.client_id == client_id))


def confirmation(reference: str) -> Application | None:
    """The application a (signed) confirmation link points to."""
    with db.transaction() as session:
        return session.scalar(select(Application).where(Application.reference == reference))


# -- reviewing -------------------------------------------------------------------------------------

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
    with db.transaction() as session:
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
    with db.transaction() as session:
        application = session.get(Application, application_id)
        if application is None or application.edition_id != edition_id:
            return None
        edition = session.get(Edition, edition_id)
        origin = _edition_titles(session, {application.deferred_from_edition_id}).get(
            application.deferred_from_edition_id)
        return Dossier(application, origin, _later_editions(session, edition), _talk_of(session, application))


def _later_editions(session, edition: Edition) -> list[Edition]:
    return list(session.scalars(select(Edition).where(Edition.starts_at > edition.starts_at)
                                .order_by(Edition.starts_at)))


def _talk_of(session, application: Application) -> Talk | None:
    return session.scalar(select(Talk).where(Talk.application_id == application.id,
                                             Talk.edition_id == application.edition_id))


# -- decisions and the programme ------------------------------------------------------------------------

class EveningStarted(Exception):
    """The evening has started: the running order belongs to the moderator's console now."""


class NotFound(Exception):
    pass


def _lock_programme(session, edition_id: int) -> None:
    """Lock the live state's row and refuse if the evening has started (held until the commit)."""
    row = session.get(LiveState, edition_id, with_for_update=True)
    if row is not None and not selection.programme_can_change(show_domain.from_dict(row.state)):
        raise EveningStarted()


def _renumber(session, order: list[Talk]) -> None:
    for position, talk in enumerate(order, start=1):
        talk.position = position
    session.flush()


def _talks(session, edition_id: int) -> list[Talk]:
    return list(session.scalars(select(Talk).where(Talk.edition_id == edition_id).order_by(Talk.position, Talk.id)))


@dataclass(frozen=True)
class Decided:
    status: str
    moved_to: Edition | None = None  # deferred into that edition's pool


def decide_application(edition_id: int, application_id: int, decision: str, *,
                       target_edition_id: int | None = None, now: datetime | None = None) -> Decided:
    """Retain, defer (to a later edition, or to the next one to be created), decline, or reconsider.

    Retaining puts a talk at the end of the programme; any other decision on a retained application
    takes its talk off. Either is refused once the evening has started (``EveningStarted``).
    Raises ``NotFound`` for an application or target edition that is not there, ``ValueError`` for
    an unknown decision or a target that does not come after this edition.
    """
    if decision not in selection.DECISIONS:
        raise ValueError(decision)
    now = now or datetime.now(timezone.utc)
    status = selection.DECISIONS[decision]
    with db.transaction() as session:
        application = session.get(Application, application_id)
        if application is None or application.edition_id != edition_id:
            raise NotFound()
        edition = session.get(Edition, edition_id)
        target = None
        if decision == "defer" and target_edition_id is not None:
            target = session.get(Edition, target_edition_id)
            if target is None:
                raise NotFound()
            if target.starts_at <= edition.starts_at:
                raise ValueError("the target edition must come after this one")
        talk = _talk_of(session, application)
        adds_talk = status == "retained" and talk is None
        removes_talk = status != "retained" and talk is not None
        if adds_talk or removes_talk:
            _lock_programme(session, edition_id)
        if removes_talk:
            session.delete(talk)
            session.flush()
            _renumber(session, _talks(session, edition_id))
        if adds_talk:
            last = session.scalar(select(func.max(Talk.position)).where(Talk.edition_id == edition_id)) or 0
            session.add(Talk(edition_id=edition_id, position=last + 1, application_id=application.id,
                             **selection.talk_from_application(_values(application))))
        if adds_talk or removes_talk:
            show_service.reset_in(session, edition_id)  # committed with the change, under the lock
        if target is not None:
            application.deferred_from_edition_id = edition_id
            application.edition_id = target.id
            application.status = "received"
            application.decided_at = now
        else:
            decide(application, status, when=now)
    if adds_talk or removes_talk:
        broadcast.show_changed(edition_id)
    return Decided(application.status, target)


def _values(application: Application) -> dict[str, Any]:
    return {name: getattr(application, name) for name in (
        "project_name", "organisation", "talk_kind", "referent_name", "referent_role", "description",
        "referent_email")}


@dataclass(frozen=True)
class Programme:
    talks: list[Talk]
    retained: int  # applications retained, to compare with the edition's ``talks_wanted``
    can_change: bool  # the evening has not started


def programme(edition_id: int) -> Programme:
    can_change = selection.programme_can_change(show_service.current_show(edition_id))
    with db.transaction() as session:
        return Programme(_talks(session, edition_id), session.scalar(
            select(func.count()).select_from(Application).where(
                Application.edition_id == edition_id, Application.status == "retained")), can_change)


def move_talk(edition_id: int, talk_id: int, direction: str) -> None:
    """One place earlier ("up") or later ("down") in the running order."""
    with db.transaction() as session:
        _lock_programme(session, edition_id)
        talks = _talks(session, edition_id)
        by_id = {t.id: t for t in talks}
        if talk_id not in by_id:
            raise NotFound()
        order = selection.moved([t.id for t in talks], talk_id, direction)
        _renumber(session, [by_id[i] for i in order])
        show_service.reset_in(session, edition_id)
    broadcast.show_changed(edition_id)


TALK_FIELDS = tuple(TalkCorrection.model_fields)


def update_talk(edition_id: int, talk_id: int, correction: TalkCorrection) -> None:
    """The organiser's corrections to what the screens show of a talk: title, organisation, speaker."""
    clean = {name: value or "" for name, value in correction.model_dump().items()}
    with db.transaction() as session:
        _lock_programme(session, edition_id)
        talk = session.get(Talk, talk_id)
        if talk is None or talk.edition_id != edition_id:
            raise NotFound()
        for name, value in clean.items():
            setattr(talk, name, value)
        session.flush()
        show_service.reset_in(session, edition_id)
    broadcast.show_changed(edition_id)


# -- the CSV import ----------------------------------------------------------------------------------

def start_import(edition_id: int, filename: str, data: bytes) -> int:
    """Check the file can be read (``FileRefused`` otherwise) and keep it as a draft: its id."""
    parse_csv(data)
    with db.transaction() as session:
        draft = ImportDraft(edition_id=edition_id, filename=(filename or "")[:200],
                            content=data.decode("utf-8-sig"))
        session.add(draft)
        session.flush()
        return draft.id


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
    rows = parse_csv(draft.content.encode("utf-8"))
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
    with db.transaction() as session:
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
    try:
        with db.transaction() as session:
            draft = _draft(session, edition_id, draft_id, now)
            if draft is None:
                raise NotFound()
            edition = session.get(Edition, edition_id)
            preview = _preview(session, edition, draft)
            if not preview.ready:
                raise ImportFailed("nothing")
            if preview.fingerprint != fingerprint:
                raise ImportFailed("changed")
            import_rows(session, edition, [r.row for r in preview.ready])
            result = Imported(len(preview.ready), len(preview.rows) - len(preview.ready))
            audit(session, "import_applications", edition_id=edition_id, imported=result.imported,
                  skipped=result.skipped)
            session.delete(draft)
    except IntegrityError:
        raise ImportFailed("conflict") from None  # a reference stored meanwhile: rolled back, whole
    return result


def cancel_import(edition_id: int, draft_id: int) -> None:
    with db.transaction() as session:
        session.execute(delete(ImportDraft).where(ImportDraft.id == draft_id, ImportDraft.edition_id == edition_id))
