"""The audit trail: who did what to which object, and when — never the personal data itself.

Entries are written in the unit of work of what they record (committed with it, or not at all):

- explicitly, where a use case knows its counts (``record``: exports, erasure, purge, imports,
  introductions; ``privacy.audit`` is the same call);
- for every other write of the organiser area, by the hook of ``web/organiser/audit.py``, which
  calls ``record_request`` as the request's write commits.

The actor is the signed-in account (``flask.g.account_id``, set at sign-in by the organiser area),
None for the CLI and the system. The application only adds rows: nothing here updates or deletes one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import func, select

from ..extensions import db
from ..models import Account, AuditEntry, Edition

PAGE_SIZE = 50
MAX_PAGE = 100_000
MAX_ACTION_CHARS = 40
# The info key of a session whose transaction already holds an entry (the hook then adds none).
RECORDED = "pitchday_audit_recorded"
# The ids a URL may carry, from the least to the most specific: the object is the most specific one.
OBJECT_KINDS = (
    ("edition_id", "edition"),
    ("talk_id", "talk"),
    ("application_id", "application"),
    ("request_id", "connect_request"),
    ("draft_id", "import_draft"),
    ("link_id", "moderator_link"),
    ("account_id", "account"),
    ("grant_id", "role_grant"),
    ("item_id", "item"),
)
# Form fields whose value says which of a view's actions was taken (a decision, a status): a short
# lower-case word is kept; any other value (free text, an address) is never stored.
CHOICE_FIELDS = ("action", "decision", "status", "role")
_WORD = re.compile(r"[a-z][a-z_]{0,39}")


def current_actor() -> int | None:
    """The account acting in this request, if any (set by the organiser area's sign-in)."""
    from flask import g, has_app_context

    if not has_app_context():
        return None
    actor = g.get("account_id")
    return actor if isinstance(actor, int) and not isinstance(actor, bool) else None


# Where the organiser area puts the (edition id, kind, id) of the request's URL, for explicit entries.
REQUEST_OBJECT = "audit_object"


def _request_object() -> tuple[int | None, str | None, int | None]:
    from flask import g, has_app_context

    return (g.get(REQUEST_OBJECT) if has_app_context() else None) or (None, None, None)


def record(session, action: str, *, edition_id: int | None = None, object_type: str | None = None,
           object_id: int | None = None, actor_id: int | None = None, detail: dict[str, Any] | None = None,
           **counts: int) -> AuditEntry:
    """Add one entry to the open unit of work. ``counts`` and ``detail``: numbers and kinds only.
    The object defaults to the one of the request's URL (an introduction: its connect request)."""
    if object_type is None:
        _edition, object_type, object_id = _request_object()
    entry = AuditEntry(action=action[:MAX_ACTION_CHARS], edition_id=edition_id, object_type=object_type,
                       object_id=object_id, actor_id=actor_id if actor_id is not None else current_actor(),
                       detail={**(detail or {}), **counts})
    session.add(entry)
    session.info[RECORDED] = True
    return entry


def object_of(view_args: dict[str, Any]) -> tuple[int | None, str | None, int | None]:
    """(edition id, object kind, object id) from a URL's arguments: the most specific id is the object."""
    edition_id = view_args.get("edition_id") if isinstance(view_args.get("edition_id"), int) else None
    kind = object_id = None
    for name, label in OBJECT_KINDS:
        value = view_args.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            kind, object_id = label, value
    return edition_id, kind, object_id


def choices_of(form) -> dict[str, str]:
    """The form's choice fields whose value is a plain word (``CHOICE_FIELDS``); nothing else."""
    found = {}
    for name in CHOICE_FIELDS:
        value = form.get(name)
        if isinstance(value, str) and _WORD.fullmatch(value):
            found[name] = value
    return found


def record_request(session, endpoint: str, view_args: dict[str, Any], form) -> AuditEntry:
    """The entry of one write request of the organiser area: its view (the action), its object, its
    choices."""
    edition_id, kind, object_id = object_of(view_args or {})
    if edition_id is not None and session.get(Edition, edition_id) is None:
        edition_id = None  # a deleted edition: the entry keeps the object, not a dangling key
    # The endpoint in full ("organiser.edit_edition"): never mistaken for an explicit entry's action.
    return record(session, endpoint, edition_id=edition_id, object_type=kind, object_id=object_id,
                  detail=choices_of(form))


# -- reading ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    actor_id: int | None = None
    action: str | None = None
    edition_id: int | None = None
    since: datetime | None = None  # inclusive, UTC
    until: datetime | None = None  # exclusive, UTC


def _query(filters: Filters):
    query = select(AuditEntry)
    if filters.actor_id is not None:
        query = query.where(AuditEntry.actor_id == filters.actor_id)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.edition_id is not None:
        query = query.where(AuditEntry.edition_id == filters.edition_id)
    if filters.since is not None:
        query = query.where(AuditEntry.at >= filters.since)
    if filters.until is not None:
        query = query.where(AuditEntry.at < filters.until)
    return query


def page(filters: Filters, number: int = 1, size: int = PAGE_SIZE) -> tuple[list[AuditEntry], int]:
    """One page of entries, newest first, and the number of entries that match."""
    session = db.current()
    total = session.scalar(select(func.count()).select_from(_query(filters).subquery()))
    number = max(1, min(number, MAX_PAGE))
    rows = session.scalars(_query(filters).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                           .limit(size).offset((number - 1) * size))
    return list(rows), total


def all_matching(filters: Filters) -> Iterable[AuditEntry]:
    """Every matching entry, oldest first (the CSV export)."""
    return db.current().scalars(_query(filters).order_by(AuditEntry.at, AuditEntry.id))


def actions() -> list[str]:
    """The actions that occur in the trail (the filter's choices)."""
    return list(db.current().scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


def actors() -> list[dict[str, Any]]:
    """The accounts that occur in the trail, with the name to show (the filter's choices)."""
    ids = list(db.current().scalars(select(AuditEntry.actor_id).where(AuditEntry.actor_id.is_not(None))
                                    .distinct().order_by(AuditEntry.actor_id)))
    names = _account_names(ids)
    return [{"id": actor, "label": names.get(actor, f"#{actor}")} for actor in ids]


def _account_names(ids: list[int]) -> dict[int, str]:
    """The team members' names, shown on the page (never stored in an entry)."""
    if not ids:
        return {}
    rows = db.current().execute(select(Account.id, Account.display_name, Account.email).where(Account.id.in_(ids)))
    return {account_id: f"{name} <{email}>" for account_id, name, email in rows}


# -- append only ---------------------------------------------------------------------------------------------


class AuditTampering(RuntimeError):
    """Something tried to change or delete an entry of the audit trail."""


# Set in a session's info by the tests' clean database only (``permit_clearing``), for one transaction.
CLEARING = "pitchday_audit_clearing"


def permit_clearing(session) -> None:
    """Let this transaction empty the trail: the tests' fresh database, never the application."""
    session.info[CLEARING] = True


def protect(session) -> None:
    """Make the session refuse to update or delete an entry (``session``: the app's scoped session)."""
    from sqlalchemy import event

    @event.listens_for(session, "before_flush")
    def _refuse_changes(flushing, _context, _instances):
        if flushing.info.get(CLEARING):
            return
        if any(isinstance(row, AuditEntry) for row in (*flushing.deleted, *flushing.dirty)
               if row in flushing.deleted or flushing.is_modified(row)):
            raise AuditTampering("audit entries are never changed nor deleted")

    @event.listens_for(session, "after_transaction_end")
    def _end_clearing(ended, transaction):
        if transaction.parent is None:
            ended.info.pop(CLEARING, None)

    @event.listens_for(session, "do_orm_execute")
    def _refuse_statements(state):
        if state.session.info.get(CLEARING):
            return
        if (state.is_update or state.is_delete) and getattr(state.statement, "table", None) is not None \
                and state.statement.table.name == AuditEntry.__tablename__:
            raise AuditTampering("audit entries are never changed nor deleted")

    @event.listens_for(session, "after_transaction_end")
    def _end_clearing(ended, transaction):
        if transaction.parent is None:
            ended.info.pop(CLEARING, None)
