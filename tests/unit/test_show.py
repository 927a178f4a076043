"""Example-based tests of the run of show (pitchday.domain.show)."""
from __future__ import annotations

import json

import pytest

from pitchday.domain.show import (
    MAX_EXTEND_MS,
    MAX_MESSAGE_CHARS,
    MAX_PHASE_MS,
    MAX_UNDO,
    CommandRefused,
    Phase,
    ProjectorMode,
    Show,
    TalkRun,
    TalkStatus,
    allowed_commands,
    apply,
    coming_next,
    followed_talk,
    from_dict,
    main_action,
    new_show,
    next_due,
    retime,
    settle,
    timeline,
    to_dict,
    wrap_stage,
)
from pitchday.domain.text import clean_text

pytestmark = pytest.mark.unit

T0 = 1_750_000_000_000  # 2025-06-15T15:06:40Z, an ordinary epoch-ms instant
MIN = 60_000

# (talk_id, pitch_ms, qa_ms) in running order
TALKS = [(1, 5 * MIN, 5 * MIN), (2, 4 * MIN, 3 * MIN), (3, 6 * MIN, 2 * MIN)]


def make_show(**kwargs) -> Show:
    return new_show(TALKS, **kwargs)


def run(show: Show, *steps: tuple) -> Show:
    """Apply ``(name, args, now)`` steps in turn."""
    for name, args, now in steps:
        show = apply(show, name, args, now=now)
    return show


def assert_refused(show: Show, name: str, args, now: int, code: str) -> None:
    before = to_dict(show)
    with pytest.raises(CommandRefused) as refused:
        apply(show, name, args, now=now)
    assert refused.value.code == code
    assert refused.value.message
    assert to_dict(show) == before


def statuses(show: Show) -> dict[int, TalkStatus]:
    return {t: show.talks[t].status for t in show.order}


def pitching(now: int = T0, **kwargs) -> Show:
    """Talk 1 in its pitch, started at ``now``."""
    return apply(make_show(**kwargs), "start", {}, now=now)


def in_questions(**kwargs) -> Show:
    """Talk 1 in questions since T0 + 5 min (pitch started at T0)."""
    return apply(pitching(**kwargs), "questions", {}, now=T0 + 5 * MIN)


# -- new_show ------------------------------------------------------------------


def test_new_show_fresh_is_welcome_with_every_talk_planned():
    show = make_show()

    assert show.phase is Phase.WELCOME
    assert show.version == 0
    assert show.order == (1, 2, 3)
    assert show.current is None
    assert show.running is False
    assert show.ends_at is None
    assert show.remaining_ms is None
    assert show.phase_ms == 0
    assert show.auto_questions is False
    assert show.projector_mode is ProjectorMode.AUTO
    assert show.stage_message is None
    assert show.undo_stack == ()
    assert show.talks[2] == TalkRun(talk_id=2, pitch_ms=4 * MIN, qa_ms=3 * MIN)
    assert show.upcoming() == [1, 2, 3]
    assert show.next_talk() == 1
    assert show.previous_talk() is None
    assert show.remaining_at(T0) is None
    assert show.can_undo is False


def test_new_show_duplicate_talk_raises():
    with pytest.raises(ValueError):
        new_show([(1, MIN, MIN), (1, MIN, MIN)])


@pytest.mark.parametrize("duration", [0, -1, MAX_PHASE_MS + 1, True, 1.5, "60000", None])
def test_new_show_duration_out_of_range_raises(duration):
    with pytest.raises(ValueError):
        new_show([(1, duration, MIN)])


def test_new_show_duration_of_exactly_an_hour_is_accepted():
    show = new_show([(1, MAX_PHASE_MS, 1)])

    assert show.talks[1].pitch_ms == MAX_PHASE_MS
    assert show.talks[1].qa_ms == 1


# -- unknown commands and arguments -------------------------------------------


def test_apply_unknown_command_is_refused():
    assert_refused(make_show(), "explode", {}, T0, "unknown_command")


@pytest.mark.parametrize("args", [None, [], "talk_id=1", 3])
def test_apply_args_not_an_object_is_refused(args):
    assert_refused(make_show(), "start", args, T0, "bad_args")


# -- start ---------------------------------------------------------------------


def test_start_from_welcome_starts_the_first_talk_pitch():
    show = make_show()

    started = apply(show, "start", {}, now=T0)

    assert started.phase is Phase.PITCH
    assert started.current == 1
    assert started.running is True
    assert started.ends_at == T0 + 5 * MIN
    assert started.remaining_ms is None
    assert started.phase_ms == 5 * MIN
    assert started.version == 1
    assert started.talks[1].pitch_started_at == T0
    assert started.talks[1].status is TalkStatus.PLANNED
    assert started.remaining_at(T0 + 1_000) == 5 * MIN - 1_000
    assert started.upcoming() == [2, 3]
    assert started.can_undo is True
    assert show.phase is Phase.WELCOME  # the input is never modified


def test_start_from_ready_starts_the_talk_up_next():
    ready = run(make_show(), ("jump", {"talk_id": 2}, T0))

    started = apply(ready, "start", {}, now=T0 + 1_000)

    assert started.phase is Phase.PITCH
    assert started.current == 2
    assert started.ends_at == T0 + 1_000 + 4 * MIN
    assert started.phase_ms == 4 * MIN
    assert started.talks[2].pitch_started_at == T0 + 1_000
    assert started.upcoming() == [1, 3]


def test_start_from_welcome_skips_over_skipped_talks():
    show = run(make_show(), ("absent", {"talk_id": 1, "mode": "skip"}, T0))

    started = apply(show, "start", {}, now=T0 + 1_000)

    assert started.current == 2
    assert started.talks[1].status is TalkStatus.SKIPPED


def test_start_during_pitch_is_refused():
    assert_refused(pitching(), "start", {}, T0 + 1_000, "wrong_phase")


def test_start_during_networking_is_refused():
    show = run(make_show(), ("networking", {}, T0))

    assert_refused(show, "start", {}, T0 + 1_000, "wrong_phase")


def test_start_with_every_talk_skipped_is_refused():
    show = run(
        make_show(),
        ("absent", {"talk_id": 1, "mode": "skip"}, T0),
        ("absent", {"talk_id": 2, "mode": "skip"}, T0),
        ("absent", {"talk_id": 3, "mode": "skip"}, T0),
    )

    assert_refused(show, "start", {}, T0 + 1_000, "no_talk")


# -- pause / resume --------------------------------------------------------------


def test_pause_running_pitch_freezes_remaining():
    paused = apply(pitching(), "pause", {}, now=T0 + 100_000)

    assert paused.running is False
    assert paused.ends_at is None
    assert paused.remaining_ms == 200_000
    assert paused.phase_ms == 5 * MIN
    assert paused.version == 2
    assert paused.remaining_at(T0 + 100_000) == 200_000
    assert paused.remaining_at(T0 + 900_000) == 200_000


