"""Decisions on applications and the running order of an edition.

A change of the talks of an edition is allowed only before its evening starts; it is checked in the
same unit of work as the change (opened by the caller), with the live state's row locked, and the
live run of show is reset in it too, so that every screen follows the new order once it commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Sequence

from sqlalchemy import func, select

from ..domain import selection
from ..domain import show as show_domain
from ..domain.editions import format_duration
from ..domain.forms import RundownItem, TalkCorrection
from ..extensions import db
from ..models import Application, Edition, LiveState, Talk
from . import outbox
from . import show as show_service
from .applications import NotFound, decide

__all__ = ["MAX_BULK", "decide_applications", "Decided", "EveningStarted", "ITEM_FIELDS", "NotFound", "RunningOrder", "TALK_FIELDS", "add_item",
           "decide_application", "delete_item", "item_values", "move_talk", "running_order", "talk_of",
           "update_item", "update_talk"]


def talk_of(session, application: Application) -> Talk | None:
    return session.scalar(select(Talk).where(Talk.application_id == application.id,
                                             Talk.edition_id == application.edition_id))


class EveningStarted(Exception):
    """The evening has started: the running order belongs to the moderator's console now."""


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

    Retaining puts a talk after the last talk of the programme (before the closing items, such as the
    networking, that follow the talks); any other decision on a retained application takes its talk
    off. Either is refused once the evening has started (``EveningStarted``). Each decision prepares
    (or rewrites) the applicant's message in the outbox, unsent.
    Raises ``NotFound`` for an application or target edition that is not there, ``ValueError`` for
    an unknown decision or a target that does not come after this edition.
    """
    if decision not in selection.DECISIONS:
        raise ValueError(decision)
    now = now or datetime.now(timezone.utc)
    status = selection.DECISIONS[decision]
    session = db.current()
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
    talk = talk_of(session, application)
    adds_talk = status == "retained" and talk is None
    removes_talk = status != "retained" and talk is not None
    if adds_talk or removes_talk:
        _lock_programme(session, edition_id)
    if removes_talk:
        session.delete(talk)
        session.flush()
        _renumber(session, _talks(session, edition_id))
    if adds_talk:
        order = _talks(session, edition_id)
        after = max((i + 1 for i, item in enumerate(order) if item.is_talk), default=len(order))
        talk = Talk(edition_id=edition_id, position=0, application_id=application.id,
                    **selection.talk_from_application(_values(application)))
        session.add(talk)
        _renumber(session, order[:after] + [talk] + order[after:])
    if adds_talk or removes_talk:
        show_service.reset_show(edition_id)  # committed with the change, under the lock
    if target is not None:
        application.deferred_from_edition_id = edition_id
        application.edition_id = target.id
        application.status = "received"
        application.decided_at = now
    else:
        decide(application, status, when=now)
    outbox.decision_taken(edition_id, application)  # prepares the applicant's message; sends nothing
    return Decided(application.status, target)


MAX_BULK = 500  # a selection is a page of applications, not a whole database


def decide_applications(edition_id: int, application_ids: Sequence[int], decision: str, *,
                        now: datetime | None = None) -> list[Decided]:
    """The same decision for several applications of the edition (retain, defer to the next edition,
    decline), each by the rules of ``decide_application`` (its talk, its outbox message), in the
    caller's unit of work: all of them, or none (``EveningStarted``, ``NotFound`` or ``ValueError``
    leave nothing changed)."""
    if decision not in selection.BULK_DECISIONS or not application_ids or len(application_ids) > MAX_BULK:
        raise ValueError(decision)
    now = now or datetime.now(timezone.utc)
    session = db.current()
    with session.begin_nested():  # a savepoint: one refusal undoes the decisions taken before it
        return [decide_application(edition_id, application_id, decision, now=now)
                for application_id in dict.fromkeys(application_ids)]


def _values(application: Application) -> dict[str, Any]:
    return {name: getattr(application, name) for name in (
        "project_name", "organisation", "talk_kind", "referent_name", "referent_role", "description",
        "referent_email")}


@dataclass(frozen=True)
class RunningOrder:
    talks: list[Talk]
    retained: int  # applications retained, to compare with the edition's ``talks_wanted``
    can_change: bool  # the evening has not started


def running_order(edition_id: int) -> RunningOrder:
    """The organiser's programme page: the talks in order, how many were retained, whether it can change."""
    can_change = selection.programme_can_change(show_service.current_show(edition_id))
    session = db.current()
    return RunningOrder(_talks(session, edition_id), session.scalar(
        select(func.count()).select_from(Application).where(
            Application.edition_id == edition_id, Application.status == "retained")), can_change)


