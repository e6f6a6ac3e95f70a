"""Course dashboards: headline numbers, progress distribution and the lesson funnel.

Completion comes from the completion engine's set-based path (`completion.course_rules`
and its SQL): this module counts learners by steps done (lessons, required quizzes, the
evaluation) in SQL and reads percent and completeness from the engine's outcomes, so no
number here has its own idea of "complete". The course's lesson rows are read by one
statement that counts them per learner and per lesson (`completion.progress_tallies`),
registered lesson details (`sections.lesson_details`) included.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, extract, func, literal, null, select, union_all
from sqlalchemy.orm import selectinload

from lms import permissions
from lms.auth.models import User
from lms.catalog.models import Course, Lesson, Module
from lms.dashboards import sections
from lms.db import utcnow
from lms.enrolments.models import Enrolment, EnrolmentStatus
from lms.extensions import db
from lms.learning import completion

# Learners who have left are not part of a course's numbers.
COUNTED = (EnrolmentStatus.ACTIVE, EnrolmentStatus.COMPLETED)
LEFT = tuple(status for status in EnrolmentStatus if status not in COUNTED)

BUCKETS: tuple[tuple[str, int, int], ...] = (
    ("0%", 0, 0),
    ("1–25%", 1, 25),
    ("26–50%", 26, 50),
    ("51–75%", 51, 75),
    ("76–99%", 76, 99),
    ("100%", 100, 100),
)


def stalled_after() -> timedelta:
    """How long without activity makes an active, unfinished learner "stalled"."""
    return timedelta(days=current_app.config.get("STALLED_AFTER_DAYS", 14))


def last_activity(progress) -> object:
    """SQL: a learner's last lesson activity, or their enrolment if they never opened one."""
    return func.coalesce(progress.c.last_seen_at, progress.c.enrolled_at)


@dataclass(frozen=True)
class Bucket:
    label: str
    learners: int
    share: float  # of the enrolled learners, 0..1


@dataclass(frozen=True)
class FunnelStep:
    lesson: Lesson
    module_title: str
    reached: int  # learners who opened the lesson
    completed: int  # learners for whom the engine counts it complete
    # What registered lesson details show for this lesson, by LessonDetail.key.
    details: Mapping[str, sections.LessonFigure] = field(default_factory=dict)


@dataclass(frozen=True)
class CourseSummary:
    course: Course
    enrolled: int
    active_7_days: int
    active_30_days: int
    completed: int
    stalled: int
    median_days_to_complete: float | None
    distribution: list[Bucket]
    funnel: list[FunnelStep]
    # The lesson details shown as extra columns of the funnel, in order.
    lesson_details: list[sections.LessonDetail] = field(default_factory=list)

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.enrolled if self.enrolled else None


@dataclass(frozen=True)
class Headline:
    """A course's numbers in the dashboards index and the admin course list."""

    course: Course
    enrolled: int
    completed: int

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.enrolled if self.enrolled else None


SYLLABUS = (
    selectinload(Course.instructors),
    selectinload(Course.modules).selectinload(Module.lessons),
)


def course_with_syllabus(slug: str) -> Course | None:
    """A course with instructors, modules and lessons, in a fixed number of queries."""
    return db.session.scalar(select(Course).where(Course.slug == slug).options(*SYLLABUS))


# Parts of the one statement of `course_summary`.
_LEARNERS, _LESSONS, _LESSONS_LEFT = 0, 1, 2


