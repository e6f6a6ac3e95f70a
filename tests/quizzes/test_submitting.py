"""A submission's two-statement path (lms.quizzes.submitting): it grades as the general
path does, and it writes nothing when anything moved since its read."""

import pytest
from sqlalchemy import select

from lms.db import utcnow
from lms.extensions import db
from lms.quizzes import attempts as svc
from lms.quizzes import submitting
from lms.quizzes.attempts import AnswerInput
from lms.quizzes.models import AttemptAnswer, AttemptStatus, QuizAttempt
from tests import factories
from tests.quizzes.test_views import start, taking  # noqa: F401 (a fixture)
from tests.support.statements import recorded_statements

# (single choice, hotspot circle, hotspot polygon): inside and outside, right and wrong.
ANSWER_SETS = {
    "all right": ("right", (0.4321, 0.6543), (0.25, 0.3)),
    "edges and misses": ("wrong", (0.4321 + 0.0789, 0.6543), (0.9, 0.9)),
    "one right": ("wrong", (0.4321, 0.6543 - 0.07), (0.1234, 0.5)),
}


def _answers(single, hotspot, polygon, picks) -> list[AnswerInput]:
    choice, circle, shape = picks
    right = next(c.id for c in single.choices if c.is_correct)
    wrong = next(c.id for c in single.choices if not c.is_correct)
    return [
        AnswerInput(single.id, (right if choice == "right" else wrong,)),
        AnswerInput(hotspot.id, (), circle),
        AnswerInput(polygon.id, (), shape),
    ]


def _form(answers: list[AnswerInput]) -> dict[str, str]:
    form = {}
    for answer in answers:
        if answer.click:
            form[f"q{answer.question_id}_x"], form[f"q{answer.question_id}_y"] = map(
                str, answer.click
            )
        else:
            form[f"q{answer.question_id}"] = str(answer.choice_ids[0])
    return form


def _submitted(client, course, attempt, form):
    with recorded_statements(db.engine) as statements:
        response = client.post(f"/courses/{course.slug}/attempts/{attempt.id}/submit", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    scores = dict(
        db.session.execute(
            select(AttemptAnswer.question_id, AttemptAnswer.score).where(
                AttemptAnswer.attempt_id == attempt.id
            )
        ).all()
    )
    attempt = db.session.get(QuizAttempt, attempt.id)
    return len(statements), scores, (attempt.points, attempt.score_percent, attempt.passed)


@pytest.mark.parametrize("case", ANSWER_SETS)
def test_both_paths_grade_alike(client, taking, case):  # noqa: F811
    course, learner, quiz, single, hotspot, polygon = taking
    quiz.required = False  # a pass asks the completion engine nothing: the count is the path's
    db.session.flush()
    # The process reads the course's outline once per version (lms.learning.snapshot).
    lesson = course.modules[0].lessons[0]
    assert client.get(f"/courses/{course.slug}/lessons/{lesson.id}").status_code == 200
    answers = _answers(single, hotspot, polygon, ANSWER_SETS[case])
    # Autosaved first: the two-statement path.
    saved = start(client, course, quiz)
    for answer in answers:
        svc.save_answer(saved, answer)
    fast = _submitted(client, course, saved, _form(answers))
    # Brought by the form only: the general path.
    posted = start(client, course, quiz)
    general = _submitted(client, course, posted, _form(answers))
    assert fast[0] == 2 and general[0] > 2
    assert fast[1:] == general[1:]
    assert sorted(fast[1]) == sorted([single.id, hotspot.id, polygon.id])


def test_an_answer_saved_after_the_read_sends_the_submission_the_general_way(
    client,
    taking,  # noqa: F811
):
    course, learner, quiz, single, hotspot, polygon = taking
    attempt = start(client, course, quiz)
    wrong = next(c.id for c in single.choices if not c.is_correct)
    right = next(c.id for c in single.choices if c.is_correct)
    svc.save_answer(attempt, AnswerInput(single.id, (wrong,)))
    identity = (learner.id, learner.session_token)
    connection = db.session.connection()
    found = submitting.read(connection, course.slug, attempt.id, identity)
    assert found.saved[single.id][1] == frozenset({wrong})
    # Another tab saves the right answer between the read and the write.
    svc.save_answer(attempt, AnswerInput(single.id, (right,)))
    assert submitting.grade(connection, found, [], utcnow()) is False
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt.id).status == AttemptStatus.IN_PROGRESS
    assert (
        db.session.scalar(select(AttemptAnswer.score).where(AttemptAnswer.attempt_id == attempt.id))
        is None
    )  # nothing graded
    # The submission itself then grades what is saved now.
    _, scores, _ = _submitted(client, course, attempt, {})
    assert scores[single.id] == 1.0


