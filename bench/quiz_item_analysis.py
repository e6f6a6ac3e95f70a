"""Time quiz item analysis at 1,000 and 10,000 attempts on PostgreSQL.

    uv run python bench/quiz_item_analysis.py      (also run by `make bench`)

Starts a throwaway PostgreSQL (tests/support/postgres.py), migrates it, creates a quiz of
10 questions and graded attempts in bulk, then times `analytics.item_analysis()` (fresh
session each run, after a warm-up) and counts its SQL statements. Target: under 300 ms
(p99) with the same, small number of queries at both sizes. Prints a table and merges its
records into bench/results.json (same record format as bench/run.py; `path` names the
service, `requests_per_s` is analyses per second in one thread).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sqlalchemy import event, insert  # noqa: E402

from tests.support.postgres import PostgresServer  # noqa: E402

QUESTIONS = 10
ATTEMPTS_PER_LEARNER = 5
TARGET_MS = 300
MAX_QUERIES = 8
RUNS = 15
SIZES = (1_000, 10_000)


def build_app(url: str):
    from config import TestingConfig
    from lms import create_app

    return create_app(type("BenchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url}))


def create_quiz():
    from lms.auth.models import User
    from lms.catalog.models import Course, CourseStatus, Module
    from lms.extensions import db
    from lms.quizzes import authoring
    from lms.quizzes.models import QuizKind

    teacher = User(email="bench-teacher@example.com", legal_name="Bench", password_hash="x")  # noqa: S106
    course = Course(slug="bench", title="Bench", status=CourseStatus.PUBLISHED)
    course.modules.append(Module(title="Module 1"))
    db.session.add_all([teacher, course])
    db.session.flush()
    bank = authoring.create_bank(course, "Bench bank")
    questions = [
        authoring.create_question(
            bank,
            authoring.QuestionData(
                kind=authoring.QuestionKind.SINGLE,
                prompt=f"Question {n}",
                choices=[("A", True), ("B", False), ("C", False), ("D", False)],
            ),
            set(),
        )
        for n in range(QUESTIONS)
    ]
    quiz = authoring.create_quiz(
        course,
        authoring.QuizData(title="Bench quiz", kind=QuizKind.COURSE, bank_id=bank.id),
    )
    authoring.publish_quiz(quiz)
    db.session.commit()
    return quiz, questions


def add_attempts(quiz, questions, first: int, count: int, rng: random.Random) -> None:
    """Graded attempts in bulk: learners of varied ability, item difficulty varies too."""
    from lms.auth.models import User
    from lms.extensions import db
    from lms.quizzes.models import AttemptAnswer, AttemptStatus, QuizAttempt, answer_choices

    learners = count // ATTEMPTS_PER_LEARNER
    user_ids = db.session.scalars(
        insert(User).returning(User.id),
        [
            {
                "email": f"bench{first + n}@example.com",
                "legal_name": f"Learner {first + n}",
                "password_hash": "x",  # noqa: S106 - never used to sign in
            }
            for n in range(learners)
        ],
    ).all()
    now = dt.datetime.now(dt.UTC)
    easiness = [0.35 + 0.06 * i for i in range(QUESTIONS)]
    attempt_rows, answer_sets = [], []
    for user_id in user_ids:
        ability = rng.random()
        for number in range(1, ATTEMPTS_PER_LEARNER + 1):
            scores = [1.0 if rng.random() < (ability + e) / 2 else 0.0 for e in easiness]
            points = sum(scores)
            attempt_rows.append(
                {
                    "quiz_id": quiz.id,
                    "user_id": user_id,
                    "number": number,
                    "status": AttemptStatus.GRADED,
                    "started_at": now,
                    "submitted_at": now + dt.timedelta(minutes=10),
                    "question_ids": [q.id for q in questions],
                    "choice_order": {},
                    "pass_mark": 70,
                    "points": points,
                    "max_points": QUESTIONS,
                    "score_percent": 100 * points / QUESTIONS,
                    "passed": points >= 7,
                }
            )
            answer_sets.append(scores)
    attempt_ids = db.session.scalars(
        insert(QuizAttempt).returning(QuizAttempt.id, sort_by_parameter_order=True),
        attempt_rows,
    ).all()
    answers, picks = [], []
    for attempt_id, scores in zip(attempt_ids, answer_sets, strict=True):
        for question, score in zip(questions, scores, strict=True):
            choice = question.choices[0] if score else question.choices[rng.randint(1, 3)]
            answers.append({"attempt_id": attempt_id, "question_id": question.id, "score": score})
            picks.append(choice.id)
    answer_ids = db.session.scalars(
        insert(AttemptAnswer).returning(AttemptAnswer.id, sort_by_parameter_order=True), answers
    ).all()
    db.session.execute(
        insert(answer_choices),
        [{"answer_id": a, "choice_id": c} for a, c in zip(answer_ids, picks, strict=True)],
    )
    db.session.commit()
    db.session.execute(db.text("ANALYZE"))
    db.session.commit()


def measure(quiz_id: int) -> tuple[list[float], int, int]:
    from lms.extensions import db
    from lms.quizzes import analytics
    from lms.quizzes.models import Quiz

    statements: list[str] = []

    def count(*args):
        statements.append(args[2])

    timings = []
    for run in range(RUNS + 2):
        db.session.remove()
        quiz = db.session.get(Quiz, quiz_id)
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        started = time.perf_counter()
        report = analytics.item_analysis(quiz)
        elapsed = (time.perf_counter() - started) * 1000
        event.remove(db.engine, "before_cursor_execute", count)
        if run >= 2:  # warm-up runs are not recorded
            timings.append(elapsed)
    return timings, len(statements), report.attempts


def record(size: int, timings: list[float], queries: int, attempts: int, when: str) -> dict:
    ordered = sorted(timings)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    ok = p99 < TARGET_MS and queries <= MAX_QUERIES and attempts == size
    return {
        "name": f"quiz-item-analysis-{size}",
        "path": f"service: quizzes.analytics.item_analysis ({attempts} attempts, {QUESTIONS} q)",
        "requests_per_s": round(1000 / statistics.mean(timings), 1),
        "p50_ms": round(p50, 2),
        "p99_ms": round(p99, 2),
        "queries_per_request": queries,
        "floor_requests_per_s": None,
        "ratio": None,
        "target_ratio": None,
        "max_queries": MAX_QUERIES,
        "status": "PASS" if ok else "FAIL",
        "error": None if ok else f"target: p99 < {TARGET_MS} ms, <= {MAX_QUERIES} queries",
        "measured_at": when,
    }


def merge_results(records: list[dict]) -> Path:
    out = Path(os.environ.get("BENCH_RESULTS") or REPO / "bench" / "results.json")
    existing = json.loads(out.read_text()) if out.exists() else []
    names = {r["name"] for r in records}
    merged = [r for r in existing if r.get("name") not in names] + records
    out.write_text(json.dumps(merged, indent=2) + "\n")
    return out


def main() -> int:
    from flask_migrate import upgrade

    from lms.extensions import db

    when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    records = []
    with PostgresServer() as pg:
        app = build_app(pg.create_database("lms_quiz_bench"))
        with app.app_context():
            upgrade(directory=str(REPO / "migrations"))
            quiz, questions = create_quiz()
            rng = random.Random(2026)
            made = 0
            for size in SIZES:
                started = time.perf_counter()
                add_attempts(quiz, questions, made, size - made, rng)
                made = size
                print(f"quiz-bench: {size} attempts in {time.perf_counter() - started:.1f}s")
                timings, queries, attempts = measure(quiz.id)
                records.append(record(size, timings, queries, attempts, when))
            db.session.remove()
            db.engine.dispose()
    print(f"\n{'name':<26}{'p50 ms':>9}{'p99 ms':>9}{'q/run':>7}  result")
    for r in records:
        line = f"{r['name']:<26}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}"
        print(f"{line}{r['queries_per_request']:>7}  {r['status']}")
    print(f"\nquiz-bench: wrote {merge_results(records)}")
    return 0 if all(r["status"] == "PASS" for r in records) else 1


if __name__ == "__main__":
    sys.exit(main())
