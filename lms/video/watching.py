"""Watch reports: verify, credit (rules in `watch.py`), store evidence, update progress.

On PostgreSQL a report costs one SQL statement in the steady state and two otherwise (the
benchmark holds us to it), with no transaction round trips around them (the view is
`@autocommit`) and on a pooled connection outside the ORM session:

1. a SELECT that checks the session's user and token and reads the learner's coverage
   row with its version (`reports_accepted`), whether this very report is stored already
   (a replay), and everything else the rules need;
2. one statement that locks the coverage row only if it is still as read (compare-and-set:
   a `FOR UPDATE` CTE, which re-checks after waiting for another tab's report), inserts the
   evidence row (ON CONFLICT DO NOTHING) only then, and updates coverage and progress only
   if that insert happened.

Each answer hands the player what the rules read as `state` (`_Coverage.state`); the
player sends it back with its next report, which then skips the SELECT: the write's
compare covers every fact of the state and the session's and enrolment's checks, so a
stale or forged state changes nothing and the report reads the row as above. One tab
reporting every 15 seconds is the steady state; a second tab's reports make the other's
state stale, so they read.

A report that lost the race to another tab's reads again and is credited against the new
coverage, so tabs share one budget; a replay changes nothing. Other databases (SQLite for
`make run`) lock the row in a transaction, ignore the state and take a few more statements.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import (
    BindParameter,
    Boolean,
    Select,
    and_,
    bindparam,
    case,
    cast,
    exists,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSONB

from lms import connections
from lms.auth import services as auth_services
from lms.auth import tokens
from lms.auth.models import User
from lms.catalog.models import Course, Lesson, Module
from lms.connections import leave_autocommit
from lms.db import AnyConnection, HotStatement, as_utc, utcnow
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
    state: dict | None = None  # for the player's next report (see the module doc)
    reached_threshold: bool = False  # the completion engine is to be asked


def _serializer() -> URLSafeTimedSerializer:
    return tokens.serializer(current_app.config["SECRET_KEY"], TOKEN_SALT)


def report_token(user_id: int, lesson: Lesson, course: Course) -> str:
    """A token for one page view: it names the learner, lesson and a fresh page session."""
    session = secrets.token_urlsafe(12)
    return _serializer().dumps({"u": user_id, "l": lesson.id, "c": course.id, "s": session})


# A page's player sends the same token with each of its reports: its signature is checked,
# and its payload decoded (only read here), once per process.
_CHECKED_TOKENS = tokens.CheckedSignatures(share_payloads=True)


def read_ticket(token: Any) -> ReportTicket:
    """Verify a report token (signature and age)."""
    if not isinstance(token, str) or len(token) > 500:
        raise BadReportToken()
    try:
        data, signed_at = _CHECKED_TOKENS.loads(
            _serializer(),
            token,
            max_age=current_app.config["WATCH_TOKEN_MAX_AGE"],
            return_timestamp=True,
        )
    except (BadSignature, SignatureExpired) as error:
        raise BadReportToken() from error
    return ReportTicket(data["u"], data["l"], data["c"], data["s"], signed_at.astimezone(UTC))


@dataclass(frozen=True)
class _Coverage:
    """What the rules read: the learner's coverage row at one version, and the lesson facts."""

    coverage_id: int
    intervals: list
    last_report_at: datetime | None
    version: int  # reports_accepted: every stored report moves it on
    progress_id: int
    progress_completed: bool
    duration: int
    threshold: int

    def state(self) -> dict | None:
        """The same facts for the player to send back with its next report (JSON)."""
        return self._state(self.version, self.intervals, self.last_report_at)

    def state_after(self, intervals: list, at: datetime) -> dict | None:
        """The state once a report stored at `at` has moved the row on to `intervals`."""
        return self._state(self.version + 1, intervals, at)

    def _state(self, version: int, intervals: list, at: datetime | None) -> dict | None:
        if len(intervals) > STATE_MAX_INTERVALS:
            return None  # keeps reports small; such a learner's reports read the row
        return {
            "v": version,
            "c": self.coverage_id,
            "p": self.progress_id,
            "k": self.progress_completed,
            "t": at.isoformat() if at else None,
            "i": intervals,
            "d": self.duration,
            "h": self.threshold,
        }


