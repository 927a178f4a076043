"""The evening as a rundown: talks and items of other kinds in one running order (exact values)."""
from __future__ import annotations

import pytest

from pitchday.domain.report import evening
from pitchday.domain.schedule import Slot, schedule
from pitchday.domain.show import (
    SCREEN_OF_KIND,
    CommandRefused,
    ItemKind,
    Phase,
    TalkStatus,
    allowed_commands,
    apply,
    coming_next,
    from_dict,
    main_action,
    new_show,
    retime,
    timeline,
    to_dict,
)

pytestmark = pytest.mark.unit

P = 1_750_000_000_000  # planned start of the evening (17:00, say)
MIN = 60_000
CHANGEOVER = MIN

# 30 min welcome, 10 min opening address, two talks (5 + 5 each), a 15 min break, a 5 min closing,
# 45 min of networking. Plan (minutes from P): welcome 0–30, opening 30–40, talk 3 40–50,
# talk 4 51–61 (a changeover only between two talks), break 61–76, closing 76–81, networking 81–126.
RUNDOWN = [
    (1, 30 * MIN, 0, "welcome"), (2, 10 * MIN, 0, "opening"), (3, 5 * MIN, 5 * MIN, "talk"),
    (4, 5 * MIN, 5 * MIN, "talk"), (5, 15 * MIN, 0, "break"), (6, 5 * MIN, 0, "closing"),
    (7, 45 * MIN, 0, "networking"),
]


def run(show, *steps):
    for name, args, now in steps:
        show = apply(show, name, args, now=now)
    return show


def plan(show, now):
    return schedule(show, plan_start=P, changeover_ms=CHANGEOVER, now=now)


def test_new_show_gives_items_other_than_talks_one_phase():
    show = new_show(RUNDOWN)

    assert [show.talks[i].kind for i in show.order] == [
        ItemKind.WELCOME, ItemKind.OPENING, ItemKind.TALK, ItemKind.TALK, ItemKind.BREAK, ItemKind.CLOSING,
        ItemKind.NETWORKING]
    assert [show.talks[i].qa_ms for i in show.order] == [0, 0, 5 * MIN, 5 * MIN, 0, 0, 0]
    assert new_show([(9, MIN, 7 * MIN, "address")]).talks[9].qa_ms == 0  # ignored, not a second phase


def test_new_show_refuses_an_unknown_kind():
    with pytest.raises(ValueError):
        new_show([(1, MIN, 0, "cocktail")])


def test_every_kind_has_a_projector_screen():
    assert set(SCREEN_OF_KIND) == set(ItemKind)


def test_starting_a_welcome_item_runs_its_one_phase():
    show = apply(new_show(RUNDOWN), "start", {}, now=P)

    assert (show.phase, show.current, show.ends_at, show.phase_ms) == (Phase.SEGMENT, 1, P + 30 * MIN, 30 * MIN)
    assert show.remaining_at(P + 10 * MIN) == 20 * MIN
    assert timeline(show) == [{"phase": "segment", "starts_at": None, "ends_at": P + 30 * MIN,
                               "remaining_ms": None, "phase_ms": 30 * MIN}]


def test_an_item_pauses_extends_and_runs_over_like_a_pitch():
    show = run(new_show(RUNDOWN), ("start", {}, P), ("pause", {}, P + 10 * MIN),
               ("extend", {"delta_ms": 2 * MIN}, P + 11 * MIN), ("resume", {}, P + 12 * MIN))

    assert show.ends_at == P + 12 * MIN + 22 * MIN
    assert show.phase_ms == 32 * MIN
    assert show.remaining_at(P + 35 * MIN) == -MIN  # overtime counts up


def test_an_item_has_no_questions_phase():
    show = apply(new_show(RUNDOWN), "start", {}, now=P)

    with pytest.raises(CommandRefused) as refused:
        apply(show, "questions", {}, now=P + MIN)

    assert refused.value.code == "wrong_phase"
    assert "questions" not in allowed_commands(show, now=P + MIN)
    assert "next" in allowed_commands(show, now=P + MIN)


