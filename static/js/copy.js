// "Copier l'adresse" buttons: data-copy names the element whose text is copied; the message
// (data-copied / data-copy-failed) goes to the status next to the button, for screen readers too.
for (const button of document.querySelectorAll("button[data-copy]")) {
  const status = button.parentElement.querySelector(".copy-status");
  button.addEventListener("click", async () => {
    const source = document.getElementById(button.dataset.copy);
    const text = source?.textContent.trim() ?? "";
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = button.dataset.copied;
    } catch {
      // No clipboard (a plain-http address on the venue's network): select it for Ctrl+C.
      const range = document.createRange();
      range.selectNodeContents(source);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      status.textContent = button.dataset.copyFailed;
    }
  });
}
