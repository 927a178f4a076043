"""The run of show as a pure state machine.

Nothing here reads a clock, touches a database or knows about Flask: every
function takes ``now`` (milliseconds since the epoch, UTC) and returns a new
immutable ``Show``. Remaining time is always derived from timestamps:
``ends_at`` while a phase runs, ``remaining_ms`` while it is paused, so a
restarted server or a second moderator computes exactly the same thing.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Iterable, Mapping

from .text import InvalidField, clean_text

MAX_UNDO = 25
MAX_PHASE_MS = 60 * 60 * 1000  # one phase never lasts more than an hour
MAX_EXTEND_MS = 10 * 60 * 1000
MAX_MESSAGE_CHARS = 140
# Wrap-up stages of a running countdown, tightest first: a stage applies from its threshold down to
# 0:00 (then "over"). Screens colour and label the countdown by these names.
WRAP_UP_MS = (("30s", 30_000), ("minute", 60_000))


class Phase(StrEnum):
    WELCOME = "welcome"  # doors open, nothing started
    READY = "ready"  # an item is up next, not started (agenda on screen)
    PITCH = "pitch"
    QUESTIONS = "questions"
    SEGMENT = "segment"  # the one timed phase of an item that is not a talk (welcome, address, break…)
    NETWORKING = "networking"
    ENDED = "ended"


TIMED_PHASES = (Phase.PITCH, Phase.QUESTIONS, Phase.SEGMENT)


class ItemKind(StrEnum):
    """The kinds of item of the rundown. A talk has a pitch then questions; every other kind has one
    timed phase (``Phase.SEGMENT``) and its own projector screen (see ``SCREEN_OF_KIND``)."""

    TALK = "talk"
    WELCOME = "welcome"  # accueil
    OPENING = "opening"  # mot d'ouverture
    ADDRESS = "address"  # intervention: a keynote or a partner's word
    BREAK = "break"  # pause
    CLOSING = "closing"  # clôture
    NETWORKING = "networking"


# What the projector shows while an item of that kind is on: the QR code large (the room gathers),
# the speaker's name card (someone speaks), or the networking screen (the room mingles: the QR code
# large, and how to ask to meet a team); talks keep their countdown.
SCREEN_OF_KIND = {
    ItemKind.TALK: "talk", ItemKind.WELCOME: "qr", ItemKind.BREAK: "qr", ItemKind.NETWORKING: "networking",
    ItemKind.OPENING: "speaker", ItemKind.ADDRESS: "speaker", ItemKind.CLOSING: "speaker",
}


class ProjectorMode(StrEnum):
    AUTO = "auto"
    WELCOME = "welcome"
    AGENDA = "agenda"
    NETWORKING = "networking"
    BLACKOUT = "blackout"


class TalkStatus(StrEnum):
    PLANNED = "planned"
    DONE = "done"
    SKIPPED = "skipped"


class CommandRefused(Exception):
    """A command that cannot apply to the current state. Nothing changed."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class TalkRun:
    """What happened to one talk on the night (times in epoch ms)."""

    talk_id: int
    pitch_ms: int  # the first (for items other than talks, the only) phase
    qa_ms: int  # 0 for an item with one phase
    status: TalkStatus = TalkStatus.PLANNED
    pitch_started_at: int | None = None
    questions_started_at: int | None = None
    ended_at: int | None = None
    slides: int = 0  # pages of the talk's deck (0: no deck), for the slide commands' bounds
    kind: ItemKind = ItemKind.TALK

    @property
    def one_phase(self) -> bool:
        return self.kind is not ItemKind.TALK

    @property
    def planned_ms(self) -> int:
        return self.pitch_ms + self.qa_ms


