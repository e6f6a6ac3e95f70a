"""Autosave with real commits on PostgreSQL: each save is its own statement (the view runs
without a surrounding transaction), so what a 200 acknowledged is stored, a refused save
leaves nothing behind, and a save after submission is refused and changes nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.enrolments import services as enrolment_services
from lms.extensions import db
from lms.quizzes.models import AttemptAnswer, AttemptStatus, QuizAttempt
from tests import factories
from tests.conftest import make_app
from tests.video.conftest import sign_in


@pytest.fixture
def world(fresh_database, smtp_server):
    app = make_app(fresh_database(), smtp_server)
    with app.app_context():
        course = factories.course(modules=1, lessons_per_module=1)
        learner = factories.learner()
        enrolment_services.enrol(learner, course)
        bank = factories.bank(course)
        question = factories.question(bank)
        quiz = factories.quiz(course, bank, questions=1)
        db.session.commit()
        right = next(choice.id for choice in question.choices if choice.is_correct)
        wrong = next(choice.id for choice in question.choices if not choice.is_correct)
        ids = {"slug": course.slug, "quiz": quiz.id, "question": question.id}
        ids.update(right=right, wrong=wrong)
        db.session.expunge(learner)
        db.session.remove()
    yield app, ids, learner
    with app.app_context():
        db.engine.dispose()


def saved(app, attempt_id: int) -> tuple[AttemptStatus, list[tuple[int, list[int]]]]:
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        answers = db.session.scalars(
            select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)
        ).all()
        found = (
            attempt.status,
            [
                (answer.question_id, sorted(choice.id for choice in answer.choices))
                for answer in answers
            ],
        )
        db.session.remove()
    return found


def test_saves_are_stored_refusals_are_not_and_submission_closes(world):
    app, ids, learner = world
    client = app.test_client()
    sign_in(client, learner)
    started = client.post(f"/courses/{ids['slug']}/quizzes/{ids['quiz']}/start")
    attempt_id = int(re.search(r"/attempts/(\d+)", started.headers["Location"]).group(1))
    url = f"/courses/{ids['slug']}/attempts/{attempt_id}/answers"

    first = client.post(url, json={"question_id": ids["question"], "choice_ids": [ids["wrong"]]})
    assert first.status_code == 200
    assert saved(app, attempt_id) == (
        AttemptStatus.IN_PROGRESS,
        [(ids["question"], [ids["wrong"]])],
    )
    changed = client.post(url, json={"question_id": ids["question"], "choice_ids": [ids["right"]]})
    assert changed.status_code == 200
    assert saved(app, attempt_id)[1] == [(ids["question"], [ids["right"]])]
    # A refused save (a choice of no question here) writes nothing.
    refused = client.post(url, json={"question_id": ids["question"], "choice_ids": [999999]})
    assert refused.status_code == 400
    assert saved(app, attempt_id)[1] == [(ids["question"], [ids["right"]])]

    submitted = client.post(f"/courses/{ids['slug']}/attempts/{attempt_id}/submit", data={})
    assert submitted.status_code == 302
    late = client.post(url, json={"question_id": ids["question"], "choice_ids": [ids["wrong"]]})
    assert late.status_code == 409
    assert saved(app, attempt_id) == (AttemptStatus.GRADED, [(ids["question"], [ids["right"]])])