def course_summary(course: Course, now: datetime | None = None) -> CourseSummary:
    """Every headline number of a course dashboard, in a fixed number of queries.

    One statement counts the course's lesson rows and returns both the learners grouped by
    steps done (with their activity) and the lesson funnel with the registered lesson
    details' counts; learners who left are subtracted from the funnel in the same statement
    (their few rows, read through an index).
    """
    now = now or utcnow()
    rules = completion.course_rules(course)
    outcomes = rules.outcomes()
    details = [(detail, detail.group_by(course)) for detail in sections.lesson_details]
    details = [(detail, key) for detail, key in details if key is not None]
    keys = [key for _, key in details]
    tallies = completion.progress_tallies(rules, keys)
    left = completion.progress_tallies(
        rules,
        keys,
        user_ids=select(Enrolment.user_id).where(
            Enrolment.course_id == course.id, Enrolment.status.in_(LEFT)
        ),
        name="left_tallies",
    )
    progress = completion.learner_progress_subquery(rules, tallies=tallies)
    steps_done = progress.c.steps_done
    idle = and_(
        progress.c.status == EnrolmentStatus.ACTIVE,
        last_activity(progress) < now - stalled_after(),
    )
    learner_groups = (
        select(
            literal(_LEARNERS).label("part"),
            steps_done.label("number"),
            *(null() for _ in keys),
            func.count(),
            func.count().filter(progress.c.last_seen_at >= now - timedelta(days=7)),
            func.count().filter(progress.c.last_seen_at >= now - timedelta(days=30)),
            func.count().filter(idle),
        )
        .where(progress.c.status.in_(COUNTED))
        .group_by(steps_done)
    )

    def lesson_rows(part: int, counted: completion.ProgressTallies):
        rows = counted.per_lesson().subquery()
        return select(
            literal(part),
            rows.c.lesson_id,
            *(rows.c[f"key_{n}"] for n in range(len(keys))),
            rows.c.learners,
            rows.c.completed,
            null(),
            null(),
        )

    statement = union_all(
        learner_groups, lesson_rows(_LESSONS, tallies), lesson_rows(_LESSONS_LEFT, left)
    )
    groups = []
    reached: dict[int, int] = defaultdict(int)
    completed_lesson: dict[int, int] = defaultdict(int)
    by_key: list[dict[int, dict]] = [defaultdict(lambda: defaultdict(int)) for _ in keys]
    for part, number, *values in db.session.execute(statement):
        key_values, counts = values[: len(keys)], values[len(keys) :]
        if part == _LEARNERS:
            groups.append((number, *counts))
            continue
        sign = 1 if part == _LESSONS else -1  # learners who left are not counted
        reached[number] += sign * counts[0]
        completed_lesson[number] += sign * counts[1]
        for counts_by_value, value in zip(by_key, key_values, strict=True):
            counts_by_value[number][value] += sign * counts[0]

    enrolled = sum(row[1] for row in groups)
    by_bucket = dict.fromkeys((label for label, _, _ in BUCKETS), 0)
    completed = stalled = 0
    for done, learners, _, _, idle_learners in groups:
        outcome = outcomes[min(done, len(outcomes) - 1)]
        if outcome.is_complete:
            completed += learners
        else:
            stalled += idle_learners
        by_bucket[_bucket_label(outcome.percent)] += learners
    figures = {
        detail.key: detail.present(course, counts_by_value)
        for (detail, _), counts_by_value in zip(details, by_key, strict=True)
    }
    funnel = [
        FunnelStep(
            lesson,
            module.title,
            reached[lesson.id],
            completed_lesson[lesson.id],
            {key: shown[lesson.id] for key, shown in figures.items() if lesson.id in shown},
        )
        for module in course.modules
        for lesson in module.lessons
    ]
    return CourseSummary(
        course=course,
        enrolled=enrolled,
        active_7_days=sum(row[2] for row in groups),
        active_30_days=sum(row[3] for row in groups),
        completed=completed,
        stalled=stalled,
        median_days_to_complete=median_days_to_complete(course),
        distribution=[
            Bucket(label, count, count / enrolled if enrolled else 0.0)
            for label, count in by_bucket.items()
        ],
        funnel=funnel,
        lesson_details=[detail for detail, _ in details],
    )


def _bucket_label(percent: int) -> str:
    return next(label for label, low, high in BUCKETS if low <= percent <= high)


def median_days_to_complete(course: Course) -> float | None:
    """Median days from enrolment to the completion the engine recorded."""
    where = (
        Enrolment.course_id == course.id,
        Enrolment.status == EnrolmentStatus.COMPLETED,
        Enrolment.completed_at.is_not(None),
    )
    if db.session.get_bind().dialect.name == "postgresql":
        seconds = extract("epoch", Enrolment.completed_at - Enrolment.enrolled_at)
        median = db.session.scalar(
            select(func.percentile_cont(0.5).within_group(seconds)).where(*where)
        )
        return None if median is None else float(median) / 86400
    # SQLite (the embedded demo) has no percentile: a demo-sized list is fine in Python.
    spans = [
        (done - start).total_seconds() / 86400
        for start, done in db.session.execute(
            select(Enrolment.enrolled_at, Enrolment.completed_at).where(*where)
        )
    ]
    return statistics.median(spans) if spans else None


def dashboard_courses(user: User) -> list[Course]:
    """The courses whose dashboards a user may open: all for admins, else those they teach."""
    statement = select(Course).options(*SYLLABUS).order_by(Course.title)
    if not permissions.is_admin(user):
        statement = statement.where(Course.instructors.any(User.id == user.id))
    return list(db.session.scalars(statement))


def headlines(courses: list[Course]) -> list[Headline]:
    """Enrolled and completed learners of several courses (syllabus loaded), in one query."""
    if not courses:
        return []
    rules = completion.rules_for_courses(courses)
    parts = []
    for course in courses:
        progress = completion.learner_progress_subquery(rules[course.id])
        done = func.coalesce(progress.c.steps_done, 0)
        parts.append(
            select(literal(course.id).label("course_id"), done.label("done"), func.count())
            .select_from(Enrolment)
            .join(progress, progress.c.user_id == Enrolment.user_id, isouter=True)
            .where(Enrolment.course_id == course.id, Enrolment.status.in_(COUNTED))
            .group_by(done)
        )
    counts: dict[int, dict[int, int]] = {course.id: {} for course in courses}
    for course_id, done, learners in db.session.execute(union_all(*parts)):
        counts[course_id][done] = learners
    result = []
    for course in courses:
        outcomes = rules[course.id].outcomes()
        groups = counts[course.id]
        completed = sum(
            learners
            for done, learners in groups.items()
            if outcomes[min(done, len(outcomes) - 1)].is_complete
        )
        result.append(Headline(course, sum(groups.values()), completed))
    return result
