// Projector: big countdown readable from the back of the room, rendered every frame.
import { connectLive, countdownNow, rules, t, tn } from "./live.js";
import { agendaItem, agendaWindow, byline, kindLabel, phaseLabel } from "./agenda.js";
import { formatCountdown } from "./countdown.js";
import { clockTime, setText } from "./format.js";
import { SlideStack, showsSlides, slideUrl, wantedUrls } from "./slides.js";

const body = document.body;
const screen = document.getElementById("screen");
const el = (id) => document.getElementById(id);
const connection = el("connection");

function screenFor(state) {
  if (state.qr_fullscreen) return "qrwall"; // the moderator's "scan now", over any mode
  if (state.projector_mode !== "auto") return state.projector_mode;
  if (state.phase === "pitch" || state.phase === "questions") {
    if (state.slides?.current?.display === "hdmi") return "hdmi";
    return showsSlides(state.slides) ? "slides" : "talk";
  }
  if (state.phase === "segment") return rules.item_screens?.[state.current?.item_kind] === "networking" ? "networking" : "item";
  if (state.phase === "ready") return "agenda";
  if (state.phase === "networking" || state.phase === "ended") return "networking";
  return "welcome";
}

// Rows that fit the screen at full size; beyond them the agenda condenses, then shows a window.
const AGENDA_FULL_ROWS = 11;
const AGENDA_CONDENSED_ROWS = 15;

function fillAgenda(rows, size) {
  const { start, end } = agendaWindow(rows, size);
  el("agenda").replaceChildren(...rows.slice(start, end).map((row) => agendaItem(row, { withStatus: true })));
  el("agenda-before").hidden = start === 0;
  setText(el("agenda-before"), tn("agenda.before", start));
  el("agenda-after").hidden = end === rows.length;
  setText(el("agenda-after"), tn("agenda.after", rows.length - end));
}

/** Whether the agenda's last line ends above the screen's bottom padding (only measurable while it is shown). */
function agendaFits() {
  const section = el("agenda").closest(".screen");
  const bottom = parseFloat(getComputedStyle(section).paddingBottom);
  const last = [el("agenda-after"), el("agenda")].find((e) => !e.hidden);
  return last.getBoundingClientRect().bottom <= section.getBoundingClientRect().bottom - bottom + 1;
}

function renderAgenda(state) {
  const rows = state.agenda;
  el("agenda").classList.toggle("agenda-condensed", rows.length > AGENDA_FULL_ROWS);
  // Beside the large QR code a narrow screen (4:3) has room for fewer rows: the window shrinks to what fits.
  let size = AGENDA_CONDENSED_ROWS;
  fillAgenda(rows, size);
  if (screen.dataset.screen === "agenda") {
    while (size > 3 && !agendaFits()) fillAgenda(rows, --size);
  }
  const late = state.late_end;
  el("agenda-late").hidden = !late;
  setText(el("agenda-late"), late ? t("agenda.late", { end: clockTime(late.projected_end), planned: clockTime(late.evening_end) }) : "");
}

let spotlight = null;

/** The audience question on screen, with its votes (kept up to date by "votes" messages). */
function renderSpotlight() {
  screen.dataset.spotlight = spotlight ? "on" : "off";
  el("spotlight").hidden = !spotlight;
  if (!spotlight) return;
  setText(el("spotlight-text"), spotlight.text);
  // A question of the longest allowed length must fit whole on screen: the longer the question, the smaller its type.
  const length = [...spotlight.text].length;
  el("spotlight").dataset.size = length <= 100 ? "large" : length <= 180 ? "medium" : "small";
  setText(el("spotlight-author"), spotlight.author ? t("question.by", { author: spotlight.author }) : "");
  setText(el("spotlight-votes"), tn("votes", spotlight.votes));
}

const slideLabels = JSON.parse(el("slide-labels").textContent);
const slideStack = new SlideStack(el("slide-stack"));

/** The slide shown (on the slides screen) and those held loaded around it, whatever the screen. */
function renderSlides(state, shownScreen) {
  const deck = state.slides?.current;
  const url = shownScreen === "slides" ? slideUrl(deck, deck.page) : null;
  slideStack.alt = deck && deck.pages ? slideLabels.slide.replace("{page}", deck.page).replace("{pages}", deck.pages) : "";
  slideStack.show(url, wantedUrls(state.slides));
  screen.dataset.slide = deck && deck.pages ? String(deck.page) : "";
}