def test_pause_in_overtime_keeps_negative_remaining():
    paused = apply(pitching(), "pause", {}, now=T0 + 5 * MIN + 23_000)

    assert paused.remaining_ms == -23_000
    assert paused.remaining_at(T0 + 20 * MIN) == -23_000


def test_pause_when_already_paused_is_refused():
    paused = apply(pitching(), "pause", {}, now=T0 + 1_000)

    assert_refused(paused, "pause", {}, T0 + 2_000, "already_paused")


@pytest.mark.parametrize("setup", [[], [("next", {}, T0)], [("networking", {}, T0)]])
def test_pause_outside_a_timed_phase_is_refused(setup):
    show = run(make_show(), *setup)

    assert_refused(show, "pause", {}, T0 + 1_000, "wrong_phase")


def test_resume_sets_ends_at_from_the_frozen_remaining():
    paused = apply(pitching(), "pause", {}, now=T0 + 100_000)

    resumed = apply(paused, "resume", {}, now=T0 + 400_000)

    assert resumed.running is True
    assert resumed.remaining_ms is None
    assert resumed.ends_at == T0 + 600_000
    assert resumed.remaining_at(T0 + 400_000) == 200_000
    assert resumed.phase_ms == 5 * MIN
    assert resumed.version == 3


def test_resume_in_overtime_keeps_counting_up():
    paused = apply(pitching(), "pause", {}, now=T0 + 5 * MIN + 10_000)

    resumed = apply(paused, "resume", {}, now=T0 + 20 * MIN)

    assert resumed.ends_at == T0 + 20 * MIN - 10_000
    assert resumed.remaining_at(T0 + 20 * MIN + 5_000) == -15_000


def test_resume_when_running_is_refused():
    assert_refused(pitching(), "resume", {}, T0 + 1_000, "already_running")


def test_resume_in_ready_is_refused():
    show = run(make_show(), ("next", {}, T0))

    assert_refused(show, "resume", {}, T0 + 1_000, "wrong_phase")


def test_pause_and_resume_during_questions_conserve_remaining():
    show = in_questions()

    show = run(show, ("pause", {}, T0 + 6 * MIN), ("resume", {}, T0 + 30 * MIN))

    assert show.phase is Phase.QUESTIONS
    assert show.remaining_at(T0 + 30 * MIN) == 4 * MIN
    assert show.ends_at == T0 + 34 * MIN


# -- extend ----------------------------------------------------------------------


def test_extend_running_moves_ends_at_by_delta():
    extended = apply(pitching(), "extend", {"delta_ms": MIN}, now=T0 + 1_000)

    assert extended.ends_at == T0 + 6 * MIN
    assert extended.phase_ms == 6 * MIN
    assert extended.running is True
    assert extended.version == 2


def test_extend_paused_changes_remaining_by_delta():
    paused = apply(pitching(), "pause", {}, now=T0 + 100_000)

    shortened = apply(paused, "extend", {"delta_ms": -MIN}, now=T0 + 200_000)

    assert shortened.remaining_ms == 140_000
    assert shortened.ends_at is None
    assert shortened.phase_ms == 4 * MIN


def test_extend_by_the_maximum_is_accepted():
    extended = apply(pitching(), "extend", {"delta_ms": MAX_EXTEND_MS}, now=T0)

    assert extended.ends_at == T0 + 5 * MIN + MAX_EXTEND_MS
    assert extended.phase_ms == 5 * MIN + MAX_EXTEND_MS


def test_extend_down_to_a_zero_length_phase_is_accepted():
    extended = apply(pitching(), "extend", {"delta_ms": -5 * MIN}, now=T0 + MIN)

    assert extended.phase_ms == 0
    assert extended.ends_at == T0
    assert extended.remaining_at(T0 + MIN) == -MIN


def test_extend_below_zero_length_is_refused():
    show = apply(pitching(), "extend", {"delta_ms": -4 * MIN}, now=T0)

    assert_refused(show, "extend", {"delta_ms": -MIN - 1}, T0 + 1_000, "too_short")


def test_extend_beyond_an_hour_is_refused():
    show = apply(new_show([(7, MAX_PHASE_MS - MIN, MIN)]), "start", {}, now=T0)

    assert_refused(show, "extend", {"delta_ms": MIN + 1}, T0 + 1_000, "too_long")


def test_extend_to_exactly_an_hour_is_accepted():
    show = apply(new_show([(7, MAX_PHASE_MS - MIN, MIN)]), "start", {}, now=T0)

    extended = apply(show, "extend", {"delta_ms": MIN}, now=T0 + 1_000)

    assert extended.phase_ms == MAX_PHASE_MS


@pytest.mark.parametrize(
    "args",
    [{}, {"delta_ms": 0}, {"delta_ms": MAX_EXTEND_MS + 1}, {"delta_ms": -MAX_EXTEND_MS - 1},
     {"delta_ms": True}, {"delta_ms": 1.5}, {"delta_ms": "60000"}, {"delta_ms": None}],
)
def test_extend_bad_delta_is_refused(args):
    assert_refused(pitching(), "extend", args, T0 + 1_000, "bad_args")


def test_extend_in_ready_is_refused():
    show = run(make_show(), ("next", {}, T0))

    assert_refused(show, "extend", {"delta_ms": MIN}, T0 + 1_000, "wrong_phase")


# -- questions -------------------------------------------------------------------


def test_questions_from_pitch_starts_the_questions_countdown_now():
    show = apply(pitching(), "questions", {}, now=T0 + 250_000)

    assert show.phase is Phase.QUESTIONS
    assert show.running is True
    assert show.ends_at == T0 + 250_000 + 5 * MIN
    assert show.phase_ms == 5 * MIN
    assert show.remaining_ms is None
    assert show.talks[1].questions_started_at == T0 + 250_000
    assert show.talks[1].pitch_started_at == T0
    assert show.version == 2


def test_questions_from_paused_pitch_runs():
    paused = apply(pitching(), "pause", {}, now=T0 + MIN)

    show = apply(paused, "questions", {}, now=T0 + 2 * MIN)

    assert show.running is True
    assert show.remaining_ms is None
    assert show.ends_at == T0 + 7 * MIN


def test_questions_during_questions_is_refused():
    assert_refused(in_questions(), "questions", {}, T0 + 6 * MIN, "wrong_phase")


def test_questions_in_welcome_is_refused():
    assert_refused(make_show(), "questions", {}, T0, "wrong_phase")


# -- next ------------------------------------------------------------------------