@dataclass(frozen=True)
class Show:
    """The live state of one edition. ``version`` grows by one per change."""

    order: tuple[int, ...]
    talks: Mapping[int, TalkRun]
    version: int = 0
    phase: Phase = Phase.WELCOME
    current: int | None = None
    running: bool = False
    ends_at: int | None = None  # set while running
    remaining_ms: int | None = None  # set while paused or ready
    phase_ms: int = 0  # planned length of the current phase, extensions included
    auto_questions: bool = False
    projector_mode: ProjectorMode = ProjectorMode.AUTO
    stage_message: str | None = None
    stage_message_id: int = 0
    spotlight: int | None = None  # id of the audience question shown on the projector
    slide: int = 0  # index (from 0) of the slide shown of the current talk's deck
    # "QR plein écran": the projector shows the audience QR code as large as it can, over any screen
    # (the countdown goes on in a strip), until toggled off or the next item starts (see ``_start``).
    qr_fullscreen: bool = False
    undo_stack: tuple["Show", ...] = field(default=(), repr=False)

    # -- reading -------------------------------------------------------------

    def remaining_at(self, now: int) -> int | None:
        """Milliseconds left in the current phase; negative means overtime."""
        if self.phase not in TIMED_PHASES:
            return None
        if self.running:
            assert self.ends_at is not None
            return self.ends_at - now
        return self.remaining_ms

    def upcoming(self) -> list[int]:
        """Planned talks other than the current one, in running order.

        Talks passed over by a jump stay here, so nothing is ever skipped silently.
        """
        return [t for t in self.order if t != self.current and self.talks[t].status is TalkStatus.PLANNED]

    def next_talk(self) -> int | None:
        upcoming = self.upcoming()
        return upcoming[0] if upcoming else None

    def previous_talk(self) -> int | None:
        """The talk that finished last (by time, whatever the running order says)."""
        done = [r for r in self.talks.values() if r.status is TalkStatus.DONE and r.talk_id != self.current]
        if not done:
            return None
        return max(done, key=lambda r: (r.ended_at or 0)).talk_id

    @property
    def can_undo(self) -> bool:
        return bool(self.undo_stack)


def new_show(talks: Iterable[tuple[int, int, int] | tuple[int, int, int, str]], *,
             auto_questions: bool = False) -> Show:
    """A show in the welcome phase from ``(item_id, pitch_ms, qa_ms[, kind])`` in running order.

    A talk (the default kind) has two phases; any other kind has one, of ``pitch_ms``, and its
    ``qa_ms`` is ignored (stored as 0)."""
    runs = {}
    order = []
    for talk_id, pitch_ms, qa_ms, *rest in talks:
        kind = ItemKind(rest[0]) if rest else ItemKind.TALK
        check_duration(pitch_ms)
        if kind is ItemKind.TALK:
            check_duration(qa_ms)
        else:
            qa_ms = 0
        if talk_id in runs:
            raise ValueError(f"talk {talk_id} appears twice")
        runs[talk_id] = TalkRun(talk_id=talk_id, pitch_ms=pitch_ms, qa_ms=qa_ms, kind=kind)
        order.append(talk_id)
    return Show(order=tuple(order), talks=runs, auto_questions=auto_questions)


def check_duration(ms: int) -> None:
    """A phase length in ms: a positive integer of at most an hour."""
    if not isinstance(ms, int) or isinstance(ms, bool) or not 0 < ms <= MAX_PHASE_MS:
        raise ValueError(f"duration out of range: {ms!r}")


# -- automatic transitions ---------------------------------------------------


def settle(show: Show, now: int) -> Show:
    """Apply transitions that fell due by ``now`` (the optional auto switch to questions).

    The switch happens at the pitch's own ``ends_at``, not at ``now``, so the
    questions countdown is the same whether the server saw it live or after a restart.
    """
    if not (show.auto_questions and show.phase is Phase.PITCH and show.running):
        return show
    assert show.ends_at is not None and show.current is not None
    if now < show.ends_at:
        return show
    switch_at = show.ends_at
    run = show.talks[show.current]
    return _bump(
        show,
        phase=Phase.QUESTIONS,
        ends_at=switch_at + run.qa_ms,
        phase_ms=run.qa_ms,
        talks=_with_run(show, replace(run, questions_started_at=switch_at)),
    )


def next_due(show: Show) -> int | None:
    """When ``settle`` will next change something, for the server's scheduler."""
    if show.auto_questions and show.phase is Phase.PITCH and show.running:
        return show.ends_at
    return None


