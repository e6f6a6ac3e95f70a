"""Attempt limits under concurrent requests, on PostgreSQL with real commits.

Each thread has its own app context, so its own session and connection, as concurrent
requests do in production.
"""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.auth.models import User
from lms.catalog.models import Course
from lms.db import utcnow
from lms.enrolments import services as enrolment_services
from lms.enrolments.models import Enrolment
from lms.errors import DomainError
from lms.extensions import db
from lms.quizzes import attempts as svc
from lms.quizzes.models import AttemptStatus, Quiz, QuizAttempt
from tests import factories
from tests.conftest import make_app

THREADS = 8


@pytest.fixture
def world(fresh_database, smtp_server):
    app = make_app(fresh_database(), smtp_server)
    with app.app_context():
        course = factories.course(modules=1, lessons_per_module=1)
        learner = factories.learner()
        enrolment_services.enrol(learner, course)
        limited = factories.quiz(course, questions=2, max_attempts=2, title="Limited")
        timed = factories.quiz(course, questions=2, time_limit_minutes=1, title="Timed")
        db.session.commit()
        ids = {"user": learner.id, "course": course.id, "limited": limited.id, "timed": timed.id}
        db.session.remove()
    yield app, ids
    with app.app_context():
        db.engine.dispose()


def run_threads(app, work):
    barrier = threading.Barrier(THREADS)
    outcomes, errors = [], []

    def runner(index):
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                outcomes.append(work(index))
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return outcomes


def load(ids, quiz_key):
    user = db.session.get(User, ids["user"])
    quiz = db.session.get(Quiz, ids[quiz_key])
    course = db.session.get(Course, ids["course"])
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == user.id))
    return user, quiz, course, enrolment


def test_many_tabs_starting_and_submitting_make_exactly_the_allowed_attempts(world):
    app, ids = world

    def start_and_submit(_index):
        results = []
        for _ in range(3):  # each "tab" keeps trying
            user, quiz, course, enrolment = load(ids, "limited")
            try:
                attempt = svc.start_attempt(user, quiz)
                db.session.commit()
                svc.submit_attempt(attempt, enrolment=enrolment, course=course)
                db.session.commit()
                results.append("graded")
            except DomainError as error:
                db.session.rollback()
                results.append(type(error).__name__)
        return results

    outcomes = run_threads(app, start_and_submit)
    with app.app_context():
        attempts = db.session.scalars(
            select(QuizAttempt).where(QuizAttempt.quiz_id == ids["limited"])
        ).all()
        assert sorted(a.number for a in attempts) == [1, 2]
        assert all(a.status == AttemptStatus.GRADED for a in attempts)
        db.session.remove()
    flat = [result for results in outcomes for result in results]
    assert flat.count("graded") == 2
    assert "AttemptLimitReached" in flat


def test_a_double_submit_grades_once(world):
    app, ids = world
    with app.app_context():
        user, quiz, course, enrolment = load(ids, "limited")
        attempt_id = svc.start_attempt(user, quiz).id
        db.session.commit()
        db.session.remove()

    def submit(_index):
        user, quiz, course, enrolment = load(ids, "limited")
        attempt = db.session.get(QuizAttempt, attempt_id)
        try:
            svc.submit_attempt(attempt, enrolment=enrolment, course=course)
            db.session.commit()
            return "graded"
        except svc.AttemptClosed:
            db.session.rollback()
            return "closed"

    outcomes = run_threads(app, submit)
    assert sorted(outcomes) == ["closed"] * (THREADS - 1) + ["graded"]


def test_only_one_attempt_in_progress_whatever_the_race(world):
    app, ids = world

    def start(_index):
        user, quiz, course, enrolment = load(ids, "timed")
        attempt = svc.start_attempt(user, quiz)
        db.session.commit()
        return attempt.id

    outcomes = run_threads(app, start)
    assert len(set(outcomes)) == 1  # every tab resumed the same attempt
    with app.app_context():
        count = db.session.scalar(
            select(func.count()).where(
                QuizAttempt.quiz_id == ids["timed"], QuizAttempt.status == "in_progress"
            )
        )
        assert count == 1
        db.session.remove()


def test_answers_racing_the_deadline_and_submission(world):
    """Saves and submits at once, past the deadline: nothing late is stored, one grade."""
    app, ids = world
    with app.app_context():
        user, quiz, course, enrolment = load(ids, "timed")
        attempt = svc.start_attempt(user, quiz, now=utcnow() - timedelta(seconds=61))
        first = svc.attempt_questions(attempt)[0]
        attempt_id, question_id = attempt.id, first.id
        choice_id = next(c.id for c in first.choices if c.is_correct)
        db.session.commit()
        db.session.remove()

    def act(index):
        user, quiz, course, enrolment = load(ids, "timed")
        attempt = db.session.get(QuizAttempt, attempt_id)
        try:
            if index % 2:
                svc.save_answer(attempt, svc.AnswerInput(question_id, (choice_id,)))
            else:
                svc.submit_attempt(attempt, enrolment=enrolment, course=course)
            db.session.commit()
            return "ok"
        except (svc.DeadlinePassed, svc.AttemptClosed) as error:
            db.session.rollback()
            return type(error).__name__

    outcomes = run_threads(app, act)
    assert outcomes.count("ok") == 1  # the one submission that graded it
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt.status == AttemptStatus.GRADED and attempt.score_percent == 0
        db.session.remove()
