// Stage view: the speaker's countdown and the moderator's messages.
import { connectLive, countdownNow, t } from "./live.js";
import { formatCountdown } from "./countdown.js";
import { setText } from "./format.js";

const screen = document.getElementById("screen");
const el = (id) => document.getElementById(id);

function renderStatic(state) {
  screen.dataset.phase = state.phase;
  setText(el("talk-title"), state.current ? state.current.title : state.next ? `${t("next")} : ${state.next.title}` : "");
  const message = state.stage_message;
  el("message").hidden = !message;
  setText(el("message-text"), message ? message.text : "");
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
      : t("phase." + shown.phase) + (shown.running ? "" : ` · ${t("paused")}`));
    setText(el("countdown"), shown === null ? "" : formatCountdown(shown.remaining));
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
