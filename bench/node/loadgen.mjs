// A client process of the benchmarks in Node: holds a share of the audience sockets.
//
// The same protocol as bench/broadcast_latency.py's Python worker (--worker), so either can be
// used (--generator node|python): the first line on stdout is {"connected": {...}}; then one JSON
// request a line on stdin, each answered by one line: {"wait": version, "timeout": s},
// {"mark": true}, {"stats": true}, {"quit": true}. Times are process.hrtime.bigint(), libuv's
// CLOCK_MONOTONIC, the clock of Python's time.perf_counter_ns(): comparable across processes.
//
// Why Node: decoding a broadcast costs socket.io-client a fraction of what python-socketio
// costs, so at 3 000 sockets the load generator is not what is measured.
//
// With --spread S, client i arrives at a random moment within S seconds (the connect storm)
// instead of in batches; each client's connect time is from its arrival to its snapshot.
import http from "node:http";
import readline from "node:readline";
import { io } from "socket.io-client";

const opts = { count: 0, batch: 50, "connect-timeout": 15, "clock-samples": 5, "max-failures": 20,
               "max-seconds": 540, spread: 0, "cookie-page": "", edition: "jdn10" };
for (let i = 2; i < process.argv.length; i += 1) {
  const arg = process.argv[i];
  if (!arg.startsWith("--")) continue;
  const next = process.argv[i + 1];
  if (next === undefined || next.startsWith("--")) opts[arg.slice(2)] = true;
  else { opts[arg.slice(2)] = next; i += 1; }
}
const url = opts["server-url"];
const count = Number(opts.count);
const batch = Number(opts.batch);
const connectTimeoutMs = Number(opts["connect-timeout"]) * 1000;
const clockSamples = Number(opts["clock-samples"]);
const maxFailures = Number(opts["max-failures"]);
const spreadMs = Number(opts.spread) * 1000;
const cookiePage = opts["cookie-page"] === true || opts["cookie-page"] === "true";
const endAt = Date.now() + Number(opts["max-seconds"]) * 1000;
const nowNs = () => Number(process.hrtime.bigint());
const reply = (message) => process.stdout.write(JSON.stringify(message) + "\n");

const clients = [];
let target = null;
let reached = 0;
let onAllReached = null;
let stateBytes = null;

function newClient() {
  return { socket: null, version: -1, arrivals: new Map() };
}

function onState(client, message) {
  const arrived = nowNs();
  const version = message && message.version;
  if (!Number.isInteger(version) || version <= client.version) return;
  const before = client.version;
  client.version = version;
  client.arrivals.set(version, arrived);
  if (client === clients[0]) stateBytes = JSON.stringify(message).length;
  if (target !== null && before < target && target <= version) {
    reached += 1;
    if (reached >= clients.length && onAllReached) onAllReached();
  }
}

// node:http, one connection per phone (as phones do): undici's fetch cost ~10x more CPU per request here.
function deviceCookie() {
  return new Promise((resolve, reject) => {
    const request = http.get(`${url}/e/${opts.edition}/`, { agent: false, timeout: connectTimeoutMs }, (response) => {
      response.resume();
      response.on("end", () => {
        if (response.statusCode >= 400) return reject(new Error(`GET /e/${opts.edition}/ answered ${response.statusCode}`));
        const cookie = (response.headers["set-cookie"] || []).find((c) => c.startsWith("pitchday_device="));
        return cookie ? resolve(cookie.split(";")[0]) : reject(new Error("no pitchday_device cookie"));
      });
    });
    request.on("timeout", () => request.destroy(new Error("page timeout")));
    request.on("error", reject);
  });
}

// One client: (page), socket, snapshot, clock samples. Resolves with its times, rejects with a reason.
async function openOne() {
  const started = nowNs();
  try {
    return await openOneFrom(started);
  } catch (error) {
    error.ms = (nowNs() - started) / 1e6; // how long a refused or failed phone waited for its answer
    throw error;
  }
}

