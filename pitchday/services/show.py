"""Use cases of the live run of show: load → domain → commit → broadcast."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..domain import show as domain
from ..extensions import db
from ..domain.audience import PUBLIC_STATUSES
from ..models import Edition, LiveState, Question, ShowCommand
from ..timeutil import now_ms
from . import broadcast

def edition_by_slug(slug: Any) -> Edition | None:
    if not isinstance(slug, str) or len(slug) > 40:
        return None
    with db.transaction() as session:
        return session.scalar(select(Edition).where(Edition.slug == slug))


def initial_show(edition: Edition) -> domain.Show:
    return domain.new_show(
        [(t.id, t.effective_pitch_ms, t.effective_qa_ms) for t in edition.talks],
        auto_questions=edition.auto_questions,
    )


def reset_show(edition_id: int) -> None:
    """Put the edition back to its welcome screen with its running order (organiser action)."""
    with db.transaction() as session:
        reset_in(session, edition_id)
    broadcast.show_changed(edition_id)


def reset_in(session, edition_id: int) -> None:
    """The reset, inside the caller's transaction: a change of the programme and the new live state
    are committed together, under the live row's lock, so that no command can slip in between.
    The caller broadcasts (``broadcast.show_changed``) once it has committed."""
    edition = session.get(Edition, edition_id)
    session.expire(edition, ["talks"])  # talks changed in this transaction: read them again
    show = initial_show(edition)
    row = session.get(LiveState, edition_id, with_for_update=True)
    if row is None:
        session.add(LiveState(edition_id=edition_id, version=0, state=domain.to_dict(show)))
    else:
        show = replace(show, version=row.version + 1)
        row.state, row.version = domain.to_dict(show), show.version


def current_show(edition_id: int, *, now: int | None = None) -> domain.Show:
    """The live state with any due automatic transition applied (and saved)."""
    now = now_ms() if now is None else now
    with db.transaction() as session:
        row = _locked_row(session, edition_id)
        stored = domain.from_dict(row.state)
        settled = domain.settle(stored, now)
        if settled is stored:
            return stored
        row.state, row.version = domain.to_dict(settled), settled.version
    broadcast.show_changed(edition_id)
    return settled


def _locked_row(session, edition_id: int) -> LiveState:
    row = session.get(LiveState, edition_id, with_for_update=True)
    if row is None:
        edition = session.get(Edition, edition_id)
        row = LiveState(edition_id=edition_id, version=0, state=domain.to_dict(initial_show(edition)))
        session.add(row)
        session.flush()
    return row


def run_command(edition_id: int, *, command_id: str, name: str, args: dict, version: int,
                now: int | None = None) -> dict:
    """Apply one moderator command exactly once; the answer is stored with it.

    A retry with the same ``command_id`` gets the stored answer and changes nothing;
    a command built on an older ``version`` than the stored one is refused as stale.
    """
    now = now_ms() if now is None else now
    try:
        with db.transaction() as session:
            previous = _stored_answer(session, edition_id, command_id)
            if previous is not None:
                return previous
            row = _locked_row(session, edition_id)
            result = _missing_reference(session, edition_id, name, args, row) or _decide(row, name, args, version, now)
            session.add(ShowCommand(edition_id=edition_id, command_id=command_id, name=name,
                                    args=args, result=result))
    except IntegrityError:
        # The same command arrived twice at once: the other copy won, answer as it did.
        with db.transaction() as session:
            return _stored_answer(session, edition_id, command_id)
    if result["ok"]:
        broadcast.show_changed(edition_id)
    return result


def _missing_reference(session, edition_id: int, name: str, args: dict, row: LiveState) -> dict | None:
    """What the domain cannot check: a spotlighted question is a public question of this edition."""
    question_id = args.get("question_id")
    if name != "spotlight" or not isinstance(question_id, int) or isinstance(question_id, bool):
        return None  # nothing to look up; the domain judges the arguments
    question = session.get(Question, question_id) if 0 < question_id < 2**31 else None
    if question is not None and question.edition_id == edition_id and question.status in PUBLIC_STATUSES:
        return None
    return {"ok": False, "version": row.version,
            "error": {"code": "unknown_question", "message": "No such public question"}}


def run_internal(edition_id: int, name: str, args: dict, *, only_if=None) -> bool:
    """A command the server decides itself, on the current state (no moderator view can be stale).

    ``only_if(show)`` guards it: e.g. take a question down only if it is still the one shown.
    Returns whether the state changed.
    """
    now = now_ms()
    with db.transaction() as session:
        row = _locked_row(session, edition_id)
        stored = domain.settle(domain.from_dict(row.state), now)
        if only_if is not None and not only_if(stored):
            return False
        try:
            changed = domain.apply(stored, name, args, now=now)
        except domain.CommandRefused:
            return False
        row.state, row.version = domain.to_dict(changed), changed.version
    broadcast.show_changed(edition_id)
    return True


def _stored_answer(session, edition_id: int, command_id: str) -> dict | None:
    return session.scalar(select(ShowCommand.result).where(
        ShowCommand.edition_id == edition_id, ShowCommand.command_id == command_id))


def _decide(row: LiveState, name: str, args: dict, version: int, now: int) -> dict:
    stored = domain.from_dict(row.state)
    if version != stored.version:
        return {"ok": False, "version": stored.version,
                "error": {"code": "stale", "message": "The state changed since your view: check and try again"}}
    try:
        changed = domain.apply(stored, name, args, now=now)
    except domain.CommandRefused as refusal:
        return {"ok": False, "version": stored.version, "error": {"code": refusal.code, "message": refusal.message}}
    row.state, row.version = domain.to_dict(changed), changed.version
    return {"ok": True, "version": changed.version}


def set_durations(edition_id: int, *, pitch_ms: int, qa_ms: int, overrides: dict[int, tuple[int | None, int | None]]) -> None:
    """Organiser: the edition's default lengths and per-talk overrides (None = edition default)."""
    for value in (pitch_ms, qa_ms):
        domain.check_duration(value)
    with db.transaction() as session:
        edition = session.get(Edition, edition_id)
        edition.pitch_ms, edition.qa_ms = pitch_ms, qa_ms
        for talk in edition.talks:
            if talk.id in overrides:
                talk.pitch_ms, talk.qa_ms = overrides[talk.id]
        session.flush()
        row = _locked_row(session, edition_id)
        stored = domain.from_dict(row.state)
        changed = domain.retime(stored, {t.id: (t.effective_pitch_ms, t.effective_qa_ms) for t in edition.talks})
        if changed is stored:
            return
        row.state, row.version = domain.to_dict(changed), changed.version
    broadcast.show_changed(edition_id)
