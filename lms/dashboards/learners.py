"""A course's learner table: validated filters and sorting, pages, CSV export, one learner.

Sort and filter values come from allow-lists (`LearnerQuery.from_args`); anything else is
ignored, so no request text ever reaches SQL except as a bound parameter.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import Select, Subquery, asc, desc, exists, false, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from lms.auth.forms import US_STATES
from lms.auth.models import Licence, User
from lms.catalog.models import Course, Lesson
from lms.dashboards.models import ReminderLog
from lms.dashboards.services import last_activity, stalled_after
from lms.db import utcnow
from lms.enrolments.models import Enrolment, EnrolmentStatus
from lms.extensions import db
from lms.learning import completion
from lms.learning.models import LessonProgress
from lms.textsearch import ESCAPE, contains_pattern

SORTS = ("name", "progress", "last_active", "enrolled", "status")
STATUSES = ("active", "completed", "withdrawn", "stalled")
ACTIVE_WITHIN = (7, 14, 30, 60, 90)
STATES = tuple(code for code, _ in US_STATES)
PER_PAGE = 25


def _int_in(value: str | None, low: int, high: int) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    number = int(value)
    return number if low <= number <= high else None


@dataclass(frozen=True)
class LearnerQuery:
    """What the learner table shows: every field validated against an allow-list."""

    q: str = ""
    status: str = ""
    progress_min: int | None = None
    progress_max: int | None = None
    active_within: int | None = None
    licence_state: str = ""
    sort: str = "name"
    direction: str = "asc"

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> LearnerQuery:
        """Read request arguments; values outside the allow-lists are ignored."""
        within = _int_in(args.get("active_within"), 1, 365)
        state = (args.get("licence_state") or "").upper()
        return cls(
            q=(args.get("q") or "").strip()[:100],
            status=args.get("status") if args.get("status") in STATUSES else "",
            progress_min=_int_in(args.get("progress_min"), 0, 100),
            progress_max=_int_in(args.get("progress_max"), 0, 100),
            active_within=within if within in ACTIVE_WITHIN else None,
            licence_state=state if state in STATES else "",
            sort=args.get("sort") if args.get("sort") in SORTS else "name",
            direction="desc" if args.get("direction") == "desc" else "asc",
        )

    def args(self, **changes) -> dict[str, str | int]:
        """As URL arguments (empty ones left out), with some values changed."""
        values = asdict(replace(self, **changes))
        return {key: value for key, value in values.items() if value not in ("", None)}

    @property
    def needs_progress(self) -> bool:
        """Whether SQL needs every learner's progress (sorting or filtering on it)."""
        return (
            self.sort in ("progress", "last_active")
            or self.progress_min is not None
            or self.progress_max is not None
            or self.active_within is not None
            or self.status == "stalled"
        )


@dataclass(frozen=True)
class LearnerRow:
    enrolment: Enrolment
    user: User
    progress: completion.CourseProgress
    last_seen_at: datetime | None

    @property
    def last_active(self) -> datetime:
        return self.last_seen_at or self.enrolment.enrolled_at


def learner_statement(
    course: Course,
    query: LearnerQuery,
    rules: completion.CourseRules,
    now: datetime,
    with_progress: bool = False,
) -> tuple[Select, Subquery | None]:
    """select(Enrolment) with its user, filtered and sorted; and the progress subquery joined.

    The per-learner progress aggregate is joined only when sorting or filtering needs it.
    """
    with_progress = with_progress or query.needs_progress
    progress = completion.learner_progress_subquery(rules) if with_progress else None
    statement = (
        select(Enrolment)
        .join(Enrolment.user)
        .options(contains_eager(Enrolment.user))
        .where(Enrolment.course_id == course.id)
    )
    if progress is not None:
        statement = statement.join(progress, progress.c.user_id == Enrolment.user_id, isouter=True)
        steps_done = func.coalesce(progress.c.steps_done, 0)

    if query.q:
        pattern = contains_pattern(query.q)
        statement = statement.where(
            or_(
                func.lower(User.legal_name).like(pattern, escape=ESCAPE),
                User.email.like(pattern, escape=ESCAPE),
                exists().where(
                    Licence.user_id == User.id,
                    func.lower(Licence.number).like(pattern, escape=ESCAPE),
                ),
            )
        )
    if query.status in ("active", "completed", "withdrawn"):
        statement = statement.where(Enrolment.status == EnrolmentStatus(query.status))
    if query.status == "stalled":
        statement = statement.where(
            Enrolment.status == EnrolmentStatus.ACTIVE,
            last_activity(progress) < now - stalled_after(),
        )
        needed = rules.steps_to_complete()
        if needed is not None:
            statement = statement.where(steps_done < needed)
    if query.progress_min is not None or query.progress_max is not None:
        bounds = rules.steps_done_range(
            query.progress_min or 0, 100 if query.progress_max is None else query.progress_max
        )
        if bounds is None:
            statement = statement.where(false())
        else:
            statement = statement.where(steps_done.between(*bounds))
    if query.active_within is not None:
        statement = statement.where(
            progress.c.last_seen_at >= now - timedelta(days=query.active_within)
        )
    if query.licence_state:
        statement = statement.where(
            exists().where(Licence.user_id == User.id, Licence.state == query.licence_state)
        )

    order = desc if query.direction == "desc" else asc
    keys = {
        "name": [order(func.lower(User.legal_name))],
        "enrolled": [order(Enrolment.enrolled_at)],
        "status": [order(Enrolment.status)],
    }
    if progress is not None:
        keys["progress"] = [order(steps_done)]
        keys["last_active"] = [order(last_activity(progress))]
    return statement.order_by(*keys[query.sort], asc(User.id)), progress


