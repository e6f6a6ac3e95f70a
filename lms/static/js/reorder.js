/* Drag-and-drop reordering of the authoring outline (modules, and lessons within a module).
   Each list with data-reorder-url gets draggable items; after a drop the full new order of
   ids is POSTed as JSON. The Move up / Move down buttons remain the keyboard and no-JS way;
   if saving fails the page reloads so what is shown is what is stored. */
(function () {
  "use strict";
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  var status = document.getElementById("reorder-status");
  var dragged = null;

  function items(list) {
    return Array.prototype.filter.call(list.children, function (el) {
      return el.dataset && el.dataset.id;
    });
  }

  function announce(text) {
    if (status) status.textContent = text;
  }

  function renumber(list) {
    items(list).forEach(function (item, index) {
      var number = item.querySelector(".outline-number");
      if (number) number.textContent = String(index + 1);
    });
  }

  function save(list, item) {
    var ids = items(list).map(function (el) { return Number(el.dataset.id); });
    item.classList.add("is-saving");
    fetch(list.dataset.reorderUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": tokenMeta ? tokenMeta.content : ""
      },
      body: JSON.stringify({ ids: ids })
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      item.classList.remove("is-saving");
      renumber(list);
      announce("Saved: " + (item.dataset.title || "item") + " is now number " +
        (ids.indexOf(Number(item.dataset.id)) + 1) + ".");
    }).catch(function () {
      announce("The new order could not be saved. Reloading the page.");
      window.location.reload();
    });
  }

  function setUp(list) {
    var before = null;
    items(list).forEach(function (item) {
      item.setAttribute("draggable", "true");
      var handle = item.querySelector(".drag-handle");
      if (handle) handle.classList.remove("d-none");
      item.addEventListener("dragstart", function (event) {
        if (event.target !== item) return;  // a nested list's item is being dragged
        event.stopPropagation();
        dragged = item;
        before = items(list).map(function (el) { return el.dataset.id; }).join(",");
        item.classList.add("is-dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", item.dataset.id);
      });
      item.addEventListener("dragend", function (event) {
        if (dragged !== item) return;
        event.stopPropagation();
        item.classList.remove("is-dragging");
        dragged = null;
        var after = items(list).map(function (el) { return el.dataset.id; }).join(",");
        if (after !== before) save(list, item);
      });
    });
    list.addEventListener("dragover", function (event) {
      if (!dragged || dragged.parentElement !== list) return;
      event.preventDefault();
      event.stopPropagation();
      var target = event.target.closest ? event.target.closest(".outline-item") : null;
      while (target && target.parentElement !== list) {
        target = target.parentElement.closest(".outline-item");
      }
      if (!target || target === dragged) return;
      var box = target.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? target.nextSibling : target);
    });
    list.addEventListener("drop", function (event) {
      if (dragged && dragged.parentElement === list) event.preventDefault();
    });
  }

  document.querySelectorAll("[data-reorder-url]").forEach(setUp);
})();
