// Agent desk behaviour on top of truedesk.js. No inline script: the CSP forbids it.
(function () {
  "use strict";

  // After htmx swaps part of the page, put keyboard focus where the user needs
  // it: a queue row's outcome, else the first error (a form's message or a
  // field), else the notice saying what happened.
  document.addEventListener("htmx:afterSettle", function (event) {
    var outcome = document.querySelector(".row-outcome:not([data-seen])");
    if (outcome) {
      outcome.setAttribute("data-seen", "");
      outcome.focus();
      return;
    }
    var target = event.detail && event.detail.target;
    if (!target || target.id !== "desk-page") return;
    var page = document.getElementById("desk-page");
    var problem = page && page.querySelector('[role="alert"], [aria-invalid="true"]');
    var notice = document.getElementById("desk-notice");
    if (problem) {
      var details = problem.closest("details");
      if (details) details.open = true;
      problem.focus();
    } else if (notice && notice.textContent.trim()) {
      notice.focus();
    }
  });

  // Opening the shortcut list (with "?" or a click) moves focus to it, so it
  // is read out and can be closed again with Enter.
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (details instanceof HTMLDetailsElement && details.classList.contains("shortcuts") &&
        details.open) {
      var summary = details.querySelector("summary");
      if (summary) summary.focus();
    }
  }, true);
})();
