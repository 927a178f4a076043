// The Node reference of the fan-out benchmarks: socket.io 4 on Node, no database.
//
// It speaks what bench/bare_server.py speaks (a moderator link that sets a cookie, /healthz, an
// audience page that sets a device cookie, a snapshot on connect, clock, and a command that bumps
// a version and emits one state to the audience room), with the same 388-byte state by default,
// so the two references differ only by their runtime.
//
//   node bench/node/server.mjs --port 5402 [--host 127.0.0.1] [--state-bytes 388]
import http from "node:http";
import { Server } from "socket.io";

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) => (
  arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []));
const host = args.host || "127.0.0.1";
const port = Number(args.port);
const stateBytes = Number(args["state-bytes"] || 388);

let version = 0;
const filler = Math.max(0, stateBytes - '{"version":0,"server_time":0000000000000,"state":{"pad":""}}'.length);
const state = { pad: "x".repeat(filler) };
const message = () => ({ version, server_time: Date.now(), state });

const httpServer = http.createServer((req, res) => {
  const path = req.url.split("?")[0];
  if (path === "/healthz") {
    res.writeHead(200, { "Content-Type": "application/json" }).end('{"ok":true}');
  } else if (path === "/m/bare") {
    res.writeHead(303, { Location: "/", "Set-Cookie": "pitchday_moderator=bare; Path=/; HttpOnly" }).end();
  } else if (path === "/e/jdn10/") {
    const device = Math.random().toString(36).slice(2);
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8",
                         "Set-Cookie": `pitchday_device=${device}; Path=/; HttpOnly` })
      .end("<!doctype html><title>bare</title><p>audience</p>");
  } else {
    res.writeHead(404).end();
  }
});
httpServer.maxConnections = 100000;

const io = new Server(httpServer, { pingInterval: 10000, pingTimeout: 10000, transports: ["polling", "websocket"],
                                    perMessageDeflate: false, serveClient: false });
io.on("connection", (socket) => {
  if ((socket.handshake.auth || {}).view !== "moderator") socket.join("audience");
  socket.emit("snapshot", message());
  socket.on("clock", (...rest) => {
    const ack = rest.pop();
    if (typeof ack === "function") ack({ server_time: Date.now() });
  });
  socket.on("command", (...rest) => {
    const ack = rest.pop();
    version += 1;
    io.to("audience").emit("state", message());
    if (typeof ack === "function") ack({ ok: true, version });
  });
});

httpServer.listen({ host, port, backlog: 2048 }, () => {
  console.log(`Régie (moderator) : http://${host}:${port}/m/bare`);
  console.log(`Serving on http://${host}:${port} (Node socket.io ${process.version})`);
});
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));
