"""The "QR plein écran" command of the run of show (pitchday.domain.show): a toggle, undoable, that ends
by itself when the next item starts."""
from __future__ import annotations

import json

import pytest

from pitchday.domain.show import (CommandRefused, Phase, ProjectorMode, allowed_commands, apply, from_dict,
                                  new_show, settle, to_dict)

pytestmark = pytest.mark.unit

T0 = 1_750_000_000_000
MIN = 60_000
# A welcome item, then two talks (pitch 5 min, questions 5 min).
RUNDOWN = [(10, 30 * MIN, 0, "welcome"), (1, 5 * MIN, 5 * MIN), (2, 5 * MIN, 5 * MIN)]


def run(show, *steps):
    for name, args, now in steps:
        show = apply(show, name, args, now=now)
    return show


def first_talk_pitching():
    """The welcome played, the first talk's pitch running since T0 + 31 min."""
    return run(new_show(RUNDOWN), ("start", {}, T0), ("next", {}, T0 + 30 * MIN), ("start", {}, T0 + 31 * MIN))


def test_qr_fullscreen_is_off_in_a_new_show():
    assert new_show(RUNDOWN).qr_fullscreen is False


def test_qr_fullscreen_toggles_on_then_off_one_version_each():
    show = new_show(RUNDOWN)

    on = apply(show, "qr_fullscreen", {}, now=T0)
    off = apply(on, "qr_fullscreen", {}, now=T0 + 1)

    assert (on.qr_fullscreen, on.version) == (True, 1)
    assert (off.qr_fullscreen, off.version) == (False, 2)
    assert on.projector_mode is off.projector_mode is ProjectorMode.AUTO  # the mode underneath is untouched


def test_qr_fullscreen_is_undone_like_a_run_of_show_command():
    on = apply(first_talk_pitching(), "qr_fullscreen", {}, now=T0 + 32 * MIN)

    undone = apply(on, "undo", {}, now=T0 + 33 * MIN)

    assert undone.qr_fullscreen is False
    assert undone.phase is Phase.PITCH and undone.current == 1
    assert undone.remaining_at(T0 + 33 * MIN) == 3 * MIN  # the countdown went on meanwhile
    # ...and undoing "off" puts it back on.
    off = apply(on, "qr_fullscreen", {}, now=T0 + 34 * MIN)
    assert apply(off, "undo", {}, now=T0 + 35 * MIN).qr_fullscreen is True


def test_qr_fullscreen_stays_through_the_questions_and_the_next_talk_announced():
    show = run(first_talk_pitching(), ("qr_fullscreen", {}, T0 + 32 * MIN), ("pause", {}, T0 + 33 * MIN),
               ("resume", {}, T0 + 34 * MIN), ("extend", {"delta_ms": 30_000}, T0 + 34 * MIN),
               ("questions", {}, T0 + 35 * MIN), ("set_mode", {"mode": "blackout"}, T0 + 36 * MIN))
    assert show.qr_fullscreen is True and show.phase is Phase.QUESTIONS

    ready = apply(show, "next", {}, now=T0 + 40 * MIN)

    assert ready.qr_fullscreen is True and ready.phase is Phase.READY and ready.current == 2


def test_qr_fullscreen_stays_through_the_automatic_switch_to_questions():
    show = run(new_show([(1, 5 * MIN, 5 * MIN)], auto_questions=True), ("start", {}, T0),
               ("qr_fullscreen", {}, T0 + MIN))

    settled = settle(show, T0 + 6 * MIN)

    assert settled.phase is Phase.QUESTIONS and settled.qr_fullscreen is True


@pytest.mark.parametrize("up_next", ["talk", "item"])
def test_qr_fullscreen_ends_when_the_next_item_starts_and_undo_brings_it_back(up_next):
    if up_next == "talk":  # the welcome played, the first talk announced
        show = run(new_show(RUNDOWN), ("start", {}, T0), ("next", {}, T0 + 30 * MIN))
    else:  # doors open, the welcome item first
        show = new_show(RUNDOWN)
    show = apply(show, "qr_fullscreen", {}, now=T0 + 30 * MIN)

    started = apply(show, "start", {}, now=T0 + 31 * MIN)

    assert started.phase is (Phase.PITCH if up_next == "talk" else Phase.SEGMENT)
    assert started.qr_fullscreen is False
    undone = apply(started, "undo", {}, now=T0 + 32 * MIN)
    assert undone.qr_fullscreen is True and undone.phase is show.phase


def test_qr_fullscreen_off_is_not_changed_by_a_start():
    show = apply(new_show(RUNDOWN), "start", {}, now=T0)

    assert show.qr_fullscreen is False and show.undo_stack[0].qr_fullscreen is False


@pytest.mark.parametrize("where", ["welcome", "segment", "pitch", "networking", "ended", "empty"])
def test_qr_fullscreen_is_offered_to_the_console_at_every_moment(where):
    show = {"welcome": lambda: new_show(RUNDOWN),
            "segment": lambda: apply(new_show(RUNDOWN), "start", {}, now=T0),
            "pitch": first_talk_pitching,
            "networking": lambda: apply(new_show(RUNDOWN), "networking", {}, now=T0),
            "ended": lambda: run(new_show(RUNDOWN), ("networking", {}, T0), ("end", {}, T0 + 1)),
            "empty": lambda: new_show([])}[where]()

    assert "qr_fullscreen" in allowed_commands(show, now=T0 + 40 * MIN)
    assert apply(show, "qr_fullscreen", {}, now=T0 + 40 * MIN).qr_fullscreen is True


def test_qr_fullscreen_ignores_its_arguments_but_refuses_a_non_object():
    show = new_show(RUNDOWN)

    assert apply(show, "qr_fullscreen", {"on": False}, now=T0).qr_fullscreen is True  # a toggle: no argument
    with pytest.raises(CommandRefused) as refused:
        apply(show, "qr_fullscreen", [], now=T0)
    assert refused.value.code == "bad_args"


def test_qr_fullscreen_round_trips_through_json_and_old_states_read_as_off():
    show = run(first_talk_pitching(), ("qr_fullscreen", {}, T0 + 32 * MIN))

    restored = from_dict(json.loads(json.dumps(to_dict(show))))
    stored_before = to_dict(show)
    del stored_before["qr_fullscreen"]
    for state in stored_before["undo_stack"]:
        del state["qr_fullscreen"]

    assert restored == show and restored.qr_fullscreen is True
    assert from_dict(stored_before).qr_fullscreen is False
