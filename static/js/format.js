// Formatting shared by the live views (the countdown's own is in countdown.js).

const timeFormat = new Intl.DateTimeFormat("fr-FR", { timeZone: "Europe/Paris", hour: "2-digit", minute: "2-digit" });

/** Epoch ms to "19:21", always in Europe/Paris, whatever the device's zone. */
export function clockTime(ms) {
  return ms === null || ms === undefined ? "" : timeFormat.format(new Date(ms));
}

export function setText(element, text) {
  if (element && element.textContent !== text) element.textContent = text;
}
