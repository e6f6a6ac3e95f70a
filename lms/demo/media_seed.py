"""Demo media: real small clips, captions and a handout in storage, and some watch coverage.

The clips live in lms/demo/media/ (made by scripts/make_demo_videos.sh and committed, so
`make run` needs no ffmpeg). Idempotent: objects already stored, lessons that already have a
video (an instructor may have replaced it) and existing coverage are left alone.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Protocol

from sqlalchemy import select

from lms.auth.models import User
from lms.catalog.models import Course, LessonKind
from lms.db import utcnow
from lms.demo import content
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.learning import completion
from lms.learning.models import LessonProgress
from lms.storage import get_storage
from lms.video.models import Handout, WatchCoverage, WatchReport
from lms.video.watch import merge, total_length

MEDIA = Path(__file__).with_name("media")
# Clip file -> duration in seconds (ffprobe's answer, recorded so seeding needs no ffmpeg).
CLIPS = {"anatomy.mp4": 30, "channels.mp4": 24, "palpation.mp4": 36, "needling.mp4": 28}
CLIP_FOR_LESSON = {
    "functional-anatomy": "anatomy.mp4",
    "channels-and-points": "channels.mp4",
    "palpation": "palpation.mp4",
    "case-study": "anatomy.mp4",
    "needling-technique": "needling.mp4",
}
# Kept text-only: the demo also shows video lessons studied from their notes while the
# recording is being prepared (and the foundation journey marks that course's first lesson
# complete by hand).
TEXT_ONLY_COURSES = {"quadratus-lumborum"}
CAPTIONS_KEY = "demo/captions/lesson-captions.vtt"
# Courses whose enrolled demo learners get some watch coverage, so analytics has data.
COVERAGE_COURSES = ("upper-trapezius", "piriformis", "levator-scapulae")


class _Report(Protocol):
    def count(self, kind: str) -> None: ...


def _store(key: str, path: Path, content_type: str) -> None:
    storage = get_storage()
    if storage.head(key) is None:
        storage.put(key, path.read_bytes(), content_type)


def seed_media(courses: dict[str, Course], report: _Report) -> None:
    for clip in CLIPS:
        _store(f"demo/videos/{clip}", MEDIA / clip, "video/mp4")
    _store(CAPTIONS_KEY, MEDIA / "captions.vtt", "text/vtt")
    handout_bytes = (MEDIA / "handout.pdf").read_bytes()
    for slug, course in courses.items():
        if slug in TEXT_ONLY_COURSES:
            continue
        for module in course.modules:
            for lesson in module.lessons:
                clip = CLIP_FOR_LESSON.get(lesson.slug)
                if lesson.kind != LessonKind.VIDEO or clip is None or lesson.video_key:
                    continue
                lesson.video_key = f"demo/videos/{clip}"
                lesson.video_content_type = "video/mp4"
                lesson.captions_key = CAPTIONS_KEY
                lesson.duration_seconds = CLIPS[clip]
                report.count("lesson videos")
                if lesson.slug == "palpation":
                    _seed_handout(lesson.id, course.id, handout_bytes, report)
    db.session.flush()
    for slug in COVERAGE_COURSES:
        if slug in courses:
            _seed_coverage(courses[slug], report)
    db.session.flush()


def _seed_handout(lesson_id: int, course_id: int, data: bytes, report: _Report) -> None:
    key = f"demo/handouts/course-{course_id}/lesson-{lesson_id}/palpation-checklist.pdf"
    if db.session.scalar(select(Handout.id).where(Handout.key == key)) is not None:
        return
    get_storage().put(key, data, "application/pdf")
    db.session.add(
        Handout(lesson_id=lesson_id, key=key, filename="Palpation checklist.pdf", size=len(data))
    )
    report.count("handouts")


def _pattern(learner_index: int, lesson_index: int, duration: float) -> list[list[float]]:
    """Deterministic, varied coverage: most start at 0, many stop early, some skip around."""
    share = [1.0, 0.95, 0.35, 0.7, 0.5, 1.0, 0.2, 0.85][(learner_index + lesson_index) % 8]
    end = round(duration * share, 1)
    if (learner_index + lesson_index) % 5 == 3:  # skipped the middle
        return [[0.0, round(end * 0.3, 1)], [round(end * 0.6, 1), end]]
    return [[0.0, end]]


def _seed_coverage(course: Course, report: _Report) -> None:
    lessons = [
        lesson for module in course.modules for lesson in module.lessons if lesson.video_key
    ][:3]
    # Only the named demo learners: the generated cohort (lms/demo/activity.py) has its own
    # activity pattern, stalled learners included, which recent watching would overwrite.
    named = [user.email for user in content.DEMO_USERS]
    enrolments = list(
        db.session.scalars(
            select(Enrolment)
            .join(User, User.id == Enrolment.user_id)
            .where(Enrolment.course_id == course.id, User.email.in_(named))
            .order_by(Enrolment.id)
        )
    )
    for learner_index, enrolment in enumerate(enrolments):
        seeded = False
        for lesson_index, lesson in enumerate(lessons):
            if learner_index + lesson_index >= len(enrolments) + 1:
                continue  # fewer viewers for later lessons, as in real courses
            exists = db.session.scalar(
                select(WatchCoverage.id).where(
                    WatchCoverage.user_id == enrolment.user_id,
                    WatchCoverage.lesson_id == lesson.id,
                )
            )
            if exists is not None:
                continue
            intervals = [
                list(pair)
                for pair in merge(_pattern(learner_index, lesson_index, lesson.duration_seconds))
            ]
            verified = total_length(intervals)
            when = utcnow() - timedelta(days=3 - lesson_index)
            db.session.add(
                WatchCoverage(
                    user_id=enrolment.user_id,
                    lesson_id=lesson.id,
                    intervals=intervals,
                    verified_seconds=verified,
                    last_report_at=when,
                    reports_accepted=1,
                    updated_at=when,
                )
            )
            db.session.add(
                WatchReport(
                    user_id=enrolment.user_id,
                    lesson_id=lesson.id,
                    received_at=when,
                    session="demo-seed",
                    client_seq=0,
                    intervals=[[a, b, 1.0] for a, b in intervals],
                    position_seconds=intervals[-1][1],
                    credited_seconds=verified,
                    rejected_reason=None,
                )
            )
            progress = db.session.scalar(
                select(LessonProgress).where(
                    LessonProgress.user_id == enrolment.user_id,
                    LessonProgress.lesson_id == lesson.id,
                )
            )
            if progress is None:
                progress = LessonProgress(
                    user_id=enrolment.user_id, lesson_id=lesson.id, course_id=course.id,
                    first_seen_at=when,
                )  # fmt: skip
                db.session.add(progress)
            progress.verified_seconds = verified
            progress.position_seconds = intervals[-1][1]
            progress.last_seen_at = when
            report.count("demo watch records")
            seeded = True
        if seeded:
            db.session.flush()
            completion.refresh(enrolment, course)
