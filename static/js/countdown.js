// The countdown at a given server time: the only arithmetic the live views do, every frame.
// Pure (no DOM, no socket): tested by `node --test` on tests/fixtures/countdown.json, the same cases
// a Python test checks against the domain (pitchday/domain/show.py timeline, settle, wrap_stage).

/** The segment of `state.timeline` shown at server time `now`: the last one that has started. */
export function segmentAt(state, now) {
  let shown = null;
  for (const segment of state?.timeline ?? []) {
    if (shown === null || (segment.starts_at !== null && now >= segment.starts_at)) shown = segment;
  }
  return shown;
}

/**
 * What a countdown shows at `now`: {phase, running, remaining, length, wrap}, or null outside a timed
 * phase. `remaining` is in ms (negative: overtime); `wrapUpMs` is the page's rules.wrap_up_ms.
 */
export function countdownAt(state, now, wrapUpMs) {
  const segment = segmentAt(state, now);
  if (segment === null) return null;
  const running = segment.ends_at !== null;
  const remaining = running ? segment.ends_at - now : segment.remaining_ms;
  return { phase: segment.phase, running, remaining, length: segment.phase_ms, wrap: wrapStage(remaining, running, wrapUpMs) };
}

/**
 * "none" (no countdown) | "paused" | "normal" | a stage of `wrapUpMs` ([[name, threshold ms], …],
 * tightest first) | "over": what colours and labels the countdown.
 */
export function wrapStage(remaining, running, wrapUpMs) {
  if (remaining === null || remaining === undefined) return "none";
  if (!running) return "paused";
  if (remaining <= 0) return "over";
  const stage = wrapUpMs.find(([, threshold]) => remaining <= threshold);
  return stage ? stage[0] : "normal";
}

/** "4:59" for time left, "+0:23" for overtime, "" for none. Seconds are rounded up while counting down. */
export function formatCountdown(ms) {
  if (ms === null || ms === undefined) return "";
  const over = ms < 0;
  const totalSeconds = over ? Math.floor(-ms / 1000) : Math.ceil(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = String(totalSeconds % 60).padStart(2, "0");
  return `${over ? "+" : ""}${minutes}:${seconds}`;
}