def timeline(show: Show) -> list[dict[str, Any]]:
    """The countdown segments a screen follows until the next change, for the wire.

    Each segment is ``{phase, starts_at, ends_at, remaining_ms, phase_ms}``: ``ends_at`` while it
    runs, ``remaining_ms`` while it is paused. The first one is shown now (``starts_at`` null);
    a later one is shown from its ``starts_at`` on. That is the automatic switch to questions,
    derived from ``settle`` itself so that screens and server switch at the same instant.
    Empty outside a timed phase.
    """
    if show.phase not in TIMED_PHASES:
        return []
    segments = [_segment(show, starts_at=None)]
    due = next_due(show)
    if due is not None:
        segments.append(_segment(settle(show, due), starts_at=due))
    return segments


def _segment(show: Show, *, starts_at: int | None) -> dict[str, Any]:
    return {"phase": show.phase.value, "starts_at": starts_at, "ends_at": show.ends_at if show.running else None,
            "remaining_ms": None if show.running else show.remaining_ms, "phase_ms": show.phase_ms}


def wrap_stage(remaining_ms: int | None, *, running: bool) -> str:
    """How a countdown is coloured and labelled: none, paused, normal, one of ``WRAP_UP_MS``, or over."""
    if remaining_ms is None:
        return "none"
    if not running:
        return "paused"
    if remaining_ms <= 0:
        return "over"
    return next((stage for stage, threshold in WRAP_UP_MS if remaining_ms <= threshold), "normal")


def main_action(show: Show) -> tuple[str | None, str]:
    """The console's big button: the command it sends (None: disabled) and the key of its label."""
    if show.phase in (Phase.WELCOME, Phase.READY):
        return "start", "start"
    if show.phase in TIMED_PHASES:
        return ("pause", "pause") if show.running else ("resume", "resume")
    return None, "start"


def followed_talk(show: Show) -> int | None:
    """The talk whose questions phones and the console show unless they pick another one: the one on
    stage, else the first talk up next, else the first of the evening (items other than talks have no
    questions: they are passed over)."""
    def is_talk(item: int | None) -> bool:
        return item is not None and show.talks[item].kind is ItemKind.TALK

    upcoming = next((t for t in show.upcoming() if is_talk(t)), None)
    first = next((t for t in show.order if is_talk(t)), None)
    return next((t for t in (show.current, upcoming, first) if is_talk(t)), None)


# -- commands ----------------------------------------------------------------


def apply(show: Show, name: str, args: Mapping[str, Any], *, now: int) -> Show:
    """Apply the command ``name`` at ``now``; raise ``CommandRefused`` if it cannot apply."""
    if name not in COMMANDS:
        raise CommandRefused("unknown_command", f"Unknown command: {name!r}")
    if not isinstance(args, Mapping):
        raise CommandRefused("bad_args", "Arguments must be an object")
    show = settle(show, now)
    if name == "undo":
        return _undo(show)
    changed = _first_slide_with_talk(show, _end_message_with_talk(show, COMMANDS[name](show, args, now)))
    if name in NOT_UNDOABLE:
        return replace(changed, undo_stack=show.undo_stack)
    return replace(changed, undo_stack=(_without_stack(show),) + show.undo_stack[: MAX_UNDO - 1])


def _end_message_with_talk(before: Show, after: Show) -> Show:
    """A stage message belongs to the talk it was sent during: it goes when the show moves to another
    talk, to networking or to the end (a message sent before the first talk ends when it starts)."""
    if after.stage_message is None:
        return after
    moved = after.current != before.current or (after.phase != before.phase
                                                and after.phase in (Phase.NETWORKING, Phase.ENDED))
    return replace(after, stage_message=None) if moved else after


def _first_slide_with_talk(before: Show, after: Show) -> Show:
    """Another talk on stage starts on its first slide."""
    return replace(after, slide=0) if after.current != before.current and after.slide else after


# The commands the console offers as buttons or keys, with the arguments a button sends; which of them
# the current state accepts is decided by applying them (see ``allowed_commands``).
CONSOLE_PROBES: tuple[tuple[str, Mapping[str, Any]], ...] = (
    ("start", {}), ("pause", {}), ("resume", {}), ("questions", {}), ("next", {}), ("previous", {}),
    ("networking", {}), ("end", {}), ("undo", {}), ("dismiss_message", {}), ("clear_spotlight", {}),
    ("extend", {"delta_ms": 30_000}), ("slide_previous", {}), ("slide_next", {}), ("qr_fullscreen", {}),
)


