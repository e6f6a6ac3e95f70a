"""Background jobs: a database-backed queue behind a small interface.

`enqueue(kind, payload)` records a job; `run_job(job_id)` runs one attempt at it. Handlers
register per kind with `@handler("kind")`. Whatever runs jobs, the `jobs` row is the record
(status, attempts, error) admins see, and `claim()` on it decides who runs a job, so a job
handed out twice still runs once.

Runners (JOB_RUNNER): "thread", the embedded default, is a thread inside the app process
that wakes when a transaction that enqueued a job commits (and every few seconds, to pick up
jobs left by other processes and retries); "rq" hands the ids to Redis for `flask lms
worker` processes (lms.jobs_rq); "manual" leaves jobs queued (tests, `flask lms run-jobs`).
Producers only call `enqueue`, workers only call `run_job`.

A handler that raises is run again, up to the job's `max_attempts`, so a handler must be
safe to run again after a failure: commit progress as it goes and resume from it.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Select,
    String,
    Text,
    and_,
    event,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from lms.auth.models import User
from lms.db import str_enum, utcnow
from lms.extensions import db

log = logging.getLogger(__name__)


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("done_count >= 0 AND total >= 0", name="counts_non_negative"),
        CheckConstraint("attempts >= 0 AND max_attempts >= 1", name="attempts_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    status: Mapped[JobStatus] = mapped_column(
        str_enum(JobStatus, "job_status"), default=JobStatus.QUEUED, index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    total: Mapped[int] = mapped_column(default=0)
    done_count: Mapped[int] = mapped_column(default=0)
    failed_count: Mapped[int] = mapped_column(default=0)
    # Runs started so far (a failed run is retried) and how many it may have in all.
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    max_attempts: Mapped[int] = mapped_column(default=1, server_default="1")
    # The last failure: a failed job's reason, or why a queued job is being retried.
    error: Mapped[str | None] = mapped_column(Text)
    # Per-item problems a job met without failing as a whole (e.g. "not eligible").
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    created_by: Mapped[User | None] = relationship()

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def retrying(self) -> bool:
        """Queued again after a failed run."""
        return self.status == JobStatus.QUEUED and self.attempts > 0

    @property
    def title(self) -> str:
        return JOB_TITLES.get(self.kind, self.kind)

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return int(100 * self.done_count / self.total) if self.total else 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status.value,
            "total": self.total,
            "done": self.done_count,
            "failed": self.failed_count,
            "percent": self.percent,
            "attempts": self.attempts,
            "max_attempts": self.max_attempts,
            "retrying": self.retrying,
            "error": self.error,
            "notes": self.notes or [],
            "finished": self.is_finished,
        }


Handler = Callable[[Job], None]
_handlers: dict[str, Handler] = {}
# What admins read for a kind of job (the kind itself if it has no title).
JOB_TITLES: dict[str, str] = {}
# session.info key: ids of the jobs a transaction enqueued, handed to the runner on commit.
_ENQUEUED = "lms_jobs_enqueued"


def handler(kind: str, title: str | None = None) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of one kind."""

    def register(function: Handler) -> Handler:
        _handlers[kind] = function
        if title:
            JOB_TITLES[kind] = title
        return function

    return register


def enqueue(
    kind: str, payload: dict[str, Any], created_by: User | None = None, total: int = 0
) -> Job:
    """Queue a job; it starts once the caller's transaction commits."""
    if kind not in _handlers:
        raise ValueError(f"no handler for job kind {kind!r}")
    job = Job(
        kind=kind,
        payload=payload,
        total=total,
        max_attempts=max(1, int(current_app.config.get("JOB_MAX_ATTEMPTS", 1))),
        created_by_id=created_by.id if created_by else None,
    )
    db.session.add(job)
    db.session.flush()
    db.session.info.setdefault(_ENQUEUED, []).append(job.id)
    return job


def _claimable():
    """Queued jobs, and running ones whose worker died: RQ stops a run after JOB_TIMEOUT,
    so a job still "running" a minute past that lost its worker (killed, out of memory)."""
    abandoned = utcnow() - timedelta(seconds=current_app.config["JOB_TIMEOUT"] + 60)
    return or_(
        Job.status == JobStatus.QUEUED,
        and_(Job.status == JobStatus.RUNNING, Job.started_at < abandoned),
    )


