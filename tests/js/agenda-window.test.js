// The projector's window on a long agenda (static/js/agenda-window.js). Run: node --test tests/js/
import { test } from "node:test";
import assert from "node:assert/strict";
import { agendaWindow } from "../../static/js/agenda-window.js";

const rows = (statuses) => statuses.map((status, id) => ({ id, status }));
const evening = (n, now) => rows(Array.from({ length: n }, (_, i) => (i < now ? "done" : i === now ? "now" : "planned")));

test("agenda window: a programme that fits is shown whole", () => {
  assert.deepEqual(agendaWindow(evening(15, 7), 15), { start: 0, end: 15 });
});

test("agenda window: a long programme keeps the current row, with the one before it", () => {
  assert.deepEqual(agendaWindow(evening(30, 9), 15), { start: 8, end: 23 });
});

test("agenda window: near the end it shows the last rows, never fewer than it can", () => {
  assert.deepEqual(agendaWindow(evening(22, 20), 15), { start: 7, end: 22 });
});

test("agenda window: before the first item it starts at the top, on the row up next", () => {
  const agenda = rows(["next", ...Array(21).fill("planned")]);
  assert.deepEqual(agendaWindow(agenda, 15), { start: 0, end: 15 });
});

test("agenda window: between items it follows the row up next", () => {
  const agenda = rows([...Array(12).fill("done"), "next", ...Array(9).fill("planned")]);
  assert.deepEqual(agendaWindow(agenda, 15), { start: 7, end: 22 });
});

test("agenda window: once everything is played it shows the end of the evening", () => {
  assert.deepEqual(agendaWindow(rows(Array(22).fill("done")), 15), { start: 7, end: 22 });
});