async function openOneFrom(started) {
  const client = newClient();
  const cookie = cookiePage ? await deviceCookie() : null;
  const paged = nowNs();
  const socket = io(url, { transports: ["websocket"], reconnection: false, forceNew: true,
                           timeout: connectTimeoutMs, auth: { edition: opts.edition, view: "audience" },
                           extraHeaders: cookie ? { Cookie: cookie } : {} });
  client.socket = socket;
  socket.on("state", (message) => onState(client, message));
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no snapshot in time")), connectTimeoutMs);
      socket.once("snapshot", (message) => {
        clearTimeout(timer);
        client.version = Math.max(client.version, (message && message.version) ?? -1);
        resolve();
      });
      socket.once("connect_error", (error) => {
        clearTimeout(timer);
        const detail = error && error.description && error.description.message;
        reject(new Error(`connect_error: ${error.message}${detail ? ` (${detail})` : ""}`));
      });
    });
    const snapshotAt = nowNs();
    for (let i = 0; i < clockSamples; i += 1) {
      await socket.timeout(connectTimeoutMs).emitWithAck("clock");
    }
    return { client, ms: (nowNs() - started) / 1e6, pageMs: (paged - started) / 1e6,
             snapshotMs: (snapshotAt - started) / 1e6 };
  } catch (error) {
    socket.disconnect();
    throw error;
  }
}

function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p) => sorted.length ? sorted[Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length / 100))) - 1] : null;
  const r = (v) => (v === null ? null : Math.round(v * 100) / 100);
  return { n: sorted.length, min: r(sorted[0] ?? null), p50: r(at(50)), p95: r(at(95)), p99: r(at(99)),
           max: r(sorted.length ? sorted[sorted.length - 1] : null) };
}

async function connectAll() {
  const started = Date.now();
  let failures = 0;
  const errors = {};
  const times = [];
  const pages = [];
  const snapshots = [];
  const failed = [];
  const note = (result) => {
    if (result.status === "fulfilled") {
      clients.push(result.value.client);
      times.push(result.value.ms);
      pages.push(result.value.pageMs);
      snapshots.push(result.value.snapshotMs);
    } else {
      failures += 1;
      if (result.reason && result.reason.ms !== undefined) failed.push(result.reason.ms);
      const key = String(result.reason && result.reason.message || result.reason).slice(0, 120);
      errors[key] = (errors[key] || 0) + 1;
    }
  };
  if (spreadMs > 0) { // the storm: each client at its own random moment, none retried
    const arrivals = Array.from({ length: count }, () => Math.random() * spreadMs).sort((a, b) => a - b);
    const pending = arrivals.map((at) => new Promise((resolve) => setTimeout(resolve, at)).then(openOne));
    (await Promise.allSettled(pending)).forEach(note);
  } else {
    for (let pass = 0; pass < Math.ceil(count / batch) + maxFailures + 1; pass += 1) {
      const missing = count - clients.length;
      if (missing <= 0 || failures > maxFailures || Date.now() > endAt) break;
      const results = await Promise.allSettled(Array.from({ length: Math.min(batch, missing) }, openOne));
      results.forEach(note);
    }
  }
  return { ok: clients.length, failures, errors, seconds: (Date.now() - started) / 1000,
           connect_ms: summary(times), page_ms: summary(pages), snapshot_ms: summary(snapshots),
           connect_list: times.map((v) => Math.round(v * 100) / 100),
           snapshot_list: snapshots.map((v) => Math.round(v * 100) / 100),
           failed_list: failed.map((v) => Math.round(v * 100) / 100) };
}

function waitFor(version, timeoutS) {
  target = version;
  reached = clients.filter((c) => c.version >= version).length;
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      onAllReached = null;
      target = null;
      const times = clients.map((c) => {
        let best = null;
        for (const [v, t] of c.arrivals) if (v >= version && (best === null || t < best)) best = t;
        return best;
      });
      resolve({ version, times_ns: times.filter((t) => t !== null), missing: times.filter((t) => t === null).length });
    };
    const timer = setTimeout(done, timeoutS * 1000);
    onAllReached = done;
    if (reached >= clients.length) done();
  });
}

const cpuS = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

async function main() {
  reply({ connected: await connectAll() });
  let mark = cpuS();
  const lines = readline.createInterface({ input: process.stdin });
  const quitTimer = setTimeout(() => lines.close(), Math.max(1000, endAt - Date.now()));
  for await (const line of lines) {
    const request = JSON.parse(line);
    if ("wait" in request) reply(await waitFor(request.wait, request.timeout));
    else if ("mark" in request) { mark = cpuS(); reply({ marked: true }); }
    else if ("stats" in request) {
      reply({ cpu_since_mark_s: Math.round((cpuS() - mark) * 1000) / 1000, state_bytes: stateBytes,
              alive: clients.filter((c) => c.socket.connected).length });
    } else break;
  }
  clearTimeout(quitTimer);
  for (const c of clients) c.socket.disconnect();
  process.exit(0);
}

main().catch((error) => { console.error(error); process.exit(1); });
