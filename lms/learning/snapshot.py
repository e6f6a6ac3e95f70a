"""What every learner of a course sees the same: its outline, read once per content version.

A lesson page needs the course's modules and lessons (with their notes), the lessons'
handouts, the published quizzes placed in the outline, the instructors (who may preview) and
whether the course asks for an evaluation. That is the same for every learner until an
editor changes it, so each app process keeps it as an immutable `CourseSnapshot`, keyed by
`courses.content_version`. The version is bumped in the same transaction as any change to
those rows (`_bump_content_versions`, a flush hook), and every request reads it with the
learner's own state (`learner_state`), so a change shows on the very next page on every app
server: the cache never serves stale content, it only saves the reading.

Snapshots quack like the ORM objects they stand for (same attribute names), so the
completion engine, the permissions and the templates take either.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import (
    Integer,
    Select,
    String,
    and_,
    bindparam,
    cast,
    event,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, joinedload

from lms import connections
from lms.auth import services as auth_services
from lms.auth.models import SignedInUser, User
from lms.catalog.models import Course, CourseStatus, Lesson, LessonKind, Module, course_instructors
from lms.certificates.models import CourseCredit
from lms.db import HotStatement, comma_list
from lms.enrolments.models import Enrolment, EnrolmentStatus
from lms.evaluations.models import Evaluation
from lms.extensions import db
from lms.learning import completion
from lms.learning.completion import ProgressFact
from lms.quizzes.evidence import OutlineItem, QuizOutline
from lms.quizzes.models import AttemptStatus, Quiz, QuizAttempt, QuizKind, QuizStatus
from lms.video.models import Handout


@dataclass(frozen=True)
class HandoutSnapshot:
    id: int
    key: str
    filename: str
    size: int


@dataclass(frozen=True)
class LessonSnapshot:
    id: int
    module_id: int
    slug: str
    title: str
    kind: LessonKind
    position: int
    duration_seconds: int
    notes_markdown: str
    required: bool
    video_key: str | None
    video_content_type: str | None
    captions_key: str | None
    handouts: tuple[HandoutSnapshot, ...] = ()

    @property
    def duration_minutes(self) -> int:
        return Lesson.duration_minutes.fget(self)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ModuleSnapshot:
    id: int
    course_id: int
    title: str
    position: int
    lessons: tuple[LessonSnapshot, ...]


@dataclass(frozen=True)
class QuizSnapshot:
    """A published quiz as the outline shows it."""

    id: int
    title: str
    kind: QuizKind
    lesson_id: int | None
    module_id: int | None
    required: bool
    pass_mark: int


@dataclass(frozen=True)
class InstructorRef:
    id: int


@dataclass(frozen=True)
class CourseSnapshot:
    id: int
    version: int
    slug: str
    title: str
    status: CourseStatus
    sequential: bool
    completion_threshold: int
    ce_minutes: int
    modules: tuple[ModuleSnapshot, ...]
    instructors: tuple[InstructorRef, ...]
    quizzes: tuple[QuizSnapshot, ...]
    evaluation_required: bool
    lessons_by_id: dict[int, LessonSnapshot] = field(repr=False, compare=False)
    # HTML rendered once per snapshot (`lms.learning.sidebar`), by what it was rendered for.
    rendered: dict[Any, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_published(self) -> bool:
        return self.status == CourseStatus.PUBLISHED

    def outline(self, passed_quiz_ids: Iterable[int] = ()) -> QuizOutline:
        passed = frozenset(passed_quiz_ids)
        return QuizOutline(tuple(OutlineItem(quiz, quiz.id in passed) for quiz in self.quizzes))


# --- the cache ---------------------------------------------------------------------------

MAX_COURSES = 256


class SnapshotCache:
    """Per app: course id -> newest snapshot seen (bounded, least recently used out)."""

    def __init__(self, size: int = MAX_COURSES) -> None:
        self._items: OrderedDict[int, CourseSnapshot] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, course_id: int, version: int) -> CourseSnapshot | None:
        found = self._items.get(course_id)
        if found is None or found.version != version:
            return None
        return found

    def put(self, snapshot: CourseSnapshot) -> None:
        with self._lock:
            held = self._items.get(snapshot.id)
            if held is not None and held.version > snapshot.version:
                return
            self._items[snapshot.id] = snapshot
            self._items.move_to_end(snapshot.id)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def _cache() -> SnapshotCache:
    extensions = current_app.extensions
    found = extensions.get("course_snapshots")
    if found is None:
        found = extensions.setdefault("course_snapshots", SnapshotCache())
    return found


def snapshot(course_id: int, version: int) -> CourseSnapshot:
    """The course as of `version` (read from the database on a miss: four queries)."""
    cache = _cache()
    found = cache.get(course_id, version)
    if found is None:
        found = load(course_id)
        cache.put(found)
    return found


def load(course_id: int) -> CourseSnapshot:
    course = (
        db.session.scalars(
            select(Course)
            .where(Course.id == course_id)
            .options(joinedload(Course.modules).joinedload(Module.lessons))
            .execution_options(populate_existing=True)
        )
        .unique()
        .one()
    )
    handouts: dict[int, list[HandoutSnapshot]] = {}
    lesson_ids = [lesson.id for module in course.modules for lesson in module.lessons]
    if lesson_ids:
        for lesson_id, handout_id, key, filename, size in db.session.execute(
            select(Handout.lesson_id, Handout.id, Handout.key, Handout.filename, Handout.size)
            .where(Handout.lesson_id.in_(lesson_ids))
            .order_by(Handout.id)
        ):
            handouts.setdefault(lesson_id, []).append(
                HandoutSnapshot(handout_id, key, filename, size)
            )
    quizzes = tuple(
        QuizSnapshot(*row)
        for row in db.session.execute(
            select(
                Quiz.id,
                Quiz.title,
                Quiz.kind,
                Quiz.lesson_id,
                Quiz.module_id,
                Quiz.required,
                Quiz.pass_mark,
            )
            .where(Quiz.course_id == course_id, Quiz.status == QuizStatus.PUBLISHED)
            .order_by(Quiz.id)
        )
    )
    # A course without CE settings awards no CE credit, so it asks for no evaluation (the
    # rule of lms.evaluations.status.evaluation_states).
    evaluation_required, instructor_ids = db.session.execute(
        select(
            select(CourseCredit.evaluation_required)
            .where(CourseCredit.course_id == course_id)
            .scalar_subquery(),
            select(func.aggregate_strings(cast(course_instructors.c.user_id, String), ","))
            .where(course_instructors.c.course_id == course_id)
            .scalar_subquery(),
        )
    ).one()
    modules = tuple(
        ModuleSnapshot(
            module.id,
            module.course_id,
            module.title,
            module.position,
            tuple(_lesson(lesson, handouts.get(lesson.id, ())) for lesson in module.lessons),
        )
        for module in course.modules
    )
    return CourseSnapshot(
        id=course.id,
        version=course.content_version,
        slug=course.slug,
        title=course.title,
        status=course.status,
        sequential=course.sequential,
        completion_threshold=course.completion_threshold,
        ce_minutes=course.ce_minutes,
        modules=modules,
        instructors=tuple(
            InstructorRef(int(item)) for item in (instructor_ids or "").split(",") if item
        ),
        quizzes=quizzes,
        evaluation_required=bool(evaluation_required),
        lessons_by_id={lesson.id: lesson for module in modules for lesson in module.lessons},
    )


def _lesson(lesson: Lesson, handouts: Iterable[HandoutSnapshot]) -> LessonSnapshot:
    return LessonSnapshot(
        id=lesson.id,
        module_id=lesson.module_id,
        slug=lesson.slug,
        title=lesson.title,
        kind=lesson.kind,
        position=lesson.position,
        duration_seconds=lesson.duration_seconds,
        notes_markdown=lesson.notes_markdown,
        required=lesson.required,
        video_key=lesson.video_key,
        video_content_type=lesson.video_content_type,
        captions_key=lesson.captions_key,
        handouts=tuple(handouts),
    )


_VERSION = select(Course.id, Course.content_version).where(
    Course.slug == bindparam("slug", type_=String)
)


def by_slug(slug: str) -> CourseSnapshot | None:
    """The course as of now, for pages that need its outline but no learner state (one
    small query while the process's snapshot is current)."""
    row = db.session.connection().execute(_VERSION, {"slug": slug}).first()
    return snapshot(*row) if row else None


# --- one query per request: the version and this learner's state -------------------------


@dataclass(frozen=True)
class EnrolmentFacts:
    """A learner's enrolment as a lesson page reads it (permissions check these)."""

    id: int
    user_id: int
    course_id: int
    status: EnrolmentStatus

    is_active = property(Enrolment.is_active.fget)


@dataclass(frozen=True)
class LearnerState:
    course_id: int
    version: int
    enrolment: EnrolmentFacts | None
    evaluated: bool
    passed_quiz_ids: frozenset[int]
    # The learner's lesson rows in the course (completion.progress_facts_column).
    progress: list[ProgressFact]
    # With a session token: the user, if it is still their token (the page hands them to
    # the request's user load: `auth_services.preload_signed_in_user`).
    user: SignedInUser | None = None

    @property
    def signed_in(self) -> bool:
        return self.user is not None


def _learner_state_statement(with_user: bool = False) -> Select:
    """Built once: a hot path pays for neither building nor hashing a new statement tree.

    `with_user` also reads the user the session names (their columns and roles), if the
    session's token is still theirs (Flask-Login's own test), so the request's user load
    needs no query of its own.
    """
    user_id = bindparam("user_id", type_=Integer)
    evaluated = exists().where(Evaluation.course_id == Course.id, Evaluation.user_id == user_id)
    passed = (
        select(comma_list(QuizAttempt.quiz_id))
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .where(
            Quiz.course_id == Course.id,
            QuizAttempt.user_id == user_id,
            QuizAttempt.status == AttemptStatus.GRADED,
            QuizAttempt.passed.is_(True),
        )
        .scalar_subquery()
    )
    progress = completion.progress_facts_column(user_id, Course.id)
    statement = select(
        Course.id,
        Course.content_version,
        Enrolment.id,
        Enrolment.status,
        evaluated,
        passed,
        progress,
    ).outerjoin(Enrolment, and_(Enrolment.course_id == Course.id, Enrolment.user_id == user_id))
    if with_user:
        statement = statement.add_columns(*auth_services.signed_in_user_columns()).outerjoin(
            User,
            auth_services.session_holder(user_id, bindparam("session_token", type_=String)),
        )
    return statement.where(Course.slug == bindparam("slug", type_=String))


_LEARNER_STATE = HotStatement(_learner_state_statement())
_LEARNER_STATE_AND_USER = HotStatement(_learner_state_statement(with_user=True))


def learner_state(slug: str, user_id: int, session_token: str | None = None) -> LearnerState | None:
    """The course's id and content version, and the learner's enrolment, evaluation, passed
    quizzes and lesson progress, in one query (None: no such course). With the session's token, the
    user's row comes in the same query (see `_learner_state_statement`)."""
    params = {"slug": slug, "user_id": user_id}
    statement = _LEARNER_STATE
    if session_token is not None:
        params["session_token"] = session_token
        statement = _LEARNER_STATE_AND_USER
    # Plain columns, past the ORM (and on PostgreSQL past most of SQLAlchemy: `HotStatement`).
    with connections.outside_session() as connection:
        row = statement.first(connection, params)
    if row is None:
        return None
    user = auth_services.signed_in_user(row[7:]) if session_token is not None else None
    course_id, version, enrolment_id, status, was_evaluated, passed_ids, progress = row[:7]
    return LearnerState(
        course_id=course_id,
        version=version,
        enrolment=(
            EnrolmentFacts(enrolment_id, user_id, course_id, EnrolmentStatus(status))
            if enrolment_id
            else None
        ),
        evaluated=bool(was_evaluated),
        passed_quiz_ids=frozenset(int(item) for item in (passed_ids or "").split(",") if item),
        progress=completion.facts_from_json(progress),
        user=user,
    )


# --- the version bump ---------------------------------------------------------------------


def _content_course_ids(session: Session) -> tuple[set[int], set[int], set[int]]:
    """Courses, modules and lessons whose learner-visible content this flush changed."""
    courses: set[int] = set()
    modules: set[int] = set()
    lessons: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Course):
            if obj.id is not None:
                courses.add(obj.id)
        elif isinstance(obj, Module | Quiz | CourseCredit):
            if obj.course_id is not None:
                courses.add(obj.course_id)
        elif isinstance(obj, Lesson):
            if obj.module_id is not None:
                modules.add(obj.module_id)
        elif isinstance(obj, Handout) and obj.lesson_id is not None:
            lessons.add(obj.lesson_id)
    return courses, modules, lessons


@event.listens_for(Session, "after_flush")
def _bump_content_versions(session: Session, _context: Any) -> None:
    courses, modules, lessons = _content_course_ids(session)
    if not (courses or modules or lessons):
        return
    targets = [Course.id.in_(courses)] if courses else []
    if lessons:
        modules_of_lessons = select(Lesson.module_id).where(Lesson.id.in_(lessons))
        targets.append(
            Course.id.in_(select(Module.course_id).where(Module.id.in_(modules_of_lessons)))
        )
    if modules:
        targets.append(Course.id.in_(select(Module.course_id).where(Module.id.in_(modules))))
    session.execute(
        update(Course)
        .where(or_(*targets))
        .values(content_version=Course.content_version + 1)
        .execution_options(synchronize_session=False)
    )