def allowed_commands(show: Show, *, now: int) -> list[str]:
    """The console's commands that would apply now (tried on the pure state; nothing is kept)."""
    allowed = []
    for name, args in CONSOLE_PROBES:
        try:
            apply(show, name, args, now=now)
        except CommandRefused:
            continue
        allowed.append(name)
    return allowed


def coming_next(show: Show) -> str:
    """What follows the current moment, for the console's "Ensuite" line: ``talk`` (``next_talk()``,
    an item of any kind), ``networking`` (the last item is up or on stage), ``end`` (networking, a
    networking item with nothing after it, then the end of the evening), ``no_talk`` (nothing planned
    at all) or ``nothing`` (the evening has ended)."""
    if show.phase is Phase.ENDED:
        return "nothing"
    if show.phase is Phase.NETWORKING:
        return "end"
    if show.next_talk() is not None:
        return "talk"
    if show.current is not None and show.talks[show.current].kind is ItemKind.NETWORKING:
        return "end"
    return "no_talk" if show.phase is Phase.WELCOME else "networking"


def _without_stack(show: Show) -> Show:
    return replace(show, undo_stack=())


def _bump(show: Show, **changes: Any) -> Show:
    return replace(show, version=show.version + 1, **changes)


def _with_run(show: Show, run: TalkRun) -> dict[int, TalkRun]:
    talks = dict(show.talks)
    talks[run.talk_id] = run
    return talks


def _talk_arg(show: Show, args: Mapping[str, Any], key: str = "talk_id") -> int:
    value = args.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise CommandRefused("bad_args", f"{key} must be an integer")
    if value not in show.talks:
        raise CommandRefused("unknown_talk", f"No talk {value} in this edition")
    return value


def _require_phase(show: Show, *phases: Phase) -> None:
    if show.phase not in phases:
        raise CommandRefused("wrong_phase", f"Not possible during phase {show.phase.value}")


def _start(show: Show, args: Mapping[str, Any], now: int) -> Show:
    """Start the current item (or the first planned one): a talk's pitch, another item's one phase."""
    _require_phase(show, Phase.WELCOME, Phase.READY)
    talk_id = show.current if show.phase is Phase.READY else show.next_talk()
    if talk_id is None:
        raise CommandRefused("no_talk", "No talk left to start")
    run = show.talks[talk_id]
    return _bump(
        show,
        phase=Phase.SEGMENT if run.one_phase else Phase.PITCH,
        current=talk_id,
        spotlight=show.spotlight if talk_id == show.current else None,  # a question stays with its talk
        running=True,
        ends_at=now + run.pitch_ms,
        remaining_ms=None,
        phase_ms=run.pitch_ms,
        talks=_with_run(show, replace(run, pitch_started_at=now, questions_started_at=None, ended_at=None)),
        # The room scanned while the item was announced; now it watches the speaker and the countdown:
        # the moderator need not remember to take the code down (undo brings it back with the item).
        qr_fullscreen=False,
    )


def _pause(show: Show, args: Mapping[str, Any], now: int) -> Show:
    _require_phase(show, *TIMED_PHASES)
    if not show.running:
        raise CommandRefused("already_paused", "The countdown is already paused")
    return _bump(show, running=False, remaining_ms=show.remaining_at(now), ends_at=None)


def _resume(show: Show, args: Mapping[str, Any], now: int) -> Show:
    _require_phase(show, *TIMED_PHASES)
    if show.running:
        raise CommandRefused("already_running", "The countdown is already running")
    assert show.remaining_ms is not None
    return _bump(show, running=True, ends_at=now + show.remaining_ms, remaining_ms=None)


def _extend(show: Show, args: Mapping[str, Any], now: int) -> Show:
    _require_phase(show, *TIMED_PHASES)
    delta = args.get("delta_ms")
    if not isinstance(delta, int) or isinstance(delta, bool) or delta == 0 or abs(delta) > MAX_EXTEND_MS:
        raise CommandRefused("bad_args", "delta_ms must be a non-zero integer of at most 10 minutes")
    phase_ms = show.phase_ms + delta
    if phase_ms < 0:
        raise CommandRefused("too_short", "The phase cannot be shorter than zero")
    if phase_ms > MAX_PHASE_MS:
        raise CommandRefused("too_long", "A phase cannot last more than an hour")
    if show.running:
        assert show.ends_at is not None
        return _bump(show, ends_at=show.ends_at + delta, phase_ms=phase_ms)
    assert show.remaining_ms is not None
    return _bump(show, remaining_ms=show.remaining_ms + delta, phase_ms=phase_ms)


