// Taking a quiz: autosave each answer, hotspot clicks (pointer and keyboard), the countdown.
// The form still submits every answer without JavaScript; the server grades and enforces time.
(function () {
  "use strict";
  var form = document.querySelector("form.quiz-attempt");
  if (!form) return;
  var saveUrl = form.dataset.saveUrl;
  var token = form.querySelector("input[name=csrf_token]");
  var live = document.getElementById("save-status");
  var SVG = "http://www.w3.org/2000/svg";

  function say(question, text) {
    var status = question.querySelector(".js-question-status");
    if (status) status.textContent = text;
    if (live) live.textContent = text;
  }

  function save(question, payload) {
    payload.question_id = parseInt(question.dataset.questionId, 10);
    say(question, "Saving…");
    return fetch(saveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": token ? token.value : ""
      },
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.ok) say(question, "Answer saved.");
        else say(question, body.message || "Your answer could not be saved.");
      });
    }).catch(function () {
      say(question, "Not saved (connection problem). It will be sent when you submit.");
    });
  }

  form.querySelectorAll(".quiz-question").forEach(function (question) {
    if (question.dataset.kind === "hotspot") return;
    question.addEventListener("change", function () {
      var ids = [];
      question.querySelectorAll("input:checked").forEach(function (input) {
        ids.push(parseInt(input.value, 10));
      });
      save(question, { choice_ids: ids });
    });
  });

  // Hotspots: the click is stored in image-relative coordinates (0..1) so it fits any size.
  form.querySelectorAll(".hotspot-answer").forEach(function (wrapper) {
    var question = wrapper.closest(".quiz-question");
    var stage = wrapper.querySelector(".hotspot-stage");
    var svg = stage.querySelector("svg");
    var inputX = wrapper.querySelector(".js-click-x");
    var inputY = wrapper.querySelector(".js-click-y");
    var height = svg.viewBox.baseVal.height;
    stage.setAttribute("tabindex", "0");
    stage.setAttribute("role", "application");
    stage.setAttribute("aria-label", "Anatomy image: click where you would find it, or use the arrow keys and press Enter");
    stage.setAttribute("aria-describedby", "q" + question.dataset.questionId + "-how");
    var point = { x: parseFloat(inputX.value), y: parseFloat(inputY.value) };
    if (isNaN(point.x) || isNaN(point.y)) point = null;

    function draw() {
      var old = svg.querySelector(".hotspot-marker");
      if (old) old.remove();
      if (!point) return;
      var group = document.createElementNS(SVG, "g");
      group.setAttribute("class", "hotspot-marker");
      group.setAttribute("transform", "translate(" + point.x * 1000 + " " + point.y * height + ")");
      var ring = document.createElementNS(SVG, "circle");
      ring.setAttribute("r", "14");
      var cross = document.createElementNS(SVG, "path");
      cross.setAttribute("d", "M -22 0 H 22 M 0 -22 V 22");
      group.appendChild(ring);
      group.appendChild(cross);
      svg.appendChild(group);
    }

    function commit() {
      inputX.value = point.x.toFixed(4);
      inputY.value = point.y.toFixed(4);
      draw();
      save(question, { x: point.x, y: point.y });
    }

    stage.addEventListener("click", function (event) {
      var box = stage.getBoundingClientRect();
      var x = (event.clientX - box.left) / box.width;
      var y = (event.clientY - box.top) / box.height;
      if (x < 0 || x > 1 || y < 0 || y > 1) return;
      point = { x: x, y: y };
      commit();
    });
    stage.addEventListener("keydown", function (event) {
      var step = event.shiftKey ? 0.05 : 0.01;
      var moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      if (moves[event.key]) {
        event.preventDefault();
        point = point || { x: 0.5, y: 0.5 };
        point.x = Math.min(1, Math.max(0, point.x + moves[event.key][0]));
        point.y = Math.min(1, Math.max(0, point.y + moves[event.key][1]));
        draw();
        say(question, "Marker at " + Math.round(point.x * 100) + "% across, " + Math.round(point.y * 100) + "% down. Press Enter to answer.");
      } else if ((event.key === "Enter" || event.key === " ") && point) {
        event.preventDefault();
        commit();
      }
    });
    [inputX, inputY].forEach(function (input) {
      input.addEventListener("change", function () {
        var x = parseFloat(inputX.value), y = parseFloat(inputY.value);
        if (isNaN(x) || isNaN(y)) return;
        point = { x: x, y: y };
        draw();
        save(question, { x: x, y: y });
      });
    });
  });

  // The countdown is a courtesy; the deadline is enforced by the server.
  var deadline = document.querySelector(".js-deadline");
  var remaining = document.querySelector(".js-remaining");
  if (deadline && remaining) {
    var end = Date.parse(deadline.getAttribute("datetime"));
    var tick = function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      var minutes = Math.floor(left / 60), seconds = left % 60;
      remaining.textContent = left > 0
        ? " (" + minutes + " min " + (seconds < 10 ? "0" : "") + seconds + " s left)"
        : " — time is up: submit to see your result.";
      if (left > 0) window.setTimeout(tick, 1000);
    };
    tick();
  }
})();
