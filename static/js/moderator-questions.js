// Moderator console, questions tab: the queue of one talk (waiting first), moderation, spotlight.
import { rules, t, tn } from "./live.js";
import { setText } from "./format.js";

const el = (id) => document.getElementById(id);

/**
 * Wire the questions tab. `send(name, args)` runs a show command (spotlight goes through the run of
 * show, so that the projector shows it with the state's version); `onCounts(counts)` lets the
 * agenda show the connect requests per talk.
 */
export function initQuestions({ socket, send, onCounts }) {
  let chosenTalk = null; // picked by the moderator; null: follow the talk on stage
  let lastState = null;
  let listTalk = null;
  let questions = [];
  let counts = { pending: {}, connect: {}, auto_publish: false };
  let editing = null; // id of the question whose text is being edited

  const shownTalk = () => chosenTalk ?? lastState?.followed_talk ?? null;

  function refresh() {
    const talkId = shownTalk();
    if (talkId === null || !socket.connected) return;
    socket.timeout(5000).emit("moderation_list", { talk_id: talkId }, (err, answer) => {
      if (err || !answer?.ok) return;
      setCounts(answer.counts);
      if (answer.talk_id === shownTalk()) showList(answer.talk_id, answer.questions);
    });
  }

  function setCounts(next) {
    counts = next;
    el("auto-publish").checked = counts.auto_publish;
    const waiting = Object.values(counts.pending).reduce((a, b) => a + b, 0);
    setText(el("pending-badge"), waiting ? String(waiting) : "");
    renderOptions();
    onCounts(counts);
  }

  function renderOptions() {
    if (!lastState) return;
    const select = el("mod-talk");
    const options = lastState.agenda.map((row) => {
      const option = document.createElement("option");
      option.value = String(row.id);
      const waiting = counts.pending[row.id] ?? 0;
      option.textContent = waiting ? `${row.title} — ${t("mod.waiting", { count: waiting })}` : row.title;
      return option;
    });
    select.replaceChildren(...options);
    select.value = String(shownTalk());
  }

  function showList(talkId, list) {
    listTalk = talkId;
    questions = list;
    render();
  }

  function render() {
    const spotlightId = lastState?.spotlight?.id ?? null;
    el("mod-questions").replaceChildren(...questions.map((q) => item(q, spotlightId)));
    el("mod-empty").hidden = questions.length > 0;
    setText(el("mod-empty"), t("mod.empty"));
  }

  function button(label, action, id, extra = "") {
    const b = document.createElement("button");
    b.type = "button";
    b.className = `btn btn-small ${extra}`.trim();
    b.dataset.action = action;
    b.dataset.question = id;
    b.textContent = label;
    return b;
  }

  function item(q, spotlightId) {
    const li = document.createElement("li");
    li.className = `mod-item status-${q.status}${q.suspect.length ? " suspect" : ""}`;
    if (editing === q.id) {
      const label = document.createElement("label");
      label.className = "sr-only";
      label.htmlFor = `edit-${q.id}`;
      label.textContent = t("mod.edit");
      const area = document.createElement("textarea");
      area.id = `edit-${q.id}`;
      area.maxLength = rules.question_max_chars;
      area.rows = 3;
      area.value = q.text;
      const actions = document.createElement("div");
      actions.className = "mod-actions";
      actions.append(button(t("mod.save_approve"), "save", q.id, "btn-main"), button(t("mod.cancel"), "cancel", q.id));
      li.append(label, area, actions);
      return li;
    }
    const text = document.createElement("p");
    text.className = "mod-text";
    text.textContent = q.text;
    const meta = document.createElement("p");
    meta.className = "mod-meta";
    meta.textContent = [
      t("question." + q.status),
      q.status === "pending" ? "" : tn("votes", q.votes),
      q.author ?? t("question.anonymous"),
    ].filter(Boolean).join(" · ");
    li.append(text, meta);
    if (q.suspect.length) {
      const warn = document.createElement("p");
      warn.className = "mod-suspect";
      warn.textContent = t("mod.suspect", { words: q.suspect.join(", ") });
      li.append(warn);
    }
    if (q.original_text) {
      const original = document.createElement("p");
      original.className = "mod-meta";
      original.textContent = t("mod.edited", { text: q.original_text });
      li.append(original);
    }
    const actions = document.createElement("div");
    actions.className = "mod-actions";
    // The server says which actions fit the question's status (and which one is the main step).
    for (const action of q.actions) {
      const main = action === q.main_action ? "btn-main" : "";
      if (action === "spotlight" && q.id === spotlightId) actions.append(button(t("mod.unspotlight"), "unspotlight", q.id, main));
      else actions.append(button(t("mod." + action), action, q.id, main));
    }
    li.append(actions);
    return li;
  }

  function moderate(questionId, action, text) {
    const payload = { question_id: questionId, action, ...(text === undefined ? {} : { text }) };
    socket.timeout(5000).emit("moderate", payload, (err, ack) => {
      if (err) return setText(el("mod-feedback"), t("error.offline"));
      setText(el("mod-feedback"), ack.ok ? t("done") : ack.error.message);
      if (ack.ok) editing = null;
      refresh();
    });
  }

  el("mod-questions").addEventListener("click", (event) => {
    const b = event.target.closest("button[data-action]");
    if (!b) return;
    const id = Number(b.dataset.question);
    const action = b.dataset.action;
    if (action === "edit") {
      editing = id;
      render();
      el(`edit-${id}`)?.focus();
    } else if (action === "cancel") {
      editing = null;
      render();
    } else if (action === "save") {
      moderate(id, "approve", el(`edit-${id}`).value);
    } else if (action === "spotlight") {
      send("spotlight", { question_id: id });
    } else if (action === "unspotlight") {
      send("clear_spotlight");
    } else {
      moderate(id, action);
    }
  });

  el("mod-talk").addEventListener("change", (event) => {
    chosenTalk = Number(event.target.value);
    if (chosenTalk === lastState?.followed_talk) chosenTalk = null;
    editing = null;
    refresh();
  });

  el("auto-publish").addEventListener("change", (event) => {
    socket.timeout(5000).emit("question_settings", { enabled: event.target.checked }, (err, ack) => {
      if (err || !ack.ok) {
        event.target.checked = !event.target.checked;
        setText(el("mod-feedback"), err ? t("error.offline") : ack.error.message);
      }
    });
  });

  socket.on("connect", refresh);
  socket.on("moderation", (message) => {
    if (message.talk_id === shownTalk() && editing === null) showList(message.talk_id, message.questions);
  });
  socket.on("moderation_counts", setCounts);
  socket.on("votes", ({ counts: votes }) => {
    questions = questions.map((q) => (String(q.id) in votes ? { ...q, votes: votes[q.id] } : q));
    if (editing === null) render();
  });

  return {
    /** Called with each new state of the show. */
    onState(state) {
      const before = shownTalk();
      lastState = state;
      renderOptions();
      const spotlight = state.spotlight;
      el("spotlight-now").hidden = !spotlight;
      setText(el("spotlight-now-text"), spotlight ? `« ${spotlight.text} »` : "");
      if (shownTalk() !== before || listTalk === null) refresh();
      else render();
    },
    counts: () => counts,
  };
}