def test_a_closed_attempt_or_answers_not_saved_take_the_general_path(client, taking):  # noqa: F811
    course, learner, quiz, single, hotspot, polygon = taking
    attempt = start(client, course, quiz)
    identity = (learner.id, learner.session_token)
    connection = db.session.connection()
    answer = AnswerInput(single.id, (single.choices[0].id,))
    found = submitting.read(connection, course.slug, attempt.id, identity)
    assert submitting.grade(connection, found, [answer], utcnow()) is False  # not saved
    svc.save_answer(attempt, answer)
    assert client.post(f"/courses/{course.slug}/attempts/{attempt.id}/submit").status_code == 302
    found = submitting.read(connection, course.slug, attempt.id, identity)
    assert found.attempt.status == AttemptStatus.GRADED
    assert submitting.grade(connection, found, [], utcnow()) is False
    again = client.post(f"/courses/{course.slug}/attempts/{attempt.id}/submit")
    assert again.status_code == 409


def test_the_read_finds_nothing_outside_the_course_and_no_user_for_a_stale_session(
    client,
    taking,  # noqa: F811
):
    course, learner, quiz, *_ = taking
    attempt = start(client, course, quiz)
    connection = db.session.connection()
    other = factories.course()
    assert submitting.read(connection, other.slug, attempt.id, (learner.id, "x")) is None
    found = submitting.read(connection, course.slug, attempt.id, (learner.id, "stale"))
    assert found is not None and found.user is None
    found = submitting.read(
        connection, course.slug, attempt.id, (learner.id, learner.session_token)
    )
    assert found.user.id == learner.id and found.attempt.user_id == learner.id


def test_a_submission_needs_the_sessions_csrf_token(fresh_database, smtp_server):
    import re

    from lms.enrolments import services as enrolment_services
    from tests.conftest import make_app

    app = make_app(fresh_database(), smtp_server, WTF_CSRF_ENABLED=True)
    try:
        with app.app_context():
            course = factories.course(modules=1, lessons_per_module=1)
            learner = factories.learner()
            enrolment_services.enrol(learner, course)
            quiz = factories.quiz(course, questions=2, max_attempts=None)
            db.session.commit()
            slug, quiz_id, email = course.slug, quiz.id, learner.email
            db.session.remove()
        client = app.test_client()

        def token(path: str) -> str:
            html = client.get(path).get_data(as_text=True)
            return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)

        login = {"email": email, "password": factories.PASSWORD}
        assert client.post("/auth/login", data={**login, "csrf_token": token("/auth/login")})
        csrf = token(f"/courses/{slug}/quizzes/{quiz_id}")
        started = client.post(f"/courses/{slug}/quizzes/{quiz_id}/start", data={"csrf_token": csrf})
        attempt_id = int(re.search(r"/attempts/(\d+)", started.headers["Location"]).group(1))
        with app.app_context():
            attempt = db.session.get(QuizAttempt, attempt_id)
            for question in svc.attempt_questions(attempt):
                svc.save_answer(attempt, AnswerInput(question.id, (question.choices[0].id,)))
            db.session.commit()
        url = f"/courses/{slug}/attempts/{attempt_id}/submit"
        assert client.post(url, data={}).status_code == 400
        assert client.post(url, data={"csrf_token": "forged"}).status_code == 400
        with app.app_context():
            assert db.session.get(QuizAttempt, attempt_id).status == AttemptStatus.IN_PROGRESS
        assert client.post(url, data={"csrf_token": csrf}).status_code == 302
        with app.app_context():
            assert db.session.get(QuizAttempt, attempt_id).status == AttemptStatus.GRADED
    finally:
        with app.app_context():
            db.engine.dispose()
