// Progressive enhancement only: every form works without it.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", async () => {
      const input = document.getElementById(button.dataset.copy);
      input.select();
      try { await navigator.clipboard.writeText(input.value); } catch (_) { document.execCommand("copy"); }
      button.textContent = button.dataset.copied;
    });
  }
  const preview = document.getElementById("preview");
  for (const input of document.querySelectorAll("[data-preview]")) {
    input.addEventListener("input", () => preview && preview.style.setProperty(input.dataset.preview, input.value));
  }
});
