"""The domain gives the answers of tests/fixtures/countdown.json, the cases the browser's countdown
arithmetic (static/js/countdown.js) is tested on by ``node --test tests/js``: one set of answers."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pitchday.domain.show import WRAP_UP_MS, apply, new_show, settle, timeline, wrap_stage
from pitchday.services.presenter import view_rules

pytestmark = pytest.mark.unit

FIXTURES = json.loads((Path(__file__).parent.parent / "fixtures" / "countdown.json").read_text(encoding="utf-8"))
CASES = FIXTURES["cases"]


def build(name: str):
    spec = FIXTURES["shows"][name]
    show = new_show([tuple(talk) for talk in spec["talks"]])
    for command, args, at in spec["commands"]:
        show = apply(show, command, args, now=at)
    return show


def test_fixture_thresholds_are_the_domain_wrap_up_thresholds():
    assert FIXTURES["wrap_up_ms"] == [list(stage) for stage in WRAP_UP_MS] == view_rules()["wrap_up_ms"]


@pytest.mark.parametrize("name", sorted(FIXTURES["shows"]))
def test_fixture_timeline_is_the_domain_timeline(name):
    assert timeline(build(name)) == FIXTURES["shows"][name]["timeline"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_fixture_countdown_is_what_the_domain_settles_to(case):
    settled = settle(build(case["show"]), case["now"])
    remaining = settled.remaining_at(case["now"])
    expect = case["expect"]
    if expect is None:
        assert remaining is None and wrap_stage(remaining, running=settled.running) == "none"
        return
    assert (settled.phase.value, settled.running, remaining, settled.phase_ms,
            wrap_stage(remaining, running=settled.running)) == (
        expect["phase"], expect["running"], expect["remaining"], expect["length"], expect["wrap"])
