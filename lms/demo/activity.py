"""Demo learners with a realistic spread of progress, so the dashboards have a story to tell.

About 220 extra learners in three courses over the last 60 days: some finished the lessons,
many part way, some stalled for weeks, some never started. Where a lesson has a video, they
watched it: past the course's threshold and mostly to the end when they finished the lesson,
and part of the way (or not at all) in the lesson they stopped at, so the dashboard shows
where viewers stop. Their quiz attempts, evaluations and certificates come afterwards
(lms/demo/assessments.py). Rows go in with bulk inserts and one password hash shared by every
demo learner (hashing 220 passwords would take minutes).
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from lms.auth.models import Licence, Role, User, UserRole, new_session_token
from lms.auth.passwords import hash_password
from lms.catalog.models import Course, LessonKind, Module
from lms.db import utcnow
from lms.demo import content
from lms.enrolments.models import Enrolment, EnrolmentStatus
from lms.extensions import db
from lms.learning import completion
from lms.learning.models import LessonProgress
from lms.video.models import WatchCoverage

LEARNERS = 220
COURSES = ("upper-trapezius", "quadratus-lumborum", "piriformis")
FIRST = [
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jae",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Omar",
    "Paula",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Uma",
    "Victor",
    "Wen",
    "Xavier",
    "Yara",
    "Zane",
    "Aiko",
    "Bruno",
    "Celia",
    "Dario",
]
LAST = [
    "Abbott",
    "Baptiste",
    "Castillo",
    "Delgado",
    "Eriksen",
    "Fontaine",
    "Gallo",
    "Haddad",
    "Ito",
    "Jensen",
    "Khan",
    "Lopez",
    "Moreau",
    "Nakamura",
    "Osei",
    "Park",
    "Quist",
    "Reyes",
    "Singh",
    "Torres",
    "Ueda",
    "Vance",
    "Wong",
    "Yilmaz",
    "Zhou",
]
STATES = ("CA", "CA", "CA", "NY", "FL", "TX", "WA", "OR", "MA", "CO")


def email_of(number: int) -> str:
    return f"learner{number:03d}@demo.lms"


def seed_activity() -> int:
    """Add the demo learners and their progress unless they exist; returns learners added."""
    if db.session.scalar(select(User.id).where(User.email == email_of(1))) is not None:
        return 0
    courses = list(
        db.session.scalars(
            select(Course)
            .where(Course.slug.in_(COURSES))
            .options(selectinload(Course.modules).selectinload(Module.lessons))
        )
    )
    if not courses:
        return 0
    rng = random.Random(2026)  # the same demo every time
    now = utcnow()
    password_hash = hash_password(content.DEMO_PASSWORD)
    people = []
    for number in range(1, LEARNERS + 1):
        people.append(
            {
                "email": email_of(number),
                "legal_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                "password_hash": password_hash,
                "email_verified_at": now - timedelta(days=90),
                "active": True,
                "session_token": new_session_token(),
                "failed_logins": 0,
                "created_at": now - timedelta(days=90),
            }
        )
    user_ids = list(
        db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), people)
    )
    db.session.execute(
        insert(UserRole), [{"user_id": uid, "role": Role.LEARNER} for uid in user_ids]
    )
    db.session.execute(
        insert(Licence),
        [
            {"user_id": uid, "state": rng.choice(STATES), "number": f"AC {10000 + index}"}
            for index, uid in enumerate(user_ids)
        ],
    )
    enrolments, progress = [], []
    for uid in user_ids:
        for course in rng.sample(courses, rng.choice((1, 1, 2, 2, 3))):
            _learner_in_course(rng, now, uid, course, enrolments, progress)
    db.session.execute(insert(Enrolment), enrolments)
    db.session.execute(insert(LessonProgress), progress)
    coverage = [
        {
            "user_id": row["user_id"],
            "lesson_id": row["lesson_id"],
            "intervals": [[0.0, row["verified_seconds"]]],
            "verified_seconds": row["verified_seconds"],
            "last_report_at": row["last_seen_at"],
            "reports_accepted": max(1, round(row["verified_seconds"] / 15)),
            "updated_at": row["last_seen_at"],
        }
        for row in progress
        if row["verified_seconds"] > 0
    ]
    if coverage:
        db.session.execute(insert(WatchCoverage), coverage)
    db.session.flush()
    return len(user_ids)


def _watched(user_id: int, lesson, finished: bool, threshold: int) -> tuple[float, float]:
    """(resume position, verified seconds) of a learner's video.

    A generator of its own per learner and lesson, so the rest of the demo stays the same.
    Finished: past the threshold, most to the end, a few went back to a part of it. Not
    finished: one in six never pressed play, the others stopped part way, early more often
    than late, below the threshold.
    """
    rng = random.Random(f"{user_id}-{lesson.id}")
    duration = float(lesson.duration_seconds)
    if finished:
        verified = round(duration * rng.uniform(max(0.92, threshold / 100), 1.0), 1)
        position = duration if rng.random() < 0.85 else round(rng.uniform(0, duration), 1)
        return position, verified
    if rng.random() < 1 / 6:
        return 0.0, 0.0
    below = threshold / 100 - 0.05
    stopped = round(duration * below * rng.betavariate(0.9, 1.8), 1)
    return stopped, round(stopped * rng.uniform(0.8, 1.0), 1)


def _learner_in_course(rng, now, user_id, course, enrolments, progress) -> None:
    lessons = completion.course_lessons(course)
    enrolled_at = now - timedelta(days=rng.uniform(1, 60), minutes=rng.randint(0, 600))
    kind = rng.choices(("finished", "studying", "stalled", "not started"), (25, 40, 20, 15))[0]
    if kind == "not started":
        done = 0
    elif kind == "finished":
        done = len(lessons)
    else:
        done = rng.randint(1, max(1, len(lessons) - 1))
    # Stalled learners stopped 15-45 days ago; others were last here within their span.
    span = (now - enrolled_at).total_seconds()
    if kind == "stalled":
        last = now - timedelta(days=rng.uniform(15, 45))
        if last <= enrolled_at:
            last = enrolled_at + timedelta(hours=2)
    else:
        last = enrolled_at + timedelta(seconds=span * rng.uniform(0.5, 1.0))
    moment = enrolled_at
    step = (last - enrolled_at) / max(1, done + 1)
    visited = min(len(lessons), done + (1 if kind in ("studying", "stalled") else 0))
    for index, lesson in enumerate(lessons[:visited]):
        moment = moment + step
        finished = index < done
        if finished:
            rng.uniform(0.92, 1.0)  # kept: earlier demos drew it here, the rest follows it
        position = verified = 0.0
        if lesson.kind == LessonKind.VIDEO and lesson.video_key and lesson.duration_seconds:
            position, verified = _watched(user_id, lesson, finished, course.completion_threshold)
        progress.append(
            {
                "user_id": user_id,
                "lesson_id": lesson.id,
                "course_id": course.id,
                "first_seen_at": moment - timedelta(minutes=20),
                "last_seen_at": moment,
                "position_seconds": position,
                "verified_seconds": verified,
                "marked_complete_at": moment if finished else None,
                "completed_at": moment if finished else None,
            }
        )
    # Finishing the lessons does not complete a CE course: the final assessment and the
    # evaluation do (lms/demo/assessments.py, through the completion engine).
    enrolments.append(
        {
            "user_id": user_id,
            "course_id": course.id,
            "status": EnrolmentStatus.ACTIVE,
            "enrolled_at": enrolled_at,
            "status_changed_at": enrolled_at,
            "completed_at": None,
        }
    )