def test_next_from_welcome_puts_the_first_talk_up():
    show = apply(make_show(), "next", {}, now=T0)

    assert show.phase is Phase.READY
    assert show.current == 1
    assert show.running is False
    assert show.ends_at is None
    assert show.remaining_ms == 5 * MIN
    assert show.phase_ms == 5 * MIN
    assert show.remaining_at(T0) is None
    assert show.talks[1].pitch_started_at is None
    assert show.upcoming() == [2, 3]


def test_next_from_questions_closes_the_talk_and_readies_the_following():
    show = apply(in_questions(), "next", {}, now=T0 + 10 * MIN + 5_000)

    assert show.phase is Phase.READY
    assert show.current == 2
    assert show.remaining_ms == 4 * MIN
    assert show.phase_ms == 4 * MIN
    assert show.talks[1].status is TalkStatus.DONE
    assert show.talks[1].ended_at == T0 + 10 * MIN + 5_000
    assert show.upcoming() == [3]
    assert show.previous_talk() == 1


def test_next_from_pitch_closes_the_talk():
    show = apply(pitching(), "next", {}, now=T0 + 2 * MIN)

    assert show.talks[1].status is TalkStatus.DONE
    assert show.talks[1].ended_at == T0 + 2 * MIN
    assert show.current == 2


def test_next_from_ready_leaves_the_unplayed_talk_upcoming():
    ready = apply(make_show(), "next", {}, now=T0)

    show = apply(ready, "next", {}, now=T0 + 1_000)

    assert show.current == 2
    assert show.talks[1].status is TalkStatus.PLANNED
    assert show.talks[1].ended_at is None
    assert show.upcoming() == [1, 3]


def test_next_after_the_last_talk_goes_to_networking():
    show = run(make_show(), ("jump", {"talk_id": 3}, T0), ("start", {}, T0),
               ("absent", {"talk_id": 1, "mode": "skip"}, T0), ("absent", {"talk_id": 2, "mode": "skip"}, T0))

    show = apply(show, "next", {}, now=T0 + 8 * MIN)

    assert show.phase is Phase.NETWORKING
    assert show.current is None
    assert show.running is False
    assert show.ends_at is None
    assert show.remaining_ms is None
    assert show.phase_ms == 0
    assert statuses(show) == {1: TalkStatus.SKIPPED, 2: TalkStatus.SKIPPED, 3: TalkStatus.DONE}
    assert show.remaining_at(T0 + 9 * MIN) is None


def test_next_from_welcome_with_every_talk_skipped_is_refused():
    show = run(make_show(), *[("absent", {"talk_id": t, "mode": "skip"}, T0) for t in (1, 2, 3)])

    assert_refused(show, "next", {}, T0 + 1_000, "no_talk")


def test_next_during_networking_is_refused():
    show = run(make_show(), ("networking", {}, T0))

    assert_refused(show, "next", {}, T0 + 1_000, "wrong_phase")


# -- previous --------------------------------------------------------------------


def test_previous_from_ready_reopens_the_last_finished_talk():
    show = apply(in_questions(), "next", {}, now=T0 + 10 * MIN)

    back = apply(show, "previous", {}, now=T0 + 11 * MIN)

    assert back.phase is Phase.READY
    assert back.current == 1
    assert back.remaining_ms == 5 * MIN
    assert back.talks[1].status is TalkStatus.PLANNED
    assert back.talks[1].ended_at is None
    assert back.talks[1].pitch_started_at == T0
    assert back.talks[2].status is TalkStatus.PLANNED
    assert back.upcoming() == [2, 3]
    assert back.previous_talk() is None


def test_previous_from_pitch_returns_the_left_talk_to_unplayed():
    show = run(in_questions(), ("next", {}, T0 + 10 * MIN), ("start", {}, T0 + 11 * MIN))

    back = apply(show, "previous", {}, now=T0 + 12 * MIN)

    assert back.current == 1
    assert back.talks[2] == TalkRun(talk_id=2, pitch_ms=4 * MIN, qa_ms=3 * MIN)
    assert back.upcoming() == [2, 3]


def test_previous_picks_the_talk_that_finished_last_not_the_running_order():
    show = run(
        make_show(),
        ("start", {}, T0),
        ("jump", {"talk_id": 3}, T0 + 5 * MIN),  # talk 1 done at +5 min
        ("start", {}, T0 + 6 * MIN),
        ("next", {}, T0 + 12 * MIN),  # talk 3 done at +12 min, talk 2 up
    )

    back = apply(show, "previous", {}, now=T0 + 13 * MIN)

    assert back.current == 3
    assert back.talks[1].status is TalkStatus.DONE
    assert back.upcoming() == [2]


def test_previous_from_networking_reopens_the_last_talk():
    show = run(in_questions(), ("networking", {}, T0 + 10 * MIN))

    back = apply(show, "previous", {}, now=T0 + 11 * MIN)

    assert back.phase is Phase.READY
    assert back.current == 1
    assert back.upcoming() == [2, 3]


def test_previous_with_nothing_finished_is_refused():
    show = run(make_show(), ("next", {}, T0))

    assert_refused(show, "previous", {}, T0 + 1_000, "no_previous")


def test_previous_in_welcome_is_refused():
    assert_refused(make_show(), "previous", {}, T0, "wrong_phase")


# -- jump ------------------------------------------------------------------------


def test_jump_from_pitch_closes_the_talk_and_readies_the_target():
    show = apply(pitching(), "jump", {"talk_id": 3}, now=T0 + 2 * MIN)

    assert show.phase is Phase.READY
    assert show.current == 3
    assert show.remaining_ms == 6 * MIN
    assert show.talks[1].status is TalkStatus.DONE
    assert show.talks[1].ended_at == T0 + 2 * MIN
    assert show.upcoming() == [2]


def test_jump_from_ready_keeps_the_passed_over_talk_upcoming():
    ready = apply(make_show(), "next", {}, now=T0)

    show = apply(ready, "jump", {"talk_id": 3}, now=T0 + 1_000)

    assert show.current == 3
    assert show.talks[1].status is TalkStatus.PLANNED
    assert show.upcoming() == [1, 2]


def test_jump_to_a_skipped_talk_plans_it_again():
    show = run(make_show(), ("absent", {"talk_id": 2, "mode": "skip"}, T0))

    show = apply(show, "jump", {"talk_id": 2}, now=T0 + 1_000)

    assert show.current == 2
    assert show.talks[2].status is TalkStatus.PLANNED
    assert show.upcoming() == [1, 3]


def test_jump_from_networking_readies_the_target():
    show = run(in_questions(), ("networking", {}, T0 + 10 * MIN))

    show = apply(show, "jump", {"talk_id": 2}, now=T0 + 11 * MIN)

    assert show.phase is Phase.READY
    assert show.current == 2
    assert show.talks[1].status is TalkStatus.DONE


