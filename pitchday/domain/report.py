"""The report of an evening: what was planned against what happened, as exact figures.

Pure: everything comes from the live ``Show`` (times in epoch milliseconds), the plan
(``plan_start``, ``changeover_ms``) and ``now``; nothing here reads a clock.

The plan is the one the moderator console measures its drift against (``schedule``): talks
back to back in the final running order, a cancelled talk taking no time, and for a replay
(played more than 12 hours away from its date) counted from the real start.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .schedule import schedule
from .show import TIMED_PHASES, Phase, Show, TalkStatus

MINUTE_MS = 60_000
# Steps between the chart's time marks, in minutes: the first that needs at most MAX_TICKS marks.
TICK_STEPS_MIN = (5, 10, 15, 30, 60, 120, 240, 480, 720, 1440)
MAX_TICKS = 12


class Outcome(StrEnum):
    PLAYED = "played"  # done
    ON_STAGE = "on_stage"  # started, not finished yet
    SKIPPED = "skipped"  # cancelled by the moderator ("annulée")
    NOT_PLAYED = "not_played"  # never started


@dataclass(frozen=True)
class TalkTiming:
    """Planned against actual times of one talk (epoch ms; lengths in ms)."""

    talk_id: int
    outcome: Outcome
    planned_start: int | None  # None for a cancelled talk: it takes no place in the plan
    planned_pitch_ms: int
    planned_qa_ms: int
    actual_start: int | None = None  # its pitch started
    questions_start: int | None = None
    actual_end: int | None = None
    pitch_ms: int | None = None  # questions start − pitch start (end − pitch start if no questions)
    qa_ms: int | None = None  # end − questions start

    @property
    def planned_end(self) -> int | None:
        if self.planned_start is None:
            return None
        return self.planned_start + self.planned_pitch_ms + self.planned_qa_ms

    @property
    def pitch_overtime_ms(self) -> int | None:
        return None if self.pitch_ms is None else self.pitch_ms - self.planned_pitch_ms

    @property
    def qa_overtime_ms(self) -> int | None:
        return None if self.qa_ms is None else self.qa_ms - self.planned_qa_ms


@dataclass(frozen=True)
class EveningTiming:
    talks: tuple[TalkTiming, ...]  # in running order
    planned_start: int
    planned_end: int
    actual_start: int | None  # the first pitch
    actual_end: int | None  # the end of the last talk, once the show moved on to networking
    replayed: bool  # the plan counts from the real start (see domain.schedule.REPLAY_GAP_MS)

    @property
    def overtime_ms(self) -> int:
        """Every phase's overtime added up (early phases count negatively)."""
        return sum(ms for t in self.talks for ms in (t.pitch_overtime_ms, t.qa_overtime_ms) if ms is not None)

    @property
    def end_drift_ms(self) -> int | None:
        """How late the talks ended against the plan (negative: early)."""
        return None if self.actual_end is None else self.actual_end - self.planned_end


def _talk_timing(run, planned_start: int | None, on_stage: bool) -> TalkTiming:
    if run.status is TalkStatus.SKIPPED:
        outcome = Outcome.SKIPPED
    elif run.status is TalkStatus.DONE:
        outcome = Outcome.PLAYED
    elif on_stage:
        outcome = Outcome.ON_STAGE
    else:
        outcome = Outcome.NOT_PLAYED
    base = TalkTiming(talk_id=run.talk_id, outcome=outcome,
                      planned_start=None if outcome is Outcome.SKIPPED else planned_start,
                      planned_pitch_ms=run.pitch_ms, planned_qa_ms=run.qa_ms)
    if outcome in (Outcome.SKIPPED, Outcome.NOT_PLAYED):
        return base  # times left by a rehearsal of a talk put back in the queue mean nothing
    start, questions, end = run.pitch_started_at, run.questions_started_at, run.ended_at
    pitch_end = questions if questions is not None else end
    return TalkTiming(
        talk_id=base.talk_id, outcome=outcome, planned_start=base.planned_start,
        planned_pitch_ms=base.planned_pitch_ms, planned_qa_ms=base.planned_qa_ms,
        actual_start=start, questions_start=questions, actual_end=end,
        pitch_ms=None if start is None or pitch_end is None else pitch_end - start,
        qa_ms=None if questions is None or end is None else end - questions,
    )


