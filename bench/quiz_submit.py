"""Quiz submission under load: every wrk request submits a different open attempt, once.

An attempt is submitted once, so `prepare_pool` builds a pool of open attempts before wrk
runs: learners made for the benchmark (`bench.submit.<n>@bench.lms`), each enrolled in the
upper trapezius course with one attempt in progress at its lesson check (unlimited
attempts), every question answered. The pool is built in a child process that runs the
app's own services against the bench database (`create_app` + app context, the same
environment gunicorn has): `enrol`, `start_attempt` (which draws and fixes the attempt's
questions and choice order) and `save_answer`, so each attempt is exactly what the app
would have made. Each learner gets a real signed session cookie and CSRF token, made by
Flask-Login and Flask-WTF in a request context.

The wrk script gives each thread its share of the pool and POSTs each attempt's submit
form once, with the answers the page's form would send (the saved ones, pre-checked).
Afterwards `verify_submissions` checks in the database that the graded pool attempts match
the successful submissions (302 to the result page), that each graded attempt has exactly
one scored answer per question and points equal to their sum, and that nothing outside the
pool changed. A pool that runs out shows up as non-2xx/3xx answers and as an error.

Size: BENCH_QUIZ_POOL attempts (default: 1,200 per second of BENCH_SECONDS, at least 6,000).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import psycopg

from bench.wrkrun import USER_AGENT, WrkResult, lua_string

REPO = Path(__file__).resolve().parents[1]
COURSE_SLUG = "upper-trapezius"
EMAIL_PATTERN = "bench.submit.{}@bench.lms"
PROBE_ATTEMPTS = 2  # the harness's probe submits two attempts of the pool before wrk


def _dsn(database_url: str) -> str:
    return database_url.replace("postgresql+psycopg://", "postgresql://")


def pool_size() -> int:
    if os.environ.get("BENCH_QUIZ_POOL"):
        return int(os.environ["BENCH_QUIZ_POOL"])
    seconds = int(os.environ.get("BENCH_SECONDS") or 8)
    return max(6000, 1200 * seconds) + PROBE_ATTEMPTS


# --- the pool, built inside the app ---------------------------------------------------------


def build_pool(size: int, out: Path) -> None:
    """Create `size` open attempts with saved answers; write one JSON line per attempt."""
    import random

    from flask import g, session
    from flask_login import login_user
    from flask_wtf.csrf import generate_csrf
    from sqlalchemy import Integer, cast, func, select

    from lms import create_app
    from lms.auth.models import Role, User, UserRole
    from lms.auth.passwords import hash_password
    from lms.db import utcnow
    from lms.enrolments import services as enrolments
    from lms.extensions import db
    from lms.learning import services as learning_services
    from lms.quizzes import attempts
    from lms.quizzes.models import Quiz, QuizKind, QuizStatus

    app = create_app()
    rng = random.Random("quiz-submit-pool")  # noqa: S311 - benchmark data
    with app.app_context():
        course = learning_services.syllabus(COURSE_SLUG)
        quiz = db.session.scalar(
            select(Quiz).where(
                Quiz.course_id == course.id,
                Quiz.kind == QuizKind.LESSON,
                Quiz.status == QuizStatus.PUBLISHED,
                Quiz.max_attempts.is_(None),
            )
        )
        if quiz is None:
            raise RuntimeError(f"no published lesson check with unlimited attempts in {course}")
        # One Argon2 hash for every benchmark learner: hashing thousands would take minutes,
        # and nobody signs in with these passwords (the sessions are made below).
        password_hash = hash_password("bench-password-2026")
        now = utcnow()
        # Numbered on from the pools built before in this database (each run of the page).
        last = db.session.scalar(
            select(func.max(cast(func.substring(User.email, r"^bench\.submit\.(\d+)@"), Integer)))
        )
        offset = 0 if last is None else last + 1
        learners = [
            User(
                email=EMAIL_PATTERN.format(offset + index),
                legal_name=f"Bench Submitter {offset + index}",
                password_hash=password_hash,
                email_verified_at=now,
                role_links=[UserRole(role=Role.LEARNER)],
            )
            for index in range(size)
        ]
        db.session.add_all(learners)
        db.session.flush()
        serializer = app.session_interface.get_signing_serializer(app)
        cookie_name = app.config["SESSION_COOKIE_NAME"]
        lines = []
        for learner in learners:
            enrolment = enrolments.enrol(learner, course, attestation_accepted=True)
            attempt = attempts.start_attempt(learner, quiz, enrolment=enrolment, course=course)
            form = []
            for question in attempts.attempt_questions(attempt):
                picked = rng.choice(question.display_choices).id
                attempts.save_answer(attempt, attempts.AnswerInput(question.id, (picked,)))
                form.append((f"q{question.id}", str(picked)))
            # The address and browser wrk will present, so the session stays as signed.
            browser = {"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": USER_AGENT}
            with app.test_request_context(environ_base=browser):
                login_user(learner)
                # Flask-WTF caches the token on `g`, which lives as long as the app context
                # this loop runs in: each learner needs their own.
                g.pop("csrf_token", None)
                token = generate_csrf()
                cookie = serializer.dumps(dict(session))
            lines.append(
                json.dumps(
                    {
                        "attempt_id": attempt.id,
                        "path": f"/courses/{COURSE_SLUG}/attempts/{attempt.id}/submit",
                        "cookie": f"{cookie_name}={cookie}",
                        "form": [("csrf_token", token), *form],
                    }
                )
            )
        db.session.commit()
    out.write_text("\n".join(lines) + "\n")


# --- hooks for bench/pages.py ---------------------------------------------------------------


def _lua_pool_file(entries: list[dict[str, Any]], path: Path) -> None:
    """One attempt per line: path, cookie and url-encoded body separated by tabs."""
    with path.open("w") as handle:
        for entry in entries:
            handle.write(f"{entry['path']}\t{entry['cookie']}\t{entry['body']}\n")


def prepare_pool(context: Mapping[str, Any]) -> dict[str, Any]:
    from urllib.parse import urlencode

    from bench.run import app_env

    size = pool_size()
    workdir = Path(tempfile.mkdtemp(prefix="bench-quiz-submit-"))
    built = workdir / "pool.jsonl"
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "bench.quiz_submit", str(size), str(built)],
        cwd=REPO,
        env=app_env(context["database_url"]),
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"building the attempt pool failed:\n{proc.stdout}{proc.stderr}")
    entries = [json.loads(line) for line in built.read_text().splitlines() if line]
    for entry in entries:
        entry["body"] = urlencode([tuple(pair) for pair in entry["form"]])
    print(
        f"bench: quiz-submit: {len(entries)} open attempts in {time.monotonic() - started:.1f}s",
        flush=True,
    )
    probes, measured = entries[:PROBE_ATTEMPTS], entries[PROBE_ATTEMPTS:]
    pool_file = workdir / "pool.tsv"
    _lua_pool_file(measured, pool_file)
    threads = int(os.environ.get("BENCH_THREADS") or 2)
    script = f"""
