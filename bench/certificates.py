"""Benchmark certificate rendering + signing, and bulk issuance of 1,000 certificates to S3.

`uv run python bench/certificates.py` (also run by `make bench` after bench/run.py):

1. render + sign: certificates per second on one core (one thread), from a typical
   snapshot; target at least 40 per second per core.
2. bulk issuance: a throwaway PostgreSQL (tests/support/postgres.py) and S3 (moto's
   ThreadedMotoServer); 1,000 learners with completed enrolments; one bulk-issue job run
   to its end (render, sign, store in S3, audit, email suppressed); target under 60 s.

Prints the figures and appends records to bench/results.json (same fields as bench/run.py;
records of the same names are replaced). Knobs: BENCH_CERTS_RENDER (300), BENCH_CERTS_BULK
(1000), BENCH_RESULTS.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.support import free_port  # noqa: E402
from tests.support.postgres import PostgresServer  # noqa: E402

RENDER_TARGET_PER_CORE = 40.0
BULK_TARGET_SECONDS = 60.0


def record(name: str, path: str, rate: float, samples_ms: list[float], ok: bool, target: float):
    samples = sorted(samples_ms)
    return {
        "name": name,
        "path": path,
        "requests_per_s": round(rate, 1),
        "p50_ms": round(statistics.median(samples), 2) if samples else None,
        "p99_ms": round(samples[int(0.99 * (len(samples) - 1))], 2) if samples else None,
        "queries_per_request": None,
        "floor_requests_per_s": None,
        "ratio": None,
        "target_ratio": target,
        "max_queries": None,
        "status": "PASS" if ok else "FAIL",
        "error": None,
    }


def make_app(database_url: str, s3_endpoint: str, signing_dir: Path):
    from config import TestingConfig
    from lms import create_app
    from lms.certificates.signing import generate_self_signed

    key, cert = generate_self_signed(signing_dir, "Bench signing", "Bench provider")
    settings = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": "bench-certificates",
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "bench",
        "S3_SECRET_ACCESS_KEY": "bench",
        "CERT_SIGNING_KEY_PATH": str(key),
        "CERT_SIGNING_CERT_PATH": str(cert),
        "CERT_VERIFY_BASE_URL": "https://ce.example.org",
        "MAIL_SUPPRESS_SEND": True,
        "TESTING": False,
        "JOB_RUNNER": "manual",
    }
    return create_app(type("BenchConfig", (TestingConfig,), settings))


def seed(count: int) -> list[int]:
    """A CE course and `count` learners who completed it (rows written directly: fast)."""
    from lms.auth.models import Licence, Role, User, UserRole
    from lms.auth.passwords import hash_password
    from lms.db import utcnow
    from lms.enrolments.models import Enrolment, EnrolmentStatus
    from lms.evaluations.models import Evaluation
    from lms.extensions import db
    from lms.learning.models import LessonProgress
    from tests import factories

    factories.provider_settings()
    course = factories.ce_course(
        factories.instructor(legal_name="Jordan Rivera, L.Ac."),
        title="Piriformis: Trigger-Point Release for Piriformis Syndrome and Sciatica",
        ce_minutes=240,
    )
    lessons = [lesson for module in course.modules for lesson in module.lessons]
    password = hash_password("bench-password-123")
    now = utcnow()
    users = [
        User(
            email=f"learner{n}@bench.example",
            legal_name=f"Learner Number {n}",
            password_hash=password,
            nccaom_id=str(100000 + n),
            email_verified_at=now,
            role_links=[UserRole(role=Role.LEARNER)],
            licences=[
                Licence(state="FL", number=f"AP{n:05d}"),
                Licence(state="CA", number=f"AC {n}"),
            ],
        )
        for n in range(count)
    ]
    db.session.add_all(users)
    db.session.flush()
    enrolments = [
        Enrolment(
            user_id=user.id,
            course_id=course.id,
            status=EnrolmentStatus.COMPLETED,
            completed_at=now,
        )
        for user in users
    ]
    db.session.add_all(enrolments)
    db.session.flush()
    db.session.add_all(
        LessonProgress(
            user_id=e.user_id, lesson_id=lesson.id, course_id=course.id,
            marked_complete_at=now, completed_at=now,
        )
        for e in enrolments
        for lesson in lessons
    )  # fmt: skip
    db.session.add_all(
        Evaluation(enrolment_id=e.id, user_id=e.user_id, course_id=course.id, **factories.RATINGS)
        for e in enrolments
    )
    db.session.commit()
    return [e.id for e in enrolments]


def bench_render(app, count: int) -> dict[str, Any]:
    from lms.certificates import pdf, signing
    from lms.certificates.issuance import IssueContext, build_snapshot
    from lms.db import utcnow
    from lms.enrolments.models import Enrolment
    from lms.extensions import db

    enrolment = db.session.query(Enrolment).first()
    context = IssueContext.load(enrolment.course_id)
    snapshot = build_snapshot(
        "MTP-7K3D9QXW2M4P", enrolment.user, context, utcnow(), utcnow(), "https://ce.example.org"
    )
    signer = signing.current_signer()
    for _ in range(10):  # warm up
        signing.sign_pdf(
            pdf.render_certificate(snapshot, context.logo, context.signature), signer, "x"
        )
    samples = []
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    for _ in range(count):
        started = time.perf_counter()
        signing.sign_pdf(
            pdf.render_certificate(snapshot, context.logo, context.signature), signer, "x"
        )
        samples.append((time.perf_counter() - started) * 1000)
    cpu = time.process_time() - cpu_start
    wall = time.perf_counter() - wall_start
    per_core = count / cpu  # CPU time: what one core does, whatever else the machine runs
    print(
        f"render+sign: {count} certificates, {count / wall:.1f}/s wall, {per_core:.1f}/s per core "
        f"(CPU time), p50 {statistics.median(samples):.1f} ms"
    )
    return record(
        "certificate-render-sign", "(in-process)", per_core, samples,
        per_core >= RENDER_TARGET_PER_CORE, RENDER_TARGET_PER_CORE,
    )  # fmt: skip


def bench_bulk(app, enrolment_ids: list[int]) -> dict[str, Any]:
    from sqlalchemy import func, select

    from lms import jobs
    from lms.auth.models import Role, User, UserRole
    from lms.certificates import issuance
    from lms.certificates.models import Certificate
    from lms.extensions import db
    from lms.storage import get_storage

    admin = db.session.scalar(select(User).join(UserRole).where(UserRole.role == Role.INSTRUCTOR))
    job = issuance.enqueue_bulk_issue(enrolment_ids, admin)
    db.session.commit()
    started = time.perf_counter()
    finished = jobs.run_job(job.id)
    elapsed = time.perf_counter() - started
    issued = db.session.scalar(select(func.count()).select_from(Certificate))
    sample = db.session.scalar(select(Certificate).limit(1))
    stored = get_storage().head(sample.pdf_key)
    ok = (
        finished is not None
        and finished.status == jobs.JobStatus.DONE
        and issued == len(enrolment_ids)
        and stored is not None
        and elapsed < BULK_TARGET_SECONDS
    )
    rate = issued / elapsed if elapsed else 0.0
    print(
        f"bulk issuance: {issued} certificates in {elapsed:.1f} s ({rate:.1f}/s), "
        f"stored in S3 ({stored.size if stored else '?'} bytes each), job {finished.status.value}"
    )
    return record(
        f"certificate-bulk-issue-{len(enrolment_ids)}", "(job, S3)", rate, [elapsed * 1000], ok,
        BULK_TARGET_SECONDS,
    )  # fmt: skip


def main() -> int:
    from flask_migrate import upgrade
    from moto.server import ThreadedMotoServer

    from lms.extensions import db

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's request log
    render_count = int(os.environ.get("BENCH_CERTS_RENDER") or 300)
    bulk_count = int(os.environ.get("BENCH_CERTS_BULK") or 1000)
    measured_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    port = free_port()
    s3 = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    s3.start()
    try:
        with PostgresServer() as pg, tempfile.TemporaryDirectory() as tmp:
            app = make_app(
                pg.create_database("lms_certs_bench"),
                f"http://127.0.0.1:{port}",
                Path(tmp) / "signing",
            )
            with app.app_context():
                upgrade(directory=str(REPO / "migrations"))
                app.extensions["storage"].ensure_bucket()
                started = time.perf_counter()
                ids = seed(bulk_count)
                took = time.perf_counter() - started
                print(f"seeded {len(ids)} completed enrolments in {took:.1f} s")
                records = [bench_render(app, render_count), bench_bulk(app, ids)]
                db.session.remove()
                db.engine.dispose()
    finally:
        s3.stop()
    for item in records:
        item["measured_at"] = measured_at
    out = Path(os.environ.get("BENCH_RESULTS") or REPO / "bench" / "results.json")
    existing = json.loads(out.read_text()) if out.exists() else []
    names = {item["name"] for item in records}
    out.write_text(
        json.dumps([r for r in existing if r["name"] not in names] + records, indent=2) + "\n"
    )
    for item in records:
        print(f"{item['name']:<32} {item['requests_per_s']:>8} /s  {item['status']}")
    print(f"bench: appended to {out}")
    return 0 if all(item["status"] == "PASS" for item in records) else 1


if __name__ == "__main__":
    sys.exit(main())
