// A button that copies the text of a field, for addresses that are awkward to select on a phone.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var field = document.getElementById(button.dataset.copy);
      var status = document.getElementById(button.dataset.copyStatus);
      if (!field) { return; }
      button.hidden = false;
      // The focus stays on the button and "kopiert" is said there (WCAG 4.1.3): moved into the field, a screen
      // reader read out the long address over the message, and a phone opened its keyboard.
      var copyBySelecting = function () {
        field.select();
        document.execCommand("copy");
        button.focus();
      };
      button.addEventListener("click", function () {
        var done = function () { if (status) { status.textContent = button.dataset.copiedText; } };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(done, function () { copyBySelecting(); done(); });
        } else {
          copyBySelecting();
          done();
        }
      });
    });
  });
})();
