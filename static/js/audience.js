// Audience page (phone): what is on stage, questions (ask, see mine, vote), connect links, agenda.
import { connectLive, countdownNow, rules, t, tn, uuid } from "./live.js";
import { formatCountdown } from "./countdown.js";
import { setText } from "./format.js";
import { agendaItem, kindLabel, phaseLabel } from "./agenda.js";
import { Outbox } from "./outbox.js";

const el = (id) => document.getElementById(id);
const edition = document.body.dataset.edition;

let chosenTalk = null; // the talk the phone picked; null: follow the one on stage
let lastState = null;
const boards = new Map(); // talk id → public questions, in the room's order
const mine = new Map(); // client_id → own question as the server knows it
const voted = new Set(); // question ids this phone voted for
// The talks' names, teams and kinds, by id, from the page: the state's agenda rows carry only the id,
// the status and the time (pitchday/services/presenter.py PHONE_STATE).
const talks = JSON.parse(el("talks").textContent);
const RELOAD_KEY = `pitchday:programme-reload:${edition}`;

// -- on stage and agenda -----------------------------------------------------------------------

function shownTalk() {
  return chosenTalk ?? lastState?.followed_talk ?? null;
}

function connectUrl(talkId) {
  return el("connect-url").innerHTML.trim().replace(/\/0$/, `/${talkId}`);
}

function renderStatic(state) {
  lastState = state;
  const talk = state.current;
  setText(el("talk-kind"), talk ? kindLabel(talk) : "");
  setText(el("talk-title"), talk ? talk.title : state.next ? `${t("next")} : ${state.next.title}` : t("phase." + state.phase));
  setText(el("talk-organisation"), talk ? talk.organisation || talk.speaker : "");  // an item: its speaker
  // With a team on stage, its form; before the first talk, during an item (welcome, break) and during
  // networking (when people most want it), the choice of every team, further down the page.
  const team = talk && (talk.item_kind ?? "talk") === "talk" ? talk : null;
  const link = el("connect-current");
  link.href = team ? connectUrl(team.id) : "#connect-title";
  setText(link, team ? link.dataset.teamLabel : link.dataset.chooseLabel);
  el("agenda").replaceChildren(...state.agenda.map((row) => agendaItem({ ...talks[row.id], ...row })));
  if (state.agenda.some((row) => !(row.id in talks))) programmeChanged();
  followStage();
}

/** A talk the page does not know: the programme changed since it loaded (its list of talks too), so
 * load it again; at most once a minute, so that a phone never reloads in a loop. */
function programmeChanged() {
  const last = Number(sessionStorage.getItem(RELOAD_KEY) ?? 0);
  if (Date.now() - last < 60_000) return;
  sessionStorage.setItem(RELOAD_KEY, String(Date.now()));
  location.reload();
}

/** Unless the phone chose another talk, the question form and the board follow the stage. */
function followStage() {
  const select = el("talk-select");
  const talkId = shownTalk();
  if (talkId !== null && select.value !== String(talkId)) {
    select.value = String(talkId);
    loadBoard(talkId);
  }
}

// -- the board of public questions ---------------------------------------------------------

function loadBoard(talkId) {
  if (!socket.connected) return renderBoard();
  socket.timeout(5000).emit("board", { talk_id: talkId }, (err, answer) => {
    if (!err && answer?.ok) boards.set(answer.talk_id, answer.questions);
    renderBoard();
  });
}

/** `ids` in the room's order, as the server sent it with the votes (unknown ones last). */
function inOrder(questions, ids) {
  const position = new Map(ids.map((id, i) => [id, i]));
  const rank = (q) => position.get(q.id) ?? ids.length;
  return [...questions].sort((a, b) => rank(a) - rank(b));
}

function renderBoard() {
  const talkId = shownTalk();
  const questions = boards.get(talkId) ?? [];
  el("board").replaceChildren(...questions.map(boardItem));
  el("board-empty").hidden = questions.length > 0;
  setText(el("board-empty"), t("question.none"));
}

function boardItem(question) {
  const item = document.createElement("li");
  item.className = `question status-${question.status}`;
  const text = document.createElement("p");
  text.className = "q-text";
  text.textContent = question.text;
  const meta = document.createElement("p");
  meta.className = "q-meta";
  meta.textContent = [question.author ?? t("question.anonymous"), question.status === "answered" ? t("question.answered") : ""]
    .filter(Boolean).join(" · ");
  const button = document.createElement("button");
  button.type = "button";
  button.className = "btn vote";
  button.dataset.question = question.id;
  const mineVote = voted.has(question.id);
  button.setAttribute("aria-pressed", String(mineVote));
  button.disabled = question.status === "answered";
  button.setAttribute("aria-label", tn(mineVote ? "vote.done" : "vote.label", question.votes));
  const arrow = document.createElement("span");
  arrow.setAttribute("aria-hidden", "true");
  arrow.textContent = "▲";
  const count = document.createElement("span");
  count.className = "count";
  count.textContent = String(question.votes);
  button.append(arrow, count);
  item.append(text, meta, button);
  return item;
}

/** New vote counts, and with a broadcast the boards' new order (this phone's own vote waits for it). */
function applyVotes(counts, order = {}) {
  for (const [talkId, questions] of boards) {
    const updated = questions.map((q) => (String(q.id) in counts ? { ...q, votes: counts[q.id] } : q));
    boards.set(talkId, String(talkId) in order ? inOrder(updated, order[talkId]) : updated);
  }
  renderBoard();
}

