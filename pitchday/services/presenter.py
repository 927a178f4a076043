"""What each kind of screen receives: plain JSON, language-neutral (clients format)."""
from __future__ import annotations

from typing import Any

from ..domain import audience as audience_rules
from ..domain import show as domain
from ..domain.schedule import Schedule, schedule
from ..models import Edition, Talk
from ..timeutil import to_ms


def talk_card(talk: Talk | None) -> dict[str, Any] | None:
    if talk is None:
        return None
    return {"id": talk.id, "title": talk.title, "organisation": talk.organisation,
            "kind": talk.kind, "speaker": talk.speaker, "item_kind": talk.item_kind}


def plan_of(edition: Edition, show: domain.Show, *, now: int) -> Schedule:
    """The evening's schedule at ``now``: computed once per snapshot, read by both views below."""
    return schedule(show, plan_start=to_ms(edition.talks_start_at), changeover_ms=edition.changeover_ms, now=now)


def public_state(edition: Edition, show: domain.Show, plan: Schedule, *, spotlight: dict | None = None,
                 slides: dict | None = None) -> dict[str, Any]:
    """The state every screen may see (projector, stage, audience)."""
    talks = {t.id: t for t in edition.talks}
    return {
        "phase": show.phase.value,
        "projector_mode": show.projector_mode.value,
        "qr_fullscreen": show.qr_fullscreen,  # "QR plein écran": over whatever projector_mode says
        "running": show.running,
        "ends_at": show.ends_at,
        "remaining_ms": show.remaining_ms,
        "phase_ms": show.phase_ms,
        "auto_questions": show.auto_questions,
        "timeline": domain.timeline(show),
        "current": talk_card(talks.get(show.current)),
        "next": talk_card(talks.get(show.next_talk())),
        "followed_talk": domain.followed_talk(show),
        "agenda": [
            {**talk_card(talks[slot.talk_id]), "status": slot.status, "planned_start": slot.planned_start,
             "actual_start": slot.actual_start, "projected_start": slot.projected_start}
            for slot in plan.slots
        ],
        "stage_message": ({"id": show.stage_message_id, "text": show.stage_message}
                          if show.stage_message is not None else None),
        "spotlight": spotlight,  # a public question (boards.public_view) or None
        "slides": slides or {"current": None, "next": None},  # services/slides.screen_view
        "late_end": late_end(edition, plan),
    }


def late_end(edition: Edition, plan: Schedule) -> dict[str, int] | None:
    """When the projected end of the rundown passes the evening's planned end (the edition's ``ends_at``):
    both times, for the projector's warning; None while the evening fits.

    A replay's plan counts from its real start (``Schedule.replayed``): the evening's end moves with it."""
    shift = plan.slots[0].planned_start - to_ms(edition.talks_start_at) if plan.slots else 0
    evening_end = to_ms(edition.ends_at) + shift
    return {"projected_end": plan.projected_end, "evening_end": evening_end} if plan.projected_end > evening_end else None


def moderator_extras(show: domain.Show, plan: Schedule, *, presence: dict[str, int], now: int,
                     refused: dict[str, int] | None = None) -> dict[str, Any]:
    command, label = domain.main_action(show)
    allowed = domain.allowed_commands(show, now=now)
    return {
        "can_undo": show.can_undo,
        "main_action": {"command": command if command in allowed else None, "label": label},
        "allowed": allowed,
        "coming_next": domain.coming_next(show),
        "upcoming": show.upcoming(),
        "drift_ms": plan.drift_ms,
        "planned_end": plan.planned_end,
        "projected_end": plan.projected_end,
        "replayed": plan.replayed,
        "presence": presence,
        # Clients this process refused because it was full (services/capacity.py), by reason.
        "refused": refused or {},
    }


def view_rules() -> dict[str, Any]:
    """The domain's limits and thresholds the live pages need (templates and scripts), in one place."""
    return {
        "question_max_chars": audience_rules.QUESTION_MAX_CHARS,
        "author_max_chars": audience_rules.AUTHOR_MAX_CHARS,
        "message_max_chars": domain.MAX_MESSAGE_CHARS,
        "wrap_up_ms": [list(stage) for stage in domain.WRAP_UP_MS],
        "item_screens": {kind.value: screen for kind, screen in domain.SCREEN_OF_KIND.items()},
    }


# -- what each view renders ----------------------------------------------------------------------
#
# The public state above goes whole to the projector, the stage and the consoles: a handful of
# sockets. The phones are hundreds, and every change is sent to each of them, so a phone receives
# only what its page renders (static/js/audience.js and the modules it imports: live.js,
# countdown.js, agenda.js). The names, teams and kinds of the talks do not change during the
# evening: the audience page carries them once (its ``talks`` block, ``talk_cards`` below), and a
# phone's agenda row is the talk's id, its status and the one time the phone shows. A field that
# is not declared here does not reach the phones: a new one the audience page needs is added here.

def _one_time(row: dict[str, Any]) -> dict[str, Any]:
    """An agenda row as a phone shows it: the actual start, else the projected one, else the planned
    one (the order of agenda.js), under its own name; the others are left out."""
    shown = {"id": row.get("id"), "status": row.get("status")}
    for name in ("actual_start", "projected_start", "planned_start"):
        if row.get(name) is not None:
            shown[name] = row[name]
            break
    return shown


def _only(*names: str):
    return lambda card: None if card is None else {name: card[name] for name in names if name in card}


# Field of the public state -> how the phones receive it (``None``: as it is).
PHONE_STATE: dict[str, Any] = {
    "phase": None,
    "timeline": None,  # the countdown (countdown.js)
    "followed_talk": None,  # which talk's questions the phone follows
    "current": _only("id", "kind", "item_kind", "title", "organisation", "speaker"),
    "next": _only("title"),
    "agenda": lambda rows: [_one_time(row) for row in rows],
}

# The views whose sockets receive the public state as it is.
WHOLE_STATE_VIEWS = ("projector", "stage")


def phone_state(state: dict[str, Any]) -> dict[str, Any]:
    """The public state trimmed to what the audience page renders (``PHONE_STATE``)."""
    return {name: state[name] if shape is None else shape(state[name])
            for name, shape in PHONE_STATE.items() if name in state}


def talk_cards(edition: Edition) -> dict[str, dict[str, Any]]:
    """The talks as the audience page names them (its ``talks`` block), by id: what a phone's
    agenda rows leave out."""
    return {str(t.id): {"title": t.title, "organisation": t.organisation, "kind": t.kind, "item_kind": t.item_kind,
                        "speaker": t.speaker} for t in edition.talks}
