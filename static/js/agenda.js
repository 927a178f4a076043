// One row of the evening's agenda, as the projector and the phones show it.
import { t } from "./live.js";
import { clockTime } from "./format.js";

export { agendaWindow } from "./agenda-window.js";

function span(className, text) {
  const element = document.createElement("span");
  element.className = className;
  element.textContent = text; // user text only ever through textContent
  return element;
}

/** What an item of the rundown is: a talk's type (Pitch projet…), or its kind (Accueil, Pause…). */
export function kindLabel(card) {
  return !card.item_kind || card.item_kind === "talk" ? t("kind." + card.kind) : t("item." + card.item_kind);
}

/** The line under an item's title: the team and the talk's type, or the speaker and the item's kind. */
export function byline(card) {
  const who = !card.item_kind || card.item_kind === "talk" ? card.organisation : card.speaker;
  return [who, kindLabel(card)].filter(Boolean).join(" · ");
}

/** The phase as a screen names it: an item's one phase is called by its kind (Accueil, Pause…). */
export function phaseLabel(phase, current) {
  return phase === "segment" && current ? kindLabel(current) : t("phase." + phase);
}

/** `<li>` for an agenda row: its time (actual, else projected, else planned), title, team and kind. */
export function agendaItem(row, { withStatus = false } = {}) {
  const item = document.createElement("li");
  item.className = `row row-${row.status} item-${row.item_kind ?? "talk"}`;
  item.append(
    span("time", clockTime(row.actual_start ?? row.projected_start ?? row.planned_start)),
    span("title", row.title),
    span("org", byline(row)),
  );
  if (withStatus) item.append(span("status", t("status." + row.status)));
  return item;
}
