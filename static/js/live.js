// Connection to the server, clock sync and the latest snapshot. Shared by every live view.
// Relative, so that from a release's hashed address (/a/<release>/js/) it stays in the same release.
import { io } from "../vendor/socket.io.esm.min.js";
import { countdownAt } from "./countdown.js";

const SAMPLES = 5;
const RESYNC_MS = 60_000;

export const i18n = JSON.parse(document.getElementById("i18n").textContent);
export const t = (key, values = {}) =>
  (i18n[key] ?? key).replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "");
/** A count in words: `tn("votes", 1)` → "1 vote"; the singular for 1, and for 0 where the language says so
 * (French, from Babel's rules: web/i18n.py script_plurals). */
export const tn = (key, count, values = {}) => {
  const one = count === 1 || (count === 0 && i18n["plural.zero_is_one"]);
  return t(`${key}.${one ? "one" : "other"}`, { ...values, count: String(count) });
};
/** The domain's limits and thresholds (pitchday/services/presenter.py view_rules), from the live pages
 * (the connect form borrows `t` only and has none). */
export const rules = JSON.parse(document.getElementById("rules")?.textContent ?? "{}");

/** Clock offset to the server, from the ping sample with the smallest round trip. */
export class ServerClock {
  constructor(socket) {
    this.socket = socket;
    this.offset = Date.now() - performance.now(); // until the first sample: trust the local clock
  }
  now() {
    return performance.now() + this.offset;
  }
  sample() {
    return new Promise((resolve) => {
      const t0 = performance.now();
      this.socket.timeout(3000).emit("clock", (err, answer) => {
        const t1 = performance.now();
        if (!err && answer && typeof answer.server_time === "number") {
          resolve({ rtt: t1 - t0, offset: answer.server_time - (t0 + t1) / 2 });
        } else resolve(null);
      });
    });
  }
  async sync() {
    let best = null;
    for (let i = 0; i < SAMPLES; i++) {
      const s = await this.sample();
      if (s && (!best || s.rtt < best.rtt)) best = s;
    }
    if (best) this.offset = best.offset;
    return best;
  }
}

/** The countdown this view shows at server time `now` (see countdown.js), with the page's thresholds. */
export function countdownNow(state, now) {
  return countdownAt(state, now, rules.wrap_up_ms);
}

/**
 * Connect as `view`, keep the freshest state and call `onState(message)` on each change.
 * Returns {socket, clock, current()}.
 */
export function connectLive({ view, edition, onState, onConnection, onPresence }) {
  // Retry at least every 2 s (randomised ±50 % so a room of phones does not knock in step): after a
  // server restart the screens and the console are back within a couple of seconds, not the default 5.
  const socket = io({
    auth: { edition, view },
    transports: ["websocket", "polling"],
    reconnectionDelay: 500,
    reconnectionDelayMax: 2000,
  });
  const clock = new ServerClock(socket);
  let latest = null;
  let resyncTimer = null;

  const accept = (message) => {
    if (!message || typeof message.version !== "number") return;
    if (latest && message.version < latest.version) return; // older than what we show
    // Presence and moderator extras may refresh without a version change.
    latest = message;
    onState(message);
  };

  socket.on("connect", async () => {
    onConnection?.(true);
    await clock.sync();
    clearInterval(resyncTimer);
    resyncTimer = setInterval(() => clock.sync(), RESYNC_MS);
  });
  socket.on("disconnect", () => onConnection?.(false));
  socket.on("connect_error", (err) => onConnection?.(false, err?.message));
  socket.on("snapshot", (message) => {
    // A snapshot after a server restart is authoritative even if its version looks older.
    latest = null;
    accept(message);
  });
  socket.on("state", accept);
  if (onPresence) socket.on("presence", onPresence);

  /** Ask for a fresh snapshot now (e.g. after a command was refused as stale: a broadcast went missing). */
  const resync = () =>
    new Promise((resolve) => {
      socket.timeout(4000).emit("resync", (err, answer) => {
        const ok = !err && answer?.ok === true;
        if (ok) accept(answer.snapshot);
        resolve(ok);
      });
    });
  return { socket, clock, current: () => latest, resync };
}

export function uuid() {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}
