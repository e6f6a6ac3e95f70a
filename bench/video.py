"""Benchmarks of the video domain: watch reports under load, and upload overhead.

Watch reports: many demo learners, each with a real session and the report token of a real
lesson page, each playing in one tab (`prepare_watch`); the wrk script makes every request
a distinct, valid report (its own sequence number, a tiny interval), so afterwards the
number of new WatchReport rows must equal the number of 2xx answers wrk saw: no report
lost, none counted twice.

Upload overhead: the app signs part URLs and never touches the bytes, so what it serves
per GB uploaded is a handful of small JSON requests. Measured by running the uploader's
calls (initiate, sign parts in batches as lms/static/js/video-upload.js does, complete) for
a declared 1 GiB file against the running app.
"""

from __future__ import annotations

import html
import json
import os
import re
import time
from collections.abc import Mapping
from typing import Any

import psycopg
import requests

from bench.auth import form_login
from bench.wrkrun import WrkResult, lua_string

PASSWORD = "demo-password-2026"  # noqa: S105 - public demo logins
LEARNERS = 48  # each plays in one tab; wrk keeps at most 8 requests per thread in flight
URL_BATCH = 10  # as in lms/static/js/video-upload.js


def _dsn(database_url: str) -> str:
    return database_url.replace("postgresql+psycopg://", "postgresql://")


def _video_lessons(database_url: str) -> list[tuple[str, str, int, int]]:
    """(learner email, course slug, lesson id, duration) for enrolled learners' video lessons."""
    with psycopg.connect(_dsn(database_url)) as connection:
        rows = connection.execute(
            """
            SELECT DISTINCT ON (u.id) u.email, c.slug, l.id, l.duration_seconds
            FROM enrolments e
            JOIN users u ON u.id = e.user_id
            JOIN courses c ON c.id = e.course_id
            JOIN modules m ON m.course_id = c.id
            JOIN lessons l ON l.module_id = m.id
            WHERE l.video_key IS NOT NULL AND l.duration_seconds > 21 AND e.status = 'active'
            ORDER BY u.id, l.id
            """
        ).fetchall()
    return [tuple(row) for row in rows][:LEARNERS]


def _data(page: str, name: str) -> str:
    match = re.search(rf'data-{name}="([^"]*)"', page)
    if not match:
        raise RuntimeError(f"data-{name} not on the lesson page")
    return html.unescape(match.group(1))


def _report_body(token: str, seq: int, at: float, state: Any = None) -> str:
    body: dict[str, Any] = {"token": token, "seq": seq, "intervals": [[at, at + 0.1, 1]]}
    body["position"] = at + 0.1
    if state is not None:
        body["state"] = state
    return json.dumps(body)


def prepare_watch(context: Mapping[str, Any]) -> dict[str, Any]:
    """Each learner plays in one tab: their reports come one after another, and each sends
    back the `state` of the answer to the one before (as lms/static/js/video-player.js
    does), so in the steady state a report is one statement (lms/video/watching.py).

    The learners are shared out among wrk's threads, and each thread keeps its learners'
    latest states, found by coverage row id in the answers. A thread cycles through its
    24 learners with at most 8 requests in flight, so a learner's report goes out long
    after the answer to their last one came back, as in a tab (with fewer learners, wrk's
    answers coming back out of order would send stale states). Every learner's first
    report is sent here, which makes their coverage row and gives the thread a first state.
    """
    base = context["base_url"]
    sessions = []
    for email, slug, lesson_id, _duration in _video_lessons(context["database_url"]):
        headers = form_login(base, {"email": email, "password": PASSWORD})
        page = requests.get(
            f"{base}/courses/{slug}/lessons/{lesson_id}", headers=headers, timeout=10
        ).text
        session = {
            "cookie": headers["Cookie"],
            "path": _data(page, "report-url"),
            "token": _data(page, "report-token"),
        }
        first = requests.post(
            base + session["path"],
            data=_report_body(session["token"], 0, 0.0),
            headers={"Cookie": session["cookie"], "Content-Type": "application/json"},
            timeout=10,
        )
        state = first.json().get("state") if first.ok else None
        if not state:
            raise RuntimeError(f"no state in the answer to a first report: {first.text[:200]}")
        sessions.append({**session, "coverage": state["c"], "state": state})
    if len(sessions) < 8:
        raise RuntimeError(f"only {len(sessions)} demo learners with video lessons")
    learners = ",\n".join(
        f"{{cookie={lua_string(s['cookie'])}, path={lua_string(s['path'])}, "
        f"token={lua_string(s['token'])}, coverage={s['coverage']}, "
        f"state={lua_string(json.dumps(s['state'], separators=(',', ':')))}}}"
        for s in sessions
    )
    threads = int(os.environ.get("BENCH_THREADS") or 2)
    script = f"""
local learners = {{
{learners}
}}
local thread_count = {threads}
bench_threads = {{}}
local next_tid = 0
setup = function(thread)
  next_tid = next_tid + 1
  thread:set("tid", next_tid)
  table.insert(bench_threads, thread)
end
-- Sequence numbers are new in every run (the page is measured several times): a run's
-- reports are never replays of an earlier run's.
init = function(args)
  ok2xx = 0; counter = 0; run = (os.time() % 1000000) * 1000000000
  mine = {{}}; by_coverage = {{}}
  for i, learner in ipairs(learners) do
    if (i - 1) % thread_count == tid - 1 then
      table.insert(mine, learner); by_coverage[learner.coverage] = learner
    end
  end
end
request = function()
  counter = counter + 1
  local learner = mine[counter % #mine + 1]
  local at = (counter % 200) * 0.1
  local body = string.format(
    '{{"token":"%s","seq":%d,"intervals":[[%.1f,%.1f,1]],"position":%.1f,"state":%s}}',
    learner.token, run + tid * 100000000 + counter, at, at + 0.1, at + 0.1, learner.state)
  return wrk.format("POST", learner.path,
    {{["Cookie"] = learner.cookie, ["Content-Type"] = "application/json"}}, body)
end
response = function(status, headers, body)
  if status >= 200 and status < 300 then
    ok2xx = ok2xx + 1
    local state = body:match('"state":(%b{{}})')
    local learner = state and by_coverage[tonumber(state:match('"c":(%d+)'))]
    if learner then learner.state = state end
  end
end
"""
    first = sessions[0]
    headers = {"Cookie": first["cookie"], "Content-Type": "application/json"}
    # The probe's last request is a new report sent with the state of the first one (the
    # ones before it are replays of that, which change nothing): its query count is the
    # steady state's.
    replay = _report_body(first["token"], 0, 0.0, first["state"])
    fresh = _report_body(first["token"], 1, 0.1, first["state"])
    return {
        "path": first["path"],
        "body": replay,
        "headers": headers,
        "probe_requests": [{"body": replay}] * 7 + [{"body": fresh}],
        "wrk_script": script,
    }