def _questions(show: Show, args: Mapping[str, Any], now: int) -> Show:
    _require_phase(show, Phase.PITCH)
    assert show.current is not None
    run = show.talks[show.current]
    return _bump(
        show,
        phase=Phase.QUESTIONS,
        running=True,
        ends_at=now + run.qa_ms,
        remaining_ms=None,
        phase_ms=run.qa_ms,
        talks=_with_run(show, replace(run, questions_started_at=now)),
    )


def _close_current(show: Show, now: int) -> dict[int, TalkRun]:
    """The talks with the current one marked done (if it was started)."""
    if show.current is None:
        return dict(show.talks)
    run = show.talks[show.current]
    if run.pitch_started_at is None:
        return dict(show.talks)
    return _with_run(show, replace(run, status=TalkStatus.DONE, ended_at=now))


def _ready(show: Show, talk_id: int | None, talks: Mapping[int, TalkRun], **changes: Any) -> Show:
    """Put ``talk_id`` up next (not started), or go to networking when there is none."""
    # A spotlighted question leaves the projector with the talk it was asked during.
    if talk_id is None:
        return _bump(
            show, phase=Phase.NETWORKING, current=None, running=False, ends_at=None,
            remaining_ms=None, phase_ms=0, talks=talks, spotlight=None, **changes,
        )
    run = talks[talk_id]
    return _bump(
        show, phase=Phase.READY, current=talk_id, running=False, ends_at=None,
        remaining_ms=run.pitch_ms, phase_ms=run.pitch_ms, talks=talks, spotlight=None, **changes,
    )


def _next(show: Show, args: Mapping[str, Any], now: int) -> Show:
    _require_phase(show, Phase.WELCOME, Phase.READY, *TIMED_PHASES)
    if show.phase is Phase.WELCOME:
        first = show.next_talk()
        if first is None:
            raise CommandRefused("no_talk", "No talk left")
        return _ready(show, first, show.talks)
    talks = _close_current(show, now)
    probe = replace(show, talks=talks)
    return _ready(show, probe.next_talk(), talks)


def _previous(show: Show, args: Mapping[str, Any], now: int) -> Show:
    _require_phase(show, Phase.READY, Phase.NETWORKING, Phase.ENDED, *TIMED_PHASES)
    target = show.previous_talk()
    if target is None:
        raise CommandRefused("no_previous", "There is no previous talk")
    talks = dict(show.talks)
    # The talk being left goes back to planned: it will be played again later.
    if show.current is not None and talks[show.current].status is TalkStatus.PLANNED:
        talks[show.current] = replace(talks[show.current], pitch_started_at=None,
                                      questions_started_at=None, ended_at=None)
    talks[target] = replace(talks[target], status=TalkStatus.PLANNED, ended_at=None)
    return _ready(show, target, talks)


def _jump(show: Show, args: Mapping[str, Any], now: int) -> Show:
    _require_phase(show, Phase.WELCOME, Phase.READY, Phase.NETWORKING, *TIMED_PHASES)
    target = _talk_arg(show, args)
    if target == show.current:
        raise CommandRefused("already_current", "This talk is already on stage")
    talks = _close_current(show, now)
    talks[target] = replace(talks[target], status=TalkStatus.PLANNED, ended_at=None)
    return _ready(show, target, talks)


def _reorder(show: Show, args: Mapping[str, Any], now: int) -> Show:
    order = args.get("order")
    if not isinstance(order, list) or not all(isinstance(t, int) and not isinstance(t, bool) for t in order):
        raise CommandRefused("bad_args", "order must be a list of talk ids")
    movable = show.upcoming()
    if sorted(order) != sorted(movable) or len(set(order)) != len(order):
        raise CommandRefused("bad_order", "order must list each upcoming talk exactly once")
    fixed = [t for t in show.order if t not in set(movable)]
    return _bump(show, order=tuple(fixed + list(order)))


