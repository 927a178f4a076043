// The review list's "select all" box: shown only with this script (the form works without it).
const all = document.getElementById("select-all");
if (all) {
  const boxes = [...document.querySelectorAll('input[type=checkbox][form="bulk-form"]')];
  const sync = () => {
    const ticked = boxes.filter((box) => box.checked).length;
    all.checked = ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  };
  all.hidden = false;
  all.addEventListener("change", () => {
    for (const box of boxes) box.checked = all.checked;
    sync();
  });
  for (const box of boxes) box.addEventListener("change", sync);
  sync();
}
