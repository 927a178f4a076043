// Stage view: the speaker's countdown and the moderator's messages.
import { connectLive, countdownNow, t } from "./live.js";
import { formatCountdown } from "./countdown.js";
import { setText, clockTime } from "./format.js";
import { phaseLabel } from "./agenda.js";

const screen = document.getElementById("screen");
const el = (id) => document.getElementById(id);

// The last message id this screen showed, and whether it has rendered once: a message that arrives
// after the first render (a new id, not a repaint of the same one) flashes; the one already on screen
// when the page opens does not.
let seenMessageId = null;
let rendered = false;

function announce(message) {
  const box = el("message");
  const id = message ? message.id : null;
  if (id === null) box.removeAttribute("data-arrived");
  else if (rendered && id !== seenMessageId) {
    // Restart the animation (stage.css: two pulses in a second, none under prefers-reduced-motion).
    box.removeAttribute("data-arrived");
    void box.offsetWidth;
    box.dataset.arrived = String(id);
  }
  if (id !== null) seenMessageId = id;
  rendered = true;
}

function renderStatic(state) {
  screen.dataset.phase = state.phase;
  setText(el("talk-title"), state.current ? state.current.title : state.next ? `${t("next")} : ${state.next.title}` : "");
  const message = state.stage_message;
  el("message").hidden = !message;
  setText(el("message-text"), message ? message.text : "");
  announce(message);
  const next = state.current ? state.next : null;  // before the first talk the title already says who is next
  el("next-speaker").hidden = !next;
  setText(el("next-speaker-text"), next ? [next.speaker, next.title].filter(Boolean).join(" — ") : "");
  el("spotlight").hidden = !state.spotlight;
  setText(el("spotlight-text"), state.spotlight ? state.spotlight.text : "");
  // A question from the room takes room: the countdown steps down so that everything fits.
  screen.dataset.busy = String(Boolean(state.spotlight));
}

function frame() {
  const live = current();
  if (live) {
    const shown = countdownNow(live.state, clock.now());
    screen.dataset.wrap = shown === null ? "none" : shown.wrap;
    setText(el("phase"), shown === null ? t("phase." + live.state.phase)
      : phaseLabel(shown.phase, live.state.current) + (shown.running ? "" : ` · ${t("paused")}`));
    setText(el("countdown"), shown === null ? "" : formatCountdown(shown.remaining));
    setText(el("clock"), clockTime(clock.now()));
  }
  requestAnimationFrame(frame);
}

const { clock, current } = connectLive({
  view: "stage",
  edition: document.body.dataset.edition,
  onState: (m) => renderStatic(m.state),
  onConnection: (up) => (el("connection").hidden = up),
});
requestAnimationFrame(frame);
