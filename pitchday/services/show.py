"""Use cases of the live run of show: load → domain → save → broadcast after the caller's commit."""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..domain import show as domain
from ..extensions import db
from ..domain.audience import PUBLIC_STATUSES
from ..models import Edition, LiveState, Question, ShowCommand
from ..timeutil import from_ms, now_ms
from . import broadcast, slides


def initial_show(edition: Edition) -> domain.Show:
    show = domain.new_show(
        [(t.id, t.effective_pitch_ms, t.effective_qa_ms, t.item_kind) for t in edition.talks],
        auto_questions=edition.auto_questions,
    )
    return replace(domain.with_decks(show, slides.page_counts(db.current(), edition.id)), version=show.version)


def reset_show(edition_id: int) -> None:
    """Put the edition back to its welcome screen with its running order, in the caller's write.

    A change of the programme and the new live state are committed together, under the live row's
    lock, so that no command can slip in between; the screens hear of it after the commit."""
    session = db.current()
    edition = session.get(Edition, edition_id)
    session.expire(edition, ["talks"])  # talks changed in this transaction: read them again
    show = initial_show(edition)
    row = session.get(LiveState, edition_id, with_for_update=True)
    if row is None:
        row = LiveState(edition_id=edition_id, version=0)
        session.add(row)
    else:
        show = replace(show, version=row.version + 1)
    save(row, show)
    broadcast.show_changed(edition_id, show)


def save(row: LiveState, show: domain.Show) -> None:
    """Store the show in its row, with when the scheduler must next look at it."""
    row.state, row.version, row.due_at = domain.to_dict(show), show.version, from_ms(domain.next_due(show))


def current_show(edition_id: int, *, now: int | None = None) -> domain.Show:
    """The live state as it is at ``now``, due transitions included, read only: nothing is saved
    (the scheduler stores due transitions; a command stores them with its own change)."""
    now = now_ms() if now is None else now
    session = db.current()
    row = session.get(LiveState, edition_id)
    stored = domain.from_dict(row.state) if row is not None else initial_show(session.get(Edition, edition_id))
    return domain.settle(stored, now)


def settle_due(edition_id: int, *, now: int | None = None) -> bool:
    """Store a transition that fell due (the scheduler's job), in the caller's write; whether one did."""
    now = now_ms() if now is None else now
    row = _locked_row(db.current(), edition_id)
    stored = domain.from_dict(row.state)
    settled = domain.settle(stored, now)
    if settled is stored:
        if row.due_at != from_ms(domain.next_due(stored)):
            save(row, stored)  # a due_at out of step with its state: put right, so it is not picked again
        return False
    save(row, settled)
    broadcast.show_changed(edition_id, settled)
    return True


def _locked_row(session, edition_id: int) -> LiveState:
    row = session.get(LiveState, edition_id, with_for_update=True)
    if row is None:
        edition = session.get(Edition, edition_id)
        row = LiveState(edition_id=edition_id, version=0)
        save(row, initial_show(edition))
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
    session = db.current()
    previous = _stored_answer(session, edition_id, command_id)
    if previous is not None:
        return previous
    try:
        with session.begin_nested():  # a savepoint: only this command is undone if its copy won
            row = _locked_row(session, edition_id)
            refused = _missing_reference(session, edition_id, name, args, row)
            result, changed = (refused, None) if refused else _decide(row, name, args, version, now)
            session.add(ShowCommand(edition_id=edition_id, command_id=command_id, name=name,
                                    args=args, result=result))
    except IntegrityError:
        # The same command arrived twice at once (another process): the other copy won, answer as it did.
        return _stored_answer(session, edition_id, command_id)
    if changed is not None:
        broadcast.show_changed(edition_id, changed)
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
    session = db.current()
    row = _locked_row(session, edition_id)
    stored = domain.settle(domain.from_dict(row.state), now)
    if only_if is not None and not only_if(stored):
        return False
    try:
        changed = domain.apply(stored, name, args, now=now)
    except domain.CommandRefused:
        return False
    save(row, changed)
    broadcast.show_changed(edition_id, changed)
    return True


def _stored_answer(session, edition_id: int, command_id: str) -> dict | None:
    return session.scalar(select(ShowCommand.result).where(
        ShowCommand.edition_id == edition_id, ShowCommand.command_id == command_id))


def _decide(row: LiveState, name: str, args: dict, version: int, now: int) -> tuple[dict, domain.Show | None]:
    """The answer to the command, and the new show if it changed (deserialised once, here)."""
    stored = domain.from_dict(row.state)
    if version != stored.version:
        return {"ok": False, "version": stored.version,
                "error": {"code": "stale", "message": "The state changed since your view: check and try again"}}, None
    try:
        changed = domain.apply(stored, name, args, now=now)
    except domain.CommandRefused as refusal:
        return {"ok": False, "version": stored.version,
                "error": {"code": refusal.code, "message": refusal.message}}, None
    save(row, changed)
    return {"ok": True, "version": changed.version}, changed


def set_durations(edition_id: int, *, pitch_ms: int, qa_ms: int, overrides: dict[int, tuple[int | None, int | None]]) -> None:
    """Organiser: the edition's default lengths and per-talk overrides (None = edition default)."""
    for value in (pitch_ms, qa_ms):
        domain.check_duration(value)
    session = db.current()
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
    save(row, changed)
    broadcast.show_changed(edition_id, changed)
