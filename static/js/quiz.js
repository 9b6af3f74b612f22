// Save quiz answers while the learner works, so a reload or a dropped connection loses nothing.
// Only the questions answered in this tab are sent: an attempt open in a second, older tab must not overwrite
// with its blank fields what was answered in the first (the server keeps what a form leaves out).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-autosave-url]");
    if (!form || !window.fetch) { return; }
    var status = form.querySelector(".autosave-status");
    var timer = null;
    var touched = {};
    function answersChangedHere() {
      var sent = new FormData();
      new FormData(form).forEach(function (value, name) {
        if (name === "csrf_token" || touched[name]) { sent.append(name, value); }
      });
      return sent;
    }
    function save() {
      fetch(form.dataset.autosaveUrl, {
        method: "POST",
        body: answersChangedHere(),
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        if (status) { status.textContent = response.ok ? form.dataset.savedText || "Gespeichert." : form.dataset.closedText || "Nicht gespeichert."; }
      }).catch(function () {
        if (status) { status.textContent = form.dataset.offlineText || "Keine Verbindung – Antworten werden beim nächsten Mal gespeichert."; }
      });
    }
    function later(event) {
      if (event.target && event.target.name) { touched[event.target.name] = true; }
      clearTimeout(timer);
      timer = setTimeout(save, 600);
    }
    form.addEventListener("change", later);
    form.addEventListener("input", later);
    function unanswered() {
      return Array.prototype.filter.call(form.querySelectorAll("fieldset[data-graded]"), function (question) {
        return !Array.prototype.some.call(question.querySelectorAll("input, select, textarea"), function (field) {
          if (field.type === "radio" || field.type === "checkbox") { return field.checked; }
          return field.value.trim() !== "";
        });
      });
    }
    // Handing in with questions left open asks first: a slip of the thumb must not use up an attempt.
    // Who answers "no" is taken to the first open question.
    function confirmHandIn(event) {
      var handingIn = !(event.submitter && event.submitter.hasAttribute("formaction"));
      var open = handingIn ? unanswered() : [];
      if (open.length === 0) { return true; }
      var question = open.length === 1 ? form.dataset.unansweredOne
        : form.dataset.unansweredMany.replace("__n__", open.length);
      if (window.confirm(question)) { return true; }
      var first = open[0].querySelector("input, select, textarea");
      open[0].scrollIntoView({ block: "center" });
      if (first) { first.focus({ preventScroll: true }); }
      return false;
    }
    // A timed attempt counts down in the page; five minutes and one minute before the end it says so aloud, and
    // at the end the answers close: what was saved by then counts, and handing in shows the result at once.
    var timeUp = false;
    var clock = document.querySelector(".quiz-timer");
    if (clock) {
      var skew = Date.parse(clock.dataset.now) - Date.now();  // the server's clock, not the phone's
      var deadline = Date.parse(clock.dataset.deadline);
      var left = clock.querySelector(".quiz-timer-left");
      var announce = clock.querySelector(".quiz-timer-announce");
      var said = {};
      var tick = function () {
        var seconds = Math.max(0, Math.round((deadline - (Date.now() + skew)) / 1000));
        var minutes = Math.floor(seconds / 60);
        var rest = seconds % 60;
        left.textContent = clock.dataset.leftText.replace("__t__", minutes + ":" + (rest < 10 ? "0" : "") + rest);
        if (seconds <= 300 && seconds > 240 && !said.five) { said.five = true; announce.textContent = clock.dataset.soonText.replace("__n__", "5"); }
        if (seconds <= 60 && seconds > 0 && !said.one) { said.one = true; announce.textContent = clock.dataset.lastText; }
        if (seconds === 0) {
          timeUp = true;
          clearInterval(running);
          clearTimeout(timer);
          clock.classList.add("quiz-timer-over");
          left.textContent = clock.dataset.overText;
          announce.textContent = clock.dataset.overText;
          Array.prototype.forEach.call(form.querySelectorAll("fieldset[data-graded], .actions button[formaction]"),
            function (element) { element.disabled = true; });
        }
      };
      var running = setInterval(tick, 1000);
      tick();
    }
    // Handing in (or saving by hand) sends the same: what this tab left untouched stays as saved.
    form.addEventListener("submit", function (event) {
      if (!timeUp && !confirmHandIn(event)) { event.preventDefault(); return; }
      clearTimeout(timer);
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name && field.name.indexOf("q-") === 0 && !touched[field.name]) { field.disabled = true; }
      });
    });
  });
})();
