"""Watch reports: verify, credit (rules in `watch.py`), store evidence, update progress.

A report costs two SQL statements on PostgreSQL (the benchmark holds us to it) and no
transaction round trips around them (the view is `@autocommit`):

1. a SELECT that checks the session's user and token and reads the learner's coverage
   row with its version (`reports_accepted`), whether this very report is stored already
   (a replay), and everything the rules need;
2. one statement that locks the coverage row only if its version is still the one read
   (compare-and-set: a `FOR UPDATE` CTE, which re-checks the version after waiting for
   another tab's report), inserts the evidence row (ON CONFLICT DO NOTHING) only then, and
   updates coverage and progress only if that insert happened.

A report that lost the race to another tab's reads again and is credited against the new
coverage, so tabs share one budget; a replay changes nothing. Other databases (SQLite for
`make run`) lock the row in a transaction and take a few more statements.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import BindParameter, Select, and_, bindparam, exists, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from lms.auth import services as auth_services
from lms.auth import tokens
from lms.auth.models import User
from lms.catalog.models import Course, Lesson, Module
from lms.connections import leave_autocommit
from lms.db import utcnow
from lms.enrolments.models import Enrolment, EnrolmentStatus
from lms.errors import DomainError, NotAllowed
from lms.extensions import db
from lms.learning import completion
from lms.learning import services as learning_services
from lms.learning.models import LessonProgress
from lms.video import watch
from lms.video.models import WatchCoverage, WatchReport

TOKEN_SALT = "lms.video.watch-report"  # noqa: S105  (a namespace, not a secret)


class BadReportToken(DomainError):
    def __init__(self) -> None:
        super().__init__("This page's watch session has expired. Reload the page to continue.")


class SignedOut(DomainError):
    status_code = 401

    def __init__(self) -> None:
        super().__init__("You have been signed out. Sign in again to record your progress.")


class NoVideo(DomainError):
    status_code = 409

    def __init__(self) -> None:
        super().__init__("This lesson has no video to watch.")


@dataclass(frozen=True)
class ReportTicket:
    """What a lesson page's signed report token vouches for."""

    user_id: int
    lesson_id: int
    course_id: int
    session: str
    opened_at: datetime


@dataclass(frozen=True)
class ReportOutcome:
    duplicate: bool
    credited_seconds: float
    verified_seconds: float
    duration_seconds: float
    lesson_complete: bool
    reason: str | None


def _serializer() -> URLSafeTimedSerializer:
    return tokens.serializer(current_app.config["SECRET_KEY"], TOKEN_SALT)


def report_token(user_id: int, lesson: Lesson, course: Course) -> str:
    """A token for one page view: it names the learner, lesson and a fresh page session."""
    session = secrets.token_urlsafe(12)
    return _serializer().dumps({"u": user_id, "l": lesson.id, "c": course.id, "s": session})


def read_ticket(token: Any) -> ReportTicket:
    """Verify a report token (signature and age)."""
    if not isinstance(token, str) or len(token) > 500:
        raise BadReportToken()
    try:
        data, signed_at = _serializer().loads(
            token, max_age=current_app.config["WATCH_TOKEN_MAX_AGE"], return_timestamp=True
        )
    except (BadSignature, SignatureExpired) as error:
        raise BadReportToken() from error
    return ReportTicket(data["u"], data["l"], data["c"], data["s"], signed_at.astimezone(UTC))


@dataclass
class _Coverage:
    coverage_id: int
    intervals: list
    last_report_at: datetime | None
    version: int  # reports_accepted: every stored report moves it on
    progress_id: int | None
    progress_completed: bool
    duration: float
    video_key: str | None
    threshold: int
    enrolment_status: EnrolmentStatus | None
    replayed: bool  # this report (page session and sequence number) is stored already


def _param(name: str, column: Any) -> BindParameter:
    return bindparam(name, type_=column.type)


