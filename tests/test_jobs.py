"""Background jobs in the database: attempts, retries and failures, whatever runs them."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import update

from lms import jobs
from lms.db import utcnow
from lms.extensions import db
from tests.conftest import make_app


def test_failed_runs_are_retried_until_the_last_attempt(
    app, db_session, register_handler, monkeypatch
):
    runs = []

    def fails(job):
        runs.append(job.attempts)
        job.done_count = 5  # rolled back with the failed run
        raise RuntimeError(f"signing service unavailable ({len(runs)})")

    register_handler("tests.fails", fails)
    monkeypatch.setitem(app.config, "JOB_MAX_ATTEMPTS", 2)
    job = jobs.enqueue("tests.fails", {})
    db.session.commit()
    assert (job.status, job.attempts, job.max_attempts) == (jobs.JobStatus.QUEUED, 0, 2)

    job = jobs.run_job(job.id)
    assert (job.status, job.attempts, job.done_count) == (jobs.JobStatus.QUEUED, 1, 0)
    assert job.retrying and job.finished_at is None
    assert job.error == "RuntimeError: signing service unavailable (1)"
    assert job.as_dict()["retrying"] is True and job.as_dict()["finished"] is False

    job = jobs.run_job(job.id)
    assert (job.status, job.attempts, job.finished_at is not None) == (
        jobs.JobStatus.FAILED,
        2,
        True,
    )
    assert job.error == "RuntimeError: signing service unavailable (2)"
    assert jobs.run_job(job.id) is None  # a failed job is not run again
    assert runs == [1, 2]


def test_a_retry_that_succeeds_clears_the_error(app, db_session, register_handler):
    runs = []

    def flaky(job):
        runs.append(job.attempts)
        if len(runs) == 1:
            raise TimeoutError("storage timed out")

    register_handler("tests.flaky-once", flaky)
    job = jobs.enqueue("tests.flaky-once", {})
    db.session.commit()
    assert jobs.run_job(job.id).error == "TimeoutError: storage timed out"
    job = jobs.run_job(job.id)
    assert (job.status, job.attempts, job.error) == (jobs.JobStatus.DONE, 2, None)
    assert jobs.run_job(job.id) is None and runs == [1, 2]


def test_a_job_without_a_handler_in_this_process_fails_instead_of_hanging(app, db_session):
    job = jobs.Job(kind="tests.removed-in-this-release", payload={}, max_attempts=1)
    db.session.add(job)
    db.session.commit()
    job = jobs.run_job(job.id)
    assert job.status == jobs.JobStatus.FAILED
    assert job.error == (
        "LookupError: no handler for job kind 'tests.removed-in-this-release' in this process"
    )


def test_thread_runner_runs_a_job_once_its_transaction_commits(
    fresh_database, smtp_server, register_handler
):
    runs = []
    register_handler("tests.in-thread", lambda job: runs.append(job.id))
    threaded = make_app(fresh_database(), smtp_server, JOB_RUNNER="thread")
    with threaded.app_context():
        job = jobs.enqueue("tests.in-thread", {})
        db.session.flush()
        time.sleep(0.3)
        assert runs == []  # not before the commit
        db.session.commit()
        job_id = job.id
    deadline = time.monotonic() + 10
    while not runs and time.monotonic() < deadline:
        time.sleep(0.05)
    assert runs == [job_id]
    with threaded.app_context():
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            job = db.session.get(jobs.Job, job_id, populate_existing=True)
            if job.is_finished:
                break
            db.session.rollback()
            time.sleep(0.05)
        assert (job.status, job.attempts) == (jobs.JobStatus.DONE, 1)
    threaded.extensions["jobs"].stop()
    assert not [thread for thread in threading.enumerate() if thread.name == "lms-jobs"]


def test_a_job_whose_worker_died_is_claimed_again_after_the_timeout(
    app, db_session, register_handler, monkeypatch
):
    runs = []
    register_handler("tests.counts", lambda job: runs.append(job.attempts))
    monkeypatch.setitem(app.config, "JOB_TIMEOUT", 600)
    job = jobs.enqueue("tests.counts", {})
    db.session.commit()
    assert jobs.claim(job.id)  # a worker took it, then was killed: it stays "running"
    assert jobs.run_job(job.id) is None and job.id not in jobs.queued_job_ids()

    db.session.execute(
        update(jobs.Job)
        .where(jobs.Job.id == job.id)
        .values(started_at=utcnow() - timedelta(seconds=600 + 61))
    )
    db.session.commit()
    assert job.id in jobs.queued_job_ids()
    job = jobs.run_job(job.id)
    assert (job.status, job.attempts, runs) == (jobs.JobStatus.DONE, 2, [2])
