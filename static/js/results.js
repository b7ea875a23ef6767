// Copy buttons for citation sentences (progressive enhancement: without JS the text is selectable).
document.addEventListener("DOMContentLoaded", function () {
  if (!navigator.clipboard) { return; }
  document.querySelectorAll("button.r-copy[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
        button.classList.add("is-copied");
        window.setTimeout(function () { button.classList.remove("is-copied"); }, 1500);
      });
    });
  });
});
