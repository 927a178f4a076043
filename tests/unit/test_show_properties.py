"""Property-based tests of the run of show: timer invariants under random command sequences."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from pitchday.domain.show import (
    MAX_EXTEND_MS,
    MAX_PHASE_MS,
    MAX_UNDO,
    TIMED_PHASES,
    CommandRefused,
    ItemKind,
    Phase,
    ProjectorMode,
    Show,
    TalkStatus,
    allowed_commands,
    apply,
    from_dict,
    new_show,
    next_due,
    settle,
    to_dict,
)

pytestmark = pytest.mark.unit

MIN = 60_000
REFUSAL_CODES = {
    "unknown_command", "bad_args", "wrong_phase", "no_talk", "already_paused", "already_running",
    "too_short", "too_long", "no_previous", "unknown_talk", "already_current", "bad_order",
    "not_planned", "on_stage", "no_change", "no_message", "nothing_to_undo", "no_spotlight",
}
# Settings outside the run of show: accepted, but never pushed on the undo stack.
NOT_UNDOABLE = {"set_mode", "set_auto_questions", "message", "dismiss_message", "spotlight", "clear_spotlight"}
# What undo does not restore: bookkeeping and the settings outside the run of show.
NOT_RESTORED = ("version", "undo_stack", "projector_mode", "stage_message", "stage_message_id", "auto_questions",
                "spotlight")

durations = st.one_of(st.integers(1, MAX_PHASE_MS), st.sampled_from([1, 3 * MIN, 5 * MIN, MAX_PHASE_MS]))
talk_lists = st.lists(
    st.tuples(st.integers(1, 10_000), durations, durations), min_size=1, max_size=6, unique_by=lambda t: t[0],
)
# A rundown: talks and items of every other kind (one timed phase), mixed in any order.
kinds = st.one_of(st.just(ItemKind.TALK.value), st.sampled_from([k.value for k in ItemKind]))
item_lists = st.lists(
    st.tuples(st.integers(1, 10_000), durations, durations, kinds), min_size=1, max_size=7,
    unique_by=lambda t: t[0],
)
epochs = st.integers(0, 2_000_000_000_000)
steps = st.one_of(st.integers(0, 2_000), st.integers(0, 20 * MIN))
deltas = st.one_of(
    st.integers(-MAX_EXTEND_MS - 1_000, MAX_EXTEND_MS + 1_000),
    st.sampled_from([0, MIN, -MIN, MAX_EXTEND_MS, -MAX_EXTEND_MS, MAX_EXTEND_MS + 1]),
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def restorable(show: Show) -> dict:
    data = to_dict(show, with_undo=False)
    for key in NOT_RESTORED:
        data.pop(key, None)
    return data


def started(talks, auto: bool, t0: int) -> Show:
    return apply(new_show(talks, auto_questions=auto), "start", {}, now=t0)


# -- focused properties ------------------------------------------------------------


@FAST
@given(talks=talk_lists, t0=epochs, before=steps, paused_for=steps, questions=st.booleans())
def test_pause_resume_conserves_remaining_exactly(talks, t0, before, paused_for, questions):
    show = started(talks, False, t0)
    if questions:
        show = apply(show, "questions", {}, now=t0)
    remaining = show.remaining_at(t0 + before)

    paused = apply(show, "pause", {}, now=t0 + before)
    resumed = apply(paused, "resume", {}, now=t0 + before + paused_for)

    assert paused.remaining_ms == remaining
    assert paused.remaining_at(t0 + before + paused_for) == remaining
    assert resumed.remaining_at(t0 + before + paused_for) == remaining
    assert resumed.phase_ms == show.phase_ms
    assert resumed.phase is show.phase


@FAST
@given(talks=talk_lists, t0=epochs, at=steps, delta=deltas, paused=st.booleans())
def test_extend_adds_exactly_delta(talks, t0, at, delta, paused):
    show = started(talks, False, t0)
    if paused:
        show = apply(show, "pause", {}, now=t0)
    before = show.remaining_at(t0 + at)

    try:
        extended = apply(show, "extend", {"delta_ms": delta}, now=t0 + at)
    except CommandRefused as refused:
        new_length = show.phase_ms + delta
        assert delta == 0 or abs(delta) > MAX_EXTEND_MS or new_length < 0 or new_length > MAX_PHASE_MS
        assert refused.code in {"bad_args", "too_short", "too_long"}
        return

    assert extended.remaining_at(t0 + at) == before + delta
    assert extended.phase_ms == show.phase_ms + delta
    assert 0 <= extended.phase_ms <= MAX_PHASE_MS
    assert extended.running is show.running


@FAST
@given(talks=talk_lists, t0=epochs, offsets=st.lists(st.integers(0, 3 * 60 * MIN), min_size=2, max_size=8),
       pause_after=st.one_of(st.none(), st.integers(0, 2 * 60 * MIN)))
def test_overtime_grows_monotonically_with_now(talks, t0, offsets, pause_after):
    show = started(talks, False, t0)
    if pause_after is not None:
        show = apply(show, "pause", {}, now=t0 + pause_after)
    times = sorted(t0 + o for o in offsets)

    overtime = [-show.remaining_at(t) for t in times]

    assert overtime == sorted(overtime)
    if show.running:
        assert [o - overtime[0] for o in overtime] == [t - times[0] for t in times]
    else:
        assert len(set(overtime)) == 1


@FAST
@given(talks=talk_lists, t0=epochs, extend=st.integers(-4 * MIN, 4 * MIN).filter(bool),
       late=st.lists(st.integers(0, 5 * 60 * MIN), min_size=1, max_size=5))
def test_settle_switches_at_the_pitch_own_end_whenever_it_runs(talks, t0, extend, late):
    show = started(talks, True, t0)
    try:
        show = apply(show, "extend", {"delta_ms": extend}, now=t0)
    except CommandRefused:
        pass
    due = next_due(show)
    run = show.talks[show.current]

    results = [settle(show, due + lateness) for lateness in late]

    assert due == show.ends_at
    assert settle(show, due - 1) is show
    for settled in results:
        assert settled == results[0]
        assert settled.phase is Phase.QUESTIONS
        assert settled.ends_at == due + run.qa_ms
        assert settled.phase_ms == run.qa_ms
        assert settled.talks[show.current].questions_started_at == due
        assert settled.version == show.version + 1
        assert next_due(settled) is None


# -- random command sequences ------------------------------------------------------------


class ShowMachine(RuleBasedStateMachine):
    """Drives a show with random commands at increasing times and checks it after each step."""

    @initialize(talks=item_lists, auto=st.booleans(), t0=epochs)
    def setup(self, talks, auto, t0):
        self.ids = sorted(t[0] for t in talks)
        self.show = new_show(talks, auto_questions=auto)
        self.now = t0
        self.model_undo: list[dict] = []  # what the undo stack should hold, newest first

    # -- the command driver ------------------------------------------------------

    def command(self, name: str, args) -> Show | None:
        """Apply a command, check what every command must guarantee, return the new show or None."""
        before = self.show
        snapshot = json.dumps(to_dict(before))
        settled = settle(before, self.now)
        assert settled.version in (before.version, before.version + 1)
        try:
            after = apply(before, name, args, now=self.now)
        except CommandRefused as refused:
            assert refused.code in REFUSAL_CODES
            assert json.dumps(to_dict(before)) == snapshot  # a refusal changes nothing
            if name == "undo":
                assert refused.code == "nothing_to_undo"
                assert self.model_undo == []
            return None

        assert after.version == settled.version + 1
        assert after.version > before.version
        if name == "undo":
            assert self.model_undo, "undo accepted with nothing to undo"
            expected = self.model_undo.pop(0)
            for key in NOT_RESTORED:
                expected.pop(key, None)
            assert restorable(after) == expected
            assert (after.projector_mode, after.stage_message, after.stage_message_id, after.auto_questions) == (
                settled.projector_mode, settled.stage_message, settled.stage_message_id, settled.auto_questions)
            # The spotlighted question stays only while the same talk is on stage.
            assert after.spotlight == (settled.spotlight if after.current == settled.current else None)
        else:
            self.check_status_changes(settled, after, name, args)
            if name in NOT_UNDOABLE:
                assert restorable(after) == restorable(settled)
            else:
                self.model_undo = [to_dict(settled, with_undo=False)] + self.model_undo[: MAX_UNDO - 1]
        assert [to_dict(s, with_undo=False) for s in after.undo_stack] == self.model_undo
        if after.current != settled.current:
            assert after.spotlight is None, "a question stayed on the projector after its talk"
        self.show = after
        return after

    def check_status_changes(self, settled: Show, after: Show, name: str, args) -> None:
        """Nothing is skipped or closed silently."""
        for talk_id in self.ids:
            was, now = settled.talks[talk_id].status, after.talks[talk_id].status
            if now is TalkStatus.SKIPPED and was is not TalkStatus.SKIPPED:
                assert (name, args.get("talk_id"), args.get("mode")) == ("absent", talk_id, "skip")
            if now is TalkStatus.DONE and was is not TalkStatus.DONE:
                assert name in ("next", "jump", "networking")
                assert talk_id == settled.current
                assert settled.talks[talk_id].pitch_started_at is not None
                assert after.talks[talk_id].ended_at == self.now
        if name in ("next", "jump", "networking") and settled.phase in TIMED_PHASES:
            left = settled.current
            assert after.talks[left].status is TalkStatus.DONE  # a talk that was on stage is closed, not dropped
            assert after.talks[left].ended_at == self.now

    # -- time --------------------------------------------------------------------

    @rule(dt=steps)
    def wait(self, dt):
        show, then = self.show, self.now
        self.now += dt
        if show.phase in TIMED_PHASES:
            if show.running:
                assert show.remaining_at(self.now) == show.remaining_at(then) - dt
            else:
                assert show.remaining_at(self.now) == show.remaining_at(then)

    # -- commands ------------------------------------------------------------------

    @rule()
    def start(self):
        after = self.command("start", {})
        if after is not None:
            one_phase = after.talks[after.current].kind is not ItemKind.TALK
            assert after.phase is (Phase.SEGMENT if one_phase else Phase.PITCH)
            assert after.remaining_at(self.now) == after.talks[after.current].pitch_ms == after.phase_ms
            assert after.qr_fullscreen is False  # "QR plein écran" gives way to the item that starts

    @rule()
    def pause(self):
        settled = settle(self.show, self.now)
        after = self.command("pause", {})
        if after is not None:
            assert after.remaining_ms == settled.remaining_at(self.now)

    @rule()
    def resume(self):
        settled = settle(self.show, self.now)
        after = self.command("resume", {})
        if after is not None:
            assert after.remaining_at(self.now) == settled.remaining_ms

    @rule(dt=steps)
    def pause_wait_resume(self, dt):
        settled = settle(self.show, self.now)
        if self.command("pause", {}) is None:
            return
        self.now += dt
        resumed = self.command("resume", {})
        assert resumed is not None
        assert resumed.remaining_at(self.now) == settled.remaining_at(self.now - dt)
        assert resumed.phase_ms == settled.phase_ms
        assert resumed.phase is settled.phase

    @rule(delta=deltas)
    def extend(self, delta):
        settled = settle(self.show, self.now)
        after = self.command("extend", {"delta_ms": delta})
        if after is not None:
            assert after.remaining_at(self.now) == settled.remaining_at(self.now) + delta
            assert after.phase_ms == settled.phase_ms + delta

    @rule(name=st.sampled_from(["questions", "next", "previous", "networking", "end", "dismiss_message", "undo"]))
    def simple(self, name):
        self.command(name, {})

    @rule()
    def undo(self):
        self.command("undo", {})

    @rule(data=st.data())
    def jump(self, data):
        talk_id = data.draw(st.one_of(st.sampled_from(self.ids), st.just(99_999), st.just("1")))
        self.command("jump", {"talk_id": talk_id})

    @rule(data=st.data(), valid=st.booleans())
    def reorder(self, data, valid):
        upcoming = self.show.upcoming()
        if valid:
            order = data.draw(st.permutations(upcoming))
        else:
            order = data.draw(st.lists(st.sampled_from(self.ids + [99_999]), max_size=7))
        fixed = [t for t in self.show.order if t not in upcoming]
        after = self.command("reorder", {"order": list(order)})
        if valid:
            assert after is not None
            assert after.order == tuple(fixed + list(order))

    @rule(data=st.data(), mode=st.sampled_from(["end", "skip", "later"]))
    def absent(self, data, mode):
        talk_id = data.draw(st.sampled_from(self.ids))
        self.command("absent", {"talk_id": talk_id, "mode": mode})

    @rule(mode=st.sampled_from([m.value for m in ProjectorMode] + ["disco"]))
    def set_mode(self, mode):
        self.command("set_mode", {"mode": mode})

    @rule()
    def qr_fullscreen(self):
        settled = settle(self.show, self.now)
        after = self.command("qr_fullscreen", {})
        assert after is not None  # offered at every moment
        assert after.qr_fullscreen is not settled.qr_fullscreen

    @rule(enabled=st.booleans())
    def set_auto_questions(self, enabled):
        self.command("set_auto_questions", {"enabled": enabled})

    @rule(text=st.one_of(st.sampled_from(["Une minute", "  Micro  ", "", " "]), st.text(max_size=160)))
    def message(self, text):
        self.command("message", {"text": text})

    @rule(question_id=st.one_of(st.integers(-2, 40), st.sampled_from([True, "7", None])))
    def spotlight(self, question_id):
        after = self.command("spotlight", {"question_id": question_id})
        if after is not None:
            assert after.spotlight == question_id

    @rule()
    def clear_spotlight(self):
        after = self.command("clear_spotlight", {})
        if after is not None:
            assert after.spotlight is None

    @precondition(lambda self: settle(self.show, self.now).phase is Phase.PITCH and self.show.auto_questions)
    @rule(dt=steps)
    def automatic_questions(self, dt):
        show = settle(self.show, self.now)
        due = next_due(show)
        run = show.talks[show.current]
        if not show.running:
            assert due is None
            return
        assert due == show.ends_at
        self.now = max(self.now, due) + dt
        settled = settle(show, self.now)
        assert settled.phase is Phase.QUESTIONS
        assert settled.ends_at == due + run.qa_ms
        assert settled.talks[show.current].questions_started_at == due

    # -- invariants ----------------------------------------------------------------

    @invariant()
    def order_is_a_permutation_of_the_talks(self):
        assert sorted(self.show.order) == self.ids
        assert sorted(self.show.talks) == self.ids

    @invariant()
    def no_talk_is_lost(self):
        show = self.show
        upcoming = show.upcoming()
        assert len(upcoming) == len(set(upcoming))
        assert show.current not in upcoming
        for talk_id in self.ids:
            status = show.talks[talk_id].status
            assert status in (TalkStatus.DONE, TalkStatus.SKIPPED) or talk_id == show.current or talk_id in upcoming
        if show.current is not None:
            assert show.talks[show.current].status is TalkStatus.PLANNED

    @invariant()
    def timer_fields_are_consistent(self):
        show = self.show
        assert show.phase_ms >= 0
        assert all(r.pitch_ms > 0 and (r.qa_ms > 0) is (r.kind is ItemKind.TALK) for r in show.talks.values())
        if show.phase in TIMED_PHASES:
            assert show.current is not None
            assert show.running is (show.ends_at is not None)
            assert show.running is not (show.remaining_ms is not None)
            assert show.talks[show.current].pitch_started_at is not None
            # elapsed time is never negative: the countdown never shows more than the phase length
            assert show.remaining_at(self.now) <= show.phase_ms <= MAX_PHASE_MS
        elif show.phase is Phase.READY:
            assert show.current is not None
            assert not show.running and show.ends_at is None
            assert show.remaining_ms == show.phase_ms == show.talks[show.current].pitch_ms > 0
            assert show.remaining_at(self.now) is None
        else:
            assert show.current is None
            assert not show.running and show.ends_at is None and show.remaining_ms is None
            assert show.phase_ms == 0
            assert show.remaining_at(self.now) is None
        if show.phase is Phase.QUESTIONS:
            assert show.talks[show.current].questions_started_at is not None

    @invariant()
    def phases_fit_the_kind_on_stage(self):
        """A talk has a pitch and questions; every other item one phase, and never questions."""
        show = self.show
        if show.phase in TIMED_PHASES:
            talk = show.talks[show.current].kind is ItemKind.TALK
            assert (show.phase in (Phase.PITCH, Phase.QUESTIONS)) is talk
            assert (show.phase is Phase.SEGMENT) is not talk

    @invariant()
    def the_console_offers_questions_only_during_a_pitch(self):
        allowed = allowed_commands(self.show, now=self.now)
        assert ("questions" in allowed) is (settle(self.show, self.now).phase is Phase.PITCH)

    @invariant()
    def undo_stack_is_bounded_and_flat(self):
        assert len(self.show.undo_stack) <= MAX_UNDO
        assert all(s.undo_stack == () for s in self.show.undo_stack)
        assert self.show.can_undo is bool(self.model_undo)

    @invariant()
    def serialisation_round_trips(self):
        restored = from_dict(json.loads(json.dumps(to_dict(self.show))))
        assert restored == self.show


ShowMachine.TestCase.settings = settings(
    max_examples=120, stateful_step_count=40, deadline=None, suppress_health_check=[HealthCheck.too_slow],
)
TestShowMachine = ShowMachine.TestCase