# A claimed state is checked by the database, but the rules run on it first: its shape and
# ranges are checked here (ids and counters fit PostgreSQL's integer columns).
STATE_MAX_INTERVALS = 200
_INT_MAX = 2**31 - 1


def _whole(value: Any, low: int = 0, high: int = _INT_MAX) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError("not a whole number in range")
    return value


def _claimed(payload: dict) -> _Coverage | None:
    """The state the player sent back, if well-formed (else None: the report reads the row).
    Whether it is still true is for the write to decide (`_store_statement`)."""
    raw = payload.get("state")
    if not isinstance(raw, dict):
        return None
    try:
        intervals = raw["i"]
        if not isinstance(intervals, list) or len(intervals) > STATE_MAX_INTERVALS:
            return None
        for pair in intervals:
            if not isinstance(pair, list) or len(pair) != 2:
                return None
            for bound in pair:
                watch.number(bound, "A coverage bound")
        last = raw["t"]
        last_report_at = None if last is None else datetime.fromisoformat(last)
        if last_report_at is not None and last_report_at.tzinfo is None:
            return None
        completed = raw["k"]
        if not isinstance(completed, bool):
            return None
        return _Coverage(
            coverage_id=_whole(raw["c"]),
            intervals=intervals,
            last_report_at=last_report_at,
            version=_whole(raw["v"]),
            progress_id=_whole(raw["p"]),
            progress_completed=completed,
            duration=_whole(raw["d"], low=1),
            threshold=_whole(raw["h"], high=100),
        )
    except (KeyError, TypeError, ValueError, watch.InvalidWatchReport):
        return None


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
            Course.completion_threshold,
            Lesson.video_key,
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


_READ = HotStatement(_read_statement(lock=False))  # PostgreSQL: the write compares and sets
_LOCK = _read_statement(lock=True)  # other databases: within the request's transaction


@dataclass(frozen=True)
class _Read:
    coverage: _Coverage | None  # None until the learner has a progress row for the lesson
    video_key: str | None
    enrolment_status: EnrolmentStatus | None
    replayed: bool  # this report (page session and sequence number) is stored already


def _read(connection: AnyConnection, ticket: ReportTicket, session_token: str, seq: int):
    """Read what the rules need in one statement (see the module doc), or None.

    The row is found only while the learner's account is active and `session_token` is
    still theirs (it changes when they sign out everywhere or change their password).
    """
    params = {
        "user_id": ticket.user_id,
        "lesson_id": ticket.lesson_id,
        "course_id": ticket.course_id,
        "session_token": session_token,
        "session": ticket.session,
        "seq": seq,
    }
    if connection.dialect.name == "postgresql":
        row = _READ.first(connection, params)
    else:
        row = connection.execute(_LOCK, params).first()
    if row is None:
        return None
    (coverage_id, intervals, last_report_at, version, progress_id, completed, duration,
     threshold, video_key, status, replayed) = row  # fmt: skip
    coverage = None
    if progress_id is not None:
        coverage = _Coverage(
            coverage_id, intervals or [], as_utc(last_report_at), version, progress_id,
            completed, duration, threshold,
        )  # fmt: skip
    return _Read(coverage, video_key, EnrolmentStatus(status) if status else None, replayed)


def _signed_in(connection: AnyConnection, user_id: int, session_token: str) -> bool:
    return (
        connection.execute(
            select(User.id).where(auth_services.session_holder(user_id, session_token))
        ).first()
        is not None
    )


