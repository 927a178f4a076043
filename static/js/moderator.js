// Moderator console: sends commands built on the version it shows; the server refuses stale ones.
import { connectLive, countdownNow, t, tn, uuid } from "./live.js";
import { formatCountdown } from "./countdown.js";
import { setText, clockTime } from "./format.js";
import { initQuestions } from "./moderator-questions.js";
import { renderDeckPanel } from "./slides.js";
import { byline, kindLabel, phaseLabel } from "./agenda.js";

const el = (id) => document.getElementById(id);
const labels = JSON.parse(el("labels").textContent);
const feedback = el("feedback");

function send(name, args = {}) {
  const live = current();
  if (!live || !socket.connected) {
    setText(feedback, t("error.offline"));
    return;
  }
  const command = { command_id: uuid(), name, args, version: live.version };
  document.body.classList.add("busy");
  // Retried on a lost ack with the same command_id: the server answers it once.
  const attempt = (triesLeft) =>
    socket.timeout(4000).emit("command", command, (err, ack) => {
      if (err && triesLeft > 0) return attempt(triesLeft - 1);
      document.body.classList.remove("busy");
      if (err) return setText(feedback, t("error.offline"));
      if (ack.ok) return setText(feedback, name === "undo" ? t("undone") : t("done"));
      setText(feedback, t("error." + ack.error.code) !== "error." + ack.error.code ? t("error." + ack.error.code) : `${t("error.generic")} : ${ack.error.message}`);
      // A refusal usually means this console shows an old state (a broadcast was lost): fetch the current one
      // at once, so that the moderator sees what changed before trying again.
      resync();
    });
  attempt(2);
}

function rowFor(row, state) {
  const tr = document.createElement("tr");
  tr.className = `row row-${row.status}`;
  const name = document.createElement("td");
  const title = document.createElement("strong");
  title.textContent = row.title;
  const meta = document.createElement("span");
  meta.className = "meta";
  const requests = questionsTab?.counts().connect[row.id] ?? 0;
  const connect = requests === 0 ? "" : tn("mod.connect", requests);
  meta.textContent = [byline(row), t("status." + row.status), connect].filter(Boolean).join(" · ");
  name.append(title, document.createElement("br"), meta);
  const planned = document.createElement("td");
  planned.textContent = clockTime(row.planned_start);
  const actual = document.createElement("td");
  actual.textContent = row.actual_start ? clockTime(row.actual_start) : row.projected_start ? `≈ ${clockTime(row.projected_start)}` : "";
  const actions = document.createElement("td");
  actions.className = "actions";
  if (row.status === "next" || row.status === "planned") {
    actions.append(el("row-actions").content.cloneNode(true));
    actions.querySelectorAll("button").forEach((b) => (b.dataset.talk = row.id));
  }
  tr.append(name, planned, actual, actions);
  return tr;
}

