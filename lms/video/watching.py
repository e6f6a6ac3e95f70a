"""Watch reports: verify, credit (rules in `watch.py`), store evidence, update progress.

A report costs two SQL statements on PostgreSQL (the benchmark holds us to it): one
SELECT ... FOR UPDATE that checks the session's user and token, locks the learner's
coverage row and reads everything the rules need, and one statement whose CTEs insert the
evidence row (ON CONFLICT DO NOTHING, so a replay is stored once and changes nothing) and
update coverage and progress only if that insert happened. Other databases (SQLite for
`make run`) take a few more.
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
from lms.auth.models import User
from lms.catalog.models import Course, Lesson, Module
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
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


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
class _Locked:
    coverage_id: int
    intervals: list
    last_report_at: datetime | None
    progress_id: int | None
    progress_completed: bool
    duration: float
    video_key: str | None
    threshold: int
    enrolment_status: EnrolmentStatus | None


def _param(name: str, column: Any) -> BindParameter:
    return bindparam(name, type_=column.type)


def _lock_statement() -> Select:
    """Built once (a report is a hot path): executions only bind the values."""
    user_id = _param("user_id", WatchCoverage.user_id)
    lesson_id = _param("lesson_id", WatchCoverage.lesson_id)
    return (
        select(
            WatchCoverage.id,
            WatchCoverage.intervals,
            WatchCoverage.last_report_at,
            LessonProgress.id,
            LessonProgress.completed_at,
            Lesson.duration_seconds,
            Lesson.video_key,
            Course.completion_threshold,
            Enrolment.status,
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
        .with_for_update(of=WatchCoverage)
    )


_LOCK = _lock_statement()


def _lock(ticket: ReportTicket, session_token: str) -> _Locked | None:
    """Lock the learner's coverage row and read what the rules need, in one statement.

    The row is found only while the learner's account is active and `session_token` is
    still theirs (it changes when they sign out everywhere or change their password).
    """
    # On the session's connection, past the ORM's statement handling (plain columns here).
    row = (
        db.session.connection()
        .execute(
            _LOCK,
            {
                "user_id": ticket.user_id,
                "lesson_id": ticket.lesson_id,
                "course_id": ticket.course_id,
                "session_token": session_token,
            },
        )
        .first()
    )
    return _Locked(*row) if row else None


def _insert(dialect: str):
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _signed_in(user_id: int, session_token: str) -> bool:
    return (
        db.session.scalar(
            select(User.id).where(auth_services.session_holder(user_id, session_token))
        )
        is not None
    )


def _lock_or_create(ticket: ReportTicket, session_token: str) -> _Locked:
    locked = _lock(ticket, session_token)
    if locked is None:
        if not _signed_in(ticket.user_id, session_token):
            raise SignedOut()
        # The learner's first report for this lesson: create the row (another tab may be
        # doing the same), then lock it.
        insert = _insert(db.session.get_bind().dialect.name)
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
        locked = _lock(ticket, session_token)
        if locked is None:  # the lesson is not in the token's course
            raise NotAllowed("This lesson is not part of that course.")
    if locked.progress_id is None:
        progress = LessonProgress(
            user_id=ticket.user_id, lesson_id=ticket.lesson_id, course_id=ticket.course_id
        )
        db.session.add(progress)
        db.session.flush()
        locked.progress_id = progress.id
    return locked


def record_report(
    ticket: ReportTicket, payload: Any, *, session_token: str, now: datetime | None = None
) -> ReportOutcome:
    """Credit one watch report of the ticket's signed-in learner; replays change nothing."""
    now = now or utcnow()
    report = watch.parse_report(payload)  # shape and types first: costs no query
    locked = _lock_or_create(ticket, session_token)
    if locked.enrolment_status is None or locked.enrolment_status == EnrolmentStatus.WITHDRAWN:
        raise NotAllowed("Enrol in this course to record your progress.")
    if not locked.video_key or locked.duration <= 0:
        raise NoVideo()
    report = watch.check_against_duration(report, float(locked.duration))
    state = watch.WatchState(
        coverage=watch.merge(locked.intervals or []), last_report_at=locked.last_report_at
    )
    result = watch.credit(report, state, now, ticket.opened_at)
    verified = min(result.state.verified_seconds, float(locked.duration))
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
    stored = _store(locked, evidence, coverage_values, progress_values)
    if not stored:
        verified_before = min(state.verified_seconds, float(locked.duration))
        return ReportOutcome(
            True, 0.0, verified_before, float(locked.duration), locked.progress_completed, None
        )
    complete = locked.progress_completed
    if not complete and verified >= locked.threshold / 100 * locked.duration:
        # Only watch evidence changed, so the engine can only change its mind when this
        # lesson reaches the threshold: ask it then, not on every report.
        complete = _refresh_completion(ticket)
    return ReportOutcome(
        False, result.credited_seconds, verified, float(locked.duration), complete,
        result.rejected_reason,
    )  # fmt: skip


_EVIDENCE = (
    "user_id", "lesson_id", "received_at", "session", "client_seq", "intervals",
    "position_seconds", "credited_seconds", "rejected_reason",
)  # fmt: skip
_COVERAGE = ("intervals", "verified_seconds", "last_report_at", "updated_at")
_PROGRESS = ("verified_seconds", "position_seconds", "last_seen_at")


def _store_statement() -> Select:
    """PostgreSQL: the evidence insert and, only if it was new, both updates (one statement).

    Built once with bind parameters (`e_`, `c_`, `p_` + column): a report pays for neither
    building nor hashing a statement tree, only for binding its values.
    """

    def values(model: Any, prefix: str, names: tuple[str, ...]) -> dict[str, BindParameter]:
        return {name: _param(prefix + name, getattr(model, name)) for name in names}

    inserted = (
        postgresql.insert(WatchReport)
        .values(**values(WatchReport, "e_", _EVIDENCE))
        .on_conflict_do_nothing(index_elements=["user_id", "lesson_id", "session", "client_seq"])
        .returning(WatchReport.id)
        .cte("inserted")
    )
    happened = exists(select(literal(1)).select_from(inserted))
    coverage = (
        update(WatchCoverage)
        .where(WatchCoverage.id == _param("coverage_id", WatchCoverage.id), happened)
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
    return select(inserted.c.id).add_cte(coverage).add_cte(progress)


_STORE_POSTGRESQL = _store_statement()


def _store(locked: _Locked, evidence: dict, coverage_values: dict, progress_values: dict) -> bool:
    """Insert the evidence; if it is new, update coverage and progress. False on a replay."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        params = {
            "coverage_id": locked.coverage_id,
            "progress_id": locked.progress_id,
            **{"e_" + name: evidence[name] for name in _EVIDENCE},
            **{"c_" + name: coverage_values[name] for name in _COVERAGE},
            **{"p_" + name: progress_values[name] for name in _PROGRESS},
        }
        return db.session.connection().execute(_STORE_POSTGRESQL, params).first() is not None
    insert = (
        sqlite.insert(WatchReport)
        .values(**evidence)
        .on_conflict_do_nothing(index_elements=["user_id", "lesson_id", "session", "client_seq"])
    )
    if db.session.execute(insert).rowcount == 0:
        return False
    db.session.execute(
        update(WatchCoverage)
        .where(WatchCoverage.id == locked.coverage_id)
        .values(reports_accepted=WatchCoverage.reports_accepted + 1, **coverage_values)
    )
    db.session.execute(
        update(LessonProgress)
        .where(LessonProgress.id == locked.progress_id)
        .values(**progress_values)
    )
    return True


def _refresh_completion(ticket: ReportTicket) -> bool:
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
