"""Planned versus actual times, and the projected end of the talks.

The plan is what the organisers announced: the items of the rundown back to back
from ``plan_start``, with a changeover between two talks (the laptop swap; an
address, a break or the welcome need none). The projection replays what has
really happened and assumes every remaining phase takes its planned length.
"""
from __future__ import annotations

from dataclasses import dataclass

from .show import TIMED_PHASES, ItemKind, Phase, Show, TalkStatus

# A run of show played this far from its planned start is a rehearsal or a replay (the demo
# edition is dated 2020): its plan is moved to when it really began, or drift would read in years.
REPLAY_GAP_MS = 12 * 60 * 60 * 1000


@dataclass(frozen=True)
class Slot:
    talk_id: int
    status: str  # done / now / next / planned / skipped
    planned_start: int
    actual_start: int | None
    actual_end: int | None
    projected_start: int | None
    projected_end: int | None


@dataclass(frozen=True)
class Schedule:
    slots: list[Slot]
    planned_end: int
    projected_end: int
    drift_ms: int  # positive: running late
    replayed: bool = False  # the plan was moved to the real start (see REPLAY_GAP_MS)


def anchored_start(show: Show, *, plan_start: int, now: int) -> int:
    """The planned start, or for a replay the first pitch's real start (``now`` before it).

    Before the evening, nothing started yet, the announced plan stands: phones reading the agenda
    days ahead see the planned times, not times counted from the moment they look.
    """
    started = [r.pitch_started_at for r in show.talks.values() if r.pitch_started_at is not None]
    reference = min(started) if started else max(now, plan_start)
    return plan_start if abs(reference - plan_start) <= REPLAY_GAP_MS else reference


def changeover(show: Show, before: int | None, after: int, changeover_ms: int) -> int:
    """The planned gap before item ``after`` when ``before`` precedes it: a changeover between two
    talks, nothing around the other kinds of item (nor before the first item)."""
    if before is None:
        return 0
    kinds = (show.talks[before].kind, show.talks[after].kind)
    return changeover_ms if kinds == (ItemKind.TALK, ItemKind.TALK) else 0


def schedule(show: Show, *, plan_start: int, changeover_ms: int, now: int) -> Schedule:
    announced = plan_start
    plan_start = anchored_start(show, plan_start=plan_start, now=now)
    # Projected times of items not yet started follow the queue: the item up
    # next first, then the upcoming ones; the earliest start is now, never before the plan.
    cursor = max(now, plan_start)
    projected: dict[int, tuple[int, int]] = {}
    previous: int | None = None
    if show.current is not None and show.phase in TIMED_PHASES:
        run = show.talks[show.current]
        left = max(show.remaining_at(now) or 0, 0)
        end = now + left + (run.qa_ms if show.phase is Phase.PITCH else 0)
        projected[show.current] = (now if run.pitch_started_at is None else run.pitch_started_at, end)
        cursor, previous = end, show.current
    queue = ([show.current] if show.phase is Phase.READY and show.current is not None else []) + show.upcoming()
    for talk_id in queue:
        run = show.talks[talk_id]
        cursor += changeover(show, previous, talk_id, changeover_ms)
        projected[talk_id] = (cursor, cursor + run.planned_ms)
        cursor, previous = projected[talk_id][1], talk_id
    next_id = queue[0] if queue else None

    slots: list[Slot] = []
    planned_cursor = plan_start
    previous = None
    for talk_id in show.order:
        run = show.talks[talk_id]
        if run.status is TalkStatus.SKIPPED:
            skipped_start = planned_cursor + changeover(show, previous, talk_id, changeover_ms)
            slots.append(Slot(talk_id, "skipped", skipped_start, None, None, None, None))
            continue
        planned_cursor += changeover(show, previous, talk_id, changeover_ms)
        planned_start, previous = planned_cursor, talk_id
        planned_cursor += run.planned_ms
        if run.status is TalkStatus.DONE:
            slots.append(Slot(talk_id, "done", planned_start, run.pitch_started_at, run.ended_at,
                              run.pitch_started_at, run.ended_at))
            continue
        start, end = projected[talk_id]
        if talk_id == show.current and show.phase in TIMED_PHASES:
            status = "now"
        else:
            status = "next" if talk_id == next_id else "planned"
        slots.append(Slot(talk_id, status, planned_start, run.pitch_started_at, None, start, end))
    planned_end = planned_cursor
    ends = [s.projected_end for s in slots if s.projected_end is not None]
    projected_end = max(ends) if ends else planned_end
    return Schedule(slots=slots, planned_end=planned_end, projected_end=projected_end,
                    drift_ms=projected_end - planned_end, replayed=plan_start != announced)