def test_auto_questions_never_switches_an_item():
    show = apply(new_show(RUNDOWN, auto_questions=True), "start", {}, now=P)

    assert len(timeline(show)) == 1
    assert apply(show, "pause", {}, now=P + 31 * MIN).phase is Phase.SEGMENT


def test_next_goes_from_the_welcome_to_the_opening_then_a_talk_pitch():
    show = run(new_show(RUNDOWN), ("start", {}, P), ("next", {}, P + 30 * MIN), ("start", {}, P + 30 * MIN),
               ("next", {}, P + 41 * MIN), ("start", {}, P + 42 * MIN))

    assert (show.phase, show.current) == (Phase.PITCH, 3)
    assert [show.talks[i].status for i in (1, 2)] == [TalkStatus.DONE, TalkStatus.DONE]
    assert (show.talks[2].pitch_started_at, show.talks[2].ended_at) == (P + 30 * MIN, P + 41 * MIN)
    assert "questions" in allowed_commands(show, now=P + 43 * MIN)


def test_main_action_starts_an_item_then_pauses_it():
    assert main_action(new_show(RUNDOWN)) == ("start", "start")
    assert main_action(apply(new_show(RUNDOWN), "start", {}, now=P)) == ("pause", "pause")


def test_undo_of_next_puts_the_item_back_on_stage():
    started = apply(new_show(RUNDOWN), "start", {}, now=P)
    moved = apply(started, "next", {}, now=P + 29 * MIN)

    undone = apply(moved, "undo", {}, now=P + 29 * MIN + 5_000)

    assert (undone.phase, undone.current, undone.ends_at) == (Phase.SEGMENT, 1, P + 30 * MIN)
    assert undone.talks[1].status is TalkStatus.PLANNED


def test_reorder_moves_items_and_talks_together():
    show = run(new_show(RUNDOWN), ("start", {}, P), ("next", {}, P + 30 * MIN))  # the opening is up next

    after = apply(show, "reorder", {"order": [3, 5, 4, 6, 7]}, now=P + 30 * MIN)

    assert after.order == (1, 2, 3, 5, 4, 6, 7)
    result = plan(after, now=P + 30 * MIN)
    # The break now sits between the two talks: no changeover around it.
    assert [(s.talk_id, s.planned_start) for s in result.slots] == [
        (1, P), (2, P + 30 * MIN), (3, P + 40 * MIN), (5, P + 50 * MIN), (4, P + 65 * MIN),
        (6, P + 75 * MIN), (7, P + 80 * MIN)]
    assert result.planned_end == P + 125 * MIN


def test_the_plan_counts_every_kind_and_changeovers_only_between_talks():
    result = plan(new_show(RUNDOWN), now=P - 10 * MIN)

    assert [(s.talk_id, s.planned_start, s.projected_end) for s in result.slots] == [
        (1, P, P + 30 * MIN), (2, P + 30 * MIN, P + 40 * MIN), (3, P + 40 * MIN, P + 50 * MIN),
        (4, P + 51 * MIN, P + 61 * MIN), (5, P + 61 * MIN, P + 76 * MIN), (6, P + 76 * MIN, P + 81 * MIN),
        (7, P + 81 * MIN, P + 126 * MIN)]
    assert (result.planned_end, result.projected_end, result.drift_ms) == (P + 126 * MIN, P + 126 * MIN, 0)