def _read_statement(lock: bool) -> Select:
    """Built once (a report is a hot path): executions only bind the values."""
    user_id = _param("user_id", WatchCoverage.user_id)
    lesson_id = _param("lesson_id", WatchCoverage.lesson_id)
    replayed = exists().where(
        WatchReport.user_id == user_id,
        WatchReport.lesson_id == lesson_id,
        WatchReport.session == _param("session", WatchReport.session),
        WatchReport.client_seq == _param("seq", WatchReport.client_seq),
    )
    statement = (
        select(
            WatchCoverage.id,
            WatchCoverage.intervals,
            WatchCoverage.last_report_at,
            WatchCoverage.reports_accepted,
            LessonProgress.id,
            LessonProgress.completed_at.is_not(None),
            Lesson.duration_seconds,
            Lesson.video_key,
            Course.completion_threshold,
            Enrolment.status,
            replayed,
        )
        .join(
            User,
            and_(
                User.id == WatchCoverage.user_id,
                auth_services.session_holder(user_id, _param("session_token", User.session_token)),
            ),
        )
        .join(Lesson, Lesson.id == WatchCoverage.lesson_id)
        .join(
            Module,
            and_(
                Module.id == Lesson.module_id,
                Module.course_id == _param("course_id", Module.course_id),
            ),
        )
        .join(Course, Course.id == Module.course_id)
        .outerjoin(Enrolment, and_(Enrolment.user_id == user_id, Enrolment.course_id == Course.id))
        .outerjoin(
            LessonProgress,
            and_(LessonProgress.user_id == user_id, LessonProgress.lesson_id == lesson_id),
        )
        .where(WatchCoverage.user_id == user_id, WatchCoverage.lesson_id == lesson_id)
    )
    return statement.with_for_update(of=WatchCoverage) if lock else statement


_READ = _read_statement(lock=False)  # PostgreSQL: the write compares and sets
_LOCK = _read_statement(lock=True)  # other databases: within the request's transaction


def _read(ticket: ReportTicket, session_token: str, seq: int) -> _Coverage | None:
    """Read what the rules need in one statement (see the module doc).

    The row is found only while the learner's account is active and `session_token` is
    still theirs (it changes when they sign out everywhere or change their password).
    """
    statement = _READ if _dialect() == "postgresql" else _LOCK
    # On the session's connection, past the ORM's statement handling (plain columns here).
    row = (
        db.session.connection()
        .execute(
            statement,
            {
                "user_id": ticket.user_id,
                "lesson_id": ticket.lesson_id,
                "course_id": ticket.course_id,
                "session_token": session_token,
                "session": ticket.session,
                "seq": seq,
            },
        )
        .first()
    )
    return _Coverage(*row) if row else None


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _insert(dialect: str):
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _signed_in(user_id: int, session_token: str) -> bool:
    return (
        db.session.scalar(
            select(User.id).where(auth_services.session_holder(user_id, session_token))
        )
        is not None
    )


def _read_or_create(ticket: ReportTicket, session_token: str, seq: int) -> _Coverage:
    found = _read(ticket, session_token, seq)
    if found is not None and found.progress_id is not None:
        return found
    insert = _insert(_dialect())
    if found is None:
        if not _signed_in(ticket.user_id, session_token):
            raise SignedOut()
        # The learner's first report for this lesson: create the row (another tab may be
        # doing the same).
        db.session.execute(
            insert(WatchCoverage)
            .values(
                user_id=ticket.user_id,
                lesson_id=ticket.lesson_id,
                intervals=[],
                verified_seconds=0,
                reports_accepted=0,
                updated_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["user_id", "lesson_id"])
        )
        found = _read(ticket, session_token, seq)
        if found is None:  # the lesson is not in the token's course
            raise NotAllowed("This lesson is not part of that course.")
    if found.progress_id is None:
        db.session.execute(
            insert(LessonProgress)
            .values(user_id=ticket.user_id, lesson_id=ticket.lesson_id, course_id=ticket.course_id)
            .on_conflict_do_nothing(index_elements=["user_id", "lesson_id"])
        )
        found = _read(ticket, session_token, seq)
        if found is None:
            raise NotAllowed("This lesson is not part of that course.")
    return found