def test_jump_to_the_current_talk_is_refused():
    assert_refused(pitching(), "jump", {"talk_id": 1}, T0 + 1_000, "already_current")


def test_jump_to_an_unknown_talk_is_refused():
    assert_refused(pitching(), "jump", {"talk_id": 99}, T0 + 1_000, "unknown_talk")


@pytest.mark.parametrize("args", [{}, {"talk_id": "2"}, {"talk_id": True}, {"talk_id": 2.0}, {"talk_id": None}])
def test_jump_bad_talk_id_is_refused(args):
    assert_refused(pitching(), "jump", args, T0 + 1_000, "bad_args")


def test_jump_after_the_end_is_refused():
    show = run(make_show(), ("networking", {}, T0), ("end", {}, T0))

    assert_refused(show, "jump", {"talk_id": 2}, T0 + 1_000, "wrong_phase")


# -- reorder ---------------------------------------------------------------------


def test_reorder_in_welcome_sets_the_running_order():
    show = apply(make_show(), "reorder", {"order": [3, 1, 2]}, now=T0)

    assert show.order == (3, 1, 2)
    assert show.upcoming() == [3, 1, 2]
    assert show.version == 1


def test_reorder_during_a_pitch_moves_only_upcoming_talks():
    show = apply(pitching(), "reorder", {"order": [3, 2]}, now=T0 + 1_000)

    assert show.order == (1, 3, 2)
    assert show.current == 1
    assert show.upcoming() == [3, 2]


def test_reorder_keeps_finished_talks_in_place():
    show = run(new_show([(t, MIN, MIN) for t in (1, 2, 3, 4)]), ("start", {}, T0), ("next", {}, T0 + MIN))

    show = apply(show, "reorder", {"order": [4, 3]}, now=T0 + 2 * MIN)

    assert show.order == (1, 2, 4, 3)
    assert show.current == 2


@pytest.mark.parametrize("order", [[3], [2, 3, 3], [1, 2, 3], [2, 99], []])
def test_reorder_not_listing_each_upcoming_talk_once_is_refused(order):
    assert_refused(pitching(), "reorder", {"order": order}, T0 + 1_000, "bad_order")


@pytest.mark.parametrize("args", [{}, {"order": "3,2"}, {"order": (3, 2)}, {"order": [3, "2"]}, {"order": [True, 3]}])
def test_reorder_bad_args_is_refused(args):
    assert_refused(pitching(), "reorder", args, T0 + 1_000, "bad_args")


# -- absent (end / skip) -----------------------------------------------------------


def test_absent_end_moves_an_upcoming_talk_to_the_end():
    show = apply(make_show(), "absent", {"talk_id": 1, "mode": "end"}, now=T0)

    assert show.order == (2, 3, 1)
    assert show.talks[1].status is TalkStatus.PLANNED
    assert show.upcoming() == [2, 3, 1]
    assert show.phase is Phase.WELCOME


def test_absent_skip_marks_the_talk_skipped_at_the_end():
    show = apply(pitching(), "absent", {"talk_id": 2, "mode": "skip"}, now=T0 + 1_000)

    assert show.order == (1, 3, 2)
    assert show.talks[2].status is TalkStatus.SKIPPED
    assert show.upcoming() == [3]
    assert show.current == 1
    assert show.phase is Phase.PITCH
    assert show.ends_at == T0 + 5 * MIN


def test_absent_skip_of_the_talk_up_next_readies_the_following_one():
    ready = apply(make_show(), "next", {}, now=T0)

    show = apply(ready, "absent", {"talk_id": 1, "mode": "skip"}, now=T0 + 1_000)

    assert show.phase is Phase.READY
    assert show.current == 2
    assert show.remaining_ms == 4 * MIN
    assert show.order == (2, 3, 1)
    assert show.talks[1].status is TalkStatus.SKIPPED
    assert show.upcoming() == [3]


def test_absent_end_of_the_talk_up_next_readies_the_following_one():
    ready = apply(make_show(), "next", {}, now=T0)

    show = apply(ready, "absent", {"talk_id": 1, "mode": "end"}, now=T0 + 1_000)

    assert show.current == 2
    assert show.order == (2, 3, 1)
    assert show.upcoming() == [3, 1]


def test_absent_end_of_the_last_talk_up_next_keeps_it_up():
    show = run(new_show([(1, MIN, MIN), (2, 2 * MIN, MIN)]), ("start", {}, T0), ("next", {}, T0 + MIN))

    show = apply(show, "absent", {"talk_id": 2, "mode": "end"}, now=T0 + 2 * MIN)

    assert show.phase is Phase.READY
    assert show.current == 2
    assert show.remaining_ms == 2 * MIN


def test_absent_skip_of_the_last_talk_up_next_goes_to_networking():
    show = run(new_show([(1, MIN, MIN), (2, 2 * MIN, MIN)]), ("start", {}, T0), ("next", {}, T0 + MIN))

    show = apply(show, "absent", {"talk_id": 2, "mode": "skip"}, now=T0 + 2 * MIN)

    assert show.phase is Phase.NETWORKING
    assert show.current is None
    assert statuses(show) == {1: TalkStatus.DONE, 2: TalkStatus.SKIPPED}


def test_absent_of_the_talk_on_stage_is_refused():
    assert_refused(pitching(), "absent", {"talk_id": 1, "mode": "skip"}, T0 + 1_000, "on_stage")
    assert_refused(in_questions(), "absent", {"talk_id": 1, "mode": "end"}, T0 + 6 * MIN, "on_stage")


def test_absent_of_a_finished_talk_is_refused():
    show = apply(in_questions(), "next", {}, now=T0 + 10 * MIN)

    assert_refused(show, "absent", {"talk_id": 1, "mode": "end"}, T0 + 11 * MIN, "not_planned")


def test_absent_of_a_skipped_talk_is_refused():
    show = apply(make_show(), "absent", {"talk_id": 3, "mode": "skip"}, now=T0)

    assert_refused(show, "absent", {"talk_id": 3, "mode": "skip"}, T0 + 1_000, "not_planned")


@pytest.mark.parametrize("mode", [None, "later", "SKIP", 1])
def test_absent_bad_mode_is_refused(mode):
    assert_refused(make_show(), "absent", {"talk_id": 2, "mode": mode}, T0, "bad_args")


def test_absent_unknown_talk_is_refused():
    assert_refused(make_show(), "absent", {"talk_id": 42, "mode": "skip"}, T0, "unknown_talk")


# -- networking / end --------------------------------------------------------------


