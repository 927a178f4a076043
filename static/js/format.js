// Formatting shared by the live views.

/** "4:59" for time left, "+0:23" for overtime. Seconds are rounded up while counting down. */
export function countdown(ms) {
  if (ms === null || ms === undefined) return "";
  const over = ms < 0;
  const totalSeconds = over ? Math.floor(-ms / 1000) : Math.ceil(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = String(totalSeconds % 60).padStart(2, "0");
  return `${over ? "+" : ""}${minutes}:${seconds}`;
}

const timeFormat = new Intl.DateTimeFormat("fr-FR", { timeZone: "Europe/Paris", hour: "2-digit", minute: "2-digit" });

/** Epoch ms to "19:21", always in Europe/Paris, whatever the device's zone. */
export function clockTime(ms) {
  return ms === null || ms === undefined ? "" : timeFormat.format(new Date(ms));
}

/** "wait" | "minute" | "30s" | "over" for the wrap-up colours. */
export function wrapStage(remaining) {
  if (remaining === null || remaining === undefined) return "none";
  if (remaining <= 0) return "over";
  if (remaining <= 30_000) return "30s";
  if (remaining <= 60_000) return "minute";
  return "normal";
}

export function setText(element, text) {
  if (element && element.textContent !== text) element.textContent = text;
}