class ReportRaced(DomainError):
    # Nothing was stored: the player keeps the intervals and sends them with its next report.
    status_code = 503

    def __init__(self) -> None:
        super().__init__("Too many reports for this lesson at once: send this one again.")


# Each lost race means another report of the same learner and lesson was stored meanwhile;
# a learner has a few tabs at most.
_TRIES = 8


def record_report(
    ticket: ReportTicket, payload: Any, *, session_token: str, now: datetime | None = None
) -> ReportOutcome:
    """Credit one watch report of the ticket's signed-in learner; replays change nothing."""
    report = watch.parse_report(payload)  # shape and types first: costs no query
    for _ in range(_TRIES):
        found = _read_or_create(ticket, session_token, report.seq)
        if found.enrolment_status is None or found.enrolment_status == EnrolmentStatus.WITHDRAWN:
            raise NotAllowed("Enrol in this course to record your progress.")
        if not found.video_key or found.duration <= 0:
            raise NoVideo()
        checked = watch.check_against_duration(report, float(found.duration))
        outcome = _credit(ticket, found, checked, now or utcnow())
        if outcome is not None:
            return outcome
    raise ReportRaced()


def _credit(
    ticket: ReportTicket, found: _Coverage, report: watch.Report, now: datetime
) -> ReportOutcome | None:
    """Store the report and what it earns; None if another report changed the coverage
    since it was read (read again and retry)."""
    duration = float(found.duration)
    state = watch.WatchState(
        coverage=watch.merge(found.intervals or []), last_report_at=found.last_report_at
    )
    # A replay (found by the read, or stored meanwhile by a twin): nothing changes.
    replay = ReportOutcome(
        True, 0.0, min(state.verified_seconds, duration), duration, found.progress_completed, None
    )
    if found.replayed:
        return replay
    result = watch.credit(report, state, now, ticket.opened_at)
    verified = min(result.state.verified_seconds, duration)
    evidence = {
        "user_id": ticket.user_id,
        "lesson_id": ticket.lesson_id,
        "received_at": now,
        "session": ticket.session,
        "client_seq": report.seq,
        "intervals": [[i.start, i.end, i.rate] for i in report.intervals],
        "position_seconds": report.position,
        "credited_seconds": result.credited_seconds,
        "rejected_reason": result.rejected_reason,
    }
    coverage_values = {
        "intervals": [list(pair) for pair in result.state.coverage],
        "verified_seconds": verified,
        "last_report_at": now,
        "updated_at": now,
    }
    progress_values = {
        "verified_seconds": verified,
        "position_seconds": report.position,
        "last_seen_at": now,
    }
    stored = _store(found, evidence, coverage_values, progress_values)
    if stored is None:
        return None
    if not stored:
        return replay
    complete = found.progress_completed
    if not complete and verified >= found.threshold / 100 * found.duration:
        # Only watch evidence changed, so the engine can only change its mind when this
        # lesson reaches the threshold: ask it then, not on every report.
        complete = _refresh_completion(ticket)
    return ReportOutcome(
        False, result.credited_seconds, verified, duration, complete, result.rejected_reason
    )


_EVIDENCE = (
    "user_id", "lesson_id", "received_at", "session", "client_seq", "intervals",
    "position_seconds", "credited_seconds", "rejected_reason",
)  # fmt: skip
_COVERAGE = ("intervals", "verified_seconds", "last_report_at", "updated_at")
_PROGRESS = ("verified_seconds", "position_seconds", "last_seen_at")