local pool_file = {lua_string(str(pool_file))}
local thread_count = {threads}
bench_threads = {{}}
local next_tid = 0
setup = function(thread)
  next_tid = next_tid + 1
  thread:set("tid", next_tid)
  table.insert(bench_threads, thread)
end
init = function(args)
  ok2xx = 0; exhausted = 0; pool = {{}}; position = 0
  local line_number = 0
  for line in io.lines(pool_file) do
    line_number = line_number + 1
    if line_number % thread_count == tid - 1 then
      local path, cookie, body = line:match("^([^\\t]*)\\t([^\\t]*)\\t(.*)$")
      table.insert(pool, {{path, cookie, body}})
    end
  end
end
request = function()
  position = position + 1
  local entry = pool[position]
  if entry == nil then entry = pool[1] end  -- the pool ran out: a resubmission, a 409
  return wrk.format("POST", entry[1], {{
    ["Cookie"] = entry[2], ["Content-Type"] = "application/x-www-form-urlencoded",
  }}, entry[3])
end
response = function(status, headers, body)
  -- A graded submission redirects to the result page.
  if status == 302 then ok2xx = ok2xx + 1 end
end
"""
    return {
        "path": probes[0]["path"],
        "body": probes[0]["body"],
        "headers": {
            "Cookie": probes[0]["cookie"],
            "Content-Type": "application/x-www-form-urlencoded",
        },
        "probe_requests": [
            {
                "path": entry["path"],
                "body": entry["body"],
                "headers": {
                    "Cookie": entry["cookie"],
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            }
            for entry in probes
        ],
        "wrk_script": script,
        "pool_attempt_ids": [entry["attempt_id"] for entry in entries],
    }


def _state(connection: psycopg.Connection, pool_ids: list[int]) -> dict[str, Any]:
    """What must not change outside the pool, and the pool's graded attempts."""
    outside = connection.execute(
        """
        SELECT count(*), md5(coalesce(string_agg(
            concat_ws('|', a.id, a.status, a.submitted_at, a.points, a.score_percent, a.passed),
            ',' ORDER BY a.id), ''))
        FROM quiz_attempts a WHERE NOT (a.id = ANY(%s))
        """,
        (pool_ids,),
    ).fetchone()
    answers_outside = connection.execute(
        """
        SELECT count(*), md5(coalesce(string_agg(concat_ws('|', id, score, saved_at),
            ',' ORDER BY id), ''))
        FROM attempt_answers WHERE NOT (attempt_id = ANY(%s))
        """,
        (pool_ids,),
    ).fetchone()
    graded = connection.execute(
        "SELECT count(*) FROM quiz_attempts WHERE id = ANY(%s) AND status = 'graded'",
        (pool_ids,),
    ).fetchone()[0]
    return {"outside": tuple(outside), "answers_outside": tuple(answers_outside), "graded": graded}


