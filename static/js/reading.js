// A long module read in a break, a quarter of an hour at a time: the page remembers on this device the last
// heading its reader scrolled past, and next time offers to go on reading there. An offer, not a jump: a page
// that opens somewhere in its middle disorients. Nothing of it leaves the device.
(function () {
  "use strict";

  var PREFIX = "qualify:reading:";

  function storage() {
    try { return window.localStorage; } catch (error) { return null; } // blocked in some private modes
  }

  document.addEventListener("DOMContentLoaded", function () {
    var article = document.querySelector("[data-reading-key]");
    var store = storage();
    if (!article || !store) { return; }
    var key = PREFIX + article.getAttribute("data-reading-key");
    var headings = Array.prototype.slice.call(article.querySelectorAll(".prose h2[id], .prose h3[id]"));
    if (headings.length < 2) { return; }

    offerToGoOn(article, headings, store.getItem(key));

    // The last heading above the top of the window is where the reader is.
    var pending = false;
    function remember() {
      pending = false;
      var passed = null;
      headings.forEach(function (heading) {
        if (heading.getBoundingClientRect().top < 80) { passed = heading; }
      });
      if (passed && passed !== headings[0]) {
        store.setItem(key, passed.id);
      } else if (window.scrollY === 0) {
        store.removeItem(key);  // back at the top: nothing to offer
      }
    }
    window.addEventListener("scroll", function () {
      if (!pending) { pending = true; window.setTimeout(remember, 500); }
    }, { passive: true });
  });

  function offerToGoOn(article, headings, id) {
    var notice = article.querySelector(".reading-resume");
    var heading = id && document.getElementById(id);
    if (!notice || !heading || headings.indexOf(heading) < 1 || location.hash) { return; }
    var link = notice.querySelector("a");
    link.href = "#" + id;
    link.textContent = heading.textContent;
    notice.hidden = false;
    link.addEventListener("click", function () {
      heading.setAttribute("tabindex", "-1");  // so that the next Tab goes on from there
      window.setTimeout(function () { heading.focus({ preventScroll: true }); }, 0);
    });
  }
}());
