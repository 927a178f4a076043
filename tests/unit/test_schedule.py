"""Planned versus projected times (pitchday.domain.schedule), with exact values."""
from __future__ import annotations

import pytest

from pitchday.domain.schedule import Schedule, Slot, schedule
from pitchday.domain.show import apply, new_show

pytestmark = pytest.mark.unit

P = 1_750_000_000_000  # planned start of the talks (epoch ms)
MIN = 60_000
CHANGEOVER = MIN

# (talk_id, pitch_ms, qa_ms): 10 + 7 + 8 minutes of talks, one-minute changeovers.
# Plan: talk 1 P+0..P+10, talk 2 P+11..P+18, talk 3 P+19..P+27 (minutes).
TALKS = [(1, 5 * MIN, 5 * MIN), (2, 4 * MIN, 3 * MIN), (3, 6 * MIN, 2 * MIN)]


def plan(show, now: int) -> Schedule:
    return schedule(show, plan_start=P, changeover_ms=CHANGEOVER, now=now)


def run(show, *steps):
    for name, args, now in steps:
        show = apply(show, name, args, now=now)
    return show


def test_schedule_before_the_start_follows_the_plan():
    show = new_show(TALKS)

    result = plan(show, now=P - 10 * MIN)

    assert result == Schedule(
        slots=[
            Slot(1, "next", P, None, None, P, P + 10 * MIN),
            Slot(2, "planned", P + 11 * MIN, None, None, P + 11 * MIN, P + 18 * MIN),
            Slot(3, "planned", P + 19 * MIN, None, None, P + 19 * MIN, P + 27 * MIN),
        ],
        planned_end=P + 27 * MIN,
        projected_end=P + 27 * MIN,
        drift_ms=0,
    )


def test_schedule_not_started_after_the_planned_start_drifts_by_the_delay():
    show = new_show(TALKS)

    result = plan(show, now=P + 2 * MIN)

    assert [(s.projected_start, s.projected_end) for s in result.slots] == [
        (P + 2 * MIN, P + 12 * MIN), (P + 13 * MIN, P + 20 * MIN), (P + 21 * MIN, P + 29 * MIN),
    ]
    assert result.planned_end == P + 27 * MIN
    assert result.projected_end == P + 29 * MIN
    assert result.drift_ms == 2 * MIN


def test_schedule_mid_pitch_running_late():
    # Talk 1 started 2 minutes late; 3 minutes into its pitch, 2 minutes of pitch remain.
    show = run(new_show(TALKS), ("start", {}, P + 2 * MIN))

    result = plan(show, now=P + 5 * MIN)

    assert result == Schedule(
        slots=[
            Slot(1, "now", P, P + 2 * MIN, None, P + 2 * MIN, P + 12 * MIN),
            Slot(2, "next", P + 11 * MIN, None, None, P + 13 * MIN, P + 20 * MIN),
            Slot(3, "planned", P + 19 * MIN, None, None, P + 21 * MIN, P + 29 * MIN),
        ],
        planned_end=P + 27 * MIN,
        projected_end=P + 29 * MIN,
        drift_ms=2 * MIN,
    )


def test_schedule_in_overtime_counts_no_time_left_in_the_pitch():
    show = run(new_show(TALKS), ("start", {}, P))

    result = plan(show, now=P + 7 * MIN)  # pitch 2 minutes over

    assert result.slots[0] == Slot(1, "now", P, P, None, P, P + 12 * MIN)
    assert result.projected_end == P + 29 * MIN
    assert result.drift_ms == 2 * MIN


def test_schedule_paused_pushes_everything_back():
    # Paused at P+5 with 2 minutes of pitch left; now P+7: the pause has cost 2 more minutes.
    show = run(new_show(TALKS), ("start", {}, P + 2 * MIN), ("pause", {}, P + 5 * MIN))

    result = plan(show, now=P + 7 * MIN)

    assert result == Schedule(
        slots=[
            Slot(1, "now", P, P + 2 * MIN, None, P + 2 * MIN, P + 14 * MIN),
            Slot(2, "next", P + 11 * MIN, None, None, P + 15 * MIN, P + 22 * MIN),
            Slot(3, "planned", P + 19 * MIN, None, None, P + 23 * MIN, P + 31 * MIN),
        ],
        planned_end=P + 27 * MIN,
        projected_end=P + 31 * MIN,
        drift_ms=4 * MIN,
    )


def test_schedule_during_questions_counts_only_the_questions_left():
    show = run(new_show(TALKS), ("start", {}, P), ("questions", {}, P + 4 * MIN))

    result = plan(show, now=P + 6 * MIN)  # 3 minutes of questions left

    assert result.slots[0] == Slot(1, "now", P, P, None, P, P + 9 * MIN)
    assert result.slots[1].projected_start == P + 10 * MIN
    assert result.projected_end == P + 26 * MIN
    assert result.drift_ms == -MIN