def snapshot_pool(context: Mapping[str, Any]) -> dict[str, Any]:
    """Taken after the probe (which graded the first attempts), before wrk."""
    pool_ids = context["page"]["pool_attempt_ids"]
    with psycopg.connect(_dsn(context["database_url"])) as connection:
        return _state(connection, pool_ids)


def verify_submissions(
    context: Mapping[str, Any], result: WrkResult, before: dict[str, Any]
) -> str | None:
    """Every successful submission graded exactly one pool attempt, once; nothing else moved.

    wrk stops with up to one request in flight per connection: the app still grades those
    but wrk never sees their answers, so up to `connections` more graded attempts than
    successful answers is expected.
    """
    time.sleep(1)  # let the abandoned in-flight requests finish
    pool_ids = context["page"]["pool_attempt_ids"]
    with psycopg.connect(_dsn(context["database_url"])) as connection:
        after = _state(connection, pool_ids)
        # Every graded pool attempt: one scored answer per question, points = their sum.
        inconsistent = connection.execute(
            """
            SELECT count(*) FROM quiz_attempts a
            LEFT JOIN LATERAL (
                SELECT count(*) AS answers, count(score) AS scored, sum(score) AS points
                FROM attempt_answers WHERE attempt_id = a.id
            ) s ON true
            WHERE a.id = ANY(%s) AND a.status = 'graded' AND (
                a.submitted_at IS NULL OR a.score_percent IS NULL OR a.passed IS NULL
                OR s.answers <> json_array_length(a.question_ids) OR s.scored <> s.answers
                OR a.max_points <> s.answers OR abs(a.points - coalesce(s.points, 0)) > 1e-9)
            """,
            (pool_ids,),
        ).fetchone()[0]
    graded = after["graded"] - before["graded"]
    in_flight = int(os.environ.get("BENCH_CONNECTIONS") or 16)
    ok = result.ok_2xx
    print(
        f"bench: quiz-submit: {graded} pool attempts graded, {ok} successful submissions "
        f"(302), {len(pool_ids) - after['graded']} of {len(pool_ids)} attempts left open"
    )
    if ok is None:
        return "the wrk script did not count successful submissions"
    problems = []
    if any(after[key] != before[key] for key in ("outside", "answers_outside")):
        problems.append("attempts or answers outside the pool changed")
    if graded < ok:
        problems.append(f"{ok} successful submissions but only {graded} attempts graded")
    if graded - ok > in_flight:
        problems.append(f"{graded} attempts graded for {ok} successful submissions")
    if inconsistent:
        problems.append(f"{inconsistent} graded attempts whose answers do not add up")
    if result.errors.get("status"):
        left = len(pool_ids) - after["graded"]
        problems.append(
            f"{result.errors['status']} submissions refused"
            + (" (the pool ran out: raise BENCH_QUIZ_POOL)" if left < in_flight else "")
        )
    return "; ".join(problems) or None


if __name__ == "__main__":
    build_pool(int(sys.argv[1]), Path(sys.argv[2]))