def test_networking_from_questions_closes_the_talk():
    show = apply(in_questions(), "networking", {}, now=T0 + 9 * MIN)

    assert show.phase is Phase.NETWORKING
    assert show.current is None
    assert show.running is False
    assert show.ends_at is None
    assert show.remaining_ms is None
    assert show.phase_ms == 0
    assert show.talks[1].status is TalkStatus.DONE
    assert show.talks[1].ended_at == T0 + 9 * MIN
    assert show.upcoming() == [2, 3]


def test_networking_from_ready_keeps_the_unplayed_talk_upcoming():
    ready = apply(make_show(), "next", {}, now=T0)

    show = apply(ready, "networking", {}, now=T0 + 1_000)

    assert show.phase is Phase.NETWORKING
    assert show.talks[1].status is TalkStatus.PLANNED
    assert show.upcoming() == [1, 2, 3]


def test_networking_twice_is_refused():
    show = apply(make_show(), "networking", {}, now=T0)

    assert_refused(show, "networking", {}, T0 + 1_000, "wrong_phase")


def test_end_from_networking_ends_the_show():
    show = run(make_show(), ("networking", {}, T0))

    ended = apply(show, "end", {}, now=T0 + 1_000)

    assert ended.phase is Phase.ENDED
    assert ended.current is None
    assert ended.version == 2


@pytest.mark.parametrize("setup", [[], [("start", {}, T0)], [("networking", {}, T0), ("end", {}, T0)]])
def test_end_outside_networking_is_refused(setup):
    show = run(make_show(), *setup)

    assert_refused(show, "end", {}, T0 + 1_000, "wrong_phase")


# -- projector mode, auto questions, stage messages ----------------------------------


def test_set_mode_changes_the_projector_mode():
    show = apply(make_show(), "set_mode", {"mode": "agenda"}, now=T0)

    assert show.projector_mode is ProjectorMode.AGENDA
    assert show.version == 1
    assert show.phase is Phase.WELCOME


def test_set_mode_to_the_same_mode_is_refused():
    assert_refused(make_show(), "set_mode", {"mode": "auto"}, T0, "no_change")


@pytest.mark.parametrize("args", [{}, {"mode": "disco"}, {"mode": None}, {"mode": 1}])
def test_set_mode_bad_mode_is_refused(args):
    assert_refused(make_show(), "set_mode", args, T0, "bad_args")


def test_set_auto_questions_turns_it_on_and_off():
    on = apply(make_show(), "set_auto_questions", {"enabled": True}, now=T0)
    off = apply(on, "set_auto_questions", {"enabled": False}, now=T0 + 1)

    assert on.auto_questions is True
    assert on.version == 1
    assert off.auto_questions is False
    assert off.version == 2


@pytest.mark.parametrize("args", [{}, {"enabled": 1}, {"enabled": "yes"}, {"enabled": None}])
def test_set_auto_questions_bad_value_is_refused(args):
    assert_refused(make_show(), "set_auto_questions", args, T0, "bad_args")


def test_message_shows_text_with_whitespace_collapsed():
    show = apply(pitching(), "message", {"text": "  Plus que\n 1\tmin  "}, now=T0 + 1_000)

    assert show.stage_message == "Plus que 1 min"
    assert show.stage_message_id == 1
    assert show.version == 2


@pytest.mark.parametrize("sent, shown", [
    ("Conclu\u202eez", "Concluez"),  # a right-to-left override would reverse what the speaker reads
    ("\u2066Micro\u2069 \u200fcoupé", "Micro coupé"),  # isolates and direction marks
    ("Fix" + "\u0301" * 40 + " !", "Fix\u0301\u0301 !"),  # a combining flood drawing over the next lines
    ("Cafe\u0301", "Café"),  # NFC, as the audience's questions
])
def test_message_is_cleaned_as_the_audiences_text(sent, shown):
    show = apply(pitching(), "message", {"text": sent}, now=T0 + 1_000)

    assert show.stage_message == shown == clean_text(sent, field="text", max_chars=MAX_MESSAGE_CHARS)


def test_message_twice_gives_each_a_new_id():
    show = run(make_show(), ("message", {"text": "Micro"}, T0), ("message", {"text": "Micro"}, T0 + 1))

    assert show.stage_message == "Micro"
    assert show.stage_message_id == 2


def test_message_of_the_maximum_length_is_accepted():
    show = apply(make_show(), "message", {"text": "x" * MAX_MESSAGE_CHARS}, now=T0)

    assert show.stage_message == "x" * MAX_MESSAGE_CHARS


def test_message_too_long_is_refused():
    assert_refused(make_show(), "message", {"text": "x" * (MAX_MESSAGE_CHARS + 1)}, T0, "too_long")


@pytest.mark.parametrize("args", [{}, {"text": ""}, {"text": " \n\t"}, {"text": None}, {"text": 5}])
def test_message_empty_or_not_text_is_refused(args):
    assert_refused(make_show(), "message", args, T0, "bad_args")


def test_dismiss_message_clears_the_message_and_keeps_its_id():
    show = apply(make_show(), "message", {"text": "Micro"}, now=T0)

    dismissed = apply(show, "dismiss_message", {}, now=T0 + 1_000)

    assert dismissed.stage_message is None
    assert dismissed.stage_message_id == 1
    assert dismissed.version == 2


def test_dismiss_message_without_a_message_is_refused():
    assert_refused(make_show(), "dismiss_message", {}, T0, "no_message")


# -- spotlighted question ------------------------------------------------------------


def test_spotlight_shows_a_question_and_is_not_undoable():
    show = apply(pitching(), "spotlight", {"question_id": 7}, now=T0 + 1_000)

    assert show.spotlight == 7
    assert show.version == 2
    assert len(show.undo_stack) == 1  # only "start": undo never takes a question down by surprise


def test_spotlight_of_the_question_already_shown_is_refused():
    show = apply(pitching(), "spotlight", {"question_id": 7}, now=T0 + 1_000)

    assert_refused(show, "spotlight", {"question_id": 7}, T0 + 2_000, "no_change")


@pytest.mark.parametrize("args", [{}, {"question_id": 0}, {"question_id": -3}, {"question_id": "7"},
                                  {"question_id": True}, {"question_id": 7.0}])
def test_spotlight_bad_question_id_is_refused(args):
    assert_refused(pitching(), "spotlight", args, T0 + 1_000, "bad_args")


def test_clear_spotlight_takes_the_question_down():
    show = apply(pitching(), "spotlight", {"question_id": 7}, now=T0 + 1_000)

    cleared = apply(show, "clear_spotlight", {}, now=T0 + 2_000)

    assert cleared.spotlight is None
    assert cleared.version == 3


def test_clear_spotlight_with_nothing_shown_is_refused():
    assert_refused(pitching(), "clear_spotlight", {}, T0 + 1_000, "no_spotlight")


