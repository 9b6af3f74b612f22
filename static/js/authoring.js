// Authoring: the preview without reloading the page and problem links that put the cursor on their line (the
// question before typed text is left unsaved is app.js's). The editor works without this file.
(function () {
  "use strict";

  function showPreview(button) {
    var form = button.form;
    var pane = document.getElementById("vorschau");
    if (!form || !pane || !window.fetch || !window.FormData) {
      return false;
    }
    var status = document.getElementById("vorschau-status");
    button.setAttribute("aria-busy", "true");
    if (status) { status.textContent = ""; }
    fetch(button.formAction, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "authoring.js" }
    }).then(function (response) {
      if (!response.ok) {
        throw new Error(response.status);
      }
      return response.text();
    }).then(function (html) {
      pane.innerHTML = html; // rendered on the server by the one Markdown renderer
      if (status) { status.textContent = status.getAttribute("data-done"); }
    }).catch(function () {
      pane.textContent = pane.getAttribute("data-failed");
      if (status) { status.textContent = pane.textContent; }
    }).then(function () {
      button.removeAttribute("aria-busy");
    });
    return true;
  }

  function goToLine(textarea, number) {
    var lines = textarea.value.split("\n");
    var start = 0;
    for (var i = 0; i < number - 1 && i < lines.length; i += 1) {
      start += lines[i].length + 1;
    }
    var end = start + (lines[number - 1] || "").length;
    textarea.focus();
    textarea.setSelectionRange(start, end);
    var lineHeight = textarea.scrollHeight / Math.max(lines.length, 1);
    textarea.scrollTop = Math.max(0, (number - 3) * lineHeight);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-preview]");
    if (button && showPreview(button)) {
      event.preventDefault();
      return;
    }
    var link = event.target.closest("a[data-line]");
    var textarea = document.querySelector("textarea.source-editor");
    if (link && textarea) {
      event.preventDefault();
      goToLine(textarea, parseInt(link.getAttribute("data-line"), 10));
    }
  });
}());