def move_talk(edition_id: int, talk_id: int, direction: str) -> None:
    """One place earlier ("up") or later ("down") in the running order."""
    session = db.current()
    _lock_programme(session, edition_id)
    talks = _talks(session, edition_id)
    by_id = {t.id: t for t in talks}
    if talk_id not in by_id:
        raise NotFound()
    order = selection.moved([t.id for t in talks], talk_id, direction)
    _renumber(session, [by_id[i] for i in order])
    show_service.reset_show(edition_id)


TALK_FIELDS = tuple(TalkCorrection.model_fields)


def update_talk(edition_id: int, talk_id: int, correction: TalkCorrection) -> None:
    """The organiser's corrections to what the screens show of a talk: title, organisation, speaker."""
    clean = {name: value or "" for name, value in correction.model_dump().items()}
    session = db.current()
    _lock_programme(session, edition_id)
    talk = session.get(Talk, talk_id)
    if talk is None or talk.edition_id != edition_id:
        raise NotFound()
    for name, value in clean.items():
        setattr(talk, name, value)
    session.flush()
    show_service.reset_show(edition_id)


# -- items of the rundown other than talks -----------------------------------------------------------

ITEM_FIELDS = tuple(RundownItem.model_fields)


def item_values(item: Talk) -> dict[str, str]:
    """An item as its form shows it (the duration as "m:ss")."""
    return {"title": item.title, "item_kind": item.item_kind, "speaker": item.speaker or "",
            "duration": format_duration(item.pitch_ms), "note": item.note or ""}


def _apply_item(item: Talk, values: RundownItem) -> None:
    item.title, item.item_kind = values.title, values.item_kind
    item.speaker, item.note = values.speaker or "", values.note or ""
    item.pitch_ms, item.qa_ms = values.duration, None


def add_item(edition_id: int, values: RundownItem, *, position: int | None = None) -> Talk:
    """A welcome, an address, a break… put at ``position`` (1-based; default: the end) of the running order."""
    session = db.current()
    _lock_programme(session, edition_id)
    order = _talks(session, edition_id)
    item = Talk(edition_id=edition_id, position=0, organisation="", kind="", summary="")
    _apply_item(item, values)
    session.add(item)
    at = len(order) if position is None else max(0, min(position - 1, len(order)))
    _renumber(session, order[:at] + [item] + order[at:])
    show_service.reset_show(edition_id)
    return item


def _item(session, edition_id: int, item_id: int) -> Talk:
    item = session.get(Talk, item_id)
    if item is None or item.edition_id != edition_id or item.is_talk:
        raise NotFound()
    return item


def update_item(edition_id: int, item_id: int, values: RundownItem) -> None:
    session = db.current()
    _lock_programme(session, edition_id)
    _apply_item(_item(session, edition_id, item_id), values)
    session.flush()
    show_service.reset_show(edition_id)


def delete_item(edition_id: int, item_id: int) -> None:
    """Take an item off the rundown (a talk leaves it only by a decision on its application)."""
    session = db.current()
    _lock_programme(session, edition_id)
    session.delete(_item(session, edition_id, item_id))
    session.flush()
    _renumber(session, _talks(session, edition_id))
    show_service.reset_show(edition_id)