@pytest.mark.parametrize("name, args", [("next", {}), ("jump", {"talk_id": 3}), ("networking", {})])
def test_spotlight_leaves_with_its_talk(name, args):
    show = apply(pitching(), "spotlight", {"question_id": 7}, now=T0 + 1_000)

    moved = apply(show, name, args, now=T0 + 2_000)

    assert moved.spotlight is None


def test_spotlight_set_before_the_first_talk_leaves_when_it_starts():
    show = apply(make_show(), "spotlight", {"question_id": 7}, now=T0)

    started = apply(show, "start", {}, now=T0 + 1_000)

    assert started.spotlight is None


def test_spotlight_set_while_a_talk_is_up_next_stays_when_it_starts():
    show = run(pitching(), ("next", {}, T0 + 1_000), ("spotlight", {"question_id": 7}, T0 + 2_000))

    started = apply(show, "start", {}, now=T0 + 3_000)

    assert started.current == 2 and started.spotlight == 7


def test_spotlight_stays_through_pause_questions_and_extend():
    show = run(pitching(), ("spotlight", {"question_id": 7}, T0 + 1_000), ("pause", {}, T0 + 2_000),
               ("resume", {}, T0 + 3_000), ("extend", {"delta_ms": MIN}, T0 + 4_000),
               ("questions", {}, T0 + 5_000))

    assert show.spotlight == 7


def test_undo_keeps_the_spotlight_while_the_same_talk_is_on_stage():
    show = run(pitching(), ("pause", {}, T0 + 1_000), ("spotlight", {"question_id": 7}, T0 + 2_000))

    undone = apply(show, "undo", {}, now=T0 + 3_000)

    assert undone.running is True
    assert undone.spotlight == 7


def test_undo_back_to_another_talk_takes_the_spotlight_down():
    show = run(pitching(), ("next", {}, T0 + 1_000), ("start", {}, T0 + 2_000),
               ("spotlight", {"question_id": 9}, T0 + 3_000))

    undone = run(show, ("undo", {}, T0 + 4_000), ("undo", {}, T0 + 5_000))

    assert undone.current == 1
    assert undone.spotlight is None


def test_from_dict_of_a_state_stored_before_spotlights_existed():
    data = to_dict(pitching())
    del data["spotlight"]

    assert from_dict(data).spotlight is None


# -- undo ------------------------------------------------------------------------


def test_undo_with_nothing_done_is_refused():
    assert_refused(make_show(), "undo", {}, T0, "nothing_to_undo")


def test_undo_start_returns_to_welcome_with_a_new_version():
    show = pitching()

    undone = apply(show, "undo", {}, now=T0 + 1_000)

    assert undone.phase is Phase.WELCOME
    assert undone.current is None
    assert undone.running is False
    assert undone.ends_at is None
    assert undone.talks[1].pitch_started_at is None
    assert undone.version == 2
    assert undone.undo_stack == ()


def test_undo_steps_back_one_command_at_a_time():
    show = run(pitching(), ("pause", {}, T0 + MIN), ("extend", {"delta_ms": MIN}, T0 + 2 * MIN))

    once = apply(show, "undo", {}, now=T0 + 3 * MIN)
    twice = apply(once, "undo", {}, now=T0 + 4 * MIN)

    assert once.running is False
    assert once.remaining_ms == 4 * MIN
    assert once.phase_ms == 5 * MIN
    assert once.version == 4
    assert twice.running is True
    assert twice.ends_at == T0 + 5 * MIN
    assert twice.remaining_ms is None
    assert twice.version == 5


def test_undo_is_not_itself_undoable():
    show = run(pitching(), ("undo", {}, T0 + 1_000))

    assert_refused(show, "undo", {}, T0 + 2_000, "nothing_to_undo")


def test_undo_restores_talk_statuses_and_order():
    show = run(make_show(), ("next", {}, T0))
    before = show
    show = apply(show, "absent", {"talk_id": 1, "mode": "skip"}, now=T0 + 1_000)

    undone = apply(show, "undo", {}, now=T0 + 2_000)

    assert undone.order == (1, 2, 3)
    assert undone.current == 1
    assert undone.talks == before.talks
    assert undone.phase is Phase.READY


def test_undo_keeps_settings_and_stage_message():
    show = run(
        make_show(),
        ("start", {}, T0),
        ("set_mode", {"mode": "blackout"}, T0 + 1),
        ("set_auto_questions", {"enabled": True}, T0 + 2),
        ("message", {"text": "Une minute"}, T0 + 3),
    )

    undone = apply(show, "undo", {}, now=T0 + 4)

    assert undone.phase is Phase.WELCOME
    assert undone.projector_mode is ProjectorMode.BLACKOUT
    assert undone.auto_questions is True
    assert undone.stage_message == "Une minute"
    assert undone.stage_message_id == 1
    assert undone.version == 5


def test_undo_settings_commands_are_not_on_the_undo_stack():
    show = run(make_show(), ("set_mode", {"mode": "agenda"}, T0), ("message", {"text": "hi"}, T0),
               ("dismiss_message", {}, T0), ("set_auto_questions", {"enabled": True}, T0))

    assert show.undo_stack == ()
    assert_refused(show, "undo", {}, T0 + 1, "nothing_to_undo")


def test_undo_stack_keeps_the_last_max_undo_commands():
    show = pitching()  # one undoable command
    for i in range(MAX_UNDO):
        show = apply(show, "extend", {"delta_ms": 1_000}, now=T0 + i)
    assert len(show.undo_stack) == MAX_UNDO

    for i in range(MAX_UNDO):
        show = apply(show, "undo", {}, now=T0 + 100 + i)

    assert show.phase is Phase.PITCH  # the start itself fell off the stack
    assert show.phase_ms == 5 * MIN
    assert show.ends_at == T0 + 5 * MIN
    assert_refused(show, "undo", {}, T0 + 200, "nothing_to_undo")


def test_undo_stack_entries_carry_no_stack_of_their_own():
    show = run(pitching(), ("pause", {}, T0 + 1), ("resume", {}, T0 + 2))

    assert [s.version for s in show.undo_stack] == [2, 1, 0]
    assert all(s.undo_stack == () for s in show.undo_stack)


# -- settle and automatic questions ----------------------------------------------------


def test_settle_before_the_pitch_ends_returns_the_same_show():
    show = pitching(auto_questions=True)

    assert settle(show, T0 + 5 * MIN - 1) is show


def test_settle_at_the_pitch_end_switches_to_questions():
    show = pitching(auto_questions=True)

    settled = settle(show, T0 + 5 * MIN)

    assert settled.phase is Phase.QUESTIONS
    assert settled.running is True
    assert settled.ends_at == T0 + 10 * MIN
    assert settled.phase_ms == 5 * MIN
    assert settled.talks[1].questions_started_at == T0 + 5 * MIN
    assert settled.version == 2
    assert settled.undo_stack == show.undo_stack