def _store_statement() -> Select:
    """PostgreSQL: compare-and-set the coverage row, then the evidence insert and, only if
    it was new, both updates (one statement; see the module doc).

    Built once with bind parameters (`e_`, `c_`, `p_` + column): a report pays for neither
    building nor hashing a statement tree, only for binding its values. Its one row says
    whether the coverage row still had the version read, and whether the evidence is new.
    """

    def values(model: Any, prefix: str, names: tuple[str, ...]) -> dict[str, BindParameter]:
        return {name: _param(prefix + name, getattr(model, name)) for name in names}

    coverage_id = _param("coverage_id", WatchCoverage.id)
    unchanged = (
        select(WatchCoverage.id)
        .where(
            WatchCoverage.id == coverage_id,
            WatchCoverage.reports_accepted == _param("version", WatchCoverage.reports_accepted),
        )
        .with_for_update()
        .cte("unchanged")
    )
    evidence = values(WatchReport, "e_", _EVIDENCE)
    inserted = (
        postgresql.insert(WatchReport)
        .from_select(list(evidence), select(*evidence.values()).select_from(unchanged))
        .on_conflict_do_nothing(index_elements=["user_id", "lesson_id", "session", "client_seq"])
        .returning(WatchReport.id)
        .cte("inserted")
    )
    happened = exists(select(literal(1)).select_from(inserted))
    coverage = (
        update(WatchCoverage)
        .where(WatchCoverage.id == coverage_id, happened)
        .values(
            reports_accepted=WatchCoverage.reports_accepted + 1,
            **values(WatchCoverage, "c_", _COVERAGE),
        )
        .cte("coverage")
    )
    progress = (
        update(LessonProgress)
        .where(LessonProgress.id == _param("progress_id", LessonProgress.id), happened)
        .values(**values(LessonProgress, "p_", _PROGRESS))
        .cte("progress")
    )
    return select(
        select(unchanged.c.id).scalar_subquery(), select(inserted.c.id).scalar_subquery()
    ).add_cte(coverage, progress)


_STORE_POSTGRESQL = _store_statement()


def _store(
    found: _Coverage, evidence: dict, coverage_values: dict, progress_values: dict
) -> bool | None:
    """Insert the evidence; if it is new, update coverage and progress. False on a replay,
    None if the coverage row changed since it was read (nothing written)."""
    if _dialect() == "postgresql":
        params = {
            "coverage_id": found.coverage_id,
            "version": found.version,
            "progress_id": found.progress_id,
            **{"e_" + name: evidence[name] for name in _EVIDENCE},
            **{"c_" + name: coverage_values[name] for name in _COVERAGE},
            **{"p_" + name: progress_values[name] for name in _PROGRESS},
        }
        unchanged, inserted = db.session.connection().execute(_STORE_POSTGRESQL, params).one()
        if unchanged is None:
            return None
        return inserted is not None
    insert = (
        sqlite.insert(WatchReport)
        .values(**evidence)
        .on_conflict_do_nothing(index_elements=["user_id", "lesson_id", "session", "client_seq"])
    )
    if db.session.execute(insert).rowcount == 0:
        return False
    db.session.execute(
        update(WatchCoverage)
        .where(WatchCoverage.id == found.coverage_id)
        .values(reports_accepted=WatchCoverage.reports_accepted + 1, **coverage_values)
    )
    db.session.execute(
        update(LessonProgress)
        .where(LessonProgress.id == found.progress_id)
        .values(**progress_values)
    )
    return True


def _refresh_completion(ticket: ReportTicket) -> bool:
    # The report is stored; what the engine records next lands together or not at all (a
    # later report asks again).
    leave_autocommit()
    # The Core UPDATEs above bypassed the session: reload progress rows it may hold.
    for instance in list(db.session.identity_map.values()):
        if isinstance(instance, LessonProgress):
            db.session.expire(instance)
    course = db.session.get(Course, ticket.course_id)
    enrolment = db.session.scalar(
        select(Enrolment).where(
            Enrolment.user_id == ticket.user_id, Enrolment.course_id == ticket.course_id
        )
    )
    if course is None or enrolment is None:
        return False
    course = learning_services.syllabus(course.slug) or course
    progress = completion.refresh(enrolment, course)
    return ticket.lesson_id in progress.completed_lesson_ids