def evening(show: Show, *, plan_start: int, changeover_ms: int, now: int) -> EveningTiming:
    """Planned and actual times of every talk of ``show`` and of the whole evening."""
    # Before the first pitch the plan is the announced one: the console's replay rule would anchor a
    # plan not started yet to ``now``, and the report's planned times would move at every reading.
    started = any(run.pitch_started_at is not None for run in show.talks.values())
    plan = schedule(show, plan_start=plan_start, changeover_ms=changeover_ms, now=now if started else plan_start)
    on_stage = show.current if show.phase in TIMED_PHASES else None
    talks = tuple(_talk_timing(show.talks[slot.talk_id], slot.planned_start, slot.talk_id == on_stage)
                  for slot in plan.slots)
    starts = [t.actual_start for t in talks if t.actual_start is not None]
    ends = [t.actual_end for t in talks if t.outcome is Outcome.PLAYED and t.actual_end is not None]
    over = show.phase in (Phase.NETWORKING, Phase.ENDED)
    planned_starts = [t.planned_start for t in talks if t.planned_start is not None]
    return EveningTiming(
        talks=talks,
        planned_start=min(planned_starts) if planned_starts else plan.planned_end,
        planned_end=plan.planned_end,
        actual_start=min(starts) if starts else None,
        actual_end=max(ends) if over and ends else None,
        replayed=plan.replayed,
    )


# -- formatting ------------------------------------------------------------------------------------


def signed_seconds(ms: int) -> int:
    """Whole seconds, half a second rounded away from zero: 1500 → 2, −1500 → −2, 499 → 0."""
    whole = (abs(ms) + 500) // 1000
    return whole if ms >= 0 else -whole


def duration(ms: int) -> str:
    """A length as m:ss (minutes may exceed 59): 300000 → "5:00"."""
    seconds = abs(signed_seconds(ms))
    return f"{seconds // 60}:{seconds % 60:02d}"


def signed_duration(ms: int) -> str:
    """An overtime: "+1:30" late, "−0:45" early (a true minus sign), "0:00" on time."""
    if signed_seconds(ms) == 0:
        return "0:00"
    return ("+" if ms > 0 else "\u2212") + duration(ms)


# -- chart -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    x: float  # from the left of the time axis, in the chart's units
    width: float


@dataclass(frozen=True)
class ChartRow:
    talk_id: int
    planned: Bar | None  # the planned slot (pitch and questions)
    pitch: Bar | None  # the pitch as played
    questions: Bar | None  # the questions as played


@dataclass(frozen=True)
class Chart:
    start: int  # epoch ms at x = 0
    end: int  # epoch ms at x = width
    width: float
    ticks: tuple[tuple[int, float], ...]  # (epoch ms, x) of each time mark
    rows: tuple[ChartRow, ...]


def _axis(instants: list[int]) -> tuple[int, int, int]:
    """Start, end and step of a time axis covering ``instants``, on round marks."""
    low, high = min(instants), max(instants)
    for minutes in TICK_STEPS_MIN:
        step = minutes * MINUTE_MS
        start, end = low // step * step, -(-high // step) * step
        if end == start:
            end = start + step
        if (end - start) // step <= MAX_TICKS:
            return start, end, step
    step = -(-(high - low) // MAX_TICKS // MINUTE_MS) * MINUTE_MS  # a longer gap than any preset
    start = low // step * step
    return start, max(start + step, -(-high // step) * step), step


def chart(timing: EveningTiming, *, width: float) -> Chart | None:
    """Bars on a common time axis of ``width`` units: planned slots, pitches and questions as played.

    Marks fall on multiples of the step since the epoch: whole hours and quarter hours of UTC are
    those of Paris too (its offset is a whole number of hours). None when there is nothing to draw.
    """
    instants = [ms for t in timing.talks for ms in (t.planned_start, t.planned_end, t.actual_start,
                                                    t.questions_start, t.actual_end) if ms is not None]
    if not instants:
        return None
    start, end, step = _axis(instants)
    scale = width / (end - start)

    def bar(begin: int | None, length: int | None) -> Bar | None:
        if begin is None or length is None:
            return None
        return Bar(x=round((begin - start) * scale, 1), width=round(max(length, 0) * scale, 1))

    rows = tuple(ChartRow(
        talk_id=t.talk_id,
        planned=bar(t.planned_start, None if t.planned_start is None else t.planned_pitch_ms + t.planned_qa_ms),
        pitch=bar(t.actual_start, t.pitch_ms),
        questions=bar(t.questions_start, t.qa_ms),
    ) for t in timing.talks)
    ticks = tuple((ms, round((ms - start) * scale, 1)) for ms in range(start, end + 1, step))
    return Chart(start=start, end=end, width=width, ticks=ticks, rows=rows)
