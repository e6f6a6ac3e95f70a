// Lesson player: resume at the saved position, keep the signed URL fresh, and report the
// media intervals actually played (from `timeupdate`), with the playback rate, every ~15 s
// and on pause, seek and page hide. The server decides what to credit.
(function () {
  "use strict";

  var video = document.getElementById("lesson-video");
  if (!video) return;

  var REPORT_EVERY_MS = 15000;
  var reportUrl = video.dataset.reportUrl;
  var token = video.dataset.reportToken;
  var duration = Number(video.dataset.duration) || 0;
  var status = document.querySelector(".js-verified");
  var errorBox = document.querySelector(".js-player-error");
  var seq = 0;
  var pending = []; // closed intervals [start, end, rate] not yet acknowledged
  var open = null; // the interval being played: {start, end, rate}
  var lastWall = 0;
  var inFlight = false;
  var restoring = false;
  var refreshes = 0;

  // --- resume -------------------------------------------------------------------------
  var resume = Number(video.dataset.resume) || 0;
  function seekToResume() {
    if (resume > 1 && (!video.duration || resume < video.duration - 1)) video.currentTime = resume;
  }
  if (video.readyState >= 1) seekToResume();
  else video.addEventListener("loadedmetadata", seekToResume, { once: true });

  // --- interval tracking --------------------------------------------------------------
  function closeOpen() {
    if (open && open.end - open.start >= 0.05) pending.push([round(open.start), round(open.end), open.rate]);
    open = null;
  }

  function round(value) { return Math.round(value * 1000) / 1000; }

  video.addEventListener("timeupdate", function () {
    if (video.paused || video.seeking || restoring) return;
    var now = performance.now();
    var t = video.currentTime;
    var rate = video.playbackRate;
    if (open && open.rate === rate) {
      var wall = (now - lastWall) / 1000;
      var step = t - open.end;
      // Continuous playback moves forward by about rate x wall time; anything else is a jump.
      if (step >= 0 && step <= rate * wall + 1) {
        open.end = t;
        lastWall = now;
        return;
      }
    }
    closeOpen();
    open = { start: t, end: t, rate: rate };
    lastWall = now;
  });

  ["pause", "seeking", "ratechange", "ended"].forEach(function (name) {
    video.addEventListener(name, function () {
      if (restoring) return;
      closeOpen();
      if (name !== "ratechange") report(false);
    });
  });

  // --- reporting ---------------------------------------------------------------------------
  function coalesce(list) {
    // Resent intervals may touch what was sent before: merge overlaps so a report never
    // contains overlapping intervals (the server refuses those).
    var sorted = list.slice().sort(function (a, b) { return a[0] - b[0]; });
    var out = [];
    sorted.forEach(function (item) {
      var last = out[out.length - 1];
      if (last && item[0] <= last[1]) {
        last[1] = Math.max(last[1], item[1]);
        last[2] = Math.max(last[2], item[2]);
      } else {
        out.push(item.slice());
      }
    });
    return out.slice(-150);
  }

  function cut() {
    // Close the open interval at its current end and keep playing into a new one.
    if (open && open.end - open.start >= 0.05) {
      pending.push([round(open.start), round(open.end), open.rate]);
      open = { start: open.end, end: open.end, rate: open.rate };
    }
  }

  // What the server's last answer said it read (coverage and its version): sent back with
  // the next report, it spares the server a read while it is still true (it checks).
  var state = null;

  function body() {
    var position = Math.min(video.currentTime || 0, duration || video.currentTime || 0);
    var data = { token: token, seq: seq++, intervals: coalesce(pending), position: round(position) };
    if (state) data.state = state;
    return JSON.stringify(data);
  }

  function showVerified(data) {
    if (status && data.duration_seconds) {
      status.textContent = String(Math.min(100, Math.round((100 * data.verified_seconds) / data.duration_seconds)));
    }
    if (data.lesson_complete && !showVerified.done) {
      showVerified.done = true;
      var box = document.getElementById("watch-status");
      if (box) box.append(" Lesson complete.");
    }
  }

  function report(beacon) {
    if (!reportUrl) return;
    cut();
    if (beacon) {
      // sendBeacon cannot set headers: the signed report token travels in the body.
      var sentBody = body();
      var sentCount = pending.length;
      if (navigator.sendBeacon(reportUrl, new Blob([sentBody], { type: "text/plain;charset=UTF-8" }))) {
        pending.splice(0, sentCount);
      }
      return;
    }
    if (inFlight) return;
    inFlight = true;
    var sending = pending.length;
    fetch(reportUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: body(),
      keepalive: true,
    })
      .then(function (response) {
        return response.json().then(function (data) {
          if (response.ok) {
            pending.splice(0, sending);
            state = data.state || null;
            showVerified(data);
          } else if (response.status === 400 || response.status === 403 || response.status === 409) {
            pending.splice(0, sending); // the server will never take these: do not resend
            if (errorBox) errorBox.textContent = data.message || "";
          }
        });
      })
      .catch(function () { /* offline: keep the intervals and send them with the next report */ })
      .then(function () { inFlight = false; });
  }

  if (reportUrl) {
    setInterval(function () { if (!video.paused) report(false); }, REPORT_EVERY_MS);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { closeOpen(); report(true); }
    });
    window.addEventListener("pagehide", function () { closeOpen(); report(true); });
  }

  // --- fresh signed URLs ---------------------------------------------------------------------
  var expiresAt = Date.now() + (Number(video.dataset.expiresIn) || 3600) * 1000;

  function refreshSource(reason) {
    if (refreshes > 5) return;
    refreshes += 1;
    var at = video.currentTime;
    var wasPlaying = !video.paused && !video.ended;
    fetch(video.dataset.refreshUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("refresh " + response.status);
        return response.json();
      })
      .then(function (data) {
        closeOpen();
        restoring = true;
        expiresAt = Date.now() + data.expires_in * 1000;
        var source = video.querySelector("source");
        if (source) source.src = data.url;
        video.src = data.url;
        video.addEventListener("loadedmetadata", function () {
          video.currentTime = at;
          restoring = false;
          if (wasPlaying) video.play().catch(function () {});
        }, { once: true });
        video.load();
      })
      .catch(function () {
        if (errorBox) errorBox.textContent = "The video link expired and could not be renewed (" + reason + "). Reload the page.";
      });
  }

  video.addEventListener("error", function () { refreshSource("error"); }, true);
  var source = video.querySelector("source");
  if (source) source.addEventListener("error", function () { refreshSource("error"); });
  setInterval(function () {
    if (Date.now() > expiresAt - 60000) { refreshSource("expiry"); expiresAt = Date.now() + 3600000; }
  }, 30000);
  video.addEventListener("loadeddata", function () { refreshes = 0; });
})();
