// Stage view: the speaker's countdown and the moderator's messages.
import { connectLive, countdownNow, t, uuid } from "./live.js";
import { formatCountdown } from "./countdown.js";
import { setText, clockTime } from "./format.js";
import { phaseLabel } from "./agenda.js";
import { SlideStack, THUMB_WIDTH, showsSlides, slideUrl, wantedUrls } from "./slides.js";

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

const slideLabels = JSON.parse(el("slide-labels").textContent);
const currentSlide = new SlideStack(el("stage-current"));
const nextSlide = new SlideStack(el("stage-next"));

/** The slide the projector shows and the one after it (or the next talk's first), preloaded around. */
function renderSlides(state) {
  const deck = state.slides?.current;
  const on = showsSlides(state.slides) && (state.phase === "pitch" || state.phase === "questions" || state.phase === "ready");
  screen.dataset.slides = on ? "on" : "off";
  if (!on) {
    currentSlide.show(null, wantedUrls(state.slides));
    nextSlide.show(null);
    return;
  }
  currentSlide.alt = slideLabels.slide.replace("{page}", deck.page).replace("{pages}", deck.pages);
  currentSlide.show(slideUrl(deck, deck.page), wantedUrls(state.slides));
  const following = slideUrl(deck, deck.page + 1, THUMB_WIDTH) ?? slideUrl(state.slides.next, 1, THUMB_WIDTH);
  nextSlide.show(following);
  setText(el("stage-slide-number"), deck.page === deck.pages ? `${currentSlide.alt} · ${slideLabels.last}` : currentSlide.alt);
}

function renderStatic(state) {
  screen.dataset.phase = state.phase;
  renderSlides(state);
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

// A presenter remote (the common clickers send PageDown / PageUp, some the arrows) on the stage laptop turns
// the slides, as a versioned command like the console's; only when this view has the moderator's cookie
// (the server checks it again on every command). Without it the keys do nothing.
const NEXT_KEYS = new Set(["PageDown", "ArrowRight", "ArrowDown"]);
const PREVIOUS_KEYS = new Set(["PageUp", "ArrowLeft", "ArrowUp"]);
if (screen.dataset.remote === "true") {
  document.addEventListener("keydown", (event) => {
    const name = NEXT_KEYS.has(event.key) ? "slide_next" : PREVIOUS_KEYS.has(event.key) ? "slide_previous" : null;
    const live = current();
    if (!name || !live || event.altKey || event.ctrlKey || event.metaKey || !showsSlides(live.state.slides)) return;
    event.preventDefault();
    if (event.repeat) return;  // a key held down turns one slide
    const command = { command_id: uuid(), name, args: {}, version: live.version };
    socket.timeout(4000).emit("command", command, (err, ack) => {
      if (!err && ack && !ack.ok) {
        if (ack.error.code === "stale") resync();
      }
    });
  });
}

const { socket, clock, current, resync } = connectLive({
  view: "stage",
  edition: document.body.dataset.edition,
  onState: (m) => renderStatic(m.state),
  onConnection: (up) => (el("connection").hidden = up),
});
requestAnimationFrame(frame);
