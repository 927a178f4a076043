// "Je veux échanger" form: sent through the socket's outbox (kept while offline, delivered once).
// Without JavaScript the same form posts normally; both end in the same server-side checks.
import { connectLive, t } from "./live.js";
import { setText } from "./format.js";
import { Outbox } from "./outbox.js";

const el = (id) => document.getElementById(id);
const form = el("connect-form");
const edition = document.body.dataset.edition;
const FIELDS = ["intent", "name", "organisation", "email", "phone", "message", "consent"];

function fieldElement(name) {
  return name === "intent" ? form.querySelector('input[name="intent"]') : el(name);
}

function showErrors(errors) {
  for (const name of FIELDS) {
    const message = errors[name];
    const error = el(`${name}-error`);
    error.hidden = !message;
    setText(error, message ?? "");
    const inputs = name === "intent" ? form.querySelectorAll('input[name="intent"]') : [el(name)];
    for (const input of inputs) {
      if (message) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
  }
  const first = FIELDS.find((name) => errors[name]);
  if (first) fieldElement(first).focus();
}

function payload() {
  return {
    client_id: form.elements.client_id.value,
    talk_id: Number(form.dataset.talk),
    intent: form.querySelector('input[name="intent"]:checked')?.value ?? null,
    name: el("name").value,
    organisation: el("organisation").value,
    email: el("email").value,
    phone: el("phone").value,
    message: el("message").value,
    consent: el("consent").checked,
  };
}

const { socket } = connectLive({
  view: "audience",
  edition,
  onState: () => {},
  onConnection: (up) => (el("connection").hidden = up),
});
const outbox = new Outbox(socket, `pitchday:outbox:${edition}`);
const submit = form.querySelector('button[type="submit"]');

outbox.onSettled((name, sent, ack) => {
  if (name !== "connect_request" || sent.talk_id !== Number(form.dataset.talk)) return;
  submit.disabled = false;
  if (ack.ok) {
    window.location.assign(`${window.location.pathname.replace(/\/$/, "")}/envoye`);
    return;
  }
  showErrors(ack.error.fields ?? {});
  setText(el("form-status"), ack.error.message);
});

form.addEventListener("submit", (event) => {
  event.preventDefault();
  showErrors({});
  submit.disabled = true;
  outbox.send("connect_request", payload());
  setText(el("form-status"), socket.connected ? t("question.sending") : t("connect.queued"));
});

// A request typed earlier and still waiting for the network (the page was reloaded meanwhile).
if (outbox.pending("connect_request").some((p) => p.talk_id === Number(form.dataset.talk))) {
  setText(el("form-status"), t("connect.queued"));
}
