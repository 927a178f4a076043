"""Planned versus actual times, and the projected end of the talks.

The plan is what the organisers announced: talks back to back from
``plan_start`` with a changeover between them. The projection replays what has
really happened and assumes every remaining phase takes its planned length.
"""
from __future__ import annotations

from dataclasses import dataclass

from .show import Phase, Show, TalkStatus

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


def schedule(show: Show, *, plan_start: int, changeover_ms: int, now: int) -> Schedule:
    announced = plan_start
    plan_start = anchored_start(show, plan_start=plan_start, now=now)
    # Projected times of talks not yet started follow the queue: the talk up
    # next first, then the upcoming ones; the earliest start is now, never before the plan.
    cursor = max(now, plan_start)
    projected: dict[int, tuple[int, int]] = {}
    if show.current is not None and show.phase in (Phase.PITCH, Phase.QUESTIONS):
        run = show.talks[show.current]
        left = max(show.remaining_at(now) or 0, 0)
        end = now + left + (run.qa_ms if show.phase is Phase.PITCH else 0)
        projected[show.current] = (now if run.pitch_started_at is None else run.pitch_started_at, end)
        cursor = end + changeover_ms
    queue = ([show.current] if show.phase is Phase.READY and show.current is not None else []) + show.upcoming()
    for talk_id in queue:
        run = show.talks[talk_id]
        projected[talk_id] = (cursor, cursor + run.pitch_ms + run.qa_ms)
        cursor = projected[talk_id][1] + changeover_ms
    next_id = queue[0] if queue else None

    slots: list[Slot] = []
    planned_cursor = plan_start
    for talk_id in show.order:
        run = show.talks[talk_id]
        planned_start = planned_cursor
        if run.status is TalkStatus.SKIPPED:
            slots.append(Slot(talk_id, "skipped", planned_start, None, None, None, None))
            continue
        planned_cursor += run.pitch_ms + run.qa_ms + changeover_ms
        if run.status is TalkStatus.DONE:
            slots.append(Slot(talk_id, "done", planned_start, run.pitch_started_at, run.ended_at,
                              run.pitch_started_at, run.ended_at))
            continue
        start, end = projected[talk_id]
        if talk_id == show.current and show.phase in (Phase.PITCH, Phase.QUESTIONS):
            status = "now"
        else:
            status = "next" if talk_id == next_id else "planned"
        slots.append(Slot(talk_id, status, planned_start, run.pitch_started_at, None, start, end))
    planned_end = planned_cursor - changeover_ms if planned_cursor > plan_start else plan_start
    ends = [s.projected_end for s in slots if s.projected_end is not None]
    projected_end = max(ends) if ends else planned_end
    return Schedule(slots=slots, planned_end=planned_end, projected_end=projected_end,
                    drift_ms=projected_end - planned_end, replayed=plan_start != announced)
