"""Lesson visits, resume points, "mark complete" and the learner's course list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload, selectinload

from lms.auth.models import User
from lms.catalog.models import Course, CourseStatus, Lesson, LessonKind, Module
from lms.db import utcnow
from lms.enrolments.models import Enrolment, EnrolmentStatus
from lms.errors import DomainError
from lms.extensions import db
from lms.learning import completion
from lms.learning.models import LessonProgress


class VideoLessonNeedsWatching(DomainError):
    def __init__(self) -> None:
        super().__init__("This lesson completes when you have watched its video.")


@dataclass(frozen=True)
class Neighbours:
    previous: Lesson | None
    next: Lesson | None
    index: int
    total: int


def syllabus(slug: str) -> Course | None:
    """A course with its modules and lessons only, in one query whatever its size."""
    return (
        db.session.scalars(
            select(Course)
            .where(Course.slug == slug)
            .options(joinedload(Course.modules).joinedload(Module.lessons))
        )
        .unique()
        .one_or_none()
    )


def find_lesson(course: Course, lesson_id: int) -> Lesson | None:
    return next((item for item in completion.course_lessons(course) if item.id == lesson_id), None)


def neighbours(course: Course, lesson: Lesson) -> Neighbours:
    lessons = completion.course_lessons(course)
    index = lessons.index(lesson)
    return Neighbours(
        previous=lessons[index - 1] if index > 0 else None,
        next=lessons[index + 1] if index + 1 < len(lessons) else None,
        index=index + 1,
        total=len(lessons),
    )


def first_locking_lesson(
    course: Course, lesson: Lesson, progress: completion.CourseProgress
) -> Lesson | None:
    """In a sequential course, the earliest required lesson before `lesson` not yet done."""
    for earlier in completion.course_lessons(course):
        if earlier.id == lesson.id:
            return None
        if earlier.required and earlier.id not in progress.completed_lesson_ids:
            return earlier
    return None


def _insert(dialect: str):
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def record_visit(user: User, lesson: Lesson, course: Course) -> None:
    """Note that the learner opened a lesson, in one statement (an upsert)."""
    now = utcnow()
    insert = _insert(db.session.get_bind().dialect.name)
    statement = insert(LessonProgress).values(
        user_id=user.id,
        lesson_id=lesson.id,
        course_id=course.id,
        first_seen_at=now,
        last_seen_at=now,
        position_seconds=0,
        verified_seconds=0,
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "lesson_id"], set_={"last_seen_at": now}
        )
    )


# A page view refreshes the learner's resume point at most this often while they stay on the
# lesson they saw last: reloads and quick revisits cost no write.
VISIT_RESOLUTION = timedelta(minutes=5)


def note_visit(user: User, lesson: Lesson, course: Course, rows: list[LessonProgress]) -> bool:
    """Record the visit unless `rows` (this course's progress) already say it; True if written."""
    seen = [row for row in rows if row.last_seen_at is not None]
    latest = max(seen, key=lambda row: row.last_seen_at, default=None)
    if (
        latest is not None
        and latest.lesson_id == lesson.id
        and utcnow() - latest.last_seen_at < VISIT_RESOLUTION
    ):
        return False
    record_visit(user, lesson, course)
    return True


def progress_row(user: User, lesson: Lesson) -> LessonProgress | None:
    return db.session.scalar(
        select(LessonProgress).where(
            LessonProgress.user_id == user.id, LessonProgress.lesson_id == lesson.id
        )
    )


def mark_complete(
    enrolment: Enrolment, lesson: Lesson, course: Course
) -> completion.CourseProgress:
    """The learner marks a reading lesson complete; the engine decides the rest."""
    if lesson.kind == LessonKind.VIDEO and completion.lesson_has_video(lesson):
        raise VideoLessonNeedsWatching()
    row = progress_row(enrolment.user, lesson)
    if row is None:
        row = LessonProgress(user_id=enrolment.user_id, lesson_id=lesson.id, course_id=course.id)
        db.session.add(row)
    if row.marked_complete_at is None:
        row.marked_complete_at = utcnow()
    db.session.flush()
    return completion.refresh(enrolment, course)


def save_position(user: User, lesson: Lesson, course: Course, seconds: float) -> None:
    """Remember where the learner is in a video, to resume there."""
    row = progress_row(user, lesson)
    if row is None:
        row = LessonProgress(user_id=user.id, lesson_id=lesson.id, course_id=course.id)
        db.session.add(row)
    row.position_seconds = max(0.0, seconds)
    row.last_seen_at = utcnow()
    db.session.flush()


@dataclass(frozen=True)
class CourseCard:
    """One course on "my learning": progress, and where to continue."""

    enrolment: Enrolment
    course: Course
    progress: completion.CourseProgress
    resume_lesson: Lesson | None
    resume_position: float

    @property
    def is_complete(self) -> bool:
        return self.enrolment.status == EnrolmentStatus.COMPLETED

    @property
    def evaluation_open(self) -> bool:
        """Everything but the course evaluation is done."""
        progress = self.progress
        return (
            progress.evaluation_required
            and not progress.evaluation_submitted
            and progress.required_lessons > 0
            and progress.completed_required_lessons == progress.required_lessons
            and progress.quizzes_passed == progress.quizzes_required
        )


def my_learning(user: User) -> list[CourseCard]:
    """The learner's current and completed courses, with progress, in a fixed number of queries."""
    enrolments = list(
        db.session.scalars(
            select(Enrolment)
            .join(Enrolment.course)
            .where(
                Enrolment.user_id == user.id,
                Enrolment.status != EnrolmentStatus.WITHDRAWN,
                Course.status == CourseStatus.PUBLISHED,
            )
            .options(
                selectinload(Enrolment.course)
                .selectinload(Course.modules)
                .selectinload(Module.lessons)
            )
            .order_by(Enrolment.enrolled_at.desc())
        )
    )
    course_ids = [e.course_id for e in enrolments]
    rows = completion.progress_rows(user.id, course_ids)
    quizzes = completion.quiz_evidence(user.id, course_ids)
    evaluations = completion.evaluation_states(user.id, course_ids)
    rows_by_course: dict[int, list[LessonProgress]] = {}
    for row in rows:
        rows_by_course.setdefault(row.course_id, []).append(row)
    cards = []
    for enrolment in enrolments:
        course = enrolment.course
        course_rows = rows_by_course.get(course.id, [])
        evidence = completion.course_evidence(
            course,
            course_rows,
            user.id,
            quizzes=quizzes.get(course.id, ()),
            evaluation=evaluations.get(course.id),
        )
        progress = completion.course_progress(evidence)
        resume_lesson, position = _resume_point(course, course_rows, progress)
        cards.append(CourseCard(enrolment, course, progress, resume_lesson, position))
    # Most recently studied first; courses never opened keep their enrolment order.
    cards.sort(key=lambda card: _last_seen(rows_by_course.get(card.course.id, [])), reverse=True)
    return cards


def course_card(
    enrolment: Enrolment,
    course: Course,
    quizzes: tuple[completion.QuizEvidence, ...] | None = None,
) -> CourseCard:
    """Progress and resume point of one enrolment (the course's syllabus already loaded).

    `quizzes`: the learner's quiz evidence when the caller has it already.
    """
    rows = completion.progress_rows(enrolment.user_id, [course.id])
    progress = completion.course_progress(
        completion.course_evidence(course, rows, enrolment.user_id, quizzes=quizzes)
    )
    lesson, position = _resume_point(course, rows, progress)
    return CourseCard(enrolment, course, progress, lesson, position)


def _last_seen(rows: list[LessonProgress]) -> float:
    return max((row.last_seen_at.timestamp() for row in rows), default=0.0)


def _resume_point(
    course: Course, rows: list[LessonProgress], progress: completion.CourseProgress
) -> tuple[Lesson | None, float]:
    """The last lesson opened (and the video position), or the first lesson not yet done."""
    lessons = completion.course_lessons(course)
    if rows:
        last = max(rows, key=lambda row: row.last_seen_at)
        lesson = next((item for item in lessons if item.id == last.lesson_id), None)
        if lesson is not None and lesson.id not in progress.completed_lesson_ids:
            return lesson, last.position_seconds
    upcoming = next(
        (item for item in lessons if item.id not in progress.completed_lesson_ids), None
    )
    return upcoming or (lessons[0] if lessons else None), 0.0


def ce_minutes_earned(cards: list[CourseCard]) -> int:
    return sum(card.course.ce_minutes for card in cards if card.is_complete)
