"""What `make bench` measures. Add a dict to PAGES to benchmark another endpoint.

Keys (only ``name`` and ``path`` are required):

- ``name``: unique short id (used in the table, results.json and ``BENCH_ONLY``).
- ``path``: URL path on the app, e.g. ``/catalog``.
- ``target_ratio``: minimum req/s relative to the ``/healthz`` floor (None: just record).
- ``max_queries``: maximum SQL queries per request (X-Query-Count header; None: just record).
- ``login``: e.g. ``{"email": ..., "password": ...}`` to benchmark as a logged-in user.
- ``login_fn``: callable ``(base_url, login) -> headers``; defaults to bench.auth.form_login.
- ``method`` / ``body`` / ``headers``: for non-GET endpoints, e.g. a JSON POST.
- ``wrk_script``: extra Lua (source text) inserted into the wrk script (must not define done()).
- ``expect_status``: status the page must return (default 200; redirects are not followed).
- ``after_login``: callable ``(base_url, headers) -> dict`` run after login and before measuring;
  the dict overrides page keys (e.g. ``path``/``body`` of a record the app had to create).
- ``path_query``: SQL run on the bench database after seeding whose single value is the path
  (for URLs with generated ids); ``path`` is then only a label until it is replaced.
- ``prepare``: ``(context) -> dict`` of key overrides computed after the app is up (context
  holds ``base_url`` and ``database_url``), e.g. a wrk script built from many logins.
- ``snapshot`` / ``verify``: ``snapshot(context)`` runs before wrk, ``verify(context, result,
  snapshot)`` after it and returns an error message or None (``context["page"]`` is the entry
  with prepare's overrides).
- ``probe_requests``: for a request that can be made only once (submitting an attempt), the
  probe's requests, each a dict overriding ``path``, ``body`` and ``headers``.
- ``measure``: ``(context) -> dict`` of record fields: a custom measurement instead of wrk.
- ``repeat``: how many times the page is measured, each between two floor runs (default
  ``BENCH_REPEAT``, 3); the record is the round with the median ratio. 1 for a page whose
  data one run uses up (the quiz-submission pool).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NotRequired, TypedDict

from bench import quiz_submit, video


class Page(TypedDict):
    """One benchmark entry (see module docstring)."""

    name: str
    path: str
    target_ratio: NotRequired[float | None]
    max_queries: NotRequired[int | None]
    login: NotRequired[Mapping[str, Any] | None]
    login_fn: NotRequired[Callable[[str, Mapping[str, Any]], dict[str, str]]]
    method: NotRequired[str]
    body: NotRequired[str | None]
    headers: NotRequired[dict[str, str]]
    wrk_script: NotRequired[str]
    expect_status: NotRequired[int]
    prepare: NotRequired[Callable[[Mapping[str, Any]], dict[str, Any]]]
    snapshot: NotRequired[Callable[[Mapping[str, Any]], Any]]
    verify: NotRequired[Callable[..., str | None]]
    measure: NotRequired[Callable[[Mapping[str, Any]], dict[str, Any]]]
    after_login: NotRequired[Callable[[str, dict[str, str]], dict[str, Any]]]
    probe_requests: NotRequired[list[dict[str, Any]]]


# A learner created by `flask lms seed-demo` (see lms/demo/content.py, pure data). Literal
# values rather than an import so the harness loads even while the app is half-built.
DEMO_LEARNER = {"email": "priya.raman@demo.lms", "password": "demo-password-2026"}

QUIZ_LEARNERS = [
    {"email": email, "password": "demo-password-2026"}
    for email in (
        "ana.kowalski@demo.lms",
        "noah.peterson@demo.lms",
        "malia.kahale@demo.lms",
        "samuel.adeyemi@demo.lms",
        "jamal.williams@demo.lms",
        "fatima.alsayed@demo.lms",
        "isabella.rossi@demo.lms",
        "wei.zhang@demo.lms",
    )
]
QUIZ_COURSE = "/courses/upper-trapezius"


def _open_attempt(base_url: str, headers: dict[str, str]) -> tuple[str, str]:
    """Enrol, start the course's lesson check (unlimited attempts); (answers path, body)."""
    import json
    import re

    import requests

    token = {"csrf_token": headers.get("X-CSRFToken", "")}
    headers = {k: v for k, v in headers.items() if k in ("Cookie", "X-CSRFToken")}
    course = base_url + QUIZ_COURSE
    requests.post(course + "/enrol", data=token, headers=headers, allow_redirects=False, timeout=10)
    page = requests.get(course, headers=headers, timeout=10).text
    quiz = re.search(r'href="(/courses/[\w-]+/quizzes/\d+)">Check', page).group(1)
    started = requests.post(
        base_url + quiz + "/start", data=token, headers=headers, allow_redirects=False, timeout=10
    )
    attempt_path = started.headers["Location"]
    html = requests.get(base_url + attempt_path, headers=headers, timeout=10).text
    found = re.search(r'name="q(\d+)" id="c(\d+)"', html)
    if found is None:
        raise RuntimeError(f"no choice question at {attempt_path}")
    question_id, choice_id = found.groups()
    body = json.dumps({"question_id": int(question_id), "choice_ids": [int(choice_id)]})
    return attempt_path + "/answers", body


