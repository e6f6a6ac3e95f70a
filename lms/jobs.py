"""Background jobs: a database-backed queue behind a small interface.

`enqueue(kind, payload)` records a job; `run_job(job_id)` runs one. Handlers register per
kind with `@handler("kind")`. The embedded runner is a thread inside the app process that
wakes when a transaction that enqueued a job commits (and every few seconds, to pick up jobs
left by other processes). A later deployment can swap the runner (RQ on Redis) and keep
this interface: producers only call `enqueue`, workers only call `run_job`.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

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
            "error": self.error,
            "notes": self.notes or [],
            "finished": self.is_finished,
        }


Handler = Callable[[Job], None]
_handlers: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of one kind."""

    def register(function: Handler) -> Handler:
        _handlers[kind] = function
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
        created_by_id=created_by.id if created_by else None,
    )
    db.session.add(job)
    db.session.flush()
    db.session.info["lms_jobs_enqueued"] = True
    return job


def claim(job_id: int) -> bool:
    """Mark a queued job running; False if another worker has it already."""
    result = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, started_at=utcnow())
    )
    db.session.commit()
    return result.rowcount == 1


def run_job(job_id: int) -> Job | None:
    """Run one queued job to its end in this thread; commits as it goes."""
    if not claim(job_id):
        return None
    job = db.session.get(Job, job_id, populate_existing=True)
    assert job is not None
    try:
        _handlers[job.kind](job)
    except Exception as error:
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, job.kind)
        job = db.session.get(Job, job_id, populate_existing=True)
        assert job is not None
        job.status = JobStatus.FAILED
        job.error = f"{type(error).__name__}: {error}"[:2000]
    else:
        job.status = JobStatus.DONE
    job.finished_at = utcnow()
    db.session.commit()
    return job


def queued_job_ids() -> list[int]:
    return list(
        db.session.scalars(select(Job.id).where(Job.status == JobStatus.QUEUED).order_by(Job.id))
    )


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
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def notify(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="lms-jobs", daemon=True)
                self._thread.start()
        self.wake.set()

    def _loop(self) -> None:
        while True:
            self.wake.wait(self.POLL_SECONDS)
            self.wake.clear()
            try:
                with self.app.app_context():
                    run_queued()
                    db.session.remove()
            except Exception:  # keep the runner alive; the job row says what failed
                log.exception("job runner loop failed")


def init_app(app: Flask) -> None:
    """JOB_RUNNER: "thread" (embedded default) or "manual" (tests, external workers)."""
    if app.config.get("JOB_RUNNER", "thread") == "thread":
        app.extensions["jobs"] = ThreadRunner(app)


@event.listens_for(Session, "after_commit")
def _wake_runner(session: Session) -> None:
    if not session.info.pop("lms_jobs_enqueued", False):
        return
    runner = current_app.extensions.get("jobs") if current_app else None
    if runner is not None:
        runner.notify()


@event.listens_for(Session, "after_soft_rollback")
def _forget_enqueued(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop("lms_jobs_enqueued", None)
