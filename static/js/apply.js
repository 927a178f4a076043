// Application form: show only the proposal part for the chosen kind of talk, the "précisez" field
// only for "autre", and count the description's lines. Without this script, everything is shown
// and the server checks the same rules.
const form = document.getElementById("apply-form");
const i18n = JSON.parse(document.getElementById("i18n")?.textContent ?? "{}");

function checked(name) {
  return form.querySelector(`input[name="${name}"]:checked`)?.value ?? null;
}

function showProposal() {
  const kind = checked("talk_kind");
  for (const part of form.querySelectorAll("[data-kinds]")) {
    // Nothing chosen yet: both parts stay visible, each headed by the kind it is for.
    part.hidden = kind !== null && !part.dataset.kinds.split(" ").includes(kind);
  }
}

function showDetail() {
  const detail = document.getElementById("field-applicant_type_detail");
  const input = document.getElementById("applicant_type_detail");
  // Kept visible while it holds an error, so the message is never hidden.
  detail.hidden = checked("applicant_type") !== "autre" && input.getAttribute("aria-invalid") !== "true";
}

function countLines() {
  const description = document.getElementById("description");
  const counter = document.getElementById("description-lines");
  const max = Number(counter.dataset.max);
  // As the server counts: blank runs of lines count as one empty line.
  const text = description.value.replace(/\r\n/g, "\n").replace(/\n{3,}/g, "\n\n").trim();
  const count = text ? text.split("\n").length : 0;
  counter.textContent = (i18n.lines ?? "{count}/{max}").replace("{count}", String(count)).replace("{max}", String(max));
  counter.classList.toggle("over", count > max);
}

// After a refused submission: focus goes to the summary (read out first), whose links focus their field.
const summary = document.getElementById("form-errors");
if (summary) {
  summary.focus();
  summary.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-field]");
    const field = link && document.getElementById(link.dataset.field);
    if (!field) return;
    event.preventDefault();
    field.focus();
    // The label (or the legend of a choice) stays in view above the field.
    (field.closest("fieldset")?.querySelector("legend") ?? form.querySelector(`label[for="${field.id}"]`) ?? field)
      .scrollIntoView({ block: "start" });
  });
}

form.addEventListener("change", (event) => {
  if (event.target.name === "talk_kind") showProposal();
  if (event.target.name === "applicant_type") showDetail();
});
document.getElementById("description").addEventListener("input", countLines);
showProposal();
showDetail();
countLines();
