"""Background jobs on RQ: a real redis-server, real workers, the job rows in PostgreSQL.

The app enqueues as every producer does (`jobs.enqueue` + commit); the RQ runner hands the
id to Redis after the commit; a worker runs it: `flask lms worker` in subprocesses (rq's
forking worker, as in production) or rq's SimpleWorker in this process for jobs whose
handler the test registers.
"""

from __future__ import annotations

import logging
import os
import subprocess
import time

import pytest
from rq import Queue
from rq.job import Job as RqJob
from rq.registry import FailedJobRegistry, FinishedJobRegistry, ScheduledJobRegistry
from sqlalchemy import func, select

from lms import jobs, jobs_rq
from lms.auth.models import Role
from lms.certificates import issuance
from lms.certificates.models import Certificate
from lms.extensions import db
from tests import factories
from tests.conftest import make_app
from tests.support import free_port
from tests.support.gunicorn import REPO, VENV_BIN


@pytest.fixture(scope="module")
def rq_app(fresh_database, smtp_server, redis_server):
    """An app whose jobs go through Redis, on its own database and queue."""
    return make_app(
        fresh_database(),
        smtp_server,
        JOB_RUNNER="rq",
        REDIS_URL=redis_server.url,
        JOB_QUEUE=f"lms-test-{os.urandom(4).hex()}",
        JOB_MAX_ATTEMPTS=3,
        JOB_RETRY_BACKOFF=(1, 3),
        JOB_TIMEOUT=120,
    )


@pytest.fixture
def queue(rq_app) -> Queue:
    return jobs_rq.queue_for(rq_app)


@pytest.fixture
def client_for():
    """A test client of `app`, signed in as a new user with `role` (committed)."""

    def sign_in(app, role: str):
        with app.app_context():
            user = factories.user(Role(role))
            db.session.commit()
            email = user.email
        client = app.test_client()
        response = client.post("/auth/login", data={"email": email, "password": factories.PASSWORD})
        assert response.status_code == 302
        return client

    return sign_in


def enqueue(app, kind: str, payload: dict | None = None) -> int:
    """Enqueue and commit, as a view does; returns the job id."""
    with app.app_context():
        job = jobs.enqueue(kind, payload or {})
        db.session.commit()
        return job.id


def job_row(app, job_id: int) -> jobs.Job:
    with app.app_context():
        job = db.session.get(jobs.Job, job_id)
        db.session.expunge(job)
        return job


def burst(app) -> None:
    """One in-process worker run: due retries first (its scheduler), then the queue."""
    jobs_rq.make_worker(app, fork=False).work(burst=True, with_scheduler=True)


def worker_env(app, smtp_port: int) -> dict[str, str]:
    """The environment of a `flask lms worker` process for `app`'s database, Redis, queue."""
    config = app.config
    return {
        **os.environ,
        "FLASK_APP": "wsgi",
        "LMS_ENV": "production",
        "SECRET_KEY": "jobs-test",
        "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "JOB_RUNNER": "rq",
        "REDIS_URL": config["REDIS_URL"],
        "JOB_QUEUE": config["JOB_QUEUE"],
        "LOCAL_STORAGE_PATH": config["LOCAL_STORAGE_PATH"],
        "CERT_SIGNING_KEY_PATH": config["CERT_SIGNING_KEY_PATH"],
        "CERT_SIGNING_CERT_PATH": config["CERT_SIGNING_CERT_PATH"],
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "PYTHONUNBUFFERED": "1",
    }