def _insert(dialect: str):
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _read_or_create(
    connection: AnyConnection, ticket: ReportTicket, session_token: str, seq: int
) -> _Read:
    found = _read(connection, ticket, session_token, seq)
    if found is not None and found.coverage is not None:
        return found
    insert = _insert(connection.dialect.name)
    if found is None:
        if not _signed_in(connection, ticket.user_id, session_token):
            raise SignedOut()
        # The learner's first report for this lesson: create the row (another tab may be
        # doing the same).
        connection.execute(
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
        found = _read(connection, ticket, session_token, seq)
        if found is None:  # the lesson is not in the token's course
            raise NotAllowed("This lesson is not part of that course.")
    if found.coverage is None:
        connection.execute(
            insert(LessonProgress)
            .values(user_id=ticket.user_id, lesson_id=ticket.lesson_id, course_id=ticket.course_id)
            .on_conflict_do_nothing(index_elements=["user_id", "lesson_id"])
        )
        found = _read(connection, ticket, session_token, seq)
        if found is None or found.coverage is None:
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


@contextmanager
def _connection() -> Iterator[AnyConnection]:
    if _dialect() == "postgresql":
        # Each statement stands alone (`@autocommit`): a pooled connection, no ORM session.
        with connections.outside_session() as connection:
            yield connection
    else:
        # Other databases: the request's transaction holds the row's lock (`_LOCK`).
        yield db.session.connection()


def _dialect() -> str:
    return db.engine.dialect.name  # the engine's: cheaper than asking the session for its bind


def record_report(
    ticket: ReportTicket, payload: Any, *, session_token: str, now: datetime | None = None
) -> ReportOutcome:
    """Credit one watch report of the ticket's signed-in learner; replays change nothing."""
    report = watch.parse_report(payload)  # shape and types first: costs no query
    now = now or utcnow()
    with _connection() as connection:
        outcome = None
        claimed = _claimed(payload) if connection.dialect.name == "postgresql" else None
        if claimed is not None:
            # The state this learner's player was given with its last answer: if the write
            # finds the row and the lesson just so, the report costs that one statement.
            try:
                checked = watch.check_against_duration(report, claimed.duration)
            except watch.InvalidWatchReport:
                checked = None  # the claim may be stale (a new video): read the row
            if checked is not None:
                outcome = _credit(connection, ticket, session_token, claimed, checked, now)
        for _ in range(_TRIES if outcome is None else 0):
            found = _read_or_create(connection, ticket, session_token, report.seq)
            status = found.enrolment_status
            if status is None or status == EnrolmentStatus.WITHDRAWN:
                raise NotAllowed("Enrol in this course to record your progress.")
            coverage = found.coverage
            if not found.video_key or coverage.duration <= 0:
                raise NoVideo()
            checked = watch.check_against_duration(report, coverage.duration)
            if found.replayed:  # this very report is stored already: nothing changes
                outcome = _replay(coverage)
                break
            outcome = _credit(connection, ticket, session_token, coverage, checked, now)
            if outcome is not None:
                break
    if outcome is None:
        raise ReportRaced()
    if outcome.reached_threshold:
        # Only watch evidence changed, so the engine can only change its mind when this
        # lesson reaches the threshold: ask it then, not on every report.
        complete = _refresh_completion(ticket)
        state = outcome.state and {**outcome.state, "k": complete}
        return replace(outcome, lesson_complete=complete, state=state, reached_threshold=False)
    return outcome


def _replay(coverage: _Coverage) -> ReportOutcome:
    verified = min(watch.total_length(watch.merge(coverage.intervals)), coverage.duration)
    return ReportOutcome(
        True, 0.0, verified, float(coverage.duration), coverage.progress_completed, None,
        coverage.state(),
    )  # fmt: skip


def _credit(
    connection: AnyConnection,
    ticket: ReportTicket,
    session_token: str,
    found: _Coverage,
    report: watch.Report,
    now: datetime,
) -> ReportOutcome | None:
    """Store the report and what it earns; None if the coverage row, the session or the
    lesson is no longer as `found` says (nothing stored: read again and retry)."""
    duration = float(found.duration)
    state = watch.WatchState(
        coverage=watch.merge(found.intervals), last_report_at=found.last_report_at
    )
    result = watch.credit(report, state, now, ticket.opened_at)
    verified = min(result.state.verified_seconds, duration)
    coverage = [list(pair) for pair in result.state.coverage]
    write = _Write(
        now=now,
        seq=report.seq,
        played=[[i.start, i.end, i.rate] for i in report.intervals],
        position=report.position,
        credited=result.credited_seconds,
        reason=result.rejected_reason,
        coverage=coverage,
        verified=verified,
    )
    stored = _store(connection, ticket, session_token, found, write)
    if stored is None:
        return None
    if not stored:  # a twin of this report was stored first
        return _replay(found)
    return ReportOutcome(
        False,
        result.credited_seconds,
        verified,
        duration,
        found.progress_completed,
        result.rejected_reason,
        found.state_after(coverage, now),
        reached_threshold=(
            not found.progress_completed and verified >= found.threshold / 100 * duration
        ),
    )


# A report moves the progress row's last visit (dashboards' "last seen") on at most as
# often as a page view does. In between, a report changes no indexed column of the row, so
# PostgreSQL updates it in place (a HOT update): no new entry in each of its five indexes
# every 15 seconds of play.
LAST_SEEN_RESOLUTION = learning_services.VISIT_RESOLUTION


def _last_seen(now: Any, seen_since: Any) -> Any:
    """The progress row's last visit after a report: `now`, unless it is after `seen_since`."""
    return case((LessonProgress.last_seen_at >= seen_since, LessonProgress.last_seen_at), else_=now)


@dataclass(frozen=True)
class _Write:
    """What a credited report writes: its evidence, the new coverage and the progress."""

    now: datetime  # received_at of the evidence, last_report_at, updated_at, last_seen_at
    seq: int
    played: list  # the report's intervals, as evidence
    position: float
    credited: float
    reason: str | None
    coverage: list  # the merged coverage after it
    verified: float

    def evidence(self, ticket: ReportTicket) -> dict[str, Any]:
        return {
            "user_id": ticket.user_id,
            "lesson_id": ticket.lesson_id,
            "received_at": self.now,
            "session": ticket.session,
            "client_seq": self.seq,
            "intervals": self.played,
            "position_seconds": self.position,
            "credited_seconds": self.credited,
            "rejected_reason": self.reason,
        }


def _store_statement() -> Select:
    """PostgreSQL: compare-and-set the coverage row, then the evidence insert and, only if
    it was new, both updates (one statement; see the module doc).

    The compare covers everything the rules read: the row's version, coverage and last
    report time, the learner's progress row and the lesson's length and threshold, and the
    session and enrolment a report needs. So a state the player sent back (`_claimed`) is
    only acted on while it is true, whatever the player sent.

    Built once with bind parameters, each value bound once (`now` is the evidence's time,
    the coverage's last report and the progress's last visit): a report pays for neither
    building nor hashing a statement tree, only for binding its values. Its one row says
    whether the coverage row was as read, and whether the evidence is new.
    """

    user_id = _param("user_id", WatchCoverage.user_id)
    lesson_id = _param("lesson_id", WatchCoverage.lesson_id)
    course_id = _param("course_id", Module.course_id)
    coverage_id = _param("coverage_id", WatchCoverage.id)
    progress_id = _param("progress_id", LessonProgress.id)
    completed = bindparam("completed", type_=Boolean)
    unchanged = (
        select(WatchCoverage.id)
        .where(
            WatchCoverage.id == coverage_id,
            WatchCoverage.user_id == user_id,
            WatchCoverage.lesson_id == lesson_id,
            WatchCoverage.reports_accepted == _param("version", WatchCoverage.reports_accepted),
            WatchCoverage.last_report_at.is_not_distinct_from(
                _param("last_report_at", WatchCoverage.last_report_at)
            ),
            cast(WatchCoverage.intervals, JSONB).is_not_distinct_from(
                cast(_param("intervals", WatchCoverage.intervals), JSONB)
            ),
            exists().where(
                auth_services.session_holder(user_id, _param("session_token", User.session_token))
            ),
            exists().where(
                Enrolment.user_id == user_id,
                Enrolment.course_id == course_id,
                Enrolment.status != EnrolmentStatus.WITHDRAWN,
            ),
            exists().where(
                Lesson.id == lesson_id,
                Lesson.video_key.is_not(None),
                Lesson.duration_seconds == _param("duration", Lesson.duration_seconds),
                Module.id == Lesson.module_id,
                Module.course_id == course_id,
                Course.id == Module.course_id,
                Course.completion_threshold == _param("threshold", Course.completion_threshold),
            ),
            exists().where(
                LessonProgress.id == progress_id,
                LessonProgress.user_id == user_id,
                LessonProgress.lesson_id == lesson_id,
                LessonProgress.completed_at.is_not(None) == completed,
            ),
        )
        .with_for_update(of=WatchCoverage)
        .cte("unchanged")
    )
    now = _param("now", WatchReport.received_at)
    verified = _param("verified", WatchCoverage.verified_seconds)
    position = _param("position", WatchReport.position_seconds)
    evidence = {
        "user_id": user_id,
        "lesson_id": lesson_id,
        "received_at": now,
        "session": _param("session", WatchReport.session),
        "client_seq": _param("seq", WatchReport.client_seq),
        "intervals": _param("played", WatchReport.intervals),
        "position_seconds": position,
        "credited_seconds": _param("credited", WatchReport.credited_seconds),
        "rejected_reason": _param("reason", WatchReport.rejected_reason),
    }
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
            intervals=_param("coverage", WatchCoverage.intervals),
            verified_seconds=verified,
            last_report_at=now,
            updated_at=now,
        )
        .cte("coverage")
    )
    progress = (
        update(LessonProgress)
        .where(LessonProgress.id == progress_id, happened)
        .values(
            verified_seconds=verified,
            position_seconds=position,
            last_seen_at=_last_seen(now, _param("seen_since", LessonProgress.last_seen_at)),
        )
        .cte("progress")
    )
    return select(
        select(unchanged.c.id).scalar_subquery(), select(inserted.c.id).scalar_subquery()
    ).add_cte(coverage, progress)


