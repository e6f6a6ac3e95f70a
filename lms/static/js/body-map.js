/* Body map progressive enhancement: show the hovered/focused zone's name under the
   figure (SVG <title> tooltips are slow and absent on touch). The map works fully
   without this script: every zone is an ordinary link. */
(function () {
  "use strict";
  document.querySelectorAll(".bm").forEach(function (map) {
    var hint = map.querySelector(".bm-hint");
    if (!hint) return;
    var selected = map.querySelector(".bm-zone--selected");
    var resting = selected ? "Selected: " + selected.getAttribute("aria-label") : "";
    hint.textContent = resting;

    function show(event) {
      var zone = event.target.closest && event.target.closest(".bm-zone");
      if (zone) hint.textContent = zone.getAttribute("aria-label");
    }
    function reset() {
      hint.textContent = resting;
    }
    map.addEventListener("mouseover", show);
    map.addEventListener("focusin", show);
    map.addEventListener("mouseleave", reset);
    map.addEventListener("focusout", reset);
  });
})();
