// Truedesk page behaviour. No inline script anywhere: the CSP forbids it.
(function () {
  "use strict";

  // <select data-autosubmit> submits its form on change (language picker).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
      target.form.submit();
    }
  });

  // Keyboard shortcuts: elements declare data-shortcut="r"; pressing the key
  // (outside a text field) focuses or clicks them. "?" lists them.
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var el = event.target;
    if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement ||
        el instanceof HTMLSelectElement || (el && el.isContentEditable)) {
      if (event.key === "Escape" && el.blur) el.blur();
      return;
    }
    var target = document.querySelector('[data-shortcut="' + CSS.escape(event.key) + '"]');
    if (!target) return;
    event.preventDefault();
    if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement ||
        target instanceof HTMLSelectElement) {
      target.focus();
    } else if (target instanceof HTMLDetailsElement) {
      target.open = true;
      var field = target.querySelector("textarea, input, select");
      if (field) field.focus();
    } else {
      target.click();
    }
  });
})();
