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

// Background job pages: poll the status endpoint and show progress until the job ends.
(function () {
  "use strict";
  var box = document.querySelector(".js-job[data-status-url]");
  if (!box || !window.fetch) return;
  var bar = box.querySelector(".js-job-bar");
  function set(selector, value) {
    var el = box.querySelector(selector);
    if (el) el.textContent = String(value);
  }
  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        var step = Math.floor(job.percent / 5) * 5;
        bar.className = bar.className.replace(/\bw-\d+p\b/, "w-" + step + "p");
        bar.parentElement.setAttribute("aria-valuenow", String(job.percent));
        set(".js-job-status", job.status);
        set(".js-job-done", job.done);
        set(".js-job-failed", job.failed);
        set(".js-job-attempts", job.attempts);
        box.querySelector(".js-job-retrying").classList.toggle("d-none", !job.retrying);
        var notes = box.querySelector(".js-job-notes");
        notes.innerHTML = "";
        (job.notes || []).forEach(function (note) {
          var li = document.createElement("li");
          li.textContent = note;
          notes.appendChild(li);
        });
        var error = box.querySelector(".js-job-error");
        error.textContent = job.error || "";
        error.classList.toggle("d-none", !job.error);
        if (job.finished) {
          box.querySelector(".js-job-finished").classList.remove("d-none");
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  if (!box.querySelector(".js-job-finished.d-none")) return;  // already finished
  window.setTimeout(poll, 500);
})();
