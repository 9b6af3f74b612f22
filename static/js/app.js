// On every page: after a form came back with errors or an action with a message, the focus starts there (read out
// by screen readers, and the next Tab continues from it); the error list's links lead into their fields; Escape
// closes an open disclosure, and its "Nein" button an "ask once more" one.
(function () {
  "use strict";

  // A message present when the page loads is not read out (role=status speaks only of changes): said again
  // through a region of its own that gets the text a moment after the load. Made only when there is something
  // to say, so a page has no empty status besides its own.
  var ANNOUNCE_AFTER_MS = 500;

  function announce(text) {
    var region = document.createElement("div");
    region.id = "ansage";
    region.className = "visually-hidden";
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    (document.getElementById("inhalt") || document.body).appendChild(region);
    window.setTimeout(function () { region.textContent = text; }, ANNOUNCE_AFTER_MS);
  }

  function textOf(element) {
    return element.textContent.replace(/\s+/g, " ").trim();
  }

  function focusHere(element) {
    if (!element.hasAttribute("tabindex")) { element.tabIndex = -1; }  // a post, a table row: focusable by script
    element.focus();
  }

  // A copy of the page's messages at the #place an action returned to, for those who see the focus there and not
  // the top of the page: hidden from screen readers, which hear the message once (announce). In a row of a table a
  // row of its own before it; in a post or a list item its first lines; after a heading.
  function showNear(target, flashes) {
    var copy = document.createElement("div");
    copy.className = "flashes-here";
    flashes.querySelectorAll(".flash").forEach(function (message) { copy.appendChild(message.cloneNode(true)); });
    var placed = copy;
    if (target.matches("tr")) {
      var row = document.createElement("tr");
      row.className = "flashes-here-row";
      var cell = row.insertCell();
      cell.colSpan = Array.prototype.reduce.call(target.cells, function (sum, each) { return sum + each.colSpan; }, 0);
      cell.appendChild(copy);
      target.before(row);
      placed = row;
    } else if (target.matches("article, section, li, div, dd, td, form, fieldset, details, aside")) {
      target.prepend(copy);
    } else {
      target.after(copy);  // a heading, a paragraph: no place for a message inside
    }
    placed.setAttribute("aria-hidden", "true");
    return placed;
  }

  // A filter form marked data-announce-results remembers that it was sent: the page it leads to (the same path)
  // starts at the first of its [data-results] (the count, a notice) and says them all; a plain visit starts at
  // the top.
  var FILTERED = "qualify:filtered";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-announce-results]")) { return; }
    try {
      window.sessionStorage.setItem(FILTERED, new URL(form.action, location.href).pathname);
    } catch (error) { /* storage blocked: the results page starts at the top, as without a script */ }
  });

  function cameFromFilter() {
    try {
      var path = window.sessionStorage.getItem(FILTERED);
      window.sessionStorage.removeItem(FILTERED);  // said once, on the page the sending led to
      return path === location.pathname;
    } catch (error) {
      return false;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var errors = document.querySelector(".form-errors");
    var flashes = document.querySelector(".flashes");
    var target = location.hash && document.getElementById(location.hash.slice(1));
    var results = cameFromFilter() ? document.querySelectorAll("[data-results]") : [];
    if (errors) {
      errors.focus();
    } else if (flashes && document.querySelector("[autofocus]")) {
      announce(textOf(flashes));  // the field with autofocus keeps the focus ("Sie sind abgemeldet.")
    } else if (flashes && target) {
      // Back at the #place the action was about (a reply, a row): the focus goes there and the message, out of
      // sight above, is said – and shown there too.
      var shown = showNear(target, flashes);
      focusHere(target);
      shown.scrollIntoView({ block: "nearest" });
      announce(textOf(flashes));
    } else if (flashes) {
      flashes.focus();
    } else if (results.length) {
      focusHere(results[0]);  // the next Tab continues in the results
      announce(Array.prototype.map.call(results, textOf).join(" "));
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

  function closeDisclosure(details) {
    var summary = details.querySelector(":scope > summary");
    details.open = false;
    if (summary) { summary.focus(); }
  }

  // Escape closes the nearest open disclosure around the focus (and returns to its summary), as a menu closes.
  // The phone menu is a button of its own (below); a page script that handles Escape itself prevents the default.
  // A disclosure whose summary is not shown (the filters of a list on a wide screen) is no disclosure there.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.defaultPrevented) { return; }
    var disclosure = event.target.closest && event.target.closest("details[open]");
    var summary = disclosure && disclosure.querySelector(":scope > summary");
    var shown = summary && window.getComputedStyle(summary).display !== "none";
    if (disclosure && (shown || !summary)) { closeDisclosure(disclosure); }
  });

  // The filters of a list fold behind "Filter" on a phone only. On a wider screen the stylesheet shows them even
  // when folded (::details-content); a browser without it gets them opened.
  document.addEventListener("DOMContentLoaded", function () {
    var supported = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
    if (supported || !window.matchMedia("(min-width: 40.01rem)").matches) { return; }
    document.querySelectorAll("details.filter-disclosure").forEach(function (details) { details.open = true; });
  });

  // "Nein" beside the button that acts: on a phone, tapping the question again to close it is found by few.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".decision-cancel").forEach(function (button) { button.hidden = false; });
  });
  document.addEventListener("click", function (event) {
    var cancel = event.target.closest(".decision-cancel");
    if (cancel) { closeDisclosure(cancel.closest("details.decision")); }
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

  // Typed text is lost when the page is left another way than through the text's own form: a link (the
  // exchange's "Wer sieht was?"), or another form of the page (moving a module, following a thread). The browser
  // asks first. A textarea marked data-guard-unsaved counts when changed, or when its form is marked data-unsaved
  // (the text shown is what was sent and refused, not what is saved).
  var submittedForm = null;

  function isUnsaved(textarea) {
    return textarea.form !== submittedForm &&
      (textarea.value !== textarea.defaultValue || textarea.form.hasAttribute("data-unsaved"));
  }

  document.addEventListener("submit", function (event) {
    submittedForm = event.target;
  });
  window.addEventListener("beforeunload", function (event) {
    var guarded = document.querySelectorAll("textarea[data-guard-unsaved]");
    if (Array.prototype.some.call(guarded, isUnsaved)) {
      event.preventDefault();
      event.returnValue = ""; // older browsers ask only when this is set
    }
  });
  window.addEventListener("pageshow", function () {
    submittedForm = null; // back from the page a submit led to: the text is guarded again
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
