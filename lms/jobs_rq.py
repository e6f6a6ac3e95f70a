"""The RQ runner of lms.jobs: committed jobs go through Redis to `flask lms worker` processes.

Redis carries job ids only; the `jobs` row stays the record admins see. Every delivery goes
through `lms.jobs.run_job`, which claims the row first, so an id delivered twice (pushed
twice, re-pushed by a starting worker) runs once. A run that fails raises here, and RQ
delivers the id again after the JOB_RETRY_BACKOFF wait; the row counts the attempts and
turns failed, with its error, after the last one.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry, SimpleWorker, Worker
from sqlalchemy import select

from lms import jobs
from lms.extensions import db

log = logging.getLogger(__name__)

# How long RQ keeps a failed delivery (`rq info`); the job row keeps the error for good.
FAILED_DELIVERY_TTL = 7 * 24 * 3600


class JobAttemptFailed(Exception):
    """Tells RQ that a run failed, so that it retries; the job row says why."""


def queue_for(app: Flask) -> Queue:
    """The RQ queue of this deployment (REDIS_URL, JOB_QUEUE)."""
    url = app.config.get("REDIS_URL")
    if not url:
        raise RuntimeError("JOB_RUNNER=rq needs REDIS_URL, e.g. redis://localhost:6379/0")
    return Queue(app.config["JOB_QUEUE"], connection=Redis.from_url(url))


def push(queue: Queue, job_id: int, config: Mapping[str, Any]) -> None:
    """Put one job id on the queue, with the retry policy of the configuration."""
    retries = int(config["JOB_MAX_ATTEMPTS"]) - 1
    backoff = list(config["JOB_RETRY_BACKOFF"])
    queue.enqueue(
        perform,
        job_id,
        retry=Retry(max=retries, interval=backoff) if retries > 0 else None,
        job_timeout=config["JOB_TIMEOUT"],
        failure_ttl=FAILED_DELIVERY_TTL,
        description=f"lms job {job_id}",
    )


def perform(job_id: int) -> str:
    """What RQ runs, in a worker's app context: one attempt at one job."""
    job = jobs.run_job(job_id)
    if job is None:
        return "skipped: not queued (it ran already, or runs elsewhere)"
    if job.status != jobs.JobStatus.DONE:
        raise JobAttemptFailed(
            f"job {job_id} attempt {job.attempts} of {job.max_attempts}: {job.error}"
        )
    return "done"


class RqRunner:
    """Hands each committed job to Redis for the workers."""

    def __init__(self, app: Flask) -> None:
        self.config = app.config
        self.queue = queue_for(app)

    def notify(self, job_ids: list[int]) -> None:
        for job_id in job_ids:
            try:
                push(self.queue, job_id, self.config)
            except RedisError:
                # The request that enqueued it has committed: the job stays queued, and the
                # next worker to start pushes it again (see requeue_unstarted).
                log.exception("job %s could not be handed to Redis; it stays queued", job_id)


def requeue_unstarted(queue: Queue, config: Mapping[str, Any]) -> int:
    """Push every job no worker has started yet (one whose hand-over to Redis failed would
    wait forever); a job already on the queue is delivered twice and still runs once."""
    job_ids = list(
        db.session.scalars(
            select(jobs.Job.id)
            .where(jobs.Job.status == jobs.JobStatus.QUEUED, jobs.Job.attempts == 0)
            .order_by(jobs.Job.id)
        )
    )
    db.session.rollback()  # end the read; the worker process keeps no transaction open
    for job_id in job_ids:
        push(queue, job_id, config)
    return len(job_ids)


class _AppContextMixin:
    """Runs every job inside an app context of `app`, with its own database session."""

    app: Flask

    def perform_job(self, job, queue, execution) -> bool:
        with self.app.app_context():
            if self.is_horse:
                # A forked work horse must not use the connections pooled by its parent.
                db.engine.dispose(close=False)
            try:
                return super().perform_job(job, queue, execution)
            finally:
                db.session.remove()


class AppWorker(_AppContextMixin, Worker):
    """rq's worker: forks a work horse per job, which RQ stops after the job's timeout."""


class AppSimpleWorker(_AppContextMixin, SimpleWorker):
    """Runs jobs in the worker's own process (tests, debugging)."""


def make_worker(app: Flask, fork: bool = True) -> Worker | SimpleWorker:
    """A worker on this deployment's queue whose jobs run in `app`."""
    queue = queue_for(app)
    worker = (AppWorker if fork else AppSimpleWorker)([queue], connection=queue.connection)
    worker.app = app
    return worker
