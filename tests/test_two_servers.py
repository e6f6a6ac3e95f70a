"""Two app servers that share nothing but PostgreSQL, S3, Redis and the SECRET_KEY.

Two gunicorn processes in production mode on one throwaway PostgreSQL (migrated with
`flask db upgrade`, seeded with tests/factories), moto's S3 server and one redis-server.
A browser-like `requests.Session` moves between them mid-flow, as behind a load balancer
without sticky sessions: sign in on A and carry on on B, start a video upload on A and
complete it on B, start a quiz attempt on A and submit it on B. Each record exists once.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select

from lms.catalog.models import Lesson, LessonKind
from lms.enrolments import services as enrolment_services
from lms.extensions import db
from lms.quizzes.models import AttemptAnswer, AttemptStatus, Choice, QuizAttempt
from lms.video.models import UploadStatus, VideoUpload
from tests import factories
from tests.conftest import make_app, s3_settings
from tests.support.gunicorn import REPO, VENV_BIN, Gunicorn
from tests.video.conftest import MIB, make_clip

CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@dataclass
class Servers:
    a: str
    b: str
    app: Flask  # in this process, on the same database and bucket: to look at the records
    slug: str
    course_id: int
    lesson_id: int
    reading_lesson_id: int
    quiz_id: int
    teacher: str
    learner: str


def server_env(database_url: str, s3: dict, redis_url: str, smtp_port: int) -> dict[str, str]:
    """Production settings, as each app server gets them; plain HTTP on loopback."""
    return {
        **os.environ,
        "FLASK_APP": "wsgi",
        "LMS_ENV": "production",
        "SECRET_KEY": "one-secret-for-every-server",
        "DATABASE_URL": database_url,
        **{key: str(value) for key, value in s3.items()},
        "VIDEO_PART_SIZE": str(5 * MIB),
        "REDIS_URL": redis_url,
        "JOB_RUNNER": "rq",
        "VERIFY_RATE_LIMIT": "4 per minute",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        # No TLS proxy in front of loopback servers: no https redirect, cookies over http.
        "FORCE_HTTPS": "0",
        "HSTS": "0",
        "PROXY_COUNT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture(scope="module")
def servers(postgres, smtp_server, s3_endpoint, redis_server, tmp_path_factory):
    database_url = postgres.create_database(f"lms_two_servers_{os.urandom(3).hex()}")
    s3 = s3_settings(s3_endpoint, f"lms-two-servers-{os.urandom(4).hex()}")
    env = server_env(database_url, s3, redis_server.url, smtp_server.port)
    migrated = subprocess.run(
        [str(VENV_BIN / "flask"), "db", "upgrade"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr

    app = make_app(database_url, smtp_server, **s3)
    with app.app_context():
        app.extensions["storage"].ensure_bucket()
        teacher = factories.instructor()
        course = factories.course(teacher)
        lesson = course.modules[0].lessons[0]
        lesson.kind = LessonKind.VIDEO
        learner = factories.learner()
        enrolment_services.enrol(learner, course)
        quiz = factories.quiz(course, questions=3)
        db.session.commit()
        seeded = dict(
            slug=course.slug,
            course_id=course.id,
            lesson_id=lesson.id,
            reading_lesson_id=course.modules[0].lessons[1].id,
            quiz_id=quiz.id,
            teacher=teacher.email,
            learner=learner.email,
        )

    logs = tmp_path_factory.mktemp("gunicorn")
    started = []
    try:
        for name in ("a", "b"):
            server = Gunicorn(env, REPO, logs / f"{name}.log", workers=1, threads=4)
            started.append(server)
            server.start()
        yield Servers(a=started[0].base_url, b=started[1].base_url, app=app, **seeded)
    finally:
        for server in started:
            server.stop()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="module")
def big_clip(tmp_path_factory) -> bytes:
    """A real 12 s MP4 padded to three S3 parts (ffprobe ignores the trailing bytes)."""
    clip = make_clip(tmp_path_factory.mktemp("clips") / "clip.mp4").read_bytes()
    return clip + os.urandom(11 * MIB)


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(session: requests.Session, base: str, email: str) -> None:
    form = session.get(f"{base}/auth/login", timeout=30)
    response = session.post(
        f"{base}/auth/login",
        data={
            "csrf_token": csrf_token(form.text),
            "email": email,
            "password": factories.PASSWORD,
        },
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302 and "/auth/login" not in response.headers["Location"]


def test_session_upload_and_quiz_attempt_move_between_servers(servers, big_clip):
    a, b, slug = servers.a, servers.b, servers.slug
    teacher = requests.Session()
    sign_in(teacher, a, servers.teacher)

    # B honours the cookie A set: the lesson's media page, for its editors only, renders.
    media = teacher.get(f"{b}/courses/{slug}/lessons/{servers.lesson_id}/media", timeout=30)
    assert media.status_code == 200 and media.url.startswith(b), media.url
    assert "/auth/login" not in media.url
    json_headers = {"X-CSRFToken": csrf_token(media.text)}  # B's page, A's session

    started = teacher.post(
        f"{a}/courses/{slug}/lessons/{servers.lesson_id}/video/uploads",
        json={"filename": "trapezius.mp4", "size": len(big_clip), "type": "video/mp4"},
        headers=json_headers,
        timeout=30,
    )
    assert started.status_code == 201, started.text
    upload = started.json()
    assert upload["parts_total"] == 3
    signed = teacher.post(
        a + upload["urls"]["parts"], json={"parts": [1, 2, 3]}, headers=json_headers, timeout=30
    )
    assert signed.status_code == 200, signed.text
    etags = []
    for number, url in sorted(signed.json()["urls"].items(), key=lambda item: int(item[0])):
        size = upload["part_size"]
        chunk = big_clip[(int(number) - 1) * size : int(number) * size]
        put = requests.put(url, data=chunk, timeout=60)  # browser -> S3, not through the app
        assert put.status_code == 200, put.text
        etags.append([int(number), put.headers["ETag"].strip('"')])
    completed = teacher.post(
        b + upload["urls"]["complete"],
        json={"parts": etags, "duration": 12},
        headers=json_headers,
        timeout=60,
    )
    assert completed.status_code == 200, completed.text
    assert completed.json()["status"] == "completed"
    assert completed.json()["duration_seconds"] == pytest.approx(12, abs=0.2)

    learner = requests.Session()
    sign_in(learner, a, servers.learner)
    quiz_page = learner.get(f"{a}/courses/{slug}/quizzes/{servers.quiz_id}", timeout=30)
    assert quiz_page.status_code == 200
    start = learner.post(
        f"{a}/courses/{slug}/quizzes/{servers.quiz_id}/start",
        data={"csrf_token": csrf_token(quiz_page.text)},
        allow_redirects=False,
        timeout=30,
    )
    assert start.status_code == 302, start.text
    attempt_id = int(re.search(r"/attempts/(\d+)$", start.headers["Location"]).group(1))

    attempt_page = learner.get(f"{b}/courses/{slug}/attempts/{attempt_id}", timeout=30)
    assert attempt_page.status_code == 200 and attempt_page.url.startswith(b)
    token = csrf_token(attempt_page.text)
    with servers.app.app_context():
        question_ids = db.session.get(QuizAttempt, attempt_id).question_ids
        correct = {
            question_id: db.session.scalar(
                select(Choice.id).where(Choice.question_id == question_id, Choice.is_correct)
            )
            for question_id in question_ids
        }
    first, *rest = question_ids
    autosaved = learner.post(  # the page autosaves an answer to A ...
        f"{a}/courses/{slug}/attempts/{attempt_id}/answers",
        json={"question_id": first, "choice_ids": [correct[first]]},
        headers={"X-CSRFToken": token},
        timeout=30,
    )
    assert autosaved.status_code == 200, autosaved.text
    submitted = learner.post(  # ... and the form with the rest is submitted to B
        f"{b}/courses/{slug}/attempts/{attempt_id}/submit",
        data={"csrf_token": token, **{f"q{q}": str(correct[q]) for q in rest}},
        allow_redirects=False,
        timeout=30,
    )
    assert submitted.status_code == 302, submitted.text
    result = learner.get(a + submitted.headers["Location"], timeout=30)
    assert result.status_code == 200 and "100%" in result.text

    with servers.app.app_context():
        uploads = db.session.scalars(
            select(VideoUpload).where(VideoUpload.lesson_id == servers.lesson_id)
        ).all()
        assert [u.status for u in uploads] == [UploadStatus.COMPLETED]
        lesson = db.session.get(Lesson, servers.lesson_id)
        assert lesson.video_key == uploads[0].key and lesson.duration_seconds == 12
        storage = servers.app.extensions["storage"]
        assert storage.head(uploads[0].key).size == len(big_clip)
        assert storage.pending_uploads("videos/") == []

        attempts = db.session.scalars(
            select(QuizAttempt).where(QuizAttempt.quiz_id == servers.quiz_id)
        ).all()
        assert [(x.id, x.status, x.score_percent) for x in attempts] == [
            (attempt_id, AttemptStatus.GRADED, 100.0)
        ]
        answers = db.session.execute(
            select(AttemptAnswer.question_id, func.count())
            .where(AttemptAnswer.attempt_id == attempt_id)
            .group_by(AttemptAnswer.question_id)
        ).all()
        assert sorted(answers) == sorted((q, 1) for q in question_ids)


def test_rate_limits_are_counted_across_servers(servers):
    # VERIFY_RATE_LIMIT is 4 per minute per client address, counted in Redis: each server
    # alone has seen at most three requests when the fifth is refused.
    statuses = [
        requests.get(f"{server}/verify", timeout=30).status_code
        for server in (servers.a, servers.b, servers.a, servers.b, servers.b)
    ]
    assert statuses == [200, 200, 200, 200, 429]


def test_an_edit_on_one_server_shows_on_the_next_page_of_the_other(servers):
    # Each server keeps the course's outline in memory (lms.learning.snapshot), keyed by a
    # version the edit bumps: B, warmed before the edit on A, never shows the old title.
    learner, teacher = requests.Session(), requests.Session()
    sign_in(learner, servers.a, servers.learner)
    sign_in(teacher, servers.a, servers.teacher)
    page = f"/courses/{servers.slug}/lessons/{servers.reading_lesson_id}"
    for base in (servers.a, servers.b, servers.a, servers.b):
        assert learner.get(base + page, timeout=30).status_code == 200

    edit = f"{servers.a}/teach/courses/{servers.course_id}/lessons/{servers.reading_lesson_id}/edit"
    form = teacher.get(edit, timeout=30)
    assert form.status_code == 200
    saved = teacher.post(
        edit,
        data={
            "csrf_token": csrf_token(form.text),
            "title": "Referral zones, revised",
            "kind": "reading",
            "duration_minutes": "7",
            "notes_markdown": "The **revised** notes.",
            "required": "y",
            "submit": "Save lesson",
        },
        allow_redirects=False,
        timeout=30,
    )
    assert saved.status_code == 302, saved.text[:500]

    for base in (servers.b, servers.a):
        html = learner.get(base + page, timeout=30).text
        assert "Referral zones, revised" in html
        assert "<strong>revised</strong>" in html