function renderStatic(message) {
  const state = message.state;
  const extras = message.moderator;
  const talk = state.current;
  setText(el("now-title"), talk ? talk.title : state.next ? `${t("next")} : ${state.next.title}` : t("phase." + state.phase));
  setText(el("now-organisation"), talk ? [talk.organisation, talk.speaker, kindLabel(talk)].filter(Boolean).join(" · ") : "");
  const coming = extras?.coming_next ?? (state.next ? "talk" : "nothing");
  setText(el("next-title"), coming === "talk" && state.next ? `${state.next.title} · ${byline(state.next)}`
    : labels.coming_next[coming] ?? "");
  if (extras) {
    const main = el("btn-main");
    main.dataset.command = extras.main_action.command ?? "";
    main.disabled = !extras.main_action.command;
    setText(main, labels[extras.main_action.label]);
    // Which commands apply now is the domain's answer (extras.allowed): what it would refuse is disabled.
    const allowed = new Set(extras.allowed);
    document.querySelectorAll("button[data-command]:not(#btn-main)").forEach((b) => (b.disabled = !allowed.has(b.dataset.command)));
  }
  document.querySelectorAll("[data-mode]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.mode === state.projector_mode)));
  el("btn-qrwall").setAttribute("aria-pressed", String(Boolean(state.qr_fullscreen)));
  el("auto-questions").checked = state.auto_questions;
  const shown = el("current-message");
  shown.dataset.shown = String(Boolean(state.stage_message));
  setText(shown, state.stage_message ? labels.message_shown.replace("{text}", state.stage_message.text) : labels.no_message);
  el("agenda").replaceChildren(...state.agenda.map((row) => rowFor(row, state)));
  renderDeckPanel(el("deck-panel"), state.slides, labels.slides);
  if (extras) renderExtras(extras);
  questionsTab?.onState(state);
}

function renderExtras(extras) {
  const minutes = Math.round(Math.abs(extras.drift_ms) / 60000);
  const end = clockTime(extras.projected_end);
  const drift = minutes === 0 ? `${t("drift.on_time")} · ${end}` : t(extras.drift_ms > 0 ? "drift.late" : "drift.early", { min: minutes, end });
  setText(el("drift"), drift);
  // A rehearsal or the demo, played on another day than planned: say what the figures are measured from.
  el("drift").title = extras.replayed ? t("drift.replayed") : "";
  setText(el("drift-note"), extras.replayed ? t("drift.replayed") : "");
  el("drift").dataset.late = String(extras.drift_ms >= 120000);
  controlDevices = extras.control_devices ?? [];
  renderPresence(extras.presence);
  renderRefused(extras.refused);
}

// The control devices that sent a command lately: with each state (a presence event does not carry them).
let controlDevices = [];

function renderPresence(p) {
  if (p) setText(el("presence"), labels.presence.replace(/\{(\w+)\}/g, (_, k) => p[k] ?? 0));
  // Who holds each open console (a link's holder, or a signed-in account): two consoles see each other;
  // and the control devices (a Stream Deck) that sent a command lately (services/control.recent_devices).
  const names = [...(p?.at_controls ?? []), ...controlDevices.map((name) => labels.control_device.replace("{name}", name))];
  if (p) setText(el("at-controls"), names.length ? labels.at_controls.replace("{names}", names.join(", ")) : "");
}

/** Phones this server turned away because it was full (they try again by themselves). */
function renderRefused(refused) {
  const count = refused?.server_full ?? 0;
  el("refused").hidden = count === 0;
  setText(el("refused"), labels.refused.replace("{count}", count));
}

function frame() {
  const live = current();
  if (live) {
    const shown = countdownNow(live.state, clock.now());
    const cd = el("countdown");
    cd.dataset.wrap = shown === null ? "none" : shown.wrap;
    setText(cd, shown === null ? "–:––" : formatCountdown(shown.remaining));
    // The stage in words too: the last minute and the last 30 s differ by more than their colour.
    const label = el("wrap-label");
    label.dataset.wrap = cd.dataset.wrap;
    setText(label, { minute: t("wrap.minute"), "30s": t("wrap.30s"), over: t("wrap.over") }[cd.dataset.wrap] ?? "");
    setText(el("phase"), shown === null ? t("phase." + live.state.phase)
      : phaseLabel(shown.phase, live.state.current) + (shown.running ? "" : ` · ${t("paused")}`));
    setText(el("clock"), clockTime(clock.now()));
  }
  requestAnimationFrame(frame);
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("button");
  if (!button || button.disabled) return;
  // A tap or a click leaves no focus behind, so the keys work again at once; a button pressed from the
  // keyboard (detail 0) keeps its focus, and the keys stay with it.
  if (event.detail > 0) button.blur();
  const live = current();
  if (button.dataset.command) {
    const name = button.dataset.command;
    if (name === "extend") return send("extend", { delta_ms: Number(button.dataset.delta) });
    return send(name);
  }
  if (button.dataset.slidePage) return send("slide_goto", { page: Number(button.dataset.slidePage) });
  if (button.dataset.message) return send("message", { text: button.dataset.message });
  if (button.dataset.mode) return send("set_mode", { mode: button.dataset.mode });
  if (button.dataset.action && button.dataset.talk && live) {  // agenda rows (questions have their own)
    const talkId = Number(button.dataset.talk);
    const action = button.dataset.action;
    if (action === "jump") return send("jump", { talk_id: talkId });
    if (action === "absent-end") return send("absent", { talk_id: talkId, mode: "end" });
    if (action === "absent-skip") return send("absent", { talk_id: talkId, mode: "skip" });
    const order = [...(live.moderator?.upcoming ?? [])];
    const i = order.indexOf(talkId);
    const j = action === "up" ? i - 1 : i + 1;
    if (i < 0 || j < 0 || j >= order.length) return;
    [order[i], order[j]] = [order[j], order[i]];
    return send("reorder", { order });
  }
});

