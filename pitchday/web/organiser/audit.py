"""The audit trail of the organiser area: the one hook that records every write, and its admin page.

The hook (``init_app``) listens to the database session: when a write of a non-GET request of the
organiser area commits having changed something, one entry is added to that same transaction, naming
the account (``g.account_id``), the view (the action), and the object from the URL's ids. A write
that already recorded its own entry (an export, an erasure, an import, with their counts) gets no
second one. A request that changed nothing (a form sent back with its errors) records nothing.

The page lists the entries with filters, a page at a time, and exports them as CSV. No route edits or
deletes an entry, and the session refuses to (``services/audit.protect``).
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from flask import Response, g, has_request_context, render_template, request
from flask_babel import gettext as _
from sqlalchemy import event

from ...domain.forms import AuditFilter
from ...domain.shapes import Refused
from ...extensions import db
from ...services import audit as trail
from ...services import editions as editions_service
from ...services import exports
from ...timeutil import PARIS, as_utc
from ..i18n import field_error
from ..unit import READ_METHODS
from . import bp, requires

AUDITED_BLUEPRINTS = ("organiser",)
WROTE = "pitchday_audit_wrote"


# -- the hook ------------------------------------------------------------------------------------------


def init_app(app) -> None:
    session = db.session
    event.listen(session, "before_flush", _note_changes)
    event.listen(session, "do_orm_execute", _note_statement)
    event.listen(session, "before_commit", _record_request)
    event.listen(session, "after_transaction_end", _forget)
    trail.protect(session)


@bp.before_request
def _note_object() -> None:
    """The URL's object, for the entries that use cases write themselves (services/audit.record)."""
    g.setdefault(trail.REQUEST_OBJECT, trail.object_of(request.view_args or {}))


def _audited_request() -> bool:
    return (has_request_context() and request.blueprint in AUDITED_BLUEPRINTS
            and request.method not in READ_METHODS and request.endpoint is not None)


def _pending_changes(session) -> bool:
    return any(not isinstance(row, trail.AuditEntry) and (row not in session.dirty or session.is_modified(row))
               for row in (*session.new, *session.dirty, *session.deleted))


def _note_changes(session, _context, _instances) -> None:
    if _pending_changes(session):
        session.info[WROTE] = True


def _note_statement(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[WROTE] = True


def _record_request(session) -> None:
    if session.in_nested_transaction() or not _audited_request():
        return  # a savepoint's release is no commit: the entry goes with the whole transaction
    # The commit's own flush comes after this: changes still pending count as written too.
    if (session.info.get(WROTE) or _pending_changes(session)) and not session.info.get(trail.RECORDED):
        trail.record_request(session, request.endpoint, request.view_args or {}, request.form)


def _forget(session, transaction) -> None:
    if transaction.parent is not None:
        return  # a savepoint ended: the transaction goes on
    session.info.pop(WROTE, None)
    session.info.pop(trail.RECORDED, None)


# -- the page --------------------------------------------------------------------------------------------


def _filters() -> tuple[AuditFilter | None, dict[str, str]]:
    typed = {name: request.args.get(name, "")[:100] for name in AuditFilter.model_fields}
    try:
        return AuditFilter.parse(typed), {}
    except Refused as refused:
        return None, {e.field: field_error(e.code, e.limit) for e in refused.errors}


def _moment(day, *, next_day: bool = False):
    """The start of a Paris day (or of the day after it)."""
    if day is None:
        return None
    start = datetime.combine(day + timedelta(days=1) if next_day else day, time(0), tzinfo=PARIS)
    return start.astimezone(timezone.utc)


def _query_of(chosen: AuditFilter) -> trail.Filters:
    return trail.Filters(actor_id=chosen.actor, action=chosen.action, edition_id=chosen.edition,
                         since=_moment(chosen.since), until=_moment(chosen.until, next_day=True))


def _page_number() -> int:
    text = request.args.get("page", "1")[:7]
    return int(text) if text.isascii() and text.isdigit() and int(text) > 0 else 1


def _actors() -> dict:
    actors = trail.actors()
    return {"actors": actors, "actor_labels": {a["id"]: a["label"] for a in actors}}


@bp.get("/audit")
@requires("audit")
@db.read()
def audit_log():
    chosen, errors = _filters()
    number = _page_number()
    entries, total = trail.page(_query_of(chosen), number) if chosen else ([], 0)
    pages = max(1, -(-total // trail.PAGE_SIZE))
    args = {name: value for name, value in request.args.items() if name != "page" and value}
    return render_template("organiser/audit.html", entries=entries, total=total, number=min(number, pages),
                           pages=pages, args=args, errors=errors, actions=trail.actions(),
                           editions=editions_service.all_editions(), **_actors()), 400 if errors else 200


@bp.get("/audit.csv")
@requires("audit")
@db.write()  # a GET that writes, on purpose: the trail records its own exports
def audit_csv():
    chosen, errors = _filters()
    if errors:
        return render_template("organiser/audit.html", entries=[], total=0, number=1, pages=1, args={},
                               errors=errors, actions=trail.actions(), editions=editions_service.all_editions(),
                               **_actors()), 400
    header = [_("date"), _("compte"), _("action"), _("édition"), _("objet"), _("id de l'objet"), _("détail")]
    rows = [[as_utc(e.at).astimezone(PARIS).strftime("%d/%m/%Y %H:%M:%S"), e.actor_id or "", e.action,
             e.edition_id or "", e.object_type or "", e.object_id or "",
             " ".join(f"{key}={value}" for key, value in sorted(e.detail.items()))]
            for e in trail.all_matching(_query_of(chosen))]
    trail.record(db.current(), "audit_export", entries=len(rows))
    return Response(exports.csv_bytes(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=journal-audit.csv",
                             "Cache-Control": "no-store"})