_STORE_POSTGRESQL = HotStatement(_store_statement())


def _store(
    connection: AnyConnection,
    ticket: ReportTicket,
    session_token: str,
    found: _Coverage,
    write: _Write,
) -> bool | None:
    """Insert the evidence; if it is new, update coverage and progress. False on a replay,
    None if the coverage row (or anything else the rules read) changed since it was read:
    nothing written."""
    if connection.dialect.name == "postgresql":
        unchanged, inserted = _STORE_POSTGRESQL.first(
            connection,
            {
                "user_id": ticket.user_id,
                "lesson_id": ticket.lesson_id,
                "course_id": ticket.course_id,
                "session_token": session_token,
                "coverage_id": found.coverage_id,
                "version": found.version,
                "last_report_at": found.last_report_at,
                "intervals": found.intervals,
                "duration": found.duration,
                "threshold": found.threshold,
                "progress_id": found.progress_id,
                "completed": found.progress_completed,
                "now": write.now,
                "seen_since": write.now - LAST_SEEN_RESOLUTION,
                "session": ticket.session,
                "seq": write.seq,
                "played": write.played,
                "position": write.position,
                "credited": write.credited,
                "reason": write.reason,
                "coverage": write.coverage,
                "verified": write.verified,
            },
        )
        if unchanged is None:
            return None
        return inserted is not None
    insert = (
        sqlite.insert(WatchReport)
        .values(**write.evidence(ticket))
        .on_conflict_do_nothing(index_elements=["user_id", "lesson_id", "session", "client_seq"])
    )
    if connection.execute(insert).rowcount == 0:
        return False
    connection.execute(
        update(WatchCoverage)
        .where(WatchCoverage.id == found.coverage_id)
        .values(
            reports_accepted=WatchCoverage.reports_accepted + 1,
            intervals=write.coverage,
            verified_seconds=write.verified,
            last_report_at=write.now,
            updated_at=write.now,
        )
    )
    connection.execute(
        update(LessonProgress)
        .where(LessonProgress.id == found.progress_id)
        .values(
            verified_seconds=write.verified,
            position_seconds=write.position,
            last_seen_at=_last_seen(write.now, write.now - LAST_SEEN_RESOLUTION),
        )
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