def count_reports(context: Mapping[str, Any]) -> int:
    with psycopg.connect(_dsn(context["database_url"])) as connection:
        return connection.execute("SELECT count(*) FROM watch_reports").fetchone()[0]


def verify_reports(context: Mapping[str, Any], result: WrkResult, before: int) -> str | None:
    """Every 2xx is a stored report (none lost); no report is stored twice.

    wrk stops with up to one request in flight per connection: the app still stores those,
    but wrk never counts their answers, so up to `connections` more rows than 2xx answers
    is expected. Double counting is ruled out by the unique (learner, lesson, page session,
    sequence) constraint, checked here too.
    """
    time.sleep(1)  # let the abandoned in-flight requests finish
    stored = count_reports(context) - before
    with psycopg.connect(_dsn(context["database_url"])) as connection:
        duplicates = connection.execute(
            "SELECT count(*) FROM (SELECT 1 FROM watch_reports GROUP BY user_id, lesson_id, "
            "session, client_seq HAVING count(*) > 1) AS twice"
        ).fetchone()[0]
    in_flight = int(os.environ.get("BENCH_CONNECTIONS") or 16)
    print(
        f"bench: watch-report: {stored} new WatchReport rows, {result.ok_2xx} 2xx answers, "
        f"{duplicates} duplicates"
    )
    if result.ok_2xx is None:
        return "the wrk script did not count 2xx answers"
    if stored < result.ok_2xx:
        return f"reports lost: {stored} stored but wrk saw {result.ok_2xx} 2xx answers"
    if stored - result.ok_2xx > in_flight or duplicates:
        return f"{stored} reports stored for {result.ok_2xx} 2xx answers ({duplicates} twice)"
    return None


def measure_upload_overhead(context: Mapping[str, Any]) -> dict[str, Any]:
    """App requests (and bytes through the app) per GB of video uploaded."""
    base = context["base_url"]
    with psycopg.connect(_dsn(context["database_url"])) as connection:
        slug, lesson_id = connection.execute(
            """SELECT c.slug, l.id FROM lessons l JOIN modules m ON m.id = l.module_id
               JOIN courses c ON c.id = m.course_id JOIN course_instructors ci
               ON ci.course_id = c.id JOIN users u ON u.id = ci.user_id
               WHERE u.email = 'mei.chen@demo.lms' ORDER BY l.id LIMIT 1"""
        ).fetchone()
    headers = form_login(
        base, {"email": "mei.chen@demo.lms", "password": PASSWORD, "csrf_from": "/"}
    )
    headers["Content-Type"] = "application/json"
    size = 1024**3
    requests_served, app_bytes, started = 0, 0, time.perf_counter()

    def call(path: str, body: dict) -> dict:
        nonlocal requests_served, app_bytes
        data = json.dumps(body)
        response = requests.post(base + path, data=data, headers=headers, timeout=30)
        if response.status_code >= 300:
            raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")
        requests_served += 1
        app_bytes += len(data) + len(response.content)
        return response.json()

    upload = call(
        f"/courses/{slug}/lessons/{lesson_id}/video/uploads",
        {"filename": "bench-seminar.mp4", "size": size, "type": "video/mp4"},
    )
    numbers = list(range(1, upload["parts_total"] + 1))
    for start in range(0, len(numbers), URL_BATCH):
        call(upload["urls"]["parts"], {"parts": numbers[start : start + URL_BATCH]})
    elapsed = time.perf_counter() - started
    # Completing needs the bytes in storage; it is one more small request (counted, not run).
    requests_served += 1
    requests.post(base + upload["urls"]["abort"], data="{}", headers=headers, timeout=30)
    print(
        f"bench: upload-overhead: 1 GiB in {upload['parts_total']} parts of "
        f"{upload['part_size'] // 2**20} MiB -> {requests_served} app requests, "
        f"{app_bytes / 1024:.0f} KiB through the app, {elapsed * 1000:.0f} ms of signing"
    )
    return {
        "requests_per_gb": requests_served,
        "app_bytes_per_gb": app_bytes,
        "part_size": upload["part_size"],
        "parts_per_gb": upload["parts_total"],
        "signing_ms_per_gb": round(elapsed * 1000, 1),
    }