def test_a_long_welcome_makes_the_evening_late():
    # The welcome runs 12 minutes over, then the opening address starts.
    show = run(new_show(RUNDOWN), ("start", {}, P), ("next", {}, P + 42 * MIN), ("start", {}, P + 42 * MIN))

    result = plan(show, now=P + 45 * MIN)

    assert result.slots[0] == Slot(1, "done", P, P, P + 42 * MIN, P, P + 42 * MIN)
    assert result.slots[1] == Slot(2, "now", P + 30 * MIN, P + 42 * MIN, None, P + 42 * MIN, P + 52 * MIN)
    assert result.slots[2].projected_start == P + 52 * MIN  # no changeover after an address
    assert result.slots[3].projected_start == P + 63 * MIN  # one between the two talks
    assert result.projected_end == P + 138 * MIN
    assert result.drift_ms == 12 * MIN


def test_a_networking_item_says_the_end_comes_next():
    show = run(new_show(RUNDOWN[-2:]), ("start", {}, P), ("next", {}, P + 5 * MIN), ("start", {}, P + 5 * MIN))

    assert (show.phase, show.current) == (Phase.SEGMENT, 7)
    assert coming_next(show) == "end"
    assert "questions" not in allowed_commands(show, now=P + 6 * MIN)
    with pytest.raises(CommandRefused):
        apply(show, "networking", {}, now=P + 6 * MIN)


def test_next_after_the_networking_item_is_the_free_networking():
    show = run(new_show([(7, 45 * MIN, 0, "networking")]), ("start", {}, P), ("next", {}, P + 45 * MIN))

    assert (show.phase, show.current) == (Phase.NETWORKING, None)
    assert coming_next(show) == "end"
    assert allowed_commands(show, now=P + 46 * MIN) == ["previous", "end", "undo", "qr_fullscreen"]


@pytest.mark.parametrize("phase_steps", [[], [("networking", {}, P)]], ids=["welcome", "networking"])
def test_an_evening_with_no_talk_offers_neither_questions_nor_next(phase_steps):
    show = run(new_show([]), *phase_steps)

    allowed = allowed_commands(show, now=P)

    assert "questions" not in allowed and "next" not in allowed
    assert coming_next(show) == ("no_talk" if not phase_steps else "end")


def test_the_last_item_on_stage_says_networking_comes_next():
    show = run(new_show([(1, 10 * MIN, 0, "closing")]), ("start", {}, P))

    assert coming_next(show) == "networking"


def test_retime_of_an_item_keeps_one_phase():
    show = new_show(RUNDOWN)

    changed = retime(show, {5: (20 * MIN, 5 * MIN)})

    assert (changed.talks[5].pitch_ms, changed.talks[5].qa_ms) == (20 * MIN, 0)


def test_items_round_trip_and_old_states_read_as_talks():
    show = run(new_show(RUNDOWN), ("start", {}, P))
    data = to_dict(show)
    for talk in data["talks"]:
        assert talk["kind"] in {k.value for k in ItemKind}

    assert from_dict(data) == show
    for talk in data["talks"]:
        del talk["kind"]  # a state stored before items existed
    assert {r.kind for r in from_dict(data).talks.values()} == {ItemKind.TALK}


def test_the_report_counts_items_planned_and_actual():
    show = run(new_show(RUNDOWN), ("start", {}, P), ("next", {}, P + 35 * MIN), ("start", {}, P + 35 * MIN),
               ("next", {}, P + 47 * MIN))

    timing = evening(show, plan_start=P, changeover_ms=CHANGEOVER, now=P + 48 * MIN)

    welcome, opening = timing.talks[0], timing.talks[1]
    assert (welcome.planned_start, welcome.actual_start, welcome.actual_end, welcome.pitch_ms) == (
        P, P, P + 35 * MIN, 35 * MIN)
    assert welcome.pitch_overtime_ms == 5 * MIN
    assert (welcome.qa_ms, welcome.qa_overtime_ms) == (None, None)
    assert (opening.planned_start, opening.pitch_ms, opening.pitch_overtime_ms) == (P + 30 * MIN, 12 * MIN, 2 * MIN)
    assert timing.overtime_ms == 7 * MIN
    assert timing.planned_end == P + 126 * MIN
