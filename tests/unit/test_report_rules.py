"""The report of an evening (pitchday.domain.report): exact figures from a scripted run of show."""
from __future__ import annotations

import pytest

from pitchday.domain.report import (
    Bar,
    ChartRow,
    EveningTiming,
    Outcome,
    TalkTiming,
    chart,
    duration,
    evening,
    signed_duration,
    signed_seconds,
)
from pitchday.domain.show import apply, new_show

pytestmark = pytest.mark.unit

P = 1_579_796_700_000  # 2020-01-23T16:25:00Z (17:25 in Lille): the planned start of the talks
MIN = 60_000
SEC = 1_000
CHANGEOVER = MIN

# Plan: talk 1 P..P+10, talk 2 P+11..P+21, talk 3 P+22..P+29, talk 4 P+30..P+40 (minutes).
TALKS = [(1, 5 * MIN, 5 * MIN), (2, 5 * MIN, 5 * MIN), (3, 4 * MIN, 3 * MIN), (4, 5 * MIN, 5 * MIN)]


def play(show, *steps):
    for name, args, now in steps:
        show = apply(show, name, args, now=now)
    return show


def scripted_evening():
    """Talk 1 starts 30 s late and is short of questions, talk 2 runs over, talk 3 is cancelled,
    talk 4 skips its questions, then networking."""
    return play(
        new_show(TALKS),
        ("start", {}, P + 30 * SEC),
        ("questions", {}, P + 5 * MIN + 30 * SEC),
        ("next", {}, P + 10 * MIN),
        ("start", {}, P + 11 * MIN),
        ("questions", {}, P + 17 * MIN + 30 * SEC),
        ("next", {}, P + 23 * MIN),
        ("absent", {"talk_id": 3, "mode": "skip"}, P + 23 * MIN + 10 * SEC),
        ("start", {}, P + 24 * MIN),
        ("next", {}, P + 28 * MIN),
    )


def report(show, now, plan_start=P):
    return evening(show, plan_start=plan_start, changeover_ms=CHANGEOVER, now=now)


def test_evening_of_a_scripted_night_gives_every_talk_its_exact_times():
    show = scripted_evening()

    result = report(show, now=P + 60 * MIN)

    # Cancelling talk 3 moved it to the end of the order; talk 4 took its place in the plan.
    assert result.talks == (
        TalkTiming(1, Outcome.PLAYED, P, 5 * MIN, 5 * MIN, P + 30 * SEC, P + 5 * MIN + 30 * SEC, P + 10 * MIN,
                   pitch_ms=5 * MIN, qa_ms=4 * MIN + 30 * SEC),
        TalkTiming(2, Outcome.PLAYED, P + 11 * MIN, 5 * MIN, 5 * MIN, P + 11 * MIN, P + 17 * MIN + 30 * SEC,
                   P + 23 * MIN, pitch_ms=6 * MIN + 30 * SEC, qa_ms=5 * MIN + 30 * SEC),
        TalkTiming(4, Outcome.PLAYED, P + 22 * MIN, 5 * MIN, 5 * MIN, P + 24 * MIN, None, P + 28 * MIN,
                   pitch_ms=4 * MIN, qa_ms=None),
        TalkTiming(3, Outcome.SKIPPED, None, 4 * MIN, 3 * MIN),
    )


def test_evening_overtime_of_each_phase_is_actual_minus_planned():
    result = report(scripted_evening(), now=P + 60 * MIN)

    assert [(t.talk_id, t.pitch_overtime_ms, t.qa_overtime_ms) for t in result.talks] == [
        (1, 0, -30 * SEC), (2, 90 * SEC, 30 * SEC), (4, -MIN, None), (3, None, None)]


def test_evening_totals_of_a_scripted_night():
    result = report(scripted_evening(), now=P + 60 * MIN)

    assert (result.planned_start, result.planned_end) == (P, P + 32 * MIN)
    assert (result.actual_start, result.actual_end) == (P + 30 * SEC, P + 28 * MIN)
    assert result.overtime_ms == 30 * SEC  # 0 − 0:30 + 1:30 + 0:30 − 1:00
    assert result.end_drift_ms == -4 * MIN
    assert result.replayed is False


def test_evening_during_a_pitch_has_the_talk_on_stage_and_no_end():
    show = play(new_show(TALKS), ("start", {}, P + 2 * MIN))

    result = report(show, now=P + 4 * MIN)

    assert result.talks[0] == TalkTiming(1, Outcome.ON_STAGE, P, 5 * MIN, 5 * MIN, actual_start=P + 2 * MIN)
    assert [t.outcome for t in result.talks[1:]] == [Outcome.NOT_PLAYED] * 3
    assert result.actual_end is None and result.end_drift_ms is None
    assert result.overtime_ms == 0


def test_evening_during_questions_knows_the_length_of_the_pitch_only():
    show = play(new_show(TALKS), ("start", {}, P), ("questions", {}, P + 6 * MIN))

    first = report(show, now=P + 7 * MIN).talks[0]

    assert (first.outcome, first.pitch_ms, first.pitch_overtime_ms, first.qa_ms) == (
        Outcome.ON_STAGE, 6 * MIN, MIN, None)


