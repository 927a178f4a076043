// The browser's countdown arithmetic on the cases of tests/fixtures/countdown.json, which
// tests/unit/test_countdown_fixtures.py checks against the domain. Run: node --test tests/js/
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { countdownAt, formatCountdown, segmentAt, wrapStage } from "../../static/js/countdown.js";

const fixtures = JSON.parse(readFileSync(new URL("../fixtures/countdown.json", import.meta.url), "utf8"));
const wrapUp = fixtures.wrap_up_ms;

for (const c of fixtures.cases) {
  test(`countdown: ${c.name}`, () => {
    const state = { timeline: fixtures.shows[c.show].timeline };
    const shown = countdownAt(state, c.now, wrapUp);
    if (c.expect === null) {
      assert.equal(shown, null);
      return;
    }
    const { text, ...expected } = c.expect;
    assert.deepEqual(shown, expected);
    assert.equal(formatCountdown(shown.remaining), text);
  });
}

test("segment_at_before_any_state_is_none", () => {
  assert.equal(segmentAt(null, 0), null);
  assert.equal(segmentAt({ timeline: [] }, 0), null);
});

test("format_countdown_of_long_overtime_and_of_nothing", () => {
  assert.equal(formatCountdown(-600_000), "+10:00");
  assert.equal(formatCountdown(754_001), "12:35");
  assert.equal(formatCountdown(-999), "+0:00");
  assert.equal(formatCountdown(null), "");
});

test("wrap_stage_without_a_countdown_is_none", () => {
  assert.equal(wrapStage(null, true, wrapUp), "none");
  assert.equal(wrapStage(undefined, false, wrapUp), "none");
});
