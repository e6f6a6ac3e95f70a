// Region editor for hotspot questions: draw a circle (centre, then edge) or a polygon
// (corners, then "Close polygon") on the image. It only fills the coordinate fields of the
// form, which keyboard users can type into directly.
(function () {
  "use strict";
  var editor = document.querySelector(".region-editor");
  if (!editor) return;
  var form = editor.closest("form");
  var stage = editor.querySelector(".hotspot-stage");
  var svg = stage.querySelector("svg");
  var height = svg.viewBox.baseVal.height;
  var aspect = parseFloat(editor.dataset.aspect) || 1;
  var help = editor.querySelector(".js-editor-help");
  var closeButton = editor.querySelector(".js-close-polygon");
  var field = function (name) { return form.querySelector("[name=" + name + "]"); };
  var SVG = "http://www.w3.org/2000/svg";
  var tool = null, centre = null, points = [];

  function shape(name) {
    form.querySelectorAll("input[name=shape]").forEach(function (radio) {
      radio.checked = radio.value === name;
    });
  }
  function clearDrawing() {
    svg.querySelectorAll(".hotspot-target, .hotspot-draft, .hotspot-vertex").forEach(function (el) { el.remove(); });
  }
  function element(name, attrs) {
    var el = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (key) { el.setAttribute(key, attrs[key]); });
    svg.appendChild(el);
    return el;
  }
  function drawCircle(cx, cy, r, cls) {
    element("circle", { "class": cls, cx: cx * 1000, cy: cy * height, r: r * 1000 });
  }
  function drawPolygon(list, closed) {
    var text = list.map(function (p) { return p[0] * 1000 + "," + p[1] * height; }).join(" ");
    element(closed ? "polygon" : "polyline", { "class": closed ? "hotspot-target" : "hotspot-draft", points: text });
    list.forEach(function (p) { element("circle", { "class": "hotspot-vertex", cx: p[0] * 1000, cy: p[1] * height, r: 6 }); });
  }
  function position(event) {
    var box = stage.getBoundingClientRect();
    return [
      Math.min(1, Math.max(0, (event.clientX - box.left) / box.width)),
      Math.min(1, Math.max(0, (event.clientY - box.top) / box.height))
    ];
  }
  function round(n) { return Math.round(n * 10000) / 10000; }

  editor.querySelectorAll(".js-tool").forEach(function (button) {
    button.addEventListener("click", function () {
      tool = button.dataset.tool;
      centre = null; points = [];
      editor.querySelectorAll(".js-tool").forEach(function (b) { b.setAttribute("aria-pressed", String(b === button)); });
      closeButton.disabled = tool !== "polygon";
      help.textContent = tool === "circle" ? "Click the centre of the target." : "Click the first corner.";
    });
  });
  editor.querySelector(".js-clear").addEventListener("click", function () {
    clearDrawing(); centre = null; points = [];
    ["cx", "cy", "r", "points"].forEach(function (name) { field(name).value = ""; });
    help.textContent = "Cleared. Choose a tool to draw again.";
  });
  closeButton.addEventListener("click", function () {
    if (points.length < 3) { help.textContent = "A polygon needs at least 3 corners."; return; }
    clearDrawing(); drawPolygon(points, true); shape("polygon");
    field("points").value = points.map(function (p) { return round(p[0]) + ", " + round(p[1]); }).join("\n");
    help.textContent = "Polygon with " + points.length + " corners set.";
    points = [];
  });
  stage.addEventListener("click", function (event) {
    if (!tool) { help.textContent = "Choose “Draw circle” or “Draw polygon” first."; return; }
    var p = position(event);
    if (tool === "circle") {
      if (!centre) {
        centre = p; clearDrawing(); drawCircle(p[0], p[1], 0.004, "hotspot-draft");
        help.textContent = "Now click the edge of the target.";
        return;
      }
      var r = Math.hypot(p[0] - centre[0], (p[1] - centre[1]) * aspect);
      clearDrawing(); drawCircle(centre[0], centre[1], r, "hotspot-target"); shape("circle");
      field("cx").value = round(centre[0]); field("cy").value = round(centre[1]); field("r").value = round(r);
      help.textContent = "Circle set. Click again to draw another.";
      centre = null;
    } else {
      points.push(p); clearDrawing(); drawPolygon(points, false);
      help.textContent = points.length + " corner(s). Click the next, or “Close polygon”.";
    }
  });
})();