function renderStatic(state) {
  screen.dataset.screen = screenFor(state);
  renderSlides(state, screen.dataset.screen);
  spotlight = state.spotlight;
  renderSpotlight();
  const talk = state.current;
  setText(el("talk-kind"), talk ? t("kind." + talk.kind) : "");
  setText(el("talk-title"), talk ? talk.title : "");
  setText(el("talk-organisation"), talk ? [talk.organisation, talk.speaker].filter(Boolean).join(" — ") : "");
  setText(el("next-title"), state.next ? `${state.next.title} · ${byline(state.next)}` : t("last_talk"));
  const item = state.phase === "segment" ? talk : null;
  screen.dataset.item = item ? rules.item_screens?.[item.item_kind] ?? "qr" : "";
  setText(el("item-kind"), item ? kindLabel(item) : "");
  setText(el("item-title"), item ? item.title : "");
  setText(el("item-speaker"), item ? item.speaker : "");
  el("item-next").parentElement.hidden = !state.next;
  setText(el("item-next"), state.next ? `${state.next.title} · ${byline(state.next)}` : "");
  renderAgenda(state);
  setText(el("qrwall-now"), qrWallLine(state));
}

/** The QR wall's strip: what is on (its countdown follows), else what comes next. */
function qrWallLine(state) {
  const talk = state.current;
  if (state.phase === "pitch" || state.phase === "questions" || state.phase === "segment") return talk ? talk.title : "";
  const up = state.phase === "ready" ? talk : state.phase === "welcome" ? state.next : null;
  return up ? `${t("next")} : ${up.title}` : t("phase." + state.phase);
}

// The short address's length, for the size of its letters on the QR wall (projector.css).
const qrWallUrl = el("qrwall-url");
qrWallUrl.style.setProperty("--host-chars", qrWallUrl.dataset.hostChars);
qrWallUrl.style.setProperty("--url-chars", qrWallUrl.dataset.urlChars);

function frame() {
  const live = current?.();
  if (live) {
    const shown = countdownNow(live.state, clock.now());
    if (shown !== null) {
      screen.dataset.wrap = shown.wrap;
      setText(el("phase"), phaseLabel(shown.phase, live.state.current) + (shown.running ? "" : ` · ${t("paused")}`));
      const figure = formatCountdown(shown.remaining);
      setText(el("item-countdown"), figure);
      setText(el("countdown"), figure);
      if (el("countdown").dataset.chars !== String(figure.length)) el("countdown").dataset.chars = String(figure.length);
      const label = { minute: t("wrap.minute"), "30s": t("wrap.30s"), over: t("wrap.over") }[shown.wrap] ?? "";
      setText(el("wrap-label"), shown.wrap === "over" ? `${label} ${figure}` : label);
      setText(el("item-wrap"), shown.running ? label : t("paused"));
      // Over a slide or beside the speaker's HDMI: the same figure and words, in a corner badge or a strip.
      const small = shown.running ? label : t("paused");
      for (const prefix of ["badge", "hdmi", "qrwall"]) {
        setText(el(`${prefix}-countdown`), figure);
        setText(el(`${prefix}-label`), small);
      }
      const done = Math.min(1, Math.max(0, 1 - shown.remaining / (shown.length || 1)));
      el("progress").style.transform = `scaleX(${done})`;
    } else {
      setText(el("qrwall-countdown"), "");
      setText(el("qrwall-label"), "");
    }
  }
  requestAnimationFrame(frame);
}

const { socket, clock, current } = connectLive({
  view: "projector",
  edition: body.dataset.edition,
  onState: (m) => renderStatic(m.state),
  onConnection: (up) => (connection.hidden = up),
});
socket.on("votes", ({ counts }) => {
  if (spotlight && String(spotlight.id) in counts) {
    spotlight = { ...spotlight, votes: counts[spotlight.id] };
    renderSpotlight();
  }
});
// A window resized (another projector plugged in): the agenda's rows that fit are counted again.
window.addEventListener("resize", () => {
  const live = current?.();
  if (live) renderStatic(live.state);
});
requestAnimationFrame(frame);
