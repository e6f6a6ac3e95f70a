"""The completion engine: the one place that decides what is complete.

Rules are pure functions over evidence (`LessonEvidence`, `CourseEvidence`), so they can be
tested as a table; loaders turn database rows into evidence. Dashboards, "my learning" and
certificates ask this module and never recompute completion themselves.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from blinker import Namespace
from sqlalchemy import (
    CTE,
    ColumnElement,
    ScalarSelect,
    Select,
    String,
    Subquery,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)

from lms.catalog.models import Course, Lesson, LessonKind
from lms.db import inline_ids, json_rows, utc_from_json, utcnow
from lms.enrolments.models import Enrolment, EnrolmentStatus
from lms.evaluations.status import EvaluationState, evaluation_states, submissions
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


class Needs(enum.StrEnum):
    """What evidence completes a lesson."""

    MARKED = "marked"  # the learner marked it complete
    WATCHED = "watched"  # verified watch time at or above a number of seconds
    NEVER = "never"  # cannot be completed yet (a video of unknown length)


@dataclass(frozen=True)
class LessonRule:
    """The completion rule of one lesson, decided from the syllabus alone.

    Both paths apply it: `met` to one learner's evidence, `clause` to `lesson_progress`
    rows in SQL, so the per-learner engine and the set-based dashboards cannot disagree.
    """

    lesson_id: int
    required: bool
    needs: Needs
    min_verified_seconds: float = 0

    def met(self, marked_complete: bool, verified_seconds: float) -> bool:
        if self.needs == Needs.WATCHED:
            return verified_seconds >= self.min_verified_seconds
        return self.needs == Needs.MARKED and marked_complete

    def clause(self) -> ColumnElement[bool]:
        """SQL: this lesson_progress row is a completion of this lesson under the same rule."""
        is_lesson = LessonProgress.lesson_id == self.lesson_id
        if self.needs == Needs.WATCHED:
            return and_(is_lesson, LessonProgress.verified_seconds >= self.min_verified_seconds)
        if self.needs == Needs.MARKED:
            return and_(LessonProgress.marked_complete_at.is_not(None), is_lesson)
        return false()


def lesson_rule(evidence: LessonEvidence, video_threshold: float) -> LessonRule:
    """Reading: marked complete. Video: verified coverage at or above the threshold."""
    if evidence.kind == LessonKind.VIDEO and evidence.has_video:
        if evidence.duration_seconds <= 0:
            return LessonRule(evidence.lesson_id, evidence.required, Needs.NEVER)
        return LessonRule(
            evidence.lesson_id,
            evidence.required,
            Needs.WATCHED,
            video_threshold * evidence.duration_seconds,
        )
    # A video lesson without a video yet is studied from its notes, like a reading.
    return LessonRule(evidence.lesson_id, evidence.required, Needs.MARKED)


def lesson_is_complete(evidence: LessonEvidence, video_threshold: float) -> bool:
    return lesson_rule(evidence, video_threshold).met(
        evidence.marked_complete, evidence.verified_seconds
    )


def decide(
    required_lesson_ids: Iterable[int],
    completed_lesson_ids: frozenset[int],
    required_quizzes: Sequence[QuizEvidence] = (),
    evaluation_required: bool = False,
    evaluation_submitted: bool = False,
) -> CourseProgress:
    """Course completion from the set of completed lessons and the other requirements."""
    required = list(required_lesson_ids)
    done_required = sum(1 for lesson_id in required if lesson_id in completed_lesson_ids)
    missing: list[str] = []
    if done_required < len(required):
        left = len(required) - done_required
        missing.append(f"{left} required lesson{'s' if left != 1 else ''} to complete")
    for quiz in required_quizzes:
        if not quiz.passed:
            missing.append(f"pass the quiz “{quiz.title}”")
    if evaluation_required and not evaluation_submitted:
        missing.append("submit the course evaluation")
    return CourseProgress(
        completed_lesson_ids=completed_lesson_ids,
        required_lessons=len(required),
        completed_required_lessons=done_required,
        quizzes_required=len(required_quizzes),
        quizzes_passed=sum(1 for quiz in required_quizzes if quiz.passed),
        evaluation_required=evaluation_required,
        evaluation_submitted=evaluation_submitted,
        missing=tuple(missing),
    )


def course_progress(evidence: CourseEvidence) -> CourseProgress:
    """Decide a course's completion from its evidence."""
    completed = frozenset(
        item.lesson_id
        for item in evidence.lessons
        if lesson_is_complete(item, evidence.video_threshold)
    )
    return decide(
        (item.lesson_id for item in evidence.lessons if item.required),
        completed,
        evidence.required_quizzes,
        evidence.evaluation_required,
        evidence.evaluation_submitted,
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


def quiz_evidence(user_id: int, course_ids: Iterable[int]) -> dict[int, tuple[QuizEvidence, ...]]:
    """Required published quizzes per course and whether the learner passed each (one query)."""
    from lms.quizzes.evidence import required_quiz_results

    return {
        course_id: tuple(QuizEvidence(r.quiz_id, r.title, r.passed) for r in results)
        for course_id, results in required_quiz_results(user_id, course_ids).items()
    }


def course_evidence(
    course: Course,
    progress_rows: Iterable[LessonProgress],
    user_id: int | None = None,
    quizzes: tuple[QuizEvidence, ...] | None = None,
    evaluation: EvaluationState | None = None,
) -> CourseEvidence:
    """Evidence for one course. Quiz results and the evaluation are loaded for `user_id`
    unless given (callers loading many courses pass them, one query each for all).

    Without a user (an editor's preview) the course's quizzes are not part of the evidence.
    """
    if evaluation is None:
        evaluation = evaluation_states(user_id, [course.id]).get(course.id, EvaluationState())
    by_lesson = {row.lesson_id: row for row in progress_rows}
    if quizzes is None:
        quizzes = quiz_evidence(user_id, [course.id]).get(course.id, ()) if user_id else ()
    return CourseEvidence(
        lessons=tuple(
            _lesson_evidence(item, by_lesson.get(item.id)) for item in course_lessons(course)
        ),
        video_threshold=course.completion_threshold / 100,
        required_quizzes=quizzes,
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


_FACT_COLUMNS = (
    LessonProgress.lesson_id,
    LessonProgress.last_seen_at,
    LessonProgress.position_seconds,
    LessonProgress.verified_seconds,
    LessonProgress.marked_complete_at,
)


class ProgressFact(NamedTuple):
    """What a page that only shows progress reads of a lesson row (no ORM object)."""

    lesson_id: int
    last_seen_at: datetime | None
    position_seconds: float
    verified_seconds: float
    marked_complete_at: datetime | None


def _mine(user_id: ColumnElement, course_id: ColumnElement) -> ColumnElement[bool]:
    return and_(LessonProgress.user_id == user_id, LessonProgress.course_id == course_id)


def progress_facts_column(user_id: ColumnElement, course_id: ColumnElement) -> ScalarSelect:
    """A learner's lesson rows in one course as one JSON value, for a page that only shows
    progress and reads other things in the same round trip (no ORM objects to build);
    `facts_from_json` turns it into the attributes `course_evidence` reads."""
    return select(json_rows(*_FACT_COLUMNS)).where(_mine(user_id, course_id)).scalar_subquery()


def facts_from_json(value: list | None) -> list[ProgressFact]:
    return [
        ProgressFact(lesson_id, utc_from_json(seen), position, verified, utc_from_json(marked))
        for lesson_id, seen, position, verified, marked in value or ()
    ]


def progress_for(user_id: int, course: Course) -> CourseProgress:
    """A learner's progress in one course (the course's syllabus already loaded)."""
    return course_progress(course_evidence(course, progress_rows(user_id, [course.id]), user_id))


def refresh(enrolment: Enrolment, course: Course) -> CourseProgress:
    """Recompute completion after new evidence; record lesson and course completion.

    `course` may be the course's snapshot (lms.learning.snapshot): only its outline is read.
    """
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
        if not isinstance(course, Course):  # the listeners get the course itself
            course = db.session.get(Course, course.id)
        course_completed.send(enrolment, course=course)
    return progress


# --- set-based path: every learner of a course at once ----------------------------------
#
# The per-learner path above loads rows and builds evidence; at thousands of learners that
# is too slow. This path reads the same evidence in SQL: lesson rows under the same
# `LessonRule`s (`LessonRule.clause`), passes of the same required quizzes
# (lms.quizzes.evidence), the same evaluations (lms.evaluations.status), and hands them to
# the same `decide`, so both paths give one answer (tests/learning/test_completion_table.py).
#
# A learner's "steps done" are required lessons completed + required quizzes passed + the
# evaluation when the course requires one. `decide` makes percent and completeness depend on
# that count alone, so aggregates (dashboards, filters, exports) count steps in SQL and read
# the engine's decision for each count from `CourseRules.outcomes`.


@dataclass(frozen=True)
class RequiredQuiz:
    quiz_id: int
    title: str


@dataclass(frozen=True)
class CourseRules:
    """A course's completion rules, read from its syllabus, quizzes and CE settings once."""

    course_id: int
    lessons: tuple[LessonRule, ...]
    required_quizzes: tuple[RequiredQuiz, ...] = ()
    evaluation_required: bool = False

    @property
    def required_lesson_ids(self) -> tuple[int, ...]:
        return tuple(rule.lesson_id for rule in self.lessons if rule.required)

    @property
    def required_quiz_ids(self) -> tuple[int, ...]:
        return tuple(quiz.quiz_id for quiz in self.required_quizzes)

    @property
    def steps_total(self) -> int:
        lessons, quizzes = self.required_lesson_ids, self.required_quizzes
        return len(lessons) + len(quizzes) + int(self.evaluation_required)

    def decide(
        self,
        completed_lesson_ids: frozenset[int],
        passed_quiz_ids: frozenset[int] = frozenset(),
        evaluation_submitted: bool = False,
    ) -> CourseProgress:
        """The engine's decision for one learner's evidence under these rules."""
        return decide(
            self.required_lesson_ids,
            completed_lesson_ids,
            tuple(
                QuizEvidence(quiz.quiz_id, quiz.title, quiz.quiz_id in passed_quiz_ids)
                for quiz in self.required_quizzes
            ),
            self.evaluation_required,
            evaluation_submitted,
        )

    def outcomes(self) -> list[CourseProgress]:
        """The engine's decision for 0, 1, ... steps_total steps done (index = steps done).

        Aggregates read `percent` and `is_complete` from here; `missing` names some steps,
        not a given learner's (per-learner pages use `course_progress_table` or `progress_for`).
        """
        lessons, quizzes = self.required_lesson_ids, self.required_quiz_ids
        result = []
        for steps in range(self.steps_total + 1):
            quizzes_done = min(max(0, steps - len(lessons)), len(quizzes))
            result.append(
                self.decide(
                    frozenset(lessons[:steps]),
                    frozenset(quizzes[:quizzes_done]),
                    steps > len(lessons) + len(quizzes),
                )
            )
        return result

    def steps_done_range(self, low: int, high: int) -> tuple[int, int] | None:
        """Counts of steps done whose percent lies in [low, high]."""
        counts = [n for n, item in enumerate(self.outcomes()) if low <= item.percent <= high]
        return (min(counts), max(counts)) if counts else None

    def steps_to_complete(self) -> int | None:
        """The fewest steps done that complete the course (None: it cannot be completed)."""
        return next((n for n, item in enumerate(self.outcomes()) if item.is_complete), None)


def rules_for_courses(courses: Sequence[Course]) -> dict[int, CourseRules]:
    """The rules `course_evidence` applies, without any learner's evidence, per course.

    Two queries for any number of courses (syllabus loaded): the courses' evaluation
    requirements and their required published quizzes.
    """
    from lms.quizzes.evidence import required_quiz_results

    ids = [course.id for course in courses]
    evaluations = evaluation_states(None, ids)
    quizzes = required_quiz_results(None, ids)
    rules = {}
    for course in courses:
        evidence = course_evidence(course, (), evaluation=evaluations[course.id], quizzes=())
        rules[course.id] = CourseRules(
            course_id=course.id,
            lessons=tuple(lesson_rule(item, evidence.video_threshold) for item in evidence.lessons),
            required_quizzes=tuple(
                RequiredQuiz(item.quiz_id, item.title) for item in quizzes.get(course.id, ())
            ),
            evaluation_required=evidence.evaluation_required,
        )
    return rules


def course_rules(course: Course) -> CourseRules:
    """One course's rules (its syllabus loaded), in two queries."""
    return rules_for_courses([course])[course.id]


def completed_clause(rules: CourseRules) -> ColumnElement[bool]:
    """SQL: a lesson_progress row that completes its lesson, under the course's rules.

    Each lesson's `LessonRule.clause`, arranged to cost little per row when a course has many
    lessons (dashboards test every row of a course): one membership test for the lessons
    completed by marking, and for those completed by watching, the lowest threshold first (the
    rows below it, most of them, stop there), then one test per distinct threshold.
    `tests/learning/test_completion_sql.py` checks it against `LessonRule.met`.
    """
    marked = [rule.lesson_id for rule in rules.lessons if rule.needs == Needs.MARKED]
    watched: dict[float, list[int]] = {}
    for rule in rules.lessons:
        if rule.needs == Needs.WATCHED:
            watched.setdefault(rule.min_verified_seconds, []).append(rule.lesson_id)
    terms = []
    if marked:
        # The cheap test first: rows never marked skip the membership test.
        terms.append(
            and_(
                LessonProgress.marked_complete_at.is_not(None),
                LessonProgress.lesson_id.in_(inline_ids(marked)),
            )
        )
    by_threshold = [
        and_(
            LessonProgress.verified_seconds >= seconds,
            LessonProgress.lesson_id.in_(inline_ids(ids)),
        )
        for seconds, ids in sorted(watched.items())
    ]
    if len(by_threshold) == 1:
        terms.append(by_threshold[0])
    elif by_threshold:
        lowest = min(watched)
        terms.append(and_(LessonProgress.verified_seconds >= lowest, or_(*by_threshold)))
    return or_(*terms) if terms else false()


def _required_completed_clause(rules: CourseRules) -> ColumnElement[bool]:
    """SQL: a row that completes a required lesson."""
    done = completed_clause(rules)
    if len(rules.required_lesson_ids) == len(rules.lessons):
        return done  # every lesson is required: no second membership test per row
    return and_(done, LessonProgress.lesson_id.in_(inline_ids(rules.required_lesson_ids)))


def _lessons_done(rules: CourseRules, user_ids: list[int] | None, with_ids: bool) -> Subquery:
    """Per learner with lesson rows: required lessons completed, last visit, completed ids."""
    columns = [
        LessonProgress.user_id.label("user_id"),
        func.count().filter(_required_completed_clause(rules)).label("done"),
        func.max(LessonProgress.last_seen_at).label("last_seen_at"),
    ]
    if with_ids:
        completed = case((completed_clause(rules), cast(LessonProgress.lesson_id, String)))
        columns.append(func.aggregate_strings(completed, ",").label("ids"))
    statement = (
        select(*columns)
        .where(LessonProgress.course_id == rules.course_id)
        .group_by(LessonProgress.user_id)
    )
    if user_ids is not None:
        statement = statement.where(LessonProgress.user_id.in_(user_ids))
    return statement.subquery("lessons_done")


# --- one statement, two counts: per learner and per lesson -------------------------------


@dataclass(frozen=True)
class ProgressTallies:
    """A course's lesson_progress rows counted per learner and per lesson (`progress_tallies`).

    `table` has a row per learner with rows (`per_lesson` 0: `user_id`, `done` = required
    lessons completed, `last_seen_at`) and a row per lesson and value of the extra keys
    (`per_lesson` 1: `lesson_id`, `key_0` ..., `learners` with a row, `completed`).
    """

    table: CTE
    keys: int

    def per_learner(self) -> Subquery:
        """What `learner_progress_subquery` reads of each learner's lessons."""
        table = self.table
        return (
            select(table.c.user_id, table.c.done, table.c.last_seen_at)
            .where(table.c.per_lesson == 0)
            .subquery(f"{self.table.name}_per_learner")
        )

    def per_lesson(self) -> Select:
        """(lesson_id, key_0 ..., learners, completed) for each lesson and key value."""
        table = self.table
        return select(
            table.c.lesson_id,
            *(table.c[f"key_{n}"] for n in range(self.keys)),
            table.c.learners,
            table.c.completed,
        ).where(table.c.per_lesson == 1)


def progress_tallies(
    rules: CourseRules,
    lesson_keys: Sequence[ColumnElement] = (),
    user_ids: Select | Iterable[int] | None = None,
    name: str = "progress_tallies",
) -> ProgressTallies:
    """The course's lesson rows (or those of `user_ids`) counted two ways, in one statement.

    Per learner: required lessons completed and the last visit (what the set-based path
    needs); per lesson and value of each of `lesson_keys` (SQL over lesson_progress columns,
    e.g. where in a video a learner stopped): learners with a row and learners who completed
    it. Two aggregates side by side in a UNION ALL, which PostgreSQL runs at once in two
    parallel workers. One GROUPING SETS pass costs less CPU but runs in one process: on the
    bench course at 10,000 learners it kept the page slower whenever a second core was free
    (bench/README.md).
    """
    every_lesson_required = len(rules.required_lesson_ids) == len(rules.lessons)
    # The per-row values, named once; the database folds this subquery into each aggregate's
    # scan, and each aggregate evaluates only the values it uses.
    rows = select(
        LessonProgress.user_id.label("user_id"),
        LessonProgress.lesson_id.label("lesson_id"),
        LessonProgress.last_seen_at.label("last_seen_at"),
        completed_clause(rules).label("completes"),
        *(() if every_lesson_required else (_required_completed_clause(rules).label("required"),)),
        *(key.label(f"key_{n}") for n, key in enumerate(lesson_keys)),
    ).where(LessonProgress.course_id == rules.course_id)
    if user_ids is not None:
        wanted = user_ids if isinstance(user_ids, Select) else list(user_ids)
        rows = rows.where(LessonProgress.user_id.in_(wanted))
    rows = rows.subquery(f"{name}_rows")
    keys = [rows.c[f"key_{n}"] for n in range(len(lesson_keys))]
    required = rows.c.completes if every_lesson_required else rows.c.required
    per_learner = select(
        rows.c.user_id,
        null().label("lesson_id"),
        *(null().label(key.name) for key in keys),
        literal(0).label("per_lesson"),
        null().label("learners"),
        null().label("completed"),
        func.count().filter(required).label("done"),
        func.max(rows.c.last_seen_at).label("last_seen_at"),
    ).group_by(rows.c.user_id)
    per_lesson = select(
        null(),
        rows.c.lesson_id,
        *keys,
        literal(1),
        func.count(),
        func.count().filter(rows.c.completes),
        null(),
        null(),
    ).group_by(rows.c.lesson_id, *keys)
    return ProgressTallies(union_all(per_learner, per_lesson).cte(name), len(lesson_keys))


def _quizzes_passed(rules: CourseRules, user_ids: list[int] | None, with_ids: bool) -> Subquery:
    """Per learner who passed any: how many required quizzes, and which."""
    from lms.quizzes.evidence import passes

    rows = passes(rules.required_quiz_ids, user_ids).subquery()
    columns = [rows.c.user_id, func.count().label("passed")]
    if with_ids:
        columns.append(func.aggregate_strings(cast(rows.c.quiz_id, String), ",").label("ids"))
    return select(*columns).group_by(rows.c.user_id).subquery("quizzes_passed")


def learner_progress_subquery(
    rules: CourseRules,
    user_ids: Iterable[int] | None = None,
    with_ids: bool = False,
    tallies: ProgressTallies | None = None,
) -> Subquery:
    """Per enrolled learner of the course (join it to enrolments on user_id):

    - `steps_done`: required lessons completed + required quizzes passed + the evaluation
      when required (index into `rules.outcomes()`);
    - `last_seen_at`: the learner's last lesson visit (None: never opened one);
    - `status` and `enrolled_at`: the enrolment's;
    - with `with_ids`, what `CourseRules.decide` needs: `completed_ids` and `passed_quiz_ids`
      (comma-separated) and `evaluated`.

    Each kind of evidence is aggregated on its own and joined to the enrolments, so a
    course's lesson rows are read once, grouped once. `tallies` (from `progress_tallies`,
    for every learner) supplies the lesson counts when the caller also counts per lesson.
    """
    wanted = None if user_ids is None else list(user_ids)
    if tallies is not None and (with_ids or wanted is not None):
        raise ValueError("tallies count every learner's lessons, without their ids")
    lessons = tallies.per_learner() if tallies else _lessons_done(rules, wanted, with_ids)
    evaluations = submissions(rules.course_id, wanted).subquery("evaluations")
    evaluated = evaluations.c.user_id.is_not(None)
    steps = func.coalesce(lessons.c.done, 0)
    if rules.evaluation_required:
        steps = steps + case((evaluated, 1), else_=0)
    statement = (
        select(Enrolment.user_id.label("user_id"))
        .outerjoin(lessons, lessons.c.user_id == Enrolment.user_id)
        .outerjoin(evaluations, evaluations.c.user_id == Enrolment.user_id)
        .where(Enrolment.course_id == rules.course_id)
    )
    quizzes = None
    if rules.required_quizzes:
        quizzes = _quizzes_passed(rules, wanted, with_ids)
        statement = statement.outerjoin(quizzes, quizzes.c.user_id == Enrolment.user_id)
        steps = steps + func.coalesce(quizzes.c.passed, 0)
    if wanted is not None:
        statement = statement.where(Enrolment.user_id.in_(wanted))
    columns = [
        steps.label("steps_done"),
        lessons.c.last_seen_at.label("last_seen_at"),
        Enrolment.status.label("status"),
        Enrolment.enrolled_at.label("enrolled_at"),
    ]
    if with_ids:
        columns += [
            evaluated.label("evaluated"),
            lessons.c.ids.label("completed_ids"),
            (quizzes.c.ids if quizzes is not None else cast(null(), String)).label(
                "passed_quiz_ids"
            ),
        ]
    return statement.add_columns(*columns).subquery("learner_progress")


def _parse_ids(text: str | None) -> frozenset[int]:
    return frozenset(int(item) for item in text.split(",")) if text else frozenset()


@dataclass(frozen=True)
class LearnerStanding:
    """One learner's place in a course, from the set-based path."""

    progress: CourseProgress
    last_active_at: datetime | None  # the last lesson visit


def course_standings(
    course: Course, user_ids: Iterable[int] | None = None
) -> dict[int, LearnerStanding]:
    """Every enrolled learner's progress and last activity (or those in `user_ids`).

    Three queries (the course's rules, then one for all learners), whatever their number.
    """
    rules = course_rules(course)
    progress = learner_progress_subquery(rules, user_ids, with_ids=True)
    statement = select(
        progress.c.user_id,
        progress.c.completed_ids,
        progress.c.passed_quiz_ids,
        progress.c.evaluated,
        progress.c.last_seen_at,
    )
    return {
        user_id: LearnerStanding(
            rules.decide(_parse_ids(lessons), _parse_ids(quizzes), bool(evaluated)), seen
        )
        for user_id, lessons, quizzes, evaluated, seen in db.session.execute(statement)
    }


def course_progress_table(
    course: Course, user_ids: Iterable[int] | None = None
) -> dict[int, CourseProgress]:
    """Every enrolled learner's progress (or those in `user_ids`), as `progress_for` decides."""
    return {
        user_id: standing.progress
        for user_id, standing in course_standings(course, user_ids).items()
    }