def test_schedule_after_a_skip():
    # Talk 1 ran exactly to plan; talk 2's speaker is absent and skipped; talk 3 is up next.
    show = run(
        new_show(TALKS),
        ("start", {}, P),
        ("questions", {}, P + 5 * MIN),
        ("next", {}, P + 10 * MIN),
        ("absent", {"talk_id": 2, "mode": "skip"}, P + 10 * MIN + 10_000),
    )

    result = plan(show, now=P + 10 * MIN + 20_000)

    assert show.order == (1, 3, 2)
    assert result == Schedule(
        slots=[
            Slot(1, "done", P, P, P + 10 * MIN, P, P + 10 * MIN),
            Slot(3, "next", P + 11 * MIN, None, None, P + 10 * MIN + 20_000, P + 18 * MIN + 20_000),
            Slot(2, "skipped", P + 20 * MIN, None, None, None, None),
        ],
        planned_end=P + 19 * MIN,
        projected_end=P + 18 * MIN + 20_000,
        drift_ms=-MIN + 20_000,
    )


def test_schedule_after_networking_keeps_finished_times():
    show = run(new_show([(1, 5 * MIN, 5 * MIN)]), ("start", {}, P + MIN), ("networking", {}, P + 12 * MIN))

    result = plan(show, now=P + 30 * MIN)

    assert result == Schedule(
        slots=[Slot(1, "done", P, P + MIN, P + 12 * MIN, P + MIN, P + 12 * MIN)],
        planned_end=P + 10 * MIN,
        projected_end=P + 12 * MIN,
        drift_ms=2 * MIN,
    )


def test_schedule_every_talk_skipped_ends_at_the_planned_start():
    show = run(new_show(TALKS), *[("absent", {"talk_id": t, "mode": "skip"}, P) for t in (1, 2, 3)])

    result = plan(show, now=P - MIN)

    assert [s.status for s in result.slots] == ["skipped", "skipped", "skipped"]
    assert result.planned_end == P
    assert result.projected_end == P
    assert result.drift_ms == 0


def test_schedule_talk_started_at_epoch_zero_keeps_its_actual_start():
    # Boundary value: a start time of 0 is a time like any other, not "no time".
    show = run(new_show([(1, 5 * MIN, 5 * MIN)]), ("start", {}, 0))

    result = schedule(show, plan_start=0, changeover_ms=CHANGEOVER, now=MIN)

    assert result.slots[0] == Slot(1, "now", 0, 0, None, 0, 10 * MIN)


DAY = 24 * 60 * MIN


def test_schedule_replayed_days_later_is_measured_from_its_real_start():
    # The demo edition is dated years ago: started a day after its plan, it is 3 minutes late, not a day.
    started = P + DAY
    show = run(new_show(TALKS), ("start", {}, started), ("questions", {}, started + 5 * MIN))

    result = plan(show, now=started + 13 * MIN)

    assert result.replayed is True
    assert [s.planned_start for s in result.slots] == [started, started + 11 * MIN, started + 19 * MIN]
    assert result.planned_end == started + 27 * MIN
    assert result.projected_end == started + 30 * MIN  # talk 1's questions 3 min over
    assert result.drift_ms == 3 * MIN


def test_schedule_days_before_the_evening_shows_the_announced_times():
    result = plan(new_show(TALKS), now=P - 3 * DAY)

    assert result.replayed is False
    assert [(s.planned_start, s.projected_start) for s in result.slots] == [
        (P, P), (P + 11 * MIN, P + 11 * MIN), (P + 19 * MIN, P + 19 * MIN)]
    assert result.drift_ms == 0


def test_schedule_replay_not_started_days_after_its_plan_is_on_time_from_now():
    now = P + 3 * DAY

    result = plan(new_show(TALKS), now=now)

    assert result.replayed is True
    assert result.slots[0].planned_start == now
    assert result.drift_ms == 0


def test_schedule_rehearsed_days_before_the_evening_is_measured_from_the_rehearsal():
    started = P - 3 * DAY
    show = run(new_show(TALKS), ("start", {}, started))

    result = plan(show, now=started + MIN)

    assert result.replayed is True
    assert result.slots[0].planned_start == started


def test_schedule_within_twelve_hours_of_the_plan_keeps_the_announced_times():
    # Doors open long before the talks; an early rehearsal on the day is still measured against the plan.
    show = run(new_show(TALKS), ("start", {}, P - 11 * 60 * MIN))

    result = plan(show, now=P - 11 * 60 * MIN)

    assert result.replayed is False
    assert result.slots[0].planned_start == P
