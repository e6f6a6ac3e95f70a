"""Data for the load-and-fault run (bench/load.py), on top of `flask lms seed-demo`.

`seed_learners()` adds N learners to the demo's upper trapezius course, fast (psycopg COPY,
as bench/dashboard_data.py does): each has a licence, an active enrolment, and every lesson
done but one video lesson (progress and watch coverage that agree), the final assessment
still to pass and the evaluation to give. So during the run a learner watches that lesson
(reports every 15 s), passes the final, evaluates the course, and the certificate is issued
automatically (signed PDF to S3) - every record the platform must not lose.

`scenario()` reads what the simulated browsers need to know (lesson and quiz ids, and an
answer key: the learners studied) into a dict that bench/load.py hands to locust as JSON.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg.types.json import Json

PASSWORD = "load-password-2026"  # noqa: S105  (throwaway accounts on a loopback run)
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105  (public demo logins)
COURSE = "upper-trapezius"
UNFINISHED_LESSON = "channels-and-points"  # a 24 s clip: done after two reports
FINAL_KIND, CHECK_KIND = "course", "lesson"
INSTRUCTORS = ("mei.chen@demo.lms", "jordan.rivera@demo.lms")
EMAIL = "load{:04d}@load.lms"


def _course(cur: psycopg.Cursor, slug: str) -> tuple[int, list[tuple[int, str, str, int, bool]]]:
    course_id = cur.execute("SELECT id FROM courses WHERE slug = %s", (slug,)).fetchone()[0]
    lessons = cur.execute(
        "SELECT l.id, l.slug, l.kind, l.duration_seconds, l.video_key IS NOT NULL"
        " FROM lessons l JOIN modules m ON m.id = l.module_id"
        " WHERE m.course_id = %s ORDER BY m.position, l.position",
        (course_id,),
    ).fetchall()
    return course_id, lessons


def seed_learners(dsn: str, count: int) -> list[str]:
    """Create `count` learners enrolled in the course, one video lesson short of the end."""
    from lms.auth.passwords import hash_password

    password_hash = hash_password(PASSWORD)  # production's Argon2 cost: real logins
    now = datetime.now(UTC)
    emails = [EMAIL.format(n) for n in range(count)]
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        course_id, lessons = _course(cur, COURSE)
        with cur.copy(
            "COPY users (email, legal_name, password_hash, email_verified_at, active,"
            " session_token, failed_logins, created_at) FROM STDIN"
        ) as copy:
            for n, email in enumerate(emails):
                copy.write_row(
                    (email, f"Load Learner {n:04d}", password_hash, now, True, f"{n:032x}", 0, now)
                )
        ids = [
            row[0]
            for row in cur.execute(
                "SELECT id FROM users WHERE email = ANY(%s) ORDER BY email", (emails,)
            ).fetchall()
        ]
        with cur.copy("COPY user_roles (user_id, role) FROM STDIN") as copy:
            for user_id in ids:
                copy.write_row((user_id, "learner"))
        with cur.copy("COPY licences (user_id, state, number) FROM STDIN") as copy:
            for n, user_id in enumerate(ids):
                copy.write_row((user_id, ("CA", "NY", "FL", "TX")[n % 4], f"L.Ac. {n:05d}"))
        enrolled = now - timedelta(days=14)
        with cur.copy(
            "COPY enrolments (user_id, course_id, status, enrolled_at, status_changed_at)"
            " FROM STDIN"
        ) as copy:
            for user_id in ids:
                copy.write_row((user_id, course_id, "active", enrolled, enrolled))
        done = [lesson for lesson in lessons if lesson[1] != UNFINISHED_LESSON]
        seen = now - timedelta(days=2)
        with cur.copy(
            "COPY lesson_progress (user_id, lesson_id, course_id, first_seen_at, last_seen_at,"
            " position_seconds, verified_seconds, marked_complete_at, completed_at) FROM STDIN"
        ) as copy:
            for user_id in ids:
                for lesson_id, _, kind, duration, has_video in done:
                    watched = kind == "video" and has_video
                    copy.write_row(
                        (
                            user_id, lesson_id, course_id, seen, seen,
                            duration if watched else 0, duration if watched else 0,
                            None if watched else seen, seen,
                        )
                    )  # fmt: skip
        # Coverage that agrees with the verified seconds above, so watching a finished
        # lesson again merges into it instead of starting from nothing.
        with cur.copy(
            "COPY watch_coverage (user_id, lesson_id, intervals, verified_seconds,"
            " last_report_at, reports_accepted, updated_at) FROM STDIN"
        ) as copy:
            for user_id in ids:
                for lesson_id, _, kind, duration, has_video in done:
                    if kind == "video" and has_video:
                        copy.write_row(
                            (user_id, lesson_id, Json([[0, duration]]), duration, seen, 3, seen)
                        )
        conn.commit()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return emails


def _answer_key(cur: psycopg.Cursor, quiz_id: int) -> dict[str, dict[str, Any]]:
    """question id -> the right answer and the choices there are (for wrong answers too)."""
    key: dict[str, dict[str, Any]] = {}
    questions = cur.execute(
        "SELECT q.id, q.kind, q.region FROM questions q JOIN quizzes z ON z.bank_id = q.bank_id"
        " WHERE z.id = %s",
        (quiz_id,),
    ).fetchall()
    for question_id, kind, region in questions:
        if kind == "hotspot":
            if region["shape"] == "circle":
                x, y = region["cx"], region["cy"]
            else:
                points = region["points"]
                x = sum(p[0] for p in points) / len(points)
                y = sum(p[1] for p in points) / len(points)
            key[str(question_id)] = {"kind": kind, "click": [round(x, 4), round(y, 4)]}
            continue
        choices = cur.execute(
            "SELECT id, is_correct FROM choices WHERE question_id = %s ORDER BY id",
            (question_id,),
        ).fetchall()
        key[str(question_id)] = {
            "kind": kind,
            "correct": [cid for cid, right in choices if right],
            "choices": [cid for cid, _ in choices],
        }
    return key


def scenario(dsn: str, learners: list[str]) -> dict[str, Any]:
    """What the simulated browsers need: accounts, lesson and quiz ids, an answer key."""
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        course_id, lessons = _course(cur, COURSE)
        quizzes = dict(
            cur.execute(
                "SELECT kind, id FROM quizzes WHERE course_id = %s AND status = 'published'",
                (course_id,),
            ).fetchall()
        )
        uploads = []
        for email in INSTRUCTORS:
            slug, lesson_id = cur.execute(
                "SELECT c.slug, l.id FROM course_instructors ci JOIN users u ON u.id = ci.user_id"
                " JOIN courses c ON c.id = ci.course_id JOIN modules m ON m.course_id = c.id"
                " JOIN lessons l ON l.module_id = m.id"
                " WHERE u.email = %s AND l.kind = 'video' ORDER BY c.id, l.id LIMIT 1",
                (email,),
            ).fetchone()
            uploads.append(
                {"email": email, "path": f"/courses/{slug}/lessons/{lesson_id}/video/uploads"}
            )
        return {
            "course": COURSE,
            "password": PASSWORD,
            "learners": learners,
            "instructors": uploads,
            "instructor_password": DEMO_PASSWORD,
            "unfinished_lesson": next(i for i, slug, *_ in lessons if slug == UNFINISHED_LESSON),
            "video_lessons": [i for i, _, kind, _, video in lessons if kind == "video" and video],
            "reading_lessons": [i for i, _, kind, *_ in lessons if kind == "reading"],
            "final_quiz": quizzes[FINAL_KIND],
            "check_quiz": quizzes[CHECK_KIND],
            "answers": {
                str(quiz_id): _answer_key(cur, quiz_id)
                for quiz_id in (quizzes[FINAL_KIND], quizzes[CHECK_KIND])
            },
        }