// -- my questions ----------------------------------------------------------------------------

function renderMine() {
  const waiting = outbox.pending("ask").map((p) => ({ ...p, status: socket.connected ? "sending" : "queued" }));
  const known = [...mine.values()].sort((a, b) => b.id - a.id);
  const all = [...waiting.filter((p) => !mine.has(p.client_id)).reverse(), ...known];
  el("mine").hidden = all.length === 0;
  el("my-questions").replaceChildren(
    ...all.map((q) => {
      const item = document.createElement("li");
      item.className = `question mine-item status-${q.status}`;
      const text = document.createElement("p");
      text.className = "q-text";
      text.textContent = q.text;
      const status = document.createElement("p");
      status.className = "q-status";
      status.textContent = t("question." + q.status);
      item.append(text, status);
      return item;
    }),
  );
}

// -- asking ----------------------------------------------------------------------------------

function showFieldError(name, message) {
  const error = el(`ask-${name}-error`);
  const field = el(`ask-${name}`);
  error.hidden = !message;
  setText(error, message ?? "");
  if (message) field.setAttribute("aria-invalid", "true");
  else field.removeAttribute("aria-invalid");
}

function updateCount() {
  const count = [...el("ask-text").value].length;
  setText(el("ask-count"), t("chars", { count, max: rules.question_max_chars }));
}

el("ask-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = el("ask-text").value.trim();
  showFieldError("text", null);
  showFieldError("author", null);
  if (!text) {
    showFieldError("text", t("error.required"));
    el("ask-text").focus();
    return;
  }
  const payload = { client_id: uuid(), talk_id: Number(el("talk-select").value), text, author: el("ask-author").value.trim() };
  outbox.send("ask", payload);
  el("ask-text").value = "";
  updateCount();
  setText(el("ask-status"), socket.connected ? t("question.sending") : t("error.offline_pending"));
  renderMine();
});

function settledAsk(payload, ack) {
  if (ack.ok) {
    mine.set(ack.question.client_id, ack.question);
    setText(el("ask-status"), ack.question.status === "published" ? t("question.sent_published") : t("question.sent"));
  } else {
    // Refused (invalid, too many): the text comes back to the form so that nothing typed is lost.
    if (!el("ask-text").value) el("ask-text").value = payload.text;
    updateCount();
    for (const [field, message] of Object.entries(ack.error.fields ?? {})) {
      if (field === "text" || field === "author") showFieldError(field, message);
    }
    setText(el("ask-status"), ack.error.message);
  }
  renderMine();
}

// -- voting ----------------------------------------------------------------------------------

el("board").addEventListener("click", (event) => {
  const button = event.target.closest("button.vote");
  if (!button || button.disabled) return;
  const questionId = Number(button.dataset.question);
  if (voted.has(questionId)) return; // once per phone; the server says so too
  voted.add(questionId);
  renderBoard();
  outbox.send("vote", { client_id: uuid(), question_id: questionId });
});

function settledVote(payload, ack) {
  if (ack.ok) {
    applyVotes({ [ack.question_id]: ack.votes });
  } else {
    voted.delete(payload.question_id);
    setText(el("ask-status"), ack.error.message);
    renderBoard();
  }
}

// -- wiring ----------------------------------------------------------------------------------

function frame() {
  const live = current();
  if (live) {
    const shown = countdownNow(live.state, clock.now());
    // A paused talk says so, in words, and its countdown takes the paused colour (base.css).
    setText(el("phase"), shown === null ? "" : phaseLabel(shown.phase, lastState?.current) + (shown.running ? "" : ` · ${t("paused")}`));
    setText(el("countdown"), shown === null ? "" : formatCountdown(shown.remaining));
    el("countdown").dataset.wrap = shown === null ? "none" : shown.wrap;
  }
  requestAnimationFrame(frame);
}

const { socket, clock, current } = connectLive({
  view: "audience",
  edition,
  onState: (m) => renderStatic(m.state),
  onConnection: (up) => {
    el("connection").hidden = up;
    renderMine();
  },
});
const outbox = new Outbox(socket, `pitchday:outbox:${edition}`);
outbox.onSettled((name, payload, ack) => {
  if (name === "ask") settledAsk(payload, ack);
  else if (name === "vote") settledVote(payload, ack);
});
for (const pendingVote of outbox.pending("vote")) voted.add(pendingVote.question_id);

socket.on("connect", () => {
  socket.timeout(5000).emit("mine", (err, answer) => {
    if (err || !answer?.ok) return;
    for (const q of answer.questions) mine.set(q.client_id, q);
    for (const id of answer.voted) voted.add(id);
    renderMine();
    renderBoard();
  });
  const talkId = shownTalk();
  if (talkId !== null) loadBoard(talkId);
});
socket.on("board", (message) => {
  boards.set(message.talk_id, message.questions);
  if (message.talk_id === shownTalk()) renderBoard();
});
socket.on("votes", (message) => applyVotes(message.counts, message.order));
socket.on("my_question", (question) => {
  mine.set(question.client_id, question);
  renderMine();
});

el("talk-select").addEventListener("change", (event) => {
  chosenTalk = Number(event.target.value);
  if (chosenTalk === lastState?.followed_talk) chosenTalk = null; // back to following the stage
  loadBoard(Number(event.target.value));
});
el("ask-text").addEventListener("input", updateCount);
updateCount();
renderMine();
requestAnimationFrame(frame);
