"""The completion engine: the one place that decides what is complete.

Rules are pure functions over evidence (`LessonEvidence`, `CourseEvidence`), so they can be
tested as a table; loaders turn database rows into evidence. Dashboards, "my learning" and
certificates ask this module and never recompute completion themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from blinker import Namespace
from sqlalchemy import select

from lms.catalog.models import Course, Lesson, LessonKind
from lms.db import utcnow
from lms.enrolments.models import Enrolment, EnrolmentStatus
from lms.evaluations.status import EvaluationState, evaluation_states
from lms.extensions import db
from lms.learning.models import LessonProgress

DEFAULT_VIDEO_THRESHOLD = 0.9

_signals = Namespace()
# Sent once when an enrolment becomes complete (sender: the enrolment; course=...), inside
# the transaction that recorded it. Certificates listen to issue automatically.
course_completed = _signals.signal("course-completed")


@dataclass(frozen=True)
class LessonEvidence:
    lesson_id: int
    kind: LessonKind
    required: bool = True
    duration_seconds: float = 0
    has_video: bool = False
    marked_complete: bool = False
    verified_seconds: float = 0


@dataclass(frozen=True)
class QuizEvidence:
    quiz_id: int
    title: str
    passed: bool


@dataclass(frozen=True)
class CourseEvidence:
    lessons: tuple[LessonEvidence, ...]
    video_threshold: float = DEFAULT_VIDEO_THRESHOLD
    required_quizzes: tuple[QuizEvidence, ...] = ()
    evaluation_required: bool = False
    evaluation_submitted: bool = False


@dataclass(frozen=True)
class CourseProgress:
    completed_lesson_ids: frozenset[int]
    required_lessons: int
    completed_required_lessons: int
    quizzes_required: int = 0
    quizzes_passed: int = 0
    evaluation_required: bool = False
    evaluation_submitted: bool = False
    missing: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_complete(self) -> bool:
        return self.required_lessons > 0 and not self.missing

    @property
    def steps_total(self) -> int:
        return self.required_lessons + self.quizzes_required + int(self.evaluation_required)

    @property
    def steps_done(self) -> int:
        evaluation = int(self.evaluation_required and self.evaluation_submitted)
        return self.completed_required_lessons + self.quizzes_passed + evaluation

    @property
    def percent(self) -> int:
        if not self.steps_total:
            return 0
        return int(100 * self.steps_done / self.steps_total)


def lesson_is_complete(evidence: LessonEvidence, video_threshold: float) -> bool:
    """Reading: marked complete. Video: verified coverage at or above the threshold."""
    if evidence.kind == LessonKind.VIDEO and evidence.has_video:
        if evidence.duration_seconds <= 0:
            return False
        return evidence.verified_seconds >= video_threshold * evidence.duration_seconds
    # A video lesson without a video yet is studied from its notes, like a reading.
    return evidence.marked_complete


def course_progress(evidence: CourseEvidence) -> CourseProgress:
    """Decide a course's completion from its evidence."""
    completed = frozenset(
        item.lesson_id
        for item in evidence.lessons
        if lesson_is_complete(item, evidence.video_threshold)
    )
    required = [item for item in evidence.lessons if item.required]
    done_required = sum(1 for item in required if item.lesson_id in completed)
    missing: list[str] = []
    if done_required < len(required):
        left = len(required) - done_required
        missing.append(f"{left} required lesson{'s' if left != 1 else ''} to complete")
    for quiz in evidence.required_quizzes:
        if not quiz.passed:
            missing.append(f"pass the quiz “{quiz.title}”")
    if evidence.evaluation_required and not evidence.evaluation_submitted:
        missing.append("submit the course evaluation")
    return CourseProgress(
        completed_lesson_ids=completed,
        required_lessons=len(required),
        completed_required_lessons=done_required,
        quizzes_required=len(evidence.required_quizzes),
        quizzes_passed=sum(1 for quiz in evidence.required_quizzes if quiz.passed),
        evaluation_required=evidence.evaluation_required,
        evaluation_submitted=evidence.evaluation_submitted,
        missing=tuple(missing),
    )


def module_is_complete(lessons: Iterable[Lesson], progress: CourseProgress) -> bool:
    required = [lesson for lesson in lessons if lesson.required]
    return bool(required) and all(item.id in progress.completed_lesson_ids for item in required)


# --- loaders: database rows -> evidence -------------------------------------------------


def _lesson_evidence(lesson: Lesson, row: LessonProgress | None) -> LessonEvidence:
    return LessonEvidence(
        lesson_id=lesson.id,
        kind=lesson.kind,
        required=lesson.required,
        duration_seconds=lesson.duration_seconds,
        has_video=lesson_has_video(lesson),
        marked_complete=bool(row and row.marked_complete_at),
        verified_seconds=row.verified_seconds if row else 0,
    )


def lesson_has_video(lesson: Lesson) -> bool:
    """Whether the lesson's video is stored and verified (the video domain sets the key)."""
    return bool(getattr(lesson, "video_key", None))


def course_lessons(course: Course) -> list[Lesson]:
    return [lesson for module in course.modules for lesson in module.lessons]


def course_evidence(
    course: Course,
    progress_rows: Iterable[LessonProgress],
    user_id: int | None = None,
    evaluation: EvaluationState | None = None,
) -> CourseEvidence:
    """Evidence for one course. Pass `evaluation` when loading many courses at once
    (`evaluation_states`); otherwise it costs one query."""
    if evaluation is None:
        evaluation = evaluation_states(user_id, [course.id]).get(course.id, EvaluationState())
    by_lesson = {row.lesson_id: row for row in progress_rows}
    return CourseEvidence(
        lessons=tuple(
            _lesson_evidence(item, by_lesson.get(item.id)) for item in course_lessons(course)
        ),
        video_threshold=course.completion_threshold / 100,
        evaluation_required=evaluation.required,
        evaluation_submitted=evaluation.submitted,
    )


def progress_rows(user_id: int, course_ids: Iterable[int]) -> list[LessonProgress]:
    ids = list(course_ids)
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(LessonProgress).where(
                LessonProgress.user_id == user_id, LessonProgress.course_id.in_(ids)
            )
        )
    )


def progress_for(user_id: int, course: Course) -> CourseProgress:
    """A learner's progress in one course (the course's syllabus already loaded)."""
    return course_progress(course_evidence(course, progress_rows(user_id, [course.id]), user_id))


def refresh(enrolment: Enrolment, course: Course) -> CourseProgress:
    """Recompute completion after new evidence; record lesson and course completion."""
    rows = progress_rows(enrolment.user_id, [course.id])
    progress = course_progress(course_evidence(course, rows, enrolment.user_id))
    now = utcnow()
    for row in rows:
        if row.lesson_id in progress.completed_lesson_ids and row.completed_at is None:
            row.completed_at = now
    newly_complete = progress.is_complete and enrolment.status == EnrolmentStatus.ACTIVE
    if newly_complete:
        enrolment.status = EnrolmentStatus.COMPLETED
        enrolment.status_changed_at = now
        enrolment.completed_at = now
    db.session.flush()
    if newly_complete:
        course_completed.send(enrolment, course=course)
    return progress