@pytest.mark.parametrize("late_ms", [1, 90_000, 5 * MIN, 3 * 60 * MIN])
def test_settle_late_switches_at_the_pitch_own_end(late_ms):
    show = pitching(auto_questions=True)
    on_time = settle(show, T0 + 5 * MIN)

    settled = settle(show, T0 + 5 * MIN + late_ms)

    assert settled == on_time
    assert settled.ends_at == T0 + 10 * MIN
    assert settled.talks[1].questions_started_at == T0 + 5 * MIN


def test_settle_after_an_extension_switches_at_the_extended_end():
    show = apply(pitching(auto_questions=True), "extend", {"delta_ms": MIN}, now=T0 + MIN)

    settled = settle(show, T0 + 8 * MIN)

    assert settled.talks[1].questions_started_at == T0 + 6 * MIN
    assert settled.ends_at == T0 + 11 * MIN


def test_settle_after_a_pause_switches_at_the_resumed_end():
    show = run(pitching(auto_questions=True), ("pause", {}, T0 + MIN), ("resume", {}, T0 + 3 * MIN))

    settled = settle(show, T0 + 7 * MIN)

    assert settled.talks[1].questions_started_at == T0 + 7 * MIN
    assert settled.ends_at == T0 + 12 * MIN


def test_settle_is_idempotent():
    settled = settle(pitching(auto_questions=True), T0 + 6 * MIN)

    assert settle(settled, T0 + 7 * MIN) is settled


def test_settle_without_auto_questions_lets_the_pitch_run_over():
    show = pitching()

    settled = settle(show, T0 + 7 * MIN)

    assert settled is show
    assert settled.remaining_at(T0 + 7 * MIN) == -2 * MIN


def test_settle_paused_pitch_does_not_switch():
    show = apply(pitching(auto_questions=True), "pause", {}, now=T0 + MIN)

    assert settle(show, T0 + 60 * MIN) is show


def test_apply_settles_before_the_command():
    show = pitching(auto_questions=True)

    paused = apply(show, "pause", {}, now=T0 + 7 * MIN)

    assert paused.phase is Phase.QUESTIONS
    assert paused.remaining_ms == 3 * MIN
    assert paused.talks[1].questions_started_at == T0 + 5 * MIN
    assert paused.version == 3  # start, automatic switch, pause


def test_apply_undo_after_an_automatic_switch_undoes_the_last_command():
    show = run(pitching(auto_questions=True), ("extend", {"delta_ms": MIN}, T0 + MIN))

    undone = apply(show, "undo", {}, now=T0 + 8 * MIN)

    assert undone.phase is Phase.PITCH
    assert undone.ends_at == T0 + 5 * MIN
    assert undone.phase_ms == 5 * MIN
    assert undone.version == 4  # start, extend, automatic switch, undo


def test_next_due_is_the_pitch_end_with_auto_questions():
    assert next_due(pitching(auto_questions=True)) == T0 + 5 * MIN


@pytest.mark.parametrize(
    "show",
    [
        make_show(auto_questions=True),
        pitching(),
        apply(pitching(auto_questions=True), "pause", {}, now=T0 + MIN),
        settle(pitching(auto_questions=True), T0 + 5 * MIN),
    ],
    ids=["welcome", "auto_off", "paused", "questions"],
)
def test_next_due_without_a_pending_switch_is_none(show):
    assert next_due(show) is None


# -- serialisation -----------------------------------------------------------------


def test_to_dict_of_a_new_show_is_plain_data():
    show = new_show([(4, MIN, 2 * MIN)])

    assert to_dict(show) == {
        "version": 0, "phase": "welcome", "current": None, "running": False, "ends_at": None,
        "remaining_ms": None, "phase_ms": 0, "auto_questions": False, "projector_mode": "auto",
        "stage_message": None, "stage_message_id": 0, "spotlight": None, "slide": 0, "qr_fullscreen": False,
        "order": [4],
        "talks": [{"talk_id": 4, "pitch_ms": MIN, "qa_ms": 2 * MIN, "status": "planned",
                   "pitch_started_at": None, "questions_started_at": None, "ended_at": None, "slides": 0,
                   "kind": "talk"}],
        "undo_stack": [],
    }


def test_from_dict_round_trips_through_json():
    show = run(
        make_show(auto_questions=True),
        ("reorder", {"order": [2, 1, 3]}, T0),
        ("start", {}, T0 + 1),
        ("questions", {}, T0 + 4 * MIN),
        ("next", {}, T0 + 7 * MIN),
        ("absent", {"talk_id": 1, "mode": "skip"}, T0 + 8 * MIN),
        ("start", {}, T0 + 9 * MIN),
        ("pause", {}, T0 + 10 * MIN),
        ("set_mode", {"mode": "agenda"}, T0 + 11 * MIN),
        ("message", {"text": "Encore 1 min"}, T0 + 11 * MIN),
    )

    restored = from_dict(json.loads(json.dumps(to_dict(show))))

    assert restored == show
    assert restored.undo_stack == show.undo_stack
    assert len(restored.undo_stack) == 7
    assert restored.talks[1].status is TalkStatus.SKIPPED
    assert restored.phase is Phase.PITCH
    assert restored.projector_mode is ProjectorMode.AGENDA
    assert to_dict(restored) == to_dict(show)


def test_from_dict_round_trip_keeps_a_running_countdown():
    show = pitching(auto_questions=True)

    restored = from_dict(json.loads(json.dumps(to_dict(show))))

    assert restored.remaining_at(T0 + MIN) == 4 * MIN
    assert settle(restored, T0 + 9 * MIN) == settle(show, T0 + 9 * MIN)


def test_to_dict_without_undo_drops_the_stack():
    show = pitching()

    data = to_dict(show, with_undo=False)
    restored = from_dict(json.loads(json.dumps(data)))

    assert "undo_stack" not in data
    assert restored.undo_stack == ()
    assert restored == Show(**{**show.__dict__, "undo_stack": ()})


# -- retime ------------------------------------------------------------------------


def test_retime_changes_planned_talks_only():
    show = run(make_show(), ("start", {}, T0))

    retimed = retime(show, {1: (MIN, MIN), 2: (2 * MIN, 2 * MIN)})

    assert retimed.talks[1].pitch_ms == 5 * MIN  # on stage: unchanged
    assert retimed.talks[2].pitch_ms == 2 * MIN
    assert retimed.talks[2].qa_ms == 2 * MIN
    assert retimed.ends_at == T0 + 5 * MIN
    assert retimed.version == 2


