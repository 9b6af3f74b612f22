// Authoring: the preview without reloading the page, problem links that put the cursor on their line, and a
// question before typed text is left unsaved. The editor works without this file.
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

  // Typed text is lost when the trainer leaves the page another way than through the editor's own form: a link,
  // or another form of the page (moving a module, an upload, publishing). The browser asks first.
  var submittedForm = null;

  function isUnsaved(textarea) {
    return textarea.form !== submittedForm &&
      (textarea.value !== textarea.defaultValue || textarea.form.hasAttribute("data-unsaved"));
  }

  document.addEventListener("submit", function (event) {
    submittedForm = event.target;
  });

  window.addEventListener("beforeunload", function (event) {
    var editors = document.querySelectorAll("textarea.source-editor");
    if (Array.prototype.some.call(editors, isUnsaved)) {
      event.preventDefault();
      event.returnValue = ""; // older browsers ask only when this is set
    }
  });

  window.addEventListener("pageshow", function () {
    submittedForm = null; // back from the page a submit led to: the editor guards its text again
  });

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