def quiz_attempt_pool(base_url: str, headers: dict[str, str]) -> dict[str, Any]:
    """A pool of open attempts, one per learner; wrk cycles through them (Lua request())."""
    from bench.auth import form_login
    from bench.wrkrun import lua_string

    pool = []
    for index, learner in enumerate(QUIZ_LEARNERS):
        own = headers if index == 0 else form_login(base_url, {**learner, "csrf_from": QUIZ_COURSE})
        path, body = _open_attempt(base_url, own)
        pool.append((path, body, own["Cookie"], own["X-CSRFToken"]))
    rows = ",\n".join("{" + ", ".join(lua_string(value) for value in entry) + "}" for entry in pool)
    script = f"""
local pool = {{
{rows}
}}
local counter = 0
request = function()
  counter = counter % #pool + 1
  local entry = pool[counter]
  return wrk.format("POST", entry[1], {{
    ["Cookie"] = entry[3], ["X-CSRFToken"] = entry[4],
    ["Content-Type"] = "application/json", ["Accept"] = "application/json",
  }}, entry[2])
end
"""
    return {"path": pool[0][0], "body": pool[0][1], "wrk_script": script}


PAGES: list[Page] = [
    {"name": "landing", "path": "/", "target_ratio": 0.25, "max_queries": 5},
    {"name": "catalog", "path": "/catalog", "target_ratio": 0.25, "max_queries": 5},
    {"name": "course", "path": "/courses/upper-trapezius", "max_queries": 8},
    # Quiz autosave: the JSON endpoint a learner's page POSTs on every answer change, the
    # hottest write path while a cohort sits an assessment. `prepare` signs in 8 demo
    # learners, each enrols and starts the course's lesson check; wrk cycles over their 8
    # open attempts. Each request: load the attempt, check the answer fits, guarded UPDATE
    # of the attempt row (refused once submitted or late), upsert the answer, replace its
    # choices, commit.
    {
        "name": "quiz-autosave",
        "path": "/courses/upper-trapezius/attempts/0/answers",
        "method": "POST",
        "headers": {"Content-Type": "application/json", "Accept": "application/json"},
        "login": {**QUIZ_LEARNERS[0], "csrf_from": QUIZ_COURSE},
        "after_login": quiz_attempt_pool,
        "target_ratio": 0.2,
        "max_queries": 10,
    },
    # Quiz submission: the graded end of an attempt. Each attempt is submitted once, so
    # `prepare` builds a pool of open attempts with saved answers through the app's services
    # (bench/quiz_submit.py) and wrk submits each once, with the form the attempt page
    # posts; `verify` checks that every successful submission graded exactly one attempt.
    # Statements do not grow with the number of questions: 11, or 14 when a pass at a
    # required quiz asks the completion engine (tests/quizzes/test_views.py).
    {
        "name": "quiz-submit",
        "path": "/courses/upper-trapezius/attempts/0/submit",  # replaced by prepare
        "method": "POST",
        "expect_status": 302,
        "prepare": quiz_submit.prepare_pool,
        "snapshot": quiz_submit.snapshot_pool,
        "verify": quiz_submit.verify_submissions,
        "repeat": 1,  # one run submits most of the pool
        "target_ratio": 0.2,
        "max_queries": 6,  # 2; 4 more when a pass at a required quiz asks the completion engine
    },
    # A learner enrolled in 10 courses (the demo's keen learner) on a lesson page.
    {
        "name": "lesson",
        "path": "/courses/upper-trapezius/lessons/<first>",
        "path_query": (
            "SELECT '/courses/upper-trapezius/lessons/' || min(lessons.id) FROM lessons"
            " JOIN modules ON modules.id = lessons.module_id"
            " JOIN courses ON courses.id = modules.course_id"
            " WHERE courses.slug = 'upper-trapezius'"
        ),
        "login": DEMO_LEARNER,
        "target_ratio": 0.20,
        "max_queries": 8,
    },
    {"name": "my-learning", "path": "/my/learning", "login": DEMO_LEARNER, "max_queries": 8},
    # Many demo learners reporting watch time, each from one tab; every request is a distinct
    # valid report and the stored rows must match the 2xx answers (bench/video.py).
    {
        "name": "watch-report",
        "path": "/lessons/0/watch",  # replaced by prepare
        "method": "POST",
        "target_ratio": 0.3,
        "max_queries": 1,  # the steady state: the player sends back the last answer's state
        "prepare": video.prepare_watch,
        "snapshot": video.count_reports,
        "verify": video.verify_reports,
    },
    {"name": "upload-overhead", "path": "(1 GiB upload)", "measure": video.measure_upload_overhead},
    # Examples for later entries:
    # {"name": "dashboard", "path": "/dashboard", "login": DEMO_LEARNER, "max_queries": 10},
    # {"name": "progress-api", "path": "/api/progress", "method": "POST",
    #  "body": '{"lesson": 1}', "headers": {"Content-Type": "application/json"},
    #  "login": DEMO_LEARNER, "max_queries": 6},
]