def _absent(show: Show, args: Mapping[str, Any], now: int) -> Show:
    """A speaker is not there: move their talk to the end, or skip it."""
    talk_id = _talk_arg(show, args)
    mode = args.get("mode")
    if mode not in ("end", "skip"):
        raise CommandRefused("bad_args", "mode must be 'end' or 'skip'")
    run = show.talks[talk_id]
    if run.status is not TalkStatus.PLANNED:
        raise CommandRefused("not_planned", "This talk is already done or skipped")
    if talk_id == show.current and show.phase in TIMED_PHASES:
        raise CommandRefused("on_stage", "This talk is on stage; use next first")
    order = tuple(t for t in show.order if t != talk_id) + (talk_id,)
    talks = dict(show.talks)
    if mode == "skip":
        talks[talk_id] = replace(run, status=TalkStatus.SKIPPED)
    if talk_id != show.current:
        return _bump(show, order=order, talks=talks)
    # The absent speaker was up next: the following planned talk takes their place.
    others = [t for t in order if t != talk_id and talks[t].status is TalkStatus.PLANNED]
    replacement = others[0] if others else (talk_id if mode == "end" else None)
    return _ready(show, replacement, talks, order=order)


def _networking(show: Show, args: Mapping[str, Any], now: int) -> Show:
    """Straight to the free networking: from anywhere before it, or at the end of a networking item.

    During a networking item it is already networking: ``next`` closes the item and goes there."""
    _require_phase(show, Phase.WELCOME, Phase.READY, *TIMED_PHASES)
    if show.current is not None and show.talks[show.current].kind is ItemKind.NETWORKING \
            and show.phase is Phase.SEGMENT:
        raise CommandRefused("wrong_phase", "A networking item is on: use next")
    return _ready(show, None, _close_current(show, now))


def _end(show: Show, args: Mapping[str, Any], now: int) -> Show:
    _require_phase(show, Phase.NETWORKING)
    return _bump(show, phase=Phase.ENDED)


def _set_mode(show: Show, args: Mapping[str, Any], now: int) -> Show:
    try:
        mode = ProjectorMode(args.get("mode"))
    except ValueError:
        raise CommandRefused("bad_args", "mode must be one of " + ", ".join(m.value for m in ProjectorMode))
    if mode is show.projector_mode:
        raise CommandRefused("no_change", "The projector is already in this mode")
    return _bump(show, projector_mode=mode)


def _toggle_qr_fullscreen(show: Show, args: Mapping[str, Any], now: int) -> Show:
    """"QR plein écran" on or off. A toggle is safe: it applies to the version the console showed,
    so two consoles pressing it at once cannot cancel each other out (the second one is stale)."""
    return _bump(show, qr_fullscreen=not show.qr_fullscreen)


def _set_auto_questions(show: Show, args: Mapping[str, Any], now: int) -> Show:
    enabled = args.get("enabled")
    if not isinstance(enabled, bool):
        raise CommandRefused("bad_args", "enabled must be true or false")
    return _bump(show, auto_questions=enabled)


def _message(show: Show, args: Mapping[str, Any], now: int) -> Show:
    try:  # cleaned as every screen's text is: no control characters (a NUL byte), no bidi tricks
        text = clean_text(args.get("text"), field="text", max_chars=MAX_MESSAGE_CHARS)
    except InvalidField as refused:
        if refused.code == "too_long":
            raise CommandRefused("too_long", f"A stage message has at most {MAX_MESSAGE_CHARS} characters") from None
        raise CommandRefused("bad_args", "text must be a non-empty string") from None
    return _bump(show, stage_message=text, stage_message_id=show.stage_message_id + 1)


def _dismiss(show: Show, args: Mapping[str, Any], now: int) -> Show:
    if show.stage_message is None:
        raise CommandRefused("no_message", "No message is shown on stage")
    return _bump(show, stage_message=None)


def _spotlight(show: Show, args: Mapping[str, Any], now: int) -> Show:
    """Show an audience question on the projector (the service checks it is public)."""
    question_id = args.get("question_id")
    if not isinstance(question_id, int) or isinstance(question_id, bool) or question_id <= 0:
        raise CommandRefused("bad_args", "question_id must be a positive integer")
    if question_id == show.spotlight:
        raise CommandRefused("no_change", "This question is already on the projector")
    return _bump(show, spotlight=question_id)


