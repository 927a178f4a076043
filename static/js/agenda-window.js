// Which rows of a long agenda a screen shows: pure arithmetic, tested by node (tests/js/agenda-window.test.js).

/**
 * Which rows of a long agenda to show: at most `size`, around the current (else the next) row, with
 * the one before it for context. Returns {start, end} (slice bounds); the whole agenda when it fits.
 */
export function agendaWindow(rows, size) {
  if (rows.length <= size) return { start: 0, end: rows.length };
  let focus = rows.findIndex((row) => row.status === "now");
  if (focus < 0) focus = rows.findIndex((row) => row.status === "next");
  if (focus < 0) focus = rows.every((row) => row.status === "done" || row.status === "skipped") ? rows.length - 1 : 0;
  const start = Math.max(0, Math.min(focus - 1, rows.length - size));
  return { start, end: start + size };
}
