// Audience page (phone): what is on stage now and the agenda of the evening.
import { connectLive, remainingAt, displayPhase, t } from "./live.js";
import { countdown, setText, clockTime } from "./format.js";

const el = (id) => document.getElementById(id);

function renderStatic(state) {
  const talk = state.current;
  setText(el("talk-kind"), talk ? t("kind." + talk.kind) : "");
  setText(el("talk-title"), talk ? talk.title : state.next ? `${t("next")} : ${state.next.title}` : t("phase." + state.phase));
  setText(el("talk-organisation"), talk ? talk.organisation : "");
  el("agenda").replaceChildren(
    ...state.agenda.map((row) => {
      const item = document.createElement("li");
      item.className = `row row-${row.status}`;
      const time = document.createElement("span");
      time.className = "time";
      time.textContent = clockTime(row.actual_start ?? row.projected_start ?? row.planned_start);
      const title = document.createElement("span");
      title.className = "title";
      title.textContent = row.title;
      const org = document.createElement("span");
      org.className = "org";
      org.textContent = `${row.organisation} · ${t("kind." + row.kind)}`;
      item.append(time, title, org);
      return item;
    }),
  );
}

function frame() {
  const live = current();
  if (live) {
    const now = clock.now();
    const remaining = remainingAt(live.state, now);
    setText(el("phase"), remaining === null ? "" : t("phase." + displayPhase(live.state, now)));
    setText(el("countdown"), remaining === null ? "" : countdown(remaining));
  }
  requestAnimationFrame(frame);
}

const { clock, current } = connectLive({
  view: "audience",
  edition: document.body.dataset.edition,
  onState: (m) => renderStatic(m.state),
  onConnection: (up) => (el("connection").hidden = up),
});
requestAnimationFrame(frame);
