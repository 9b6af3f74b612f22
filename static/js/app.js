// On every page: after a form came back with errors or an action with a message, the focus starts there (read out
// by screen readers, and the next Tab continues from it); the error list's links lead into their fields; Escape
// and its "Nein" button close an open "ask once more" disclosure.
(function () {
  "use strict";

  // Where the page already starts somewhere (a field with autofocus, a #place the link leads to), it stays there.
  function startsElsewhere() {
    var target = location.hash && document.getElementById(location.hash.slice(1));
    return Boolean(document.querySelector("[autofocus]") || target);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var errors = document.querySelector(".form-errors");
    var flashes = document.querySelector(".flashes");
    if (errors) {
      errors.focus();
    } else if (flashes && !startsElsewhere()) {
      flashes.focus();
    }
  });

  // A link to a field puts the cursor into it (a link alone only scrolls), with its label in view.
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".form-errors a[href^='#']");
    var target = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!target) { return; }
    var field = target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea");
    if (!field) { return; }
    event.preventDefault();
    (field.closest(".field") || field).scrollIntoView();
    field.focus({ preventScroll: true });
  });

  function closeDecision(decision) {
    decision.open = false;
    decision.querySelector("summary").focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.defaultPrevented) { return; }
    var decision = event.target.closest && event.target.closest("details.decision[open]");
    if (decision) { closeDecision(decision); }
  });

  // "Nein" beside the button that acts: on a phone, tapping the question again to close it is found by few.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".decision-cancel").forEach(function (button) { button.hidden = false; });
  });
  document.addEventListener("click", function (event) {
    var cancel = event.target.closest(".decision-cancel");
    if (cancel) { closeDecision(cancel.closest("details.decision")); }
  });

  // The main menu on a phone: "Menü" opens and closes it (with "Abmelden" after the places); Escape on the button
  // or inside the menu closes it and returns to the button.
  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector(".menu-toggle");
    if (!toggle) { return; }
    document.documentElement.classList.add("menu-collapsible");
    toggle.addEventListener("click", function () {
      toggle.setAttribute("aria-expanded", String(toggle.getAttribute("aria-expanded") !== "true"));
    });
    toggle.closest(".header-row").addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || toggle.getAttribute("aria-expanded") !== "true") { return; }
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
    });
  });

  // A form is not sent a second time by a second tap while the first is on its way (a double tap on a slow
  // connection sent everything twice): the same button of the same form is refused for a few seconds. Another
  // button (the next person on an attendance list) goes at once; after the pause the same one may go again – a
  // download leaves the page as it was, and a request lost on the way deserves a retry. Forms that a page's
  // own script sends (the quiz) prevent the browser's sending first and are left to that script.
  var SENT_AGAIN_AFTER_MS = 4000;
  var lastSent = new WeakMap();

  function sending(event) {
    var button = event.submitter;
    return button ? (button.name || "") + "=" + (button.value || "") + "@" + (button.formAction || "") : "";
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post") { return; }
    var what = sending(event);
    var last = lastSent.get(form);
    if (last && last.what === what && Date.now() - last.at < SENT_AGAIN_AFTER_MS) {
      event.preventDefault();
      return;
    }
    lastSent.set(form, { what: what, at: Date.now() });
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { lastSent = new WeakMap(); }  // back to a page kept in memory: its forms may go again
  });

  // Signing out on a shared phone: what this device kept for the person (quiz answers not yet sent, where
  // they stopped reading) goes too. An answer not sent by now is lost either way once they are signed out.
  var KEPT_FOR_THE_PERSON = ["qualify-quiz-answers-", "qualify:reading:"];
  document.addEventListener("submit", function (event) {
    if (!event.target.matches("form.logout")) { return; }
    try {
      Object.keys(window.localStorage).forEach(function (key) {
        if (KEPT_FOR_THE_PERSON.some(function (prefix) { return key.indexOf(prefix) === 0; })) {
          window.localStorage.removeItem(key);
        }
      });
    } catch (error) { /* storage blocked: nothing was kept */ }
  });
}());
