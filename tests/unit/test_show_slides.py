"""The slide position of the talk on stage (pitchday.domain.show: slide_next, slide_previous, slide_goto)."""
from __future__ import annotations

import pytest

from pitchday.domain.show import (CommandRefused, allowed_commands, apply, from_dict, new_show, slide_count, to_dict,
                                  with_decks)

pytestmark = pytest.mark.unit

T0 = 1_750_000_000_000
MIN = 60_000
TALKS = [(1, 5 * MIN, 5 * MIN), (2, 4 * MIN, 3 * MIN), (3, 6 * MIN, 2 * MIN)]


def decked(**pages):
    """A show whose talk 1 has ``pages[1]`` slides and talk 2 ``pages[2]`` (default 3 and none)."""
    return with_decks(new_show(TALKS), {1: 3, 3: 2})


def on_stage(show=None):
    return apply(show or decked(), "start", {}, now=T0)


def refused(show, name, args, code):
    before = to_dict(show)
    with pytest.raises(CommandRefused) as caught:
        apply(show, name, args, now=T0 + 1000)
    assert caught.value.code == code
    assert to_dict(show) == before


def test_with_decks_records_page_counts_and_bumps_the_version():
    show = new_show(TALKS)
    changed = with_decks(show, {1: 3})
    assert changed.talks[1].slides == 3 and changed.talks[2].slides == 0
    assert changed.version == show.version + 1
    assert with_decks(changed, {1: 3}) is changed  # nothing new: the same state, no new version


def test_next_previous_and_goto_move_within_the_deck():
    show = on_stage()
    assert show.slide == 0 and slide_count(show) == 3
    show = apply(show, "slide_next", {}, now=T0 + 1)
    show = apply(show, "slide_next", {}, now=T0 + 2)
    assert show.slide == 2
    refused(show, "slide_next", {}, "last_slide")
    show = apply(show, "slide_previous", {}, now=T0 + 3)
    assert show.slide == 1
    show = apply(show, "slide_goto", {"page": 1}, now=T0 + 4)
    assert show.slide == 0
    refused(show, "slide_previous", {}, "first_slide")


@pytest.mark.parametrize("page", [0, 4, -1, True, "2", None, 2.0])
def test_goto_outside_the_deck_is_refused(page):
    refused(on_stage(), "slide_goto", {"page": page}, "bad_page")


def test_goto_the_slide_shown_is_refused_as_no_change():
    refused(on_stage(), "slide_goto", {"page": 1}, "no_change")


def test_a_talk_without_deck_or_no_talk_on_stage_refuses_slide_commands():
    refused(decked(), "slide_next", {}, "wrong_phase")  # welcome: no talk on stage
    without = apply(apply(on_stage(), "next", {}, now=T0 + 1), "start", {}, now=T0 + 2)  # talk 2: no deck
    assert without.current == 2
    refused(without, "slide_next", {}, "no_deck")
    assert "slide_next" not in allowed_commands(without, now=T0 + 3)


def test_the_console_probes_say_which_way_the_slides_can_go():
    show = on_stage()
    allowed = allowed_commands(show, now=T0 + 1)
    assert "slide_next" in allowed and "slide_previous" not in allowed
    show = apply(apply(show, "slide_next", {}, now=T0 + 1), "slide_next", {}, now=T0 + 2)
    allowed = allowed_commands(show, now=T0 + 3)
    assert "slide_previous" in allowed and "slide_next" not in allowed


def test_another_talk_starts_on_its_first_slide():
    show = apply(on_stage(), "slide_next", {}, now=T0 + 1)
    show = apply(show, "next", {}, now=T0 + 2)  # talk 2, no deck
    show = apply(show, "next", {}, now=T0 + 3)  # talk 3, two slides
    assert show.current == 3 and show.slide == 0
    assert apply(show, "slide_next", {}, now=T0 + 4).slide == 1


def test_a_slide_change_is_undoable():
    show = apply(apply(on_stage(), "slide_next", {}, now=T0 + 1), "slide_next", {}, now=T0 + 2)
    undone = apply(show, "undo", {}, now=T0 + 3)
    assert undone.slide == 1 and undone.version == show.version + 1


def test_undo_keeps_the_decks_uploaded_since():
    show = apply(on_stage(), "slide_next", {}, now=T0 + 1)
    replaced = with_decks(show, {1: 5, 3: 2, 2: 4})  # talk 2 got a deck meanwhile
    undone = apply(replaced, "undo", {}, now=T0 + 2)
    assert undone.talks[2].slides == 4 and undone.talks[1].slides == 5


def test_a_shorter_deck_on_stage_keeps_the_last_slide_it_has():
    show = apply(apply(on_stage(), "slide_next", {}, now=T0 + 1), "slide_next", {}, now=T0 + 2)
    shorter = with_decks(show, {1: 2, 3: 2})
    assert shorter.slide == 1
    gone = with_decks(shorter, {3: 2})
    assert gone.slide == 0 and slide_count(gone) == 0


def test_slides_survive_serialisation_and_old_states_read_as_no_deck():
    show = apply(on_stage(), "slide_next", {}, now=T0 + 1)
    assert from_dict(to_dict(show)) == show
    old = to_dict(show)
    del old["slide"]
    for talk in old["talks"]:
        del talk["slides"]
    legacy = from_dict(old)
    assert legacy.slide == 0 and all(r.slides == 0 for r in legacy.talks.values())