el("message-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = el("message-text");
  if (input.value.trim()) send("message", { text: input.value });
  input.value = "";
});

el("auto-questions").addEventListener("change", (event) => send("set_auto_questions", { enabled: event.target.checked }));

// The shortcuts act only when no control has focus: Space on a focused button is that button's own press
// (Tab to "Précédent" then Space goes back, it never starts the pitch). Each key presses its button, so a
// command the state refuses (a disabled button) does nothing.
const CONTROLS = "button, input, textarea, select, summary, a[href], [tabindex], [contenteditable]";

function controlHasFocus() {
  const focused = document.activeElement;
  return Boolean(focused && focused !== document.body && focused.closest(CONTROLS));
}

function press(selector) {
  const button = document.querySelector(selector);
  if (button && !button.disabled) button.click();
}

document.addEventListener("keydown", (event) => {
  if (controlHasFocus() || event.altKey) return;
  const key = event.key.toLowerCase();
  if (event.key === " " || event.code === "Space") {
    event.preventDefault();
    press("#btn-main");
  } else if ((event.ctrlKey || event.metaKey) && key === "z") {
    event.preventDefault();
    press('[data-command="undo"]');
  } else if (event.ctrlKey || event.metaKey) {
    return;
  } else if (event.key === "PageDown" || event.key === "PageUp") {
    event.preventDefault();
    press(`[data-command="${event.key === "PageDown" ? "slide_next" : "slide_previous"}"]`);
  } else if (key === "q") press('[data-command="questions"]');
  else if (key === "n") press('[data-command="next"]');
  else if (event.key === "+") press('[data-command="extend"][data-delta="30000"]');
  else if (event.key === "-") press('[data-command="extend"][data-delta="-30000"]');
});

let accessEnded = false;
const { socket, clock, current, resync } = connectLive({
  view: "moderator",
  edition: document.body.dataset.edition,
  onState: renderStatic,
  onPresence: renderPresence,
  onConnection: (up) => {
    if (accessEnded) return; // keep saying why, not "reconnecting"
    setText(el("connection"), up ? labels.online : labels.offline);
    el("connection").dataset.up = String(up);
  },
});
// The link was revoked or expired: the server cut this console off and it will not reconnect.
socket.on("access_ended", () => {
  accessEnded = true;
  setText(el("connection"), labels.access_ended);
  el("connection").dataset.up = "false";
});
const questionsTab = initQuestions({
  socket,
  send,
  onCounts: () => {
    const live = current();
    if (live) el("agenda").replaceChildren(...live.state.agenda.map((row) => rowFor(row, live.state)));
  },
});

// Tabs (WAI-ARIA pattern): click, or arrow keys between the two tabs.
const tabs = [el("tab-agenda"), el("tab-questions")];
function selectTab(tab) {
  for (const other of tabs) {
    const selected = other === tab;
    other.setAttribute("aria-selected", String(selected));
    other.tabIndex = selected ? 0 : -1;
    el(other.getAttribute("aria-controls")).hidden = !selected;
  }
}
for (const tab of tabs) {
  tab.addEventListener("click", () => selectTab(tab));
  tab.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
    const next = tabs[(tabs.indexOf(tab) + 1) % tabs.length];
    selectTab(next);
    next.focus();
  });
}
requestAnimationFrame(frame);