def test_bulk_issuance_runs_once_in_worker_processes(rq_app, queue, smtp_server):
    with rq_app.app_context():
        factories.provider_settings()
        course = factories.ce_course(factories.instructor())
        learners = [factories.learner() for _ in range(2)]
        enrolments = [factories.complete_course(learner, course) for learner in learners]
        admin = factories.admin()
        db.session.commit()
        emails = [learner.email for learner in learners]
        job = issuance.enqueue_bulk_issue([e.id for e in enrolments], admin)
        assert queue.count == 0  # nothing reaches Redis before the commit
        db.session.commit()
        job_id, course_id = job.id, course.id
    assert queue.count == 1
    assert job_row(rq_app, job_id).status == jobs.JobStatus.QUEUED

    # Two workers start at once; each also pushes the job again (nobody has started it),
    # so it is delivered up to three times, to two processes.
    env = worker_env(rq_app, smtp_server.port)
    command = [str(VENV_BIN / "flask"), "lms", "worker", "--burst"]
    workers = [
        subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        for _ in range(2)
    ]
    try:
        outputs = [w.communicate(timeout=180)[0].decode(errors="replace") for w in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    assert [worker.returncode for worker in workers] == [0, 0], outputs

    job = job_row(rq_app, job_id)
    assert (job.status, job.attempts, job.done_count, job.failed_count) == (
        jobs.JobStatus.DONE,
        1,
        2,
        0,
    ), outputs
    assert job.error is None and job.finished_at is not None
    with rq_app.app_context():
        issued = db.session.execute(
            select(Certificate.enrolment_id, func.count())
            .where(Certificate.course_id == course_id)
            .group_by(Certificate.enrolment_id)
        ).all()
        stored = [
            rq_app.extensions["storage"].head(c.pdf_key)
            for c in db.session.scalars(
                select(Certificate).where(Certificate.course_id == course_id)
            )
        ]
    assert sorted(issued) == sorted((e.id, 1) for e in enrolments)
    assert all(info is not None and info.size > 1000 for info in stored)
    for email in emails:  # the worker sent each learner's email, once
        smtp_server.wait_for(email, subject_contains="certificate is ready")
        assert len(smtp_server.find(email, subject_contains="certificate is ready")) == 1
    finished = FinishedJobRegistry(queue=queue)
    assert len(finished) >= 2  # the delivery that ran it, and at least one that found it taken
    assert queue.count == 0


def test_job_pushed_twice_runs_once(rq_app, queue, register_handler):
    runs = []

    def count(job):
        runs.append(job.id)
        job.notes = [*job.notes, f"run {len(runs)}"]

    register_handler("tests.count", count)
    job_id = enqueue(rq_app, "tests.count")
    with rq_app.app_context():
        rq_app.extensions["jobs"].notify([job_id])  # the same id handed over again
    deliveries = queue.get_job_ids()
    assert len(deliveries) == 2

    burst(rq_app)

    assert runs == [job_id]
    job = job_row(rq_app, job_id)
    assert (job.status, job.attempts, job.notes) == (jobs.JobStatus.DONE, 1, ["run 1"])
    results = [RqJob.fetch(d, connection=queue.connection).return_value() for d in deliveries]
    assert results[0] == "done" and results[1].startswith("skipped")


def test_failing_job_is_retried_with_backoff_then_failed_with_its_error(
    rq_app, queue, register_handler, client_for
):
    runs = []

    def always_fails(job):
        runs.append(time.monotonic())
        job.done_count = 99  # rolled back with the failed run
        raise ValueError(f"S3 said no ({len(runs)})")

    register_handler("tests.always-fails", always_fails)
    job_id = enqueue(rq_app, "tests.always-fails")

    burst(rq_app)
    job = job_row(rq_app, job_id)
    assert (job.status, job.attempts, job.max_attempts) == (jobs.JobStatus.QUEUED, 1, 3)
    assert job.retrying and job.error == "ValueError: S3 said no (1)" and job.done_count == 0
    # RQ holds the retry back for the backoff instead of queueing it again at once.
    assert len(ScheduledJobRegistry(queue=queue)) == 1 and queue.count == 0

    deadline = time.monotonic() + 30
    while not job_row(rq_app, job_id).is_finished and time.monotonic() < deadline:
        time.sleep(0.2)
        burst(rq_app)

    job = job_row(rq_app, job_id)
    assert (job.status, job.attempts, job.finished_at is not None) == (
        jobs.JobStatus.FAILED,
        3,
        True,
    )
    assert job.error == "ValueError: S3 said no (3)"
    assert len(runs) == 3
    # Backoff (1, 3) s; RQ schedules to the whole second, so a wait may end up to 1 s early.
    assert runs[2] - runs[1] >= 2.0
    assert len(FailedJobRegistry(queue=queue)) == 1

    admin = client_for(rq_app, "admin")
    listing = admin.get("/admin/jobs?status=failed").get_data(as_text=True)
    assert f"#{job_id} tests.always-fails" in listing and "S3 said no (3)" in listing
    assert "3 of 3" in listing
    status = admin.get(f"/admin/jobs/{job_id}/status").get_json()
    assert status["status"] == "failed" and status["attempts"] == 3
    assert status["error"] == "ValueError: S3 said no (3)" and status["finished"] is True
    page = admin.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert "ValueError: S3 said no (3)" in page


def test_job_that_fails_once_succeeds_on_its_retry(rq_app, register_handler):
    runs = []

    def flaky(job):
        runs.append(job.attempts)
        if len(runs) == 1:
            raise ConnectionError("database went away")

    register_handler("tests.flaky", flaky)
    job_id = enqueue(rq_app, "tests.flaky")
    deadline = time.monotonic() + 20
    while not job_row(rq_app, job_id).is_finished and time.monotonic() < deadline:
        burst(rq_app)
        time.sleep(0.2)
    job = job_row(rq_app, job_id)
    assert runs == [1, 2]
    assert (job.status, job.attempts, job.error) == (jobs.JobStatus.DONE, 2, None)


def test_job_committed_while_redis_is_down_runs_when_a_worker_starts(
    rq_app, queue, register_handler, smtp_server, caplog
):
    runs = []
    register_handler("tests.count-again", lambda job: runs.append(job.id))
    redis_down = make_app(
        rq_app.config["SQLALCHEMY_DATABASE_URI"],
        smtp_server,
        JOB_RUNNER="rq",
        REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
        JOB_QUEUE=rq_app.config["JOB_QUEUE"],
    )
    with caplog.at_level(logging.ERROR, logger="lms.jobs_rq"):
        job_id = enqueue(redis_down, "tests.count-again")  # the request still succeeds
    assert f"job {job_id} could not be handed to Redis" in caplog.text
    assert job_row(rq_app, job_id).status == jobs.JobStatus.QUEUED
    assert queue.count == 0

    with rq_app.app_context():
        assert jobs_rq.requeue_unstarted(queue, rq_app.config) >= 1
    burst(rq_app)

    assert runs == [job_id]
    assert job_row(rq_app, job_id).status == jobs.JobStatus.DONE


def test_rq_runner_needs_redis_url_and_runner_names_are_checked(fresh_database, smtp_server):
    url = fresh_database()
    with pytest.raises(RuntimeError, match="JOB_RUNNER=rq needs REDIS_URL"):
        make_app(url, smtp_server, JOB_RUNNER="rq", REDIS_URL=None)
    with pytest.raises(RuntimeError, match="'celery' is not one of"):
        make_app(url, smtp_server, JOB_RUNNER="celery")


def test_worker_command_refuses_without_the_rq_runner(app):
    result = app.test_cli_runner().invoke(args=["lms", "worker", "--burst"])
    assert result.exit_code == 1
    assert "Set JOB_RUNNER=rq and REDIS_URL" in result.output


def test_admin_job_list_filters_by_status(rq_app, register_handler, client_for):
    register_handler("tests.noop", lambda job: None)
    done_id = enqueue(rq_app, "tests.noop")
    burst(rq_app)
    waiting_id = enqueue(rq_app, "tests.noop")  # pushed, no worker yet
    admin = client_for(rq_app, "admin")
    queued = admin.get("/admin/jobs?status=queued").get_data(as_text=True)
    everything = admin.get("/admin/jobs").get_data(as_text=True)
    assert f"#{waiting_id} " in queued and f"#{done_id} " not in queued
    assert f"#{waiting_id} " in everything and f"#{done_id} " in everything
    burst(rq_app)
    assert job_row(rq_app, waiting_id).status == jobs.JobStatus.DONE


def test_run_longer_than_job_timeout_is_stopped_and_counted_failed(
    rq_app, register_handler, monkeypatch
):
    monkeypatch.setitem(rq_app.config, "JOB_TIMEOUT", 1)
    monkeypatch.setitem(rq_app.config, "JOB_MAX_ATTEMPTS", 1)
    register_handler("tests.hangs", lambda job: time.sleep(30))
    job_id = enqueue(rq_app, "tests.hangs")
    started = time.monotonic()
    burst(rq_app)
    assert time.monotonic() - started < 15
    job = job_row(rq_app, job_id)
    assert (job.status, job.attempts) == (jobs.JobStatus.FAILED, 1)
    assert job.error.startswith("JobTimeoutException: ")