def test_retime_of_the_talk_up_next_updates_its_countdown():
    show = run(make_show(), ("next", {}, T0))

    retimed = retime(show, {1: (3 * MIN, MIN)})

    assert retimed.remaining_ms == 3 * MIN
    assert retimed.phase_ms == 3 * MIN


def test_retime_without_change_returns_the_same_show():
    show = make_show()

    assert retime(show, {1: (5 * MIN, 5 * MIN)}) is show


def test_retime_bad_duration_raises():
    with pytest.raises(ValueError):
        retime(make_show(), {1: (0, MIN)})
    with pytest.raises(ValueError):
        retime(make_show(), {9: (MIN, MIN)})


# -- what the screens are sent -----------------------------------------------


def test_timeline_outside_a_timed_phase_is_empty():
    assert timeline(make_show()) == []
    assert timeline(run(make_show(), ("next", {}, T0))) == []


def test_timeline_with_the_automatic_switch_has_the_questions_from_the_pitch_end():
    show = pitching(auto_questions=True)

    assert timeline(show) == [
        {"phase": "pitch", "starts_at": None, "ends_at": T0 + 5 * MIN, "remaining_ms": None, "phase_ms": 5 * MIN},
        {"phase": "questions", "starts_at": T0 + 5 * MIN, "ends_at": T0 + 10 * MIN, "remaining_ms": None,
         "phase_ms": 5 * MIN},
    ]


def test_timeline_paused_has_only_the_time_left():
    show = run(pitching(auto_questions=True), ("pause", {}, T0 + MIN))

    assert timeline(show) == [
        {"phase": "pitch", "starts_at": None, "ends_at": None, "remaining_ms": 4 * MIN, "phase_ms": 5 * MIN}]


@pytest.mark.parametrize(("remaining", "running", "stage"), [
    (None, True, "none"), (10_000, False, "paused"), (60_001, True, "normal"), (60_000, True, "minute"),
    (30_001, True, "minute"), (30_000, True, "30s"), (1, True, "30s"), (0, True, "over"), (-5_000, True, "over"),
])
def test_wrap_stage_by_time_left(remaining, running, stage):
    assert wrap_stage(remaining, running=running) == stage


def test_main_action_follows_the_phase():
    assert main_action(make_show()) == ("start", "start")
    assert main_action(run(make_show(), ("next", {}, T0))) == ("start", "start")
    assert main_action(pitching()) == ("pause", "pause")
    assert main_action(run(in_questions(), ("pause", {}, T0 + 6 * MIN))) == ("resume", "resume")
    assert main_action(run(make_show(), ("networking", {}, T0))) == (None, "start")


def test_followed_talk_is_on_stage_else_next_else_first():
    assert followed_talk(make_show()) == 1
    assert followed_talk(run(make_show(), ("absent", {"talk_id": 1, "mode": "end"}, T0))) == 2
    assert followed_talk(run(pitching(), ("jump", {"talk_id": 3}, T0 + MIN))) == 3
    every_talk_done = run(pitching(), ("next", {}, T0 + MIN), ("start", {}, T0 + 2 * MIN), ("next", {}, T0 + 3 * MIN),
                          ("start", {}, T0 + 4 * MIN), ("next", {}, T0 + 5 * MIN))
    assert every_talk_done.phase is Phase.NETWORKING
    assert followed_talk(every_talk_done) == 1


# -- a stage message ends with its talk ----------------------------------------------


@pytest.mark.parametrize("leave", [("next", {}), ("networking", {}), ("jump", {"talk_id": 3})])
def test_message_clears_when_the_show_leaves_its_talk(leave):
    show = apply(pitching(), "message", {"text": "Concluez"}, now=T0 + 1_000)

    moved = apply(show, leave[0], leave[1], now=T0 + 2_000)

    assert moved.stage_message is None
    assert moved.stage_message_id == 1


def test_message_clears_at_the_end_of_the_evening():
    show = run(make_show(), ("networking", {}, T0), ("message", {"text": "Micro"}, T0 + 1))

    ended = apply(show, "end", {}, now=T0 + 2)

    assert ended.stage_message is None


def test_message_sent_before_the_first_talk_clears_when_it_starts():
    show = apply(make_show(), "message", {"text": "Micro"}, now=T0)

    assert apply(show, "start", {}, now=T0 + 1).stage_message is None


def test_message_stays_while_its_talk_goes_on():
    show = run(pitching(), ("message", {"text": "Concluez"}, T0 + 1_000), ("pause", {}, T0 + 2_000),
               ("resume", {}, T0 + 3_000), ("extend", {"delta_ms": 30_000}, T0 + 4_000),
               ("questions", {}, T0 + 5_000))

    assert show.stage_message == "Concluez"


# -- what the console may do now -----------------------------------------------------


def test_allowed_commands_during_a_running_pitch():
    assert allowed_commands(pitching(), now=T0 + 1_000) == [
        "pause", "questions", "next", "networking", "undo", "extend", "qr_fullscreen"]


@pytest.mark.parametrize("phase", ["networking", "ended", "empty"])
def test_allowed_commands_at_the_edges_refuse_questions_and_next(phase):
    show = {"networking": lambda: apply(make_show(), "networking", {}, now=T0),
            "ended": lambda: run(make_show(), ("networking", {}, T0), ("end", {}, T0 + 1)),
            "empty": lambda: new_show([])}[phase]()

    allowed = allowed_commands(show, now=T0 + 5)

    assert "questions" not in allowed and "next" not in allowed and "start" not in allowed
    assert allowed == {"networking": ["end", "undo", "qr_fullscreen"], "ended": ["undo", "qr_fullscreen"],
                       "empty": ["networking", "qr_fullscreen"]}[phase]


def test_allowed_commands_change_nothing():
    show = apply(pitching(), "message", {"text": "Micro"}, now=T0 + 1)
    before = to_dict(show)

    allowed_commands(show, now=T0 + 2)

    assert to_dict(show) == before


@pytest.mark.parametrize("case, expected", [
    ("welcome", "talk"), ("last_up", "networking"), ("networking", "end"), ("ended", "nothing"),
    ("empty", "no_talk"),
])
def test_coming_next_names_what_follows(case, expected):
    show = {"welcome": make_show,
            "last_up": lambda: run(make_show(), ("jump", {"talk_id": 3}, T0), ("absent", {"talk_id": 1, "mode": "skip"}, T0),
                                   ("absent", {"talk_id": 2, "mode": "skip"}, T0)),
            "networking": lambda: apply(make_show(), "networking", {}, now=T0),
            "ended": lambda: run(make_show(), ("networking", {}, T0), ("end", {}, T0 + 1)),
            "empty": lambda: new_show([])}[case]()

    assert coming_next(show) == expected
