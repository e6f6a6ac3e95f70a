// Lesson video uploader: the browser sends the file straight to storage (S3 or, in local
// mode, the app's signed part URLs) as a multipart upload.
//
// Our own ~300 lines rather than Uppy: Uppy needs npm bundling, and pages may not load
// scripts from a CDN (CSP). This does what we need: 3 parts in flight, retries with
// backoff, resume after a reload or a dropped connection (the server lists the stored
// parts), cancel, and a progress bar with speed and time left.
(function () {
  "use strict";

  var form = document.querySelector("form.js-video-upload");
  if (!form) return;

  var PARALLEL = 3;
  var MAX_ATTEMPTS = 6;
  var URL_BATCH = 10;
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var input = form.querySelector("input[type=file]");
  var startButton = form.querySelector(".js-start");
  var cancelButton = form.querySelector(".js-cancel");
  var wrap = form.querySelector(".js-progress-wrap");
  var bar = form.querySelector("[role=progressbar]");
  var barFill = form.querySelector(".js-progress-bar");
  var progressText = form.querySelector(".js-progress-text");
  var statusText = form.querySelector(".js-upload-status");
  var errorText = form.querySelector(".js-upload-error");
  var pending = JSON.parse(form.dataset.pending || "[]");
  var lessonId = form.dataset.lessonId;
  var current = null; // the running upload

  function storageKey(file) {
    return "video-upload:" + lessonId + ":" + file.name + ":" + file.size + ":" + file.lastModified;
  }

  function say(text) { statusText.textContent = text; }
  function fail(text) { errorText.textContent = text; }

  function api(method, url, body) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf },
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      if (response.redirected) throw new Error("Your session has ended: sign in again, then resume.");
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var error = new Error(data.message || ("The server answered " + response.status + "."));
          error.status = response.status;
          throw error;
        }
        return data;
      });
    });
  }

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  function formatBytes(bytes) {
    if (bytes >= 1e9) return (bytes / 1e9).toFixed(2) + " GB";
    if (bytes >= 1e6) return (bytes / 1e6).toFixed(1) + " MB";
    return Math.round(bytes / 1e3) + " KB";
  }

  function formatTime(seconds) {
    if (!isFinite(seconds)) return "";
    if (seconds < 60) return "about " + Math.max(1, Math.round(seconds)) + " s left";
    if (seconds < 3600) return "about " + Math.round(seconds / 60) + " min left";
    return "about " + (seconds / 3600).toFixed(1) + " h left";
  }

  function showProgress(state) {
    var inFlight = 0;
    Object.keys(state.loading).forEach(function (n) { inFlight += state.loading[n]; });
    var done = Math.min(state.file.size, state.doneBytes + inFlight);
    var percent = state.file.size ? Math.floor((100 * done) / state.file.size) : 0;
    if (state.finished) percent = 100;
    bar.setAttribute("aria-valuenow", String(percent));
    bar.setAttribute("aria-valuetext", percent + "%");
    barFill.className = "progress-bar js-progress-bar w-" + (5 * Math.floor(percent / 5)) + "p";
    var elapsed = (Date.now() - state.startedAt) / 1000;
    var sent = done - state.resumedBytes;
    var speed = elapsed > 0.5 ? sent / elapsed : 0;
    var text = percent + "% · " + formatBytes(done) + " of " + formatBytes(state.file.size);
    if (speed > 0 && !state.finished) {
      text += " · " + formatBytes(speed) + "/s · " + formatTime((state.file.size - done) / speed);
    }
    progressText.textContent = text;
  }

  function browserDuration(file) {
    // Sent with the completion; the server prefers ffprobe's answer where it has ffprobe.
    return new Promise(function (resolve) {
      var probe = document.createElement("video");
      var url = URL.createObjectURL(file);
      var settle = function (value) { URL.revokeObjectURL(url); resolve(value); };
      probe.preload = "metadata";
      probe.onloadedmetadata = function () { settle(isFinite(probe.duration) ? probe.duration : null); };
      probe.onerror = function () { settle(null); };
      setTimeout(function () { settle(null); }, 5000);
      probe.src = url;
    });
  }

  function putPart(state, number, url) {
    return new Promise(function (resolve, reject) {
      var start = (number - 1) * state.upload.part_size;
      var blob = state.file.slice(start, Math.min(start + state.upload.part_size, state.file.size));
      var xhr = new XMLHttpRequest();
      state.requests[number] = xhr;
      xhr.open("PUT", url);
      xhr.upload.onprogress = function (event) {
        state.loading[number] = event.loaded;
        showProgress(state);
      };
      xhr.onload = function () {
        delete state.requests[number];
        state.loading[number] = 0;
        var etag = xhr.getResponseHeader("ETag");
        if (xhr.status >= 200 && xhr.status < 300 && etag) {
          resolve({ etag: etag.replace(/"/g, ""), size: blob.size });
        } else {
          var error = new Error("Storage answered " + xhr.status + " for part " + number + ".");
          error.status = xhr.status;
          reject(error);
        }
      };
      xhr.onerror = xhr.ontimeout = function () {
        delete state.requests[number];
        state.loading[number] = 0;
        reject(new Error("The connection dropped while sending part " + number + "."));
      };
      xhr.onabort = function () { delete state.requests[number]; reject(new Error("cancelled")); };
      xhr.send(blob);
    });
  }

  function partUrl(state, number) {
    if (state.urls[number]) return Promise.resolve(state.urls[number]);
    if (state.signing[number]) return state.signing[number];
    // Sign the next few parts in one request (fewer round trips to the app); parts already
    // being signed by another worker's request wait for that request instead.
    var wanted = [number];
    for (var i = 0; i < state.queue.length && wanted.length < URL_BATCH; i++) {
      var n = state.queue[i];
      if (!state.urls[n] && !state.signing[n] && wanted.indexOf(n) < 0) wanted.push(n);
    }
    var request = api("POST", state.upload.urls.parts, { parts: wanted }).then(function (data) {
      Object.keys(data.urls).forEach(function (key) { state.urls[key] = data.urls[key]; });
    });
    wanted.forEach(function (n) {
      state.signing[n] = request.then(function () { return state.urls[n]; });
      request.then(function () { delete state.signing[n]; }, function () { delete state.signing[n]; });
    });
    return state.signing[number];
  }

  function sendWithRetry(state, number, attempt) {
    if (state.cancelled) return Promise.reject(new Error("cancelled"));
    return partUrl(state, number)
      .then(function (url) { return putPart(state, number, url); })
      .then(function (result) {
        state.etags[number] = result.etag;
        state.doneBytes += result.size;
        showProgress(state);
      })
      .catch(function (error) {
        if (state.cancelled || error.message === "cancelled") throw error;
        if (error.status === 403) delete state.urls[number]; // the signed URL expired
        if (attempt >= MAX_ATTEMPTS) throw error;
        var wait = Math.min(30000, 1000 * Math.pow(2, attempt - 1));
        say("Retrying part " + number + " in " + Math.round(wait / 1000) + " s (" + error.message + ")");
        var waitOnline = navigator.onLine === false
          ? new Promise(function (resolve) { window.addEventListener("online", resolve, { once: true }); })
          : sleep(wait);
        return waitOnline.then(function () { return sendWithRetry(state, number, attempt + 1); });
      });
  }

  function worker(state) {
    var number = state.queue.shift();
    if (number === undefined) return Promise.resolve();
    return sendWithRetry(state, number, 1).then(function () { return worker(state); });
  }

  function findResumable(file) {
    var saved = localStorage.getItem(storageKey(file));
    var match = pending.filter(function (u) {
      return String(u.id) === saved || (u.filename === file.name && u.size === file.size);
    })[0];
    return match || null;
  }

  function begin(file) {
    var resumable = findResumable(file);
    if (resumable) {
      say("Resuming the interrupted upload of " + file.name + " …");
      return api("GET", resumable.urls.status).then(function (data) {
        return { upload: data, stored: data.parts };
      }).catch(function () {
        localStorage.removeItem(storageKey(file));
        return begin(file);
      });
    }
    return api("POST", form.dataset.startUrl, {
      filename: file.name, size: file.size, type: file.type || "",
    }).then(function (data) {
      return { upload: data, stored: [] };
    });
  }

  function run(file) {
    var state = {
      file: file, upload: null, etags: {}, urls: {}, signing: {}, loading: {}, requests: {}, queue: [],
      doneBytes: 0, resumedBytes: 0, startedAt: Date.now(), cancelled: false, finished: false,
    };
    current = state;
    fail("");
    startButton.disabled = true;
    input.disabled = true;
    cancelButton.hidden = false;
    wrap.hidden = false;
    var durationPromise = browserDuration(file);
    return begin(file)
      .then(function (started) {
        state.upload = started.upload;
        localStorage.setItem(storageKey(file), String(state.upload.id));
        started.stored.forEach(function (part) {
          state.etags[part.number] = part.etag;
          state.doneBytes += part.size;
        });
        state.resumedBytes = state.doneBytes;
        for (var n = 1; n <= state.upload.parts_total; n++) {
          if (!state.etags[n]) state.queue.push(n);
        }
        say(state.resumedBytes ? "Resuming: " + formatBytes(state.resumedBytes) + " already stored." : "Uploading " + file.name + " …");
        showProgress(state);
        var workers = [];
        for (var i = 0; i < PARALLEL; i++) workers.push(worker(state));
        return Promise.all(workers);
      })
      .then(function () { return durationPromise; })
      .then(function (duration) {
        say("Checking the video …");
        var parts = Object.keys(state.etags).map(function (n) { return [Number(n), state.etags[n]]; });
        return api("POST", state.upload.urls.complete, { parts: parts, duration: duration });
      })
      .then(function (data) {
        state.finished = true;
        showProgress(state);
        localStorage.removeItem(storageKey(file));
        cancelButton.hidden = true;
        statusText.textContent = "";
        var link = document.createElement("a");
        link.href = data.lesson_url;
        link.textContent = "Open the lesson";
        statusText.append("Upload complete: the video (" + Math.round(data.duration_seconds) + " s) is now the lesson's video. ", link);
      })
      .catch(function (error) {
        cancelButton.hidden = true;
        if (state.cancelled) return;
        if (error.status === 422 || error.status === 409) localStorage.removeItem(storageKey(file));
        fail(error.status === 422 || error.status === 400 || error.status === 409
          ? error.message
          : error.message + " Choose the same file again to resume where it stopped.");
        say("");
      })
      .then(function () {
        startButton.disabled = false;
        input.disabled = false;
        current = null;
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = input.files && input.files[0];
    if (!file) { fail("Choose a video file first."); input.focus(); return; }
    if (!/\.(mp4|m4v|webm|mov)$/i.test(file.name)) { fail("Only MP4, WebM and MOV videos can be uploaded."); return; }
    if (file.size > Number(form.dataset.maxBytes)) {
      fail("This file is " + formatBytes(file.size) + "; the largest video accepted is " + formatBytes(Number(form.dataset.maxBytes)) + ".");
      return;
    }
    run(file);
  });

  cancelButton.addEventListener("click", function () {
    var state = current;
    if (!state) return;
    state.cancelled = true;
    state.queue.length = 0;
    Object.keys(state.requests).forEach(function (n) { state.requests[n].abort(); });
    localStorage.removeItem(storageKey(state.file));
    var done = function () {
      say("Upload cancelled.");
      wrap.hidden = true;
    };
    if (state.upload) api("POST", state.upload.urls.abort, {}).then(done, function (error) { fail(error.message); });
    else done();
  });
})();