def claim(job_id: int) -> bool:
    """Mark a claimable job running and count the attempt; False if it is not claimable
    (another live worker has it, or it has ended), so a job delivered twice runs once."""
    result = db.session.execute(
        update(Job)
        .where(Job.id == job_id, _claimable())
        .values(status=JobStatus.RUNNING, started_at=utcnow(), attempts=Job.attempts + 1)
    )
    db.session.commit()
    return result.rowcount == 1


def run_job(job_id: int) -> Job | None:
    """Run one attempt at a queued job in this thread; commits as it goes.

    None if the job is not queued. A run that raises leaves the job queued for another
    attempt while it has attempts left, and failed after the last; the error is kept.
    """
    if not claim(job_id):
        return None
    job = db.session.get(Job, job_id, populate_existing=True)
    assert job is not None
    try:
        run = _handlers.get(job.kind)
        if run is None:
            raise LookupError(f"no handler for job kind {job.kind!r} in this process")
        run(job)
    except Exception as error:
        db.session.rollback()
        job = db.session.get(Job, job_id, populate_existing=True)
        assert job is not None
        log.exception(
            "job %s (%s) failed on attempt %s of %s",
            job_id,
            job.kind,
            job.attempts,
            job.max_attempts,
        )
        job.error = f"{type(error).__name__}: {error}"[:2000]
        if job.attempts < job.max_attempts:
            job.status = JobStatus.QUEUED
        else:
            job.status = JobStatus.FAILED
            job.finished_at = utcnow()
    else:
        job.status = JobStatus.DONE
        job.error = None  # an earlier attempt's failure no longer describes the job
        job.finished_at = utcnow()
    db.session.commit()
    return job


def recent_jobs(status: JobStatus | None = None) -> Select[tuple[Job]]:
    """Jobs newest first, optionally of one status (the admin list)."""
    query = select(Job).options(selectinload(Job.created_by)).order_by(Job.id.desc())
    return query.where(Job.status == status) if status else query


def queued_job_ids() -> list[int]:
    return list(db.session.scalars(select(Job.id).where(_claimable()).order_by(Job.id)))


def run_queued() -> int:
    """Run every queued job (the `flask lms run-jobs` command and the thread's loop)."""
    count = 0
    for job_id in queued_job_ids():
        if run_job(job_id) is not None:
            count += 1
    return count


class ThreadRunner:
    """Runs queued jobs in one daemon thread of this process, started on first use."""

    POLL_SECONDS = 5.0

    def __init__(self, app: Flask):
        self.app = app
        self.wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def notify(self, job_ids: list[int]) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stopping.clear()
                self._thread = threading.Thread(target=self._loop, name="lms-jobs", daemon=True)
                self._thread.start()
        self.wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """End the thread after the job in hand (the next notify starts a new one)."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._stopping.set()
            self.wake.set()
            thread.join(timeout)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self.wake.wait(self.POLL_SECONDS)
            self.wake.clear()
            if self._stopping.is_set():
                break
            try:
                with self.app.app_context():
                    run_queued()
                    db.session.remove()
            except Exception:  # keep the runner alive; the job row says what failed
                log.exception("job runner loop failed")


def init_app(app: Flask) -> None:
    """JOB_RUNNER: "thread" (embedded default), "rq" (Redis and `flask lms worker`) or
    "manual" (tests, `flask lms run-jobs`)."""
    runner = app.config.get("JOB_RUNNER", "thread")
    if runner == "thread":
        app.extensions["jobs"] = ThreadRunner(app)
    elif runner == "rq":
        from lms.jobs_rq import RqRunner  # only deployments with Redis need rq loaded

        app.extensions["jobs"] = RqRunner(app)
    elif runner != "manual":
        raise RuntimeError(f"JOB_RUNNER={runner!r} is not one of: thread, rq, manual")


@event.listens_for(Session, "after_commit")
def _hand_over_enqueued(session: Session) -> None:
    # Only after the commit: a worker must find the job's row (and the producer's data).
    job_ids = session.info.pop(_ENQUEUED, None)
    if not job_ids:
        return
    runner = current_app.extensions.get("jobs") if current_app else None
    if runner is not None:
        runner.notify(job_ids)


@event.listens_for(Session, "after_soft_rollback")
def _forget_enqueued(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_ENQUEUED, None)