def test_evening_ended_early_leaves_the_other_talks_not_played():
    show = play(new_show(TALKS), ("start", {}, P), ("questions", {}, P + 5 * MIN), ("networking", {}, P + 9 * MIN))

    result = report(show, now=P + 20 * MIN)

    assert [(t.talk_id, t.outcome, t.actual_start) for t in result.talks] == [
        (1, Outcome.PLAYED, P), (2, Outcome.NOT_PLAYED, None), (3, Outcome.NOT_PLAYED, None),
        (4, Outcome.NOT_PLAYED, None)]
    assert result.actual_end == P + 9 * MIN
    assert result.planned_end == P + 40 * MIN
    assert result.end_drift_ms == -31 * MIN


def test_evening_replayed_far_from_its_date_counts_the_plan_from_the_real_start():
    replay_start = P + 3 * 365 * 24 * 60 * MIN
    show = play(new_show(TALKS), ("start", {}, replay_start), ("next", {}, replay_start + 10 * MIN))

    result = report(show, now=replay_start + 11 * MIN)

    assert result.replayed is True
    assert [t.planned_start for t in result.talks] == [
        replay_start, replay_start + 11 * MIN, replay_start + 22 * MIN, replay_start + 30 * MIN]
    assert result.planned_start == replay_start


def test_evening_not_started_follows_the_plan():
    result = report(new_show(TALKS), now=P - 60 * MIN)

    assert result == EveningTiming(
        talks=tuple(TalkTiming(talk_id, Outcome.NOT_PLAYED, start, pitch, qa)
                    for (talk_id, pitch, qa), start in zip(TALKS, (P, P + 11 * MIN, P + 22 * MIN, P + 30 * MIN))),
        planned_start=P, planned_end=P + 40 * MIN, actual_start=None, actual_end=None, replayed=False)


def test_evening_not_started_read_years_later_still_shows_the_announced_plan():
    result = report(new_show(TALKS), now=P + 3 * 365 * 24 * 60 * MIN)

    assert [t.planned_start for t in result.talks] == [P, P + 11 * MIN, P + 22 * MIN, P + 30 * MIN]
    assert result.replayed is False


@pytest.mark.parametrize("ms, seconds", [(1_500, 2), (-1_500, -2), (499, 0), (-499, 0), (90_000, 90), (-60_000, -60)])
def test_signed_seconds_rounds_half_a_second_away_from_zero(ms, seconds):
    assert signed_seconds(ms) == seconds


@pytest.mark.parametrize("ms, text", [
    (0, "0:00"), (300_000, "5:00"), (65_000, "1:05"), (499, "0:00"), (500, "0:01"), (3_725_000, "62:05"),
])
def test_duration_reads_minutes_and_seconds(ms, text):
    assert duration(ms) == text


@pytest.mark.parametrize("ms, text", [
    (90_000, "+1:30"), (-45_000, "\u22120:45"), (0, "0:00"), (400, "0:00"), (-400, "0:00"), (-500, "\u22120:01"),
    (61_000, "+1:01"),
])
def test_signed_duration_marks_late_and_early(ms, text):
    assert signed_duration(ms) == text


def test_chart_puts_planned_slots_and_played_phases_on_one_axis():
    result = chart(report(scripted_evening(), now=P + 60 * MIN), width=700)

    # From 16:25 to 17:00 UTC (17:25 to 18:00 in Lille), 5-minute marks: 20 units a minute.
    assert (result.start, result.end) == (P, P + 35 * MIN)
    assert result.ticks == tuple((P + i * 5 * MIN, i * 100.0) for i in range(8))
    assert result.rows == (
        ChartRow(1, planned=Bar(0.0, 200.0), pitch=Bar(10.0, 100.0), questions=Bar(110.0, 90.0)),
        ChartRow(2, planned=Bar(220.0, 200.0), pitch=Bar(220.0, 130.0), questions=Bar(350.0, 110.0)),
        ChartRow(4, planned=Bar(440.0, 200.0), pitch=Bar(480.0, 80.0), questions=None),
        ChartRow(3, planned=None, pitch=None, questions=None),
    )


def test_chart_of_a_long_span_uses_longer_marks_and_at_most_twelve():
    show = play(new_show(TALKS), ("start", {}, P), ("next", {}, P + 4 * 60 * MIN))  # a talk of four hours

    result = chart(report(show, now=P + 5 * 60 * MIN), width=1000)

    steps = {b[0] - a[0] for a, b in zip(result.ticks, result.ticks[1:])}
    assert steps == {30 * MIN}
    assert len(result.ticks) - 1 <= 12
    assert result.start <= P and result.end >= P + 4 * 60 * MIN


def test_chart_of_an_evening_without_talks_is_none():
    assert chart(report(new_show([]), now=P), width=700) is None
