// One row of the evening's agenda, as the projector and the phones show it.
import { t } from "./live.js";
import { clockTime } from "./format.js";

function span(className, text) {
  const element = document.createElement("span");
  element.className = className;
  element.textContent = text; // user text only ever through textContent
  return element;
}

/** `<li>` for an agenda row: its time (actual, else projected, else planned), title, team and kind. */
export function agendaItem(row, { withStatus = false } = {}) {
  const item = document.createElement("li");
  item.className = `row row-${row.status}`;
  item.append(
    span("time", clockTime(row.actual_start ?? row.projected_start ?? row.planned_start)),
    span("title", row.title),
    span("org", `${row.organisation} · ${t("kind." + row.kind)}`),
  );
  if (withStatus) item.append(span("status", t("status." + row.status)));
  return item;
}