def _clear_spotlight(show: Show, args: Mapping[str, Any], now: int) -> Show:
    if show.spotlight is None:
        raise CommandRefused("no_spotlight", "No question is on the projector")
    return _bump(show, spotlight=None)


# -- slides of the talk on stage -------------------------------------------------

SLIDE_COMMANDS = frozenset({"slide_next", "slide_previous", "slide_goto"})


def slide_count(show: Show) -> int:
    """Pages of the current talk's deck (0: no talk on stage or no deck)."""
    return show.talks[show.current].slides if show.current is not None else 0


def _deck_on_stage(show: Show) -> int:
    _require_phase(show, Phase.READY, *TIMED_PHASES)
    count = slide_count(show)
    if count == 0:
        raise CommandRefused("no_deck", "The talk on stage has no slides")
    return count


def _slide_to(show: Show, index: int, count: int) -> Show:
    if index < 0:
        raise CommandRefused("first_slide", "This is already the first slide")
    if index >= count:
        raise CommandRefused("last_slide", "This is already the last slide")
    return _bump(show, slide=index)


def _slide_next(show: Show, args: Mapping[str, Any], now: int) -> Show:
    return _slide_to(show, show.slide + 1, _deck_on_stage(show))


def _slide_previous(show: Show, args: Mapping[str, Any], now: int) -> Show:
    return _slide_to(show, show.slide - 1, _deck_on_stage(show))


def _slide_goto(show: Show, args: Mapping[str, Any], now: int) -> Show:
    """Go to slide ``page`` (counted from 1, as people do)."""
    count = _deck_on_stage(show)
    page = args.get("page")
    if not isinstance(page, int) or isinstance(page, bool) or not 1 <= page <= count:
        raise CommandRefused("bad_page", f"page must be an integer from 1 to {count}")
    if page - 1 == show.slide:
        raise CommandRefused("no_change", "This slide is already shown")
    return _bump(show, slide=page - 1)


def with_decks(show: Show, pages: Mapping[int, int]) -> Show:
    """The talks' page counts ``{talk_id: pages}`` (a talk not listed has no deck).

    A deck replaced while its talk is on stage keeps the slide shown if it still exists, else its last one.
    """
    talks = {t: replace(r, slides=pages.get(t, 0)) if r.slides != pages.get(t, 0) else r for t, r in show.talks.items()}
    if talks == dict(show.talks):
        return show
    changed = replace(show, talks=talks)
    return _bump(changed, slide=max(0, min(show.slide, slide_count(changed) - 1)))


def _undo(show: Show) -> Show:
    if not show.undo_stack:
        raise CommandRefused("nothing_to_undo", "Nothing to undo")
    previous = show.undo_stack[0]
    # The decks are the organisers' (uploaded since, perhaps): the counts stay as they are now.
    decks = {t: r.slides for t, r in show.talks.items() if r.slides}
    if any(r.slides != decks.get(t, 0) for t, r in previous.talks.items()):
        previous = with_decks(previous, decks)
    # Settings and stage messages are not part of the run of show: keep them.
    return replace(
        previous,
        version=show.version + 1,
        undo_stack=show.undo_stack[1:],
        projector_mode=show.projector_mode,
        stage_message=show.stage_message,
        stage_message_id=show.stage_message_id,
        auto_questions=show.auto_questions,
        spotlight=show.spotlight if previous.current == show.current else None,
    )


COMMANDS = {
    "start": _start,
    "pause": _pause,
    "resume": _resume,
    "extend": _extend,
    "questions": _questions,
    "next": _next,
    "previous": _previous,
    "jump": _jump,
    "reorder": _reorder,
    "absent": _absent,
    "networking": _networking,
    "end": _end,
    "set_mode": _set_mode,
    "qr_fullscreen": _toggle_qr_fullscreen,
    "set_auto_questions": _set_auto_questions,
    "message": _message,
    "dismiss_message": _dismiss,
    "spotlight": _spotlight,
    "clear_spotlight": _clear_spotlight,
    "slide_next": _slide_next,
    "slide_previous": _slide_previous,
    "slide_goto": _slide_goto,
    "undo": None,  # handled in apply()
}
NOT_UNDOABLE = frozenset({"set_mode", "set_auto_questions", "message", "dismiss_message", "spotlight",
                          "clear_spotlight"})