def page_rows(course: Course, enrolments: list[Enrolment]) -> list[LearnerRow]:
    """A page of enrolments with the engine's progress and last activity, in fixed queries."""
    user_ids = [enrolment.user_id for enrolment in enrolments]
    standings = completion.course_standings(course, user_ids)
    # Licences are shown beside names; one query for the page.
    db.session.scalars(
        select(User).where(User.id.in_(user_ids)).options(selectinload(User.licences))
    ).unique().all()
    return [
        LearnerRow(
            item,
            item.user,
            standings[item.user_id].progress,
            standings[item.user_id].last_active_at,
        )
        for item in enrolments
    ]


def learners_page(course: Course, query: LearnerQuery, page: int, now: datetime | None = None):
    """One page of the learner table: (pagination, rows)."""
    rules = completion.course_rules(course)
    statement, _ = learner_statement(course, query, rules, now or utcnow())
    pagination = db.paginate(statement, page=page, per_page=PER_PAGE, error_out=False)
    return pagination, page_rows(course, list(pagination.items))


EXPORT_HEADER = (
    "name",
    "email",
    "licences",
    "nccaom_id",
    "status",
    "progress_percent",
    "complete",
    "enrolled_at",
    "last_active_at",
    "completed_at",
)


def export_rows(
    course: Course, query: LearnerQuery, now: datetime | None = None
) -> Iterator[tuple]:
    """Every learner the filters match, in the table's order, streamed in batches."""
    rules = completion.course_rules(course)
    outcomes = rules.outcomes()
    licences = (
        select(
            Licence.user_id,
            func.aggregate_strings(Licence.state + " " + Licence.number, "; ").label("licences"),
        )
        .group_by(Licence.user_id)
        .subquery("user_licences")
    )
    statement, progress = learner_statement(
        course, query, rules, now or utcnow(), with_progress=True
    )
    steps_done, last_seen_at = progress.c.steps_done, progress.c.last_seen_at
    statement = (
        statement.outerjoin(licences, licences.c.user_id == User.id)
        .with_only_columns(
            User.legal_name,
            User.email,
            licences.c.licences,
            User.nccaom_id,
            Enrolment.status,
            func.coalesce(steps_done, 0),
            Enrolment.enrolled_at,
            last_seen_at,
            Enrolment.completed_at,
            maintain_column_froms=True,
        )
        .execution_options(yield_per=1000)
    )
    for row in db.session.execute(statement):
        name, email, licence_text, nccaom_id, status, done, enrolled, seen, completed = row
        outcome = outcomes[min(done, len(outcomes) - 1)]
        yield (
            name,
            email,
            licence_text or "",
            nccaom_id or "",
            status.value,
            outcome.percent,
            "yes" if outcome.is_complete else "no",
            enrolled.isoformat(timespec="seconds"),
            (seen or enrolled).isoformat(timespec="seconds"),
            completed.isoformat(timespec="seconds") if completed else "",
        )


# --- one learner ----------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    lesson: Lesson
    module_title: str
    row: LessonProgress | None
    complete: bool

    @property
    def verified_minutes(self) -> float:
        return (self.row.verified_seconds if self.row else 0) / 60


@dataclass(frozen=True)
class LearnerDetail:
    enrolment: Enrolment
    learner: User
    progress: completion.CourseProgress
    timeline: list[TimelineEntry]
    reminders: list[ReminderLog]
    verified_seconds: float
    last_seen_at: datetime | None  # the last lesson visit


def enrolment_of(course: Course, user_id: int) -> Enrolment | None:
    return db.session.scalar(
        select(Enrolment)
        .where(Enrolment.course_id == course.id, Enrolment.user_id == user_id)
        .options(selectinload(Enrolment.user).selectinload(User.licences))
    )


def learner_detail(course: Course, enrolment: Enrolment) -> LearnerDetail:
    """A learner's lessons in syllabus order, with visits, completion and verified time."""
    rows = completion.progress_rows(enrolment.user_id, [course.id])
    # The same standing the learner table shows: lessons, quizzes and evaluation counted.
    standing = completion.course_standings(course, [enrolment.user_id])[enrolment.user_id]
    progress = standing.progress
    by_lesson = {row.lesson_id: row for row in rows}
    timeline = [
        TimelineEntry(
            lesson,
            module.title,
            by_lesson.get(lesson.id),
            lesson.id in progress.completed_lesson_ids,
        )
        for module in course.modules
        for lesson in module.lessons
    ]
    reminders = list(
        db.session.scalars(
            select(ReminderLog)
            .where(ReminderLog.course_id == course.id, ReminderLog.user_id == enrolment.user_id)
            .options(selectinload(ReminderLog.sent_by))
            .order_by(ReminderLog.sent_at.desc())
        )
    )
    return LearnerDetail(
        enrolment=enrolment,
        learner=enrolment.user,
        progress=progress,
        timeline=timeline,
        reminders=reminders,
        verified_seconds=sum(row.verified_seconds for row in rows),
        last_seen_at=standing.last_active_at,
    )
