"""Build a big course for the dashboard benchmark, fast: psycopg COPY, no ORM objects.

    uv run python bench/dashboard_data.py "host=... dbname=..." --learners 10000

One instructor and one admin (password `bench-password`), a published course of 4 modules
x 10 lessons (every other one a 10-minute video), N learners with a licence each, their
enrolments, and about 38 lesson_progress rows per learner (~380,000 at 10,000 learners) spread
over 60 days: most learners opened every lesson, completion varies from nothing to everything.
Video lessons complete by verified watching (a watch_coverage row per viewer, ~190,000 at
10,000 learners): learners who completed one watched past the threshold, mostly to the end;
the others stopped somewhere, more often early than late, and some never pressed play.

EXTRA_BUILDERS is the hook for other domains' data, `builder(connection, bench_course)`, run
after the core data in the same transaction: bench/dashboard_assessments.py appends quizzes,
~50,000 attempts, evaluations and certificates (and sets enrolment status accordingly).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import psycopg  # noqa: E402

from lms.auth.passwords import hash_password  # noqa: E402

PASSWORD = "bench-password"  # noqa: S105  (throwaway benchmark accounts)
INSTRUCTOR_EMAIL = "bench.instructor@bench.lms"
ADMIN_EMAIL = "bench.admin@bench.lms"
COURSE_SLUG = "bench-upper-trapezius"
MODULES, LESSONS_PER_MODULE = 4, 10
VIDEO_SECONDS = 600  # every video lesson; the course completes a video at 90 %


@dataclass(frozen=True)
class BenchCourse:
    course_id: int
    lesson_ids: list[int]
    learner_ids: list[int]
    instructor_id: int


EXTRA_BUILDERS: list[Callable[[psycopg.Connection, BenchCourse], None]] = []


def _user(cur, email: str, name: str, password_hash: str, now: datetime, role: str) -> int:
    user_id = cur.execute(
        "INSERT INTO users (email, legal_name, password_hash, email_verified_at, active,"
        " session_token, failed_logins, created_at) VALUES (%s, %s, %s, %s, true, %s, 0, %s)"
        " RETURNING id",
        (email, name, password_hash, now, f"{abs(hash(email)):032x}"[:32], now),
    ).fetchone()[0]
    cur.execute("INSERT INTO user_roles (user_id, role) VALUES (%s, %s)", (user_id, role))
    return user_id


def _watched(rng: random.Random, completed: bool) -> tuple[float, float]:
    """(resume position, verified seconds) of a learner's video lesson.

    Completed: watched past the 90 % threshold, most to the end, a few went back to a part.
    Not completed: one in eight never pressed play; the others stopped somewhere, early more
    often than late, having watched up to where they stopped.
    """
    if completed:
        verified = round(rng.uniform(0.92, 1.0) * VIDEO_SECONDS, 1)
        if rng.random() < 0.85:
            return float(VIDEO_SECONDS), verified
        return round(rng.uniform(0, VIDEO_SECONDS), 1), verified
    if rng.random() < 0.125:
        return 0.0, 0.0
    stopped = round(rng.betavariate(0.9, 1.8) * 0.89 * VIDEO_SECONDS, 1)
    return stopped, stopped


def build(dsn: str, learners: int, seed: int = 7) -> BenchCourse:
    """Create the course and its learners in the database at `dsn` (already migrated)."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    password_hash = hash_password(PASSWORD)
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        instructor_id = _user(
            cur, INSTRUCTOR_EMAIL, "Bench Instructor", password_hash, now, "instructor"
        )
        _user(cur, ADMIN_EMAIL, "Bench Admin", password_hash, now, "admin")
        course_id = cur.execute(
            "INSERT INTO courses (slug, code, title, summary, status, ce_minutes,"
            " completion_threshold, created_at, updated_at, published_at)"
            " VALUES (%s, 'BENCH-1', 'Bench: upper trapezius', '', 'published', 600, 90,"
            " %s, %s, %s) RETURNING id",
            (COURSE_SLUG, now, now, now),
        ).fetchone()[0]
        cur.execute(
            "INSERT INTO course_instructors (course_id, user_id) VALUES (%s, %s)",
            (course_id, instructor_id),
        )
        lesson_ids = []
        video_ids = set()
        for m in range(MODULES):
            module_id = cur.execute(
                "INSERT INTO modules (course_id, title, position) VALUES (%s, %s, %s) RETURNING id",
                (course_id, f"Module {m + 1}", m),
            ).fetchone()[0]
            for i in range(LESSONS_PER_MODULE):
                video = i % 2 == 0
                lesson_id = cur.execute(
                    "INSERT INTO lessons (module_id, slug, title, kind, position,"
                    " duration_seconds, notes_markdown, required, video_key,"
                    " video_content_type) VALUES (%s, %s, %s, %s, %s, %s, '', true, %s, %s)"
                    " RETURNING id",
                    (
                        module_id,
                        f"l-{m}-{i}",
                        f"Lesson {m + 1}.{i + 1}",
                        "video" if video else "reading",
                        i,
                        VIDEO_SECONDS,
                        f"bench/videos/l-{m}-{i}.mp4" if video else None,
                        "video/mp4" if video else None,
                    ),
                ).fetchone()[0]
                lesson_ids.append(lesson_id)
                if video:
                    video_ids.add(lesson_id)

        with cur.copy(
            "COPY users (email, legal_name, password_hash, email_verified_at, active,"
            " session_token, failed_logins, created_at) FROM STDIN"
        ) as copy:
            for n in range(learners):
                copy.write_row(
                    (
                        f"bench{n:06d}@bench.lms",
                        f"Learner {n:06d}",
                        password_hash,
                        now,
                        True,
                        f"{n:032x}",
                        0,
                        now,
                    )
                )
        learner_ids = [
            row[0]
            for row in cur.execute(
                "SELECT id FROM users WHERE email LIKE 'bench0%%' ORDER BY id"
            ).fetchall()
        ]
        with cur.copy("COPY user_roles (user_id, role) FROM STDIN") as copy:
            for user_id in learner_ids:
                copy.write_row((user_id, "learner"))
        with cur.copy("COPY licences (user_id, state, number) FROM STDIN") as copy:
            for n, user_id in enumerate(learner_ids):
                copy.write_row((user_id, ("CA", "NY", "FL", "TX")[n % 4], f"AC {n:06d}"))

        with (
            cur.copy(
                "COPY enrolments (user_id, course_id, status, enrolled_at, status_changed_at,"
                " completed_at) FROM STDIN"
            ) as enrol_copy,
        ):
            plans = []
            for user_id in learner_ids:
                enrolled = now - timedelta(days=rng.uniform(1, 60))
                visited = len(lesson_ids) if rng.random() < 0.9 else rng.randint(0, len(lesson_ids))
                done = min(visited, int(rng.triangular(0, len(lesson_ids) + 1, len(lesson_ids))))
                last = enrolled + (now - enrolled) * rng.uniform(0.2, 1.0)
                completed = last if done == len(lesson_ids) else None
                plans.append((user_id, enrolled, visited, done, last))
                enrol_copy.write_row(
                    (
                        user_id,
                        course_id,
                        "completed" if completed else "active",
                        enrolled,
                        completed or enrolled,
                        completed,
                    )
                )
        # A generator of its own, so the learners' plans above stay those of earlier builds.
        watching = random.Random(seed + 1)
        coverage = []
        with cur.copy(
            "COPY lesson_progress (user_id, lesson_id, course_id, first_seen_at, last_seen_at,"
            " position_seconds, verified_seconds, marked_complete_at, completed_at) FROM STDIN"
        ) as copy:
            for user_id, enrolled, visited, done, last in plans:
                step = (last - enrolled) / max(1, visited)
                for index in range(visited):
                    seen = enrolled + step * (index + 1)
                    finished = seen if index < done else None
                    lesson_id = lesson_ids[index]
                    position = verified = 0.0
                    marked = finished
                    if lesson_id in video_ids:
                        position, verified = _watched(watching, finished is not None)
                        marked = None  # a video completes by watching, not by a click
                        if verified:
                            coverage.append((user_id, lesson_id, verified, seen))
                    copy.write_row(
                        (
                            user_id,
                            lesson_id,
                            course_id,
                            seen,
                            seen,
                            position,
                            verified,
                            marked,
                            finished,
                        )
                    )
        with cur.copy(
            "COPY watch_coverage (user_id, lesson_id, intervals, verified_seconds,"
            " last_report_at, reports_accepted, updated_at) FROM STDIN"
        ) as copy:
            for user_id, lesson_id, verified, seen in coverage:
                reports = max(1, round(verified / 15))  # the player reports every 15 s
                copy.write_row(
                    (user_id, lesson_id, f"[[0.0, {verified}]]", verified, seen, reports, seen)
                )
        bench_course = BenchCourse(course_id, lesson_ids, learner_ids, instructor_id)
        for builder in EXTRA_BUILDERS:
            builder(conn, bench_course)
        conn.commit()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return bench_course


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dsn", help='libpq string, e.g. "host=127.0.0.1 port=5432 dbname=lms"')
    parser.add_argument("--learners", type=int, default=10_000)
    args = parser.parse_args()
    # Run as a script this module is __main__: build through the importable module, whose
    # EXTRA_BUILDERS the assessments register into.
    from bench import (
        dashboard_assessments,  # noqa: F401
        dashboard_data,
    )

    started = time.monotonic()
    course = dashboard_data.build(args.dsn, args.learners)
    print(
        f"built course {course.course_id}: {len(course.learner_ids)} learners, "
        f"{len(course.lesson_ids)} lessons in {time.monotonic() - started:.1f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
