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

/* After choosing a zone the page reloads at #results: move keyboard and screen-reader focus
   to the results heading so the answer is read out, not just scrolled into view. */
(function () {
  "use strict";
  if (window.location.hash !== "#results") return;
  var heading = document.getElementById("results-title");
  if (heading && heading.hasAttribute("tabindex")) heading.focus({ preventScroll: false });
})();
