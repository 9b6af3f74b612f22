// Save quiz answers while the learner works, so a reload or a dropped connection loses nothing.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-autosave-url]");
    if (!form || !window.fetch) { return; }
    var status = form.querySelector(".autosave-status");
    var timer = null;
    function save() {
      fetch(form.dataset.autosaveUrl, {
        method: "POST",
        body: new FormData(form),
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        if (status) { status.textContent = response.ok ? form.dataset.savedText || "Gespeichert." : form.dataset.closedText || "Nicht gespeichert."; }
      }).catch(function () {
        if (status) { status.textContent = form.dataset.offlineText || "Keine Verbindung – Antworten werden beim nächsten Mal gespeichert."; }
      });
    }
    function later() {
      clearTimeout(timer);
      timer = setTimeout(save, 600);
    }
    form.addEventListener("change", later);
    form.addEventListener("input", later);
  });
})();