# -- serialisation (plain JSON types, for storage and the wire) --------------


def to_dict(show: Show, *, with_undo: bool = True) -> dict[str, Any]:
    data = {
        "version": show.version,
        "phase": show.phase.value,
        "current": show.current,
        "running": show.running,
        "ends_at": show.ends_at,
        "remaining_ms": show.remaining_ms,
        "phase_ms": show.phase_ms,
        "auto_questions": show.auto_questions,
        "projector_mode": show.projector_mode.value,
        "stage_message": show.stage_message,
        "stage_message_id": show.stage_message_id,
        "spotlight": show.spotlight,
        "slide": show.slide,
        "qr_fullscreen": show.qr_fullscreen,
        "order": list(show.order),
        "talks": [
            {
                "talk_id": r.talk_id, "pitch_ms": r.pitch_ms, "qa_ms": r.qa_ms, "status": r.status.value,
                "pitch_started_at": r.pitch_started_at, "questions_started_at": r.questions_started_at,
                "ended_at": r.ended_at, "slides": r.slides, "kind": r.kind.value,
            }
            for r in (show.talks[t] for t in show.order)
        ],
    }
    if with_undo:
        data["undo_stack"] = [to_dict(s, with_undo=False) for s in show.undo_stack]
    return data


def from_dict(data: Mapping[str, Any]) -> Show:
    talks = {
        t["talk_id"]: TalkRun(
            talk_id=t["talk_id"], pitch_ms=t["pitch_ms"], qa_ms=t["qa_ms"], status=TalkStatus(t["status"]),
            pitch_started_at=t["pitch_started_at"], questions_started_at=t["questions_started_at"],
            ended_at=t["ended_at"], slides=t.get("slides", 0),  # absent from states stored before decks
            kind=ItemKind(t.get("kind", "talk")),  # no kind: stored before items
        )
        for t in data["talks"]
    }
    return Show(
        order=tuple(data["order"]),
        talks=talks,
        version=data["version"],
        phase=Phase(data["phase"]),
        current=data["current"],
        running=data["running"],
        ends_at=data["ends_at"],
        remaining_ms=data["remaining_ms"],
        phase_ms=data["phase_ms"],
        auto_questions=data["auto_questions"],
        projector_mode=ProjectorMode(data["projector_mode"]),
        stage_message=data["stage_message"],
        stage_message_id=data["stage_message_id"],
        spotlight=data.get("spotlight"),  # absent from states stored before questions existed
        slide=data.get("slide", 0),
        qr_fullscreen=data.get("qr_fullscreen", False),  # absent from states stored before the QR mode
        undo_stack=tuple(from_dict(s) for s in data.get("undo_stack", ())),
    )


def retime(show: Show, durations: Mapping[int, tuple[int, int]]) -> Show:
    """New planned lengths ``{talk_id: (pitch_ms, qa_ms)}`` from the organisers (an item with one
    phase takes ``pitch_ms`` and ignores ``qa_ms``).

    Talks already played, and the one on stage, keep the lengths they ran with:
    changing the plan never rewrites a countdown in progress.
    """
    talks = dict(show.talks)
    for talk_id, (pitch_ms, qa_ms) in durations.items():
        if talk_id not in talks:
            raise ValueError(f"no talk {talk_id}")
        run = talks[talk_id]
        check_duration(pitch_ms)
        if run.one_phase:
            qa_ms = 0
        else:
            check_duration(qa_ms)
        on_stage = talk_id == show.current and show.phase in TIMED_PHASES
        if run.status is TalkStatus.PLANNED and not on_stage:
            talks[talk_id] = replace(run, pitch_ms=pitch_ms, qa_ms=qa_ms)
    if talks == dict(show.talks):
        return show
    changed = _bump(show, talks=talks)
    if show.phase is Phase.READY and show.current is not None:
        # The talk up next shows its (new) pitch length on every screen.
        pitch_ms = talks[show.current].pitch_ms
        changed = replace(changed, remaining_ms=pitch_ms, phase_ms=pitch_ms)
    return changed
