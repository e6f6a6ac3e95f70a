// Progressive enhancements shared by every page. No inline script: the CSP forbids it.
(function () {
  "use strict";

  // "Add another licence": clone the last licence row with the next index.
  document.querySelectorAll(".js-add-licence").forEach(function (button) {
    var container = button.parentElement.querySelector(".licence-rows");
    if (!container) return;
    button.classList.remove("d-none");
    button.addEventListener("click", function () {
      var rows = container.querySelectorAll(".licence-row");
      var last = rows[rows.length - 1];
      var index = parseInt(container.dataset.nextIndex, 10);
      if (index >= 10) return;
      var clone = last.cloneNode(true);
      clone.querySelectorAll("input, select, label").forEach(function (el) {
        ["id", "name", "for"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) el.setAttribute(attr, value.replace(/licences-\d+/, "licences-" + index));
        });
        if (el.tagName === "LABEL") el.textContent = el.textContent.replace(/\d+/, index + 1);
        if (el.tagName === "INPUT") el.value = "";
        if (el.tagName === "SELECT") el.selectedIndex = 0;
        el.classList.remove("is-invalid");
      });
      clone.querySelectorAll(".invalid-feedback").forEach(function (el) { el.remove(); });
      container.appendChild(clone);
      container.dataset.nextIndex = String(index + 1);
      clone.querySelector("select").focus();
    });
  });

  // Ask before destructive POSTs (leave course, revoke ...).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
})();
