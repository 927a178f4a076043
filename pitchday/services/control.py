"""The hardware control API's use cases: device tokens (made, listed, revoked) and commands from a device.

A command from a device goes down the console's own path (``show.run_command``): same domain rules,
same exactly-once store, same version check, same broadcast after the caller's commit. The caller
(web/control_api.py) owns the unit of work.
"""
from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from ..domain import control as rules
from ..domain import show as domain
from ..extensions import db
from ..models import Account, ControlDevice, Edition, LiveState
from ..timeutil import now_ms
from . import presenter
from . import show as show_service


@dataclass(frozen=True)
class DeviceRow:
    """A device as the organiser page lists it (never its token, which is not stored)."""

    id: int
    name: str
    created_at: datetime
    created_by: str
    last_used_at: datetime | None
    revoked_at: datetime | None


def create_device(edition_id: int, *, name: str, created_by_id: int | None) -> tuple[ControlDevice, str]:
    """A new device of the edition and its token, to show once: only its digest is stored.

    ``name`` is already cleaned (``domain.control.check_device_name``)."""
    token = rules.TOKEN_PREFIX + secrets.token_urlsafe(32)
    device = ControlDevice(edition_id=edition_id, name=name, token_digest=rules.token_digest(token),
                           created_by_id=created_by_id)
    session = db.current()
    session.add(device)
    session.flush()  # its id, for the audit entry
    return device, token


def revoke_device(edition_id: int, device_id: int) -> ControlDevice | None:
    """Revoke a device of the edition (again is harmless): its next request is refused (each request
    looks the token up, nothing is cached). None if the edition has no such device."""
    device = db.current().get(ControlDevice, device_id)
    if device is None or device.edition_id != edition_id:
        return None
    if device.revoked_at is None:
        device.revoked_at = datetime.now(timezone.utc)
    return device


def devices(edition_id: int) -> list[DeviceRow]:
    session = db.current()
    # The maker by their name only: the régie reads this list, and a team member's address is not theirs to see.
    rows = session.execute(select(ControlDevice, Account.display_name)
                           .outerjoin(Account, Account.id == ControlDevice.created_by_id)
                           .where(ControlDevice.edition_id == edition_id)
                           .order_by(ControlDevice.revoked_at.is_not(None), ControlDevice.created_at.desc(),
                                     ControlDevice.id.desc())).all()
    return [DeviceRow(d.id, d.name, d.created_at, name or "", d.last_used_at, d.revoked_at) for d, name in rows]


# A device that sent a command this recently is named on the consoles among those at the controls.
AT_CONTROLS_FOR = timedelta(minutes=30)


def recent_devices(session, edition_id: int, *, now: datetime | None = None) -> list[str]:
    """The names of the edition's active devices that sent an accepted command within ``AT_CONTROLS_FOR``
    (the console shows them as "télécommande <name>"), in ``session`` (the caller's read)."""
    since = (now or datetime.now(timezone.utc)) - AT_CONTROLS_FOR
    return sorted(session.scalars(select(ControlDevice.name).where(
        ControlDevice.edition_id == edition_id, ControlDevice.revoked_at.is_(None),
        ControlDevice.last_used_at >= since)))


def device_for_token(token: str) -> ControlDevice | None:
    """The active device holding ``token`` (its digest looked up), or None (unknown or revoked)."""
    device = db.current().scalar(select(ControlDevice).where(ControlDevice.token_digest == rules.token_digest(token)))
    return device if device is not None and device.revoked_at is None else None


def _stored_show(edition: Edition, *, lock: bool) -> domain.Show:
    """The show as stored (what the consoles see and ``run_command`` checks versions against)."""
    row = db.current().get(LiveState, edition.id, with_for_update=lock or None)
    return domain.from_dict(row.state) if row is not None else show_service.initial_show(edition)


def run(edition: Edition, device: ControlDevice, action: str, *, version: int | None, key: str | None,
        text: str | None = None, now: int | None = None) -> dict:
    """Apply ``action`` from ``device`` exactly once; ``run_command``'s answer.

    ``key`` (the Idempotency-Key): a retry with the same key gets the stored answer. Without one,
    every request is a new command. ``version`` None: the command applies to the current version,
    read under the live row's lock, so nothing can slip in between (a button cannot know the version:
    the price is that two presses are two commands, see docs/control.md)."""
    now = now_ms() if now is None else now
    command_id = rules.command_id_for(device.id, key) if key is not None else f"ctl-{uuid.uuid4()}"
    show = _stored_show(edition, lock=True)  # the row's lock first: run_command takes it again, ours already
    name, args = rules.command_for(action, domain.settle(show, now), text=text)
    answer = show_service.run_command(edition.id, command_id=command_id, name=name, args=args,
                                      version=show.version if version is None else version, now=now)
    if answer.get("ok"):
        device.last_used_at = datetime.now(timezone.utc)
    return answer


def state(edition: Edition, *, now: int | None = None) -> dict:
    """What a control surface shows: the console's view of the stage, without personal data
    (no question's author, no presence names): phase, item on stage and next, countdown, slide,
    stage message, what may be sent now, and the version a sender may pin its commands to."""
    now = now_ms() if now is None else now
    show = _stored_show(edition, lock=False)
    talks = {t.id: t for t in edition.talks}
    plan = presenter.plan_of(edition, show, now=now)
    shown = domain.settle(show, now)
    remaining = shown.remaining_at(now)
    pages = domain.slide_count(shown)
    return {
        "ok": True,
        "edition": edition.slug,
        "version": show.version,
        "server_time": now,
        "phase": shown.phase.value,
        "running": shown.running,
        "ends_at": shown.ends_at,
        "remaining_ms": remaining,
        "phase_ms": shown.phase_ms,
        "countdown": rules.countdown_text(remaining),
        "wrap": rules.countdown_stage(shown, now=now),
        "projector_mode": shown.projector_mode.value,
        "current": presenter.talk_card(talks.get(shown.current)),
        "next": presenter.talk_card(talks.get(shown.next_talk())),
        "slide": {"page": shown.slide + 1, "pages": pages} if pages else None,
        "message": ({"id": shown.stage_message_id, "text": shown.stage_message}
                    if shown.stage_message is not None else None),
        "allowed": rules.allowed_actions(shown, now=now),
        "can_undo": shown.can_undo,
        "drift_ms": plan.drift_ms,
        "projected_end": plan.projected_end,
    }
