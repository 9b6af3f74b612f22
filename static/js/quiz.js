// Save quiz answers while the learner works, so a reload or a dropped connection loses nothing.
// Only the questions answered in this tab are sent: an attempt open in a second, older tab must not overwrite
// with its blank fields what was answered in the first (the server keeps what a form leaves out).
// An answer the server has not confirmed yet is kept on the device (localStorage, one entry per attempt) and sent
// again when the connection returns: a phone that loses its signal in a break, or a page closed too soon, loses
// nothing. The entry goes once the server has the answers, or once the attempt is handed in (its result page).
// The result page that handing in leads to starts at the outcome (passed or not, the score): read out first.
(function () {
  "use strict";
  var STORAGE_PREFIX = "qualify-quiz-answers-";
  var KEEP_DAYS = 30;  // what never reached the server is forgotten after a month: a shared phone keeps no old answers
  var FIRST_RETRY_MS = 2000;
  var LAST_RETRY_MS = 60000;
  // Handing in that has had no answer by then is given up: on a stalled connection (a signal that comes and goes,
  // a captive network) the request can hang for minutes while the page says "bitte warten".
  var HAND_IN_TIMEOUT_MS = 30000;
  // A live region reads out changes only: the same words again ("Antworten gespeichert." after the next save) are
  // said by emptying it first and filling it again this long after.
  var SAY_AGAIN_MS = 150;
  // Set by handing in, for the result page it leads to (in this tab only, once): a later visit or a reload of the
  // result starts at the top of the page as any other.
  var HANDED_IN = "qualify:handed-in";

  // The device's store may be missing or refuse to write (private mode, full): then answers live in the page only.
  var device = {
    read: function (key) {
      try { return JSON.parse(window.localStorage.getItem(key)); } catch (error) { return null; }
    },
    write: function (key, value) {
      try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (error) { /* kept in the page only */ }
    },
    remove: function (key) {
      try { window.localStorage.removeItem(key); } catch (error) { /* nothing to remove */ }
    },
    keys: function () {
      var keys = [];
      try {
        for (var i = 0; i < window.localStorage.length; i++) { keys.push(window.localStorage.key(i)); }
      } catch (error) { /* no store */ }
      return keys;
    }
  };

  function forgetStaleAttempts() {
    var oldest = Date.now() - KEEP_DAYS * 24 * 60 * 60 * 1000;
    device.keys().forEach(function (key) {
      if (key.indexOf(STORAGE_PREFIX) !== 0) { return; }
      var kept = device.read(key);
      if (!kept || !(kept.keptAt > oldest)) { device.remove(key); }
    });
  }

  function sameValues(first, second) { return JSON.stringify(first || []) === JSON.stringify(second || []); }

  // The attempt this tab has just handed in, if any; asked once (the next page of the quiz forgets it).
  function justHandedIn() {
    try {
      var attemptId = window.sessionStorage.getItem(HANDED_IN);
      window.sessionStorage.removeItem(HANDED_IN);
      return attemptId;
    } catch (error) {
      return null;  // storage blocked: the result starts at the top, as without a script
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    forgetStaleAttempts();
    var arrived = justHandedIn();
    var handedIn = document.querySelector("[data-handed-in-attempt]");
    if (handedIn) {
      device.remove(STORAGE_PREFIX + handedIn.dataset.handedInAttempt);
      // A message of the page (handed in already, elsewhere) comes first: app.js starts there.
      if (arrived === handedIn.dataset.handedInAttempt && !document.querySelector(".flashes")) { handedIn.focus(); }
    }

    var form = document.querySelector("form[data-autosave-url]");
    if (!form || !window.fetch || !window.FormData) { return; }
    var status = form.querySelector(".autosave-status");
    var storageKey = STORAGE_PREFIX + form.dataset.attemptId;
    var timer = null;
    var retryTimer = null;
    var retryDelay = FIRST_RETRY_MS;
    var touched = {};   // fields answered in this tab: only these are sent
    var unsent = {};    // fields whose latest answer the server has not confirmed: name → what the server had before
    var onServer = {};  // what the server holds, as far as this tab knows
    var sending = false;
    var sendAgain = false;
    var handingIn = false;
    var handInWaiting = false;  // "Abgeben" was pressed without a connection
    var sayingAgain = null;

    function say(text, isProblem) {
      if (!status) { return; }
      clearTimeout(sayingAgain);
      status.textContent = text;
      status.classList.toggle("autosave-status-problem", !!isProblem);
    }

    // Each save is said, not only the first: one after another, the same words were read out once. (Problems are
    // said once: "Keine Verbindung …" after every answer given offline would talk over the quiz.)
    function sayAgain(text) {
      if (!status || status.textContent !== text) { say(text); return; }
      say("");
      sayingAgain = setTimeout(function () { say(text); }, SAY_AGAIN_MS);
    }

    function isAnswerField(name) { return !!name && name.indexOf("q-") === 0; }

    function answerFields(name) {
      return Array.prototype.filter.call(form.elements, function (field) { return field.name === name; });
    }

    function answerNames() {
      var names = [];
      Array.prototype.forEach.call(form.elements, function (field) {
        if (isAnswerField(field.name) && names.indexOf(field.name) < 0) { names.push(field.name); }
      });
      return names;
    }

    function valuesNow(name) { return new FormData(form).getAll(name); }

    // What the server rendered, in the shape FormData sends: from the fields' defaults, not their current
    // values, which the browser may have filled back in from an earlier visit.
    function renderedValues(name) {
      var values = [];
      answerFields(name).forEach(function (field) {
        if (field.type === "radio" || field.type === "checkbox") {
          if (field.defaultChecked) { values.push(field.value); }
        } else if (field.tagName === "SELECT") {
          var chosen = Array.prototype.filter.call(field.options, function (option) { return option.defaultSelected; });
          if (chosen.length === 0 && field.options.length) { chosen = [field.options[0]]; }
          if (chosen.length) { values.push(chosen[0].value); }
        } else {
          values.push(field.type === "hidden" ? field.value : field.defaultValue);
        }
      });
      return values;
    }

    function putBack(name, values) {
      answerFields(name).forEach(function (field) {
        if (field.type === "hidden") { return; }
        if (field.type === "radio" || field.type === "checkbox") {
          field.checked = values.indexOf(field.value) >= 0;
        } else {
          field.value = values.length ? values[0] : "";
        }
      });
    }

    // --- the answers kept on the device --------------------------------------------------------------------
    // Read and written answer by answer: a second tab of the same attempt keeps its own answers in the same entry.

    function readKept() {
      var kept = device.read(storageKey);
      return kept && kept.answers ? kept : { answers: {} };
    }

    function writeKept(kept) {
      if (Object.keys(kept.answers).length === 0) { device.remove(storageKey); return; }
      kept.keptAt = Date.now();
      device.write(storageKey, kept);
    }

    function keep(name) {
      var kept = readKept();
      kept.answers[name] = { value: valuesNow(name), base: unsent[name] };
      writeKept(kept);
    }

    function forget(name, values) {
      var kept = readKept();
      var entry = kept.answers[name];
      if (entry && (values === undefined || sameValues(entry.value, values))) {
        delete kept.answers[name];
        writeKept(kept);
      }
    }

    // --- sending -------------------------------------------------------------------------------------------

    function hasUnsent() { return Object.keys(unsent).length > 0; }

    function retryLater(text) {
      say(handInWaiting ? form.dataset.handInOfflineText : text, true);
      clearTimeout(retryTimer);
      retryTimer = setTimeout(send, retryDelay);
      retryDelay = Math.min(retryDelay * 2, LAST_RETRY_MS);
    }

    function confirmed(sent) {
      retryDelay = FIRST_RETRY_MS;
      Object.keys(sent).forEach(function (name) {
        onServer[name] = sent[name];
        if (!(name in unsent)) { return; }
        if (sameValues(valuesNow(name), sent[name])) {
          delete unsent[name];
          forget(name, sent[name]);
        } else {  // changed again while on the way: the new answer is sent next
          unsent[name] = sent[name];
          keep(name);
        }
      });
      if (hasUnsent()) { return; }
      if (handInWaiting) {
        handInWaiting = false;
        say(form.dataset.onlineAgainText);
      } else {
        sayAgain(form.dataset.savedText);
      }
    }

    // The attempt takes no more answers (handed in, or its time is up): what is kept can never count.
    function closed() {
      unsent = {};
      device.remove(storageKey);
      say(form.dataset.closedText, true);
    }

    // `evenIfNothingNew`: "Zwischenspeichern" asks the server even when every answer is there, to say so.
    function send(evenIfNothingNew) {
      clearTimeout(timer);
      clearTimeout(retryTimer);
      if (handingIn || (!hasUnsent() && evenIfNothingNew !== true)) { return; }
      if (sending) { sendAgain = true; return; }
      if (navigator.onLine === false) {  // the online event sends; a hand-in waiting for it keeps saying so
        say(handInWaiting ? form.dataset.handInOfflineText : form.dataset.offlineText, true);
        return;
      }
      var current = new FormData(form);
      var body = new FormData();
      var sent = {};
      body.append("csrf_token", current.get("csrf_token"));
      Object.keys(unsent).forEach(function (name) {
        sent[name] = current.getAll(name);
        sent[name].forEach(function (value) { body.append(name, value); });
      });
      sending = true;
      fetch(form.dataset.autosaveUrl, {
        method: "POST",
        body: body,
        headers: { "Accept": "application/json" },
        credentials: "same-origin",
        redirect: "manual"  // a redirect here is the sign-in page: not a save
      }).then(function (response) {
        var isJson = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (response.status >= 500) {
          retryLater(form.dataset.serverTroubleText);
          return null;
        }
        // {"saved": true} with 200; {"saved": false} with 409 when the attempt takes no more answers.
        return (isJson ? response.json() : Promise.resolve(null)).then(function (answer) {
          if (answer && answer.saved === true) {
            confirmed(sent);
          } else if (answer && answer.saved === false) {
            closed();
          } else {
            // Refused (an expired form, signed out): trying again changes nothing, a reload does. Kept meanwhile.
            say(form.dataset.refusedText, true);
          }
        });
      }).catch(function () {
        retryLater(form.dataset.offlineText);
      }).then(function () {
        sending = false;
        if (sendAgain) { sendAgain = false; send(); }
      });
    }

    function answered(event) {
      var name = event.target && event.target.name;
      if (!isAnswerField(name)) { return; }
      touched[name] = true;
      if (!(name in unsent)) { unsent[name] = onServer[name]; }
      keep(name);  // at once: the page may be closed before it is sent
      clearTimeout(timer);
      timer = setTimeout(send, 600);
    }
    form.addEventListener("change", answered);
    form.addEventListener("input", answered);

    window.addEventListener("online", function () {
      retryDelay = FIRST_RETRY_MS;
      if (hasUnsent()) {
        send();
      } else if (handInWaiting) {
        handInWaiting = false;
        say(form.dataset.onlineAgainText);
      }
    });
    window.addEventListener("offline", function () {
      if (hasUnsent() && !handInWaiting) { say(form.dataset.offlineText, true); }
    });

    // --- on opening: answers kept from an earlier visit ------------------------------------------------------
    // One is put back if the server still holds what it held when the answer was given: then nothing was saved
    // over it since, and the kept answer is the newer one. Another answer saved meanwhile (on another device) wins.
    var names = answerNames();
    names.forEach(function (name) { onServer[name] = renderedValues(name); });
    var kept = readKept();
    Object.keys(kept.answers).forEach(function (name) {
      var entry = kept.answers[name];
      if (form.hasAttribute("data-answers-closed") || names.indexOf(name) < 0
          || sameValues(onServer[name], entry.value) || !sameValues(onServer[name], entry.base)) {
        forget(name);
        return;
      }
      putBack(name, entry.value);
      touched[name] = true;
      unsent[name] = entry.base;
    });
    if (hasUnsent()) { send(); }

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
    function confirmHandIn() {
      var open = unanswered();
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

    // --- handing in ----------------------------------------------------------------------------------------
    // Sent from the page, not by the browser: without a connection the browser would show its own error page
    // and the answers on screen would be gone. Handing in sends what this tab answered; what it left untouched
    // stays as saved.

    function waitForConnection() {
      handInWaiting = true;
      say(form.dataset.handInOfflineText, true);
      if (hasUnsent() && navigator.onLine !== false) { retryLater(); }  // offline, the online event sends
    }

    // What the server says other than "handed in" (an expired form, an error) shows as without the script.
    function submitAsPlainForm() {
      Array.prototype.forEach.call(form.elements, function (field) {
        if (isAnswerField(field.name) && !touched[field.name]) { field.disabled = true; }
      });
      HTMLFormElement.prototype.submit.call(form);
    }

    function handIn() {
      if (handingIn) { return; }
      if (navigator.onLine === false) { waitForConnection(); return; }
      clearTimeout(timer);
      clearTimeout(retryTimer);
      handingIn = true;
      // Said at once: on a weak signal the answer takes seconds, and a page that shows nothing meanwhile gets
      // tapped again or left.
      say(form.dataset.handingInText);
      var body = new FormData();
      new FormData(form).forEach(function (value, name) {
        if (name === "csrf_token" || touched[name]) { body.append(name, value); }
      });
      // Given up after a while as without a connection: the answers stay, and "Abgeben" can be pressed again (if
      // the first one did reach the server, the second finds the attempt handed in and shows its result).
      var stop = window.AbortController ? new AbortController() : null;
      var giveUp = stop && setTimeout(function () { stop.abort(); }, HAND_IN_TIMEOUT_MS);
      fetch(form.action, { method: "POST", body: body, credentials: "same-origin", redirect: "manual",
                           signal: stop ? stop.signal : undefined })
        .then(function (response) {
          clearTimeout(giveUp);
          // Handed in (or already handed in elsewhere): the server sends the learner to the attempt's page.
          if (response.type === "opaqueredirect") {
            try {
              window.sessionStorage.setItem(HANDED_IN, form.dataset.attemptId);
            } catch (error) { /* storage blocked: the result starts at the top */ }
            window.location.assign(form.dataset.resultUrl);
          } else {
            submitAsPlainForm();
          }
        }, function () {
          clearTimeout(giveUp);
          handingIn = false;
          waitForConnection();
        });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (event.submitter && event.submitter.hasAttribute("formaction")) {  // "Zwischenspeichern"
        send(true);
        return;
      }
      if (!timeUp && !confirmHandIn()) { return; }
      handIn();
    });
  });
})();
