"""The embedded default: migrate and seed a SQLite database, serve a page from it, and take
the hot paths that PostgreSQL runs differently (watch reports, quiz submission) on it."""

import json
import os
import re
import subprocess
import sys
import time
import urllib.request

import pytest
from sqlalchemy import select

from tests.support import free_port

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - the public demo login


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A SQLite database migrated and seeded by the CLI, as `make run` does: (env, url)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'lms.db'}"
    env = dict(
        os.environ, LMS_ENV="development", FLASK_APP="wsgi", DATABASE_URL=url, MAIL_CONSOLE="1"
    )
    flask = [sys.executable, "-m", "flask"]
    for args in (["db", "upgrade"], ["lms", "seed-demo"]):
        result = subprocess.run(
            flask + args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
    return env, url


def test_sqlite_migrate_seed_and_serve(seeded):
    env, _ = seeded
    flask = [sys.executable, "-m", "flask"]
    port = free_port()
    server = subprocess.Popen(
        flask + ["run", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        body = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.1)
        assert "Upper Trapezius" in body
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_watch_reports_and_a_quiz_submission_on_sqlite(seeded, smtp_server):
    from lms.catalog.models import Lesson, Module
    from lms.enrolments.models import Enrolment
    from lms.extensions import db
    from lms.quizzes.models import AttemptStatus, Quiz, QuizAttempt, QuizStatus
    from lms.video.models import WatchCoverage
    from tests.conftest import make_app

    _, url = seeded
    app = make_app(url, smtp_server)
    client = app.test_client()
    email = "priya.raman@demo.lms"
    with app.app_context():
        from lms.auth.models import User

        learner = db.session.scalar(select(User).where(User.email == email))
        enrolled = select(Enrolment.course_id).where(Enrolment.user_id == learner.id)
        lesson = db.session.scalar(
            select(Lesson)
            .join(Module)
            .where(Module.course_id.in_(enrolled), Lesson.video_key.is_not(None))
            .order_by(Lesson.id)
        )
        lesson_path = f"/courses/{lesson.module.course.slug}/lessons/{lesson.id}"
        tried = select(QuizAttempt.quiz_id).where(QuizAttempt.user_id == learner.id)
        quiz = db.session.scalar(
            select(Quiz)
            .where(
                Quiz.course_id.in_(enrolled),
                Quiz.status == QuizStatus.PUBLISHED,
                Quiz.id.not_in(tried),
            )
            .order_by(Quiz.id)
        )
        quiz_slug, quiz_id, learner_id = quiz.course.slug, quiz.id, learner.id
    login = client.post("/auth/login", data={"email": email, "password": DEMO_PASSWORD})
    assert login.status_code == 302

    with app.app_context():
        before = db.session.scalar(
            select(WatchCoverage.reports_accepted).where(
                WatchCoverage.user_id == learner_id, WatchCoverage.lesson_id == lesson.id
            )
        )
    page = client.get(lesson_path).get_data(as_text=True)
    report_url = re.search(r'data-report-url="([^"]+)"', page).group(1)
    token = re.search(r'data-report-token="([^"]+)"', page).group(1)
    state = None
    for seq in range(3):
        time.sleep(1.1)  # wall-clock time to credit
        body = {"token": token, "seq": 900 + seq, "intervals": [[seq, seq + 1, 1]], "position": 1}
        if state:
            body["state"] = state  # the player's; SQLite locks the row and reads instead
        answer = client.post(report_url, data=json.dumps(body), content_type="application/json")
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert answer.get_json()["duplicate"] is False
        state = answer.get_json()["state"]
    with app.app_context():
        coverage = db.session.scalar(
            select(WatchCoverage).where(
                WatchCoverage.user_id == learner_id, WatchCoverage.lesson_id == lesson.id
            )
        )
        assert coverage.reports_accepted == (before or 0) + 3

    started = client.post(f"/courses/{quiz_slug}/quizzes/{quiz_id}/start")
    assert started.status_code == 302, started.get_data(as_text=True)
    attempt_id = int(re.search(r"/attempts/(\d+)", started.headers["Location"]).group(1))
    submitted = client.post(f"/courses/{quiz_slug}/attempts/{attempt_id}/submit", data={})
    assert submitted.status_code == 302
    assert submitted.headers["Location"].endswith(f"/attempts/{attempt_id}/result")
    with app.app_context():
        assert db.session.get(QuizAttempt, attempt_id).status == AttemptStatus.GRADED
