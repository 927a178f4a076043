// Submissions from a phone that must arrive exactly once, even on a venue Wi-Fi that drops.
//
// Each submission carries a client_id made here. It stays in localStorage until the server has
// answered (accepted or refused), and is sent again at every (re)connection and after an
// unanswered try. The server stores a client_id once and answers a resend as it answered the
// first copy, so resending can never duplicate anything.

const RETRY_MS = 5000;

function load(key) {
  try {
    const items = JSON.parse(localStorage.getItem(key) || "[]");
    return Array.isArray(items) ? items.filter((i) => i && i.event && i.payload && i.payload.client_id) : [];
  } catch {
    return []; // storage refused (private browsing) or corrupted: start empty
  }
}

export class Outbox {
  constructor(socket, key) {
    this.socket = socket;
    this.key = key;
    this.items = load(key);
    this.inFlight = new Set();
    this.listeners = [];
    socket.on("connect", () => this.flush());
  }

  /** Submissions of `event` not answered yet (e.g. to show them as pending after a reload). */
  pending(event) {
    return this.items.filter((item) => item.event === event).map((item) => item.payload);
  }

  /** `listener(event, payload, ack)` once the server has answered a submission. */
  onSettled(listener) {
    this.listeners.push(listener);
  }

  send(event, payload) {
    const item = { event, payload };
    this.items.push(item);
    this.save();
    this.deliver(item);
  }

  flush() {
    for (const item of [...this.items]) this.deliver(item);
  }

  deliver(item) {
    const id = item.payload.client_id;
    if (!this.socket.connected || this.inFlight.has(id)) return;
    this.inFlight.add(id);
    this.socket.timeout(RETRY_MS).emit(item.event, item.payload, (err, ack) => {
      this.inFlight.delete(id);
      if (err || !ack) {
        // No answer in time: try again while connected (the next connection flushes anyway).
        if (this.socket.connected) setTimeout(() => this.deliver(item), 1000);
        return;
      }
      if (!ack.ok && ack.error?.code === "too_soon") {
        // A new device waits a moment before its first submission: not an answer, send it again then.
        setTimeout(() => this.deliver(item), Math.max(100, Number(ack.error.retry_after_ms) || 1000));
        return;
      }
      this.items = this.items.filter((other) => other !== item);
      this.save();
      for (const listener of this.listeners) listener(item.event, item.payload, ack);
    });
  }

  save() {
    try {
      localStorage.setItem(this.key, JSON.stringify(this.items));
    } catch {
      // storage refused: the submission still goes out while this page stays open
    }
  }
}
