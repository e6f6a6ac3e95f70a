"""Quiz pages: what learners see before and after submitting, and refusals."""

import re

import pytest

from lms.enrolments import services as enrolment_services
from lms.extensions import db
from lms.quizzes import attempts as svc
from lms.quizzes.attempts import AnswerInput
from lms.quizzes.models import FeedbackPolicy, QuizAttempt, QuizKind
from tests import factories
from tests.support.statements import recorded_statements


@pytest.fixture
def taking(client, db_session, login):
    course = factories.course(modules=1, lessons_per_module=2)
    learner = factories.learner()
    enrolment_services.enrol(learner, course)
    bank = factories.bank(course)
    single = factories.question(bank, prompt="Which point?", explanation="GB21 lies on...")
    hotspot = factories.question(
        bank,
        "hotspot",
        prompt="Click the trigger point",
        region={"shape": "circle", "cx": 0.4321, "cy": 0.6543, "r": 0.0789},
    )
    polygon = factories.question(
        bank,
        "hotspot",
        region={"shape": "polygon", "points": [[0.1234, 0.2345], [0.3456, 0.2345], [0.3, 0.4567]]},
    )
    quiz = factories.quiz(course, bank, max_attempts=2, pass_mark=70)
    login(learner)
    return course, learner, quiz, single, hotspot, polygon


def start(client, course, quiz):
    response = client.post(f"/courses/{course.slug}/quizzes/{quiz.id}/start")
    assert response.status_code == 302, response.get_data(as_text=True)
    attempt_id = int(re.search(r"/attempts/(\d+)", response.headers["Location"]).group(1))
    return db.session.get(QuizAttempt, attempt_id)


def test_quiz_page_tells_pass_mark_attempts_and_time_before_starting(client, taking):
    course, learner, quiz, *_ = taking
    quiz.time_limit_minutes = 20
    db.session.flush()
    html = client.get(f"/courses/{course.slug}/quizzes/{quiz.id}").get_data(as_text=True)
    assert "70%" in html and "2 of 2" in html and "20 minutes" in html
    assert "Start the quiz" in html


def test_correct_answers_never_reach_the_page_or_json_before_submission(client, taking):
    course, learner, quiz, single, hotspot, polygon = taking
    attempt = start(client, course, quiz)
    base = f"/courses/{course.slug}/attempts/{attempt.id}"
    html = client.get(base).get_data(as_text=True)
    assert "Which point?" in html and "Click the trigger point" in html
    correct_id = next(c.id for c in single.choices if c.is_correct)
    wrong_ids = [c.id for c in single.choices if not c.is_correct]
    # Every choice is offered, and nothing tells the correct one apart.
    for choice_id in [correct_id, *wrong_ids]:
        assert f'value="{choice_id}"' in html
    assert "correct" not in html.lower().replace("incorrect", "")
    assert "GB21 lies on" not in html  # explanations wait for feedback
    for secret in ("0.4321", "0.6543", "0.0789", "432.1", "654.3", "78.9", "0.1234", "123.4"):
        assert secret not in html
    assert "hotspot-target" not in html and "polygon" not in html.lower()
    saved = client.post(
        f"{base}/answers", json={"question_id": single.id, "choice_ids": [wrong_ids[0]]}
    )
    assert saved.status_code == 200
    body = saved.get_data(as_text=True)
    assert str(correct_id) not in body.replace(f'"question_id":{single.id}', "")
    assert "0.4321" not in body and "correct" not in body
    # The image link does not leak the region either.
    image = client.get(f"{base}/questions/{hotspot.id}/image")
    assert image.status_code == 302 and "0.4321" not in image.headers["Location"]


def test_autosave_refusals_are_400_and_409(client, taking):
    course, learner, quiz, single, hotspot, polygon = taking
    other_course_question = factories.question(factories.bank(factories.course()))
    attempt = start(client, course, quiz)
    url = f"/courses/{course.slug}/attempts/{attempt.id}/answers"
    cases = [
        ({"question_id": other_course_question.id, "choice_ids": []}, 400, "not part of"),
        (
            {"question_id": single.id, "choice_ids": [other_course_question.choices[0].id]},
            400,
            "does not belong",
        ),
        ({"question_id": hotspot.id, "x": 1.2, "y": 0.5}, 400, "outside the image"),
        ({"question_id": hotspot.id, "x": "left", "y": 0.5}, 400, "numbers"),
        ({"question_id": "1"}, 400, "question_id"),
    ]
    for payload, status, message in cases:
        response = client.post(url, json=payload)
        assert response.status_code == status, payload
        assert message in response.get_json()["message"]
    # A bare JSON value is refused before any view (lms/security.py).
    assert client.post(url, json=[1, 2]).status_code == 400
    assert (
        client.post(url, json={"question_id": hotspot.id, "x": 0.43, "y": 0.65}).status_code == 200
    )
    client.post(f"/courses/{course.slug}/attempts/{attempt.id}/submit", data={})
    closed = client.post(url, json={"question_id": hotspot.id, "x": 0.5, "y": 0.5})
    assert closed.status_code == 409 and "already been submitted" in closed.get_json()["message"]


def test_another_learner_cannot_touch_an_attempt(client, taking, login):
    course, learner, quiz, single, *_ = taking
    attempt = start(client, course, quiz)
    intruder = factories.learner()
    enrolment_services.enrol(intruder, course)
    login(intruder)
    base = f"/courses/{course.slug}/attempts/{attempt.id}"
    assert client.get(base).status_code == 404
    assert client.post(f"{base}/answers", json={"question_id": single.id}).status_code == 404
    assert client.post(f"{base}/submit").status_code == 404


def test_plain_form_submission_works_without_javascript(client, taking):
    course, learner, quiz, single, hotspot, polygon = taking
    attempt = start(client, course, quiz)
    correct_id = next(c.id for c in single.choices if c.is_correct)
    response = client.post(
        f"/courses/{course.slug}/attempts/{attempt.id}/submit",
        data={
            f"q{single.id}": str(correct_id),
            f"q{hotspot.id}_x": "0.43",
            f"q{hotspot.id}_y": "0.65",
            f"q{polygon.id}_x": "0.9",
            f"q{polygon.id}_y": "0.9",
        },
    )
    assert response.status_code == 302
    db.session.refresh(attempt)
    assert attempt.points == 2 and attempt.passed is False  # 2 of 3 = 66.67% < 70%
    again = client.post(f"/courses/{course.slug}/attempts/{attempt.id}/submit", data={})
    assert again.status_code == 409 and "already been submitted" in again.get_data(as_text=True)


def test_form_answers_to_questions_outside_the_attempt_are_400(client, taking):
    course, learner, quiz, *_ = taking
    stranger = factories.question(factories.bank(course))
    attempt = start(client, course, quiz)
    response = client.post(
        f"/courses/{course.slug}/attempts/{attempt.id}/submit",
        data={f"q{stranger.id}": str(stranger.choices[0].id)},
    )
    assert response.status_code == 400
    db.session.refresh(attempt)
    assert attempt.is_open


def test_try_again_is_offered_until_the_last_attempt_and_never_after(client, taking):
    course, learner, quiz, *_ = taking
    first = start(client, course, quiz)
    client.post(f"/courses/{course.slug}/attempts/{first.id}/submit", data={})
    html = client.get(f"/courses/{course.slug}/attempts/{first.id}/result").get_data(as_text=True)
    assert "Try again" in html and "Attempts left: 1 of 2" in html
    second = start(client, course, quiz)
    client.post(f"/courses/{course.slug}/attempts/{second.id}/submit", data={})
    html = client.get(f"/courses/{course.slug}/attempts/{second.id}/result").get_data(as_text=True)
    assert "Try again" not in html and "Attempts left: 0 of 2" in html
    assert "No attempts left" in html
    page = client.get(f"/courses/{course.slug}/quizzes/{quiz.id}").get_data(as_text=True)
    assert "Start attempt" not in page and "used all your attempts" in page
    refused = client.post(f"/courses/{course.slug}/quizzes/{quiz.id}/start", follow_redirects=True)
    assert "You have used all 2 attempts" in refused.get_data(as_text=True)
    assert len(svc.attempts_of(learner, quiz)) == 2


@pytest.mark.parametrize(
    ("policy", "shown_after_fail"),
    [
        (FeedbackPolicy.AFTER_ATTEMPT, True),
        (FeedbackPolicy.AFTER_PASSING, False),
        (FeedbackPolicy.NEVER, False),
    ],
)
def test_feedback_shows_as_configured(client, taking, policy, shown_after_fail):
    course, learner, quiz, single, hotspot, polygon = taking
    quiz.feedback_policy = policy
    db.session.flush()
    attempt = start(client, course, quiz)
    client.post(f"/courses/{course.slug}/attempts/{attempt.id}/submit", data={})
    html = client.get(f"/courses/{course.slug}/attempts/{attempt.id}/result").get_data(as_text=True)
    assert ("GB21 lies on" in html) is shown_after_fail
    assert ("hotspot-target" in html) is shown_after_fail


def test_a_course_final_refuses_to_publish_with_fewer_than_ten_questions(client, db_session, login):
    teacher = factories.instructor()
    course = factories.course(teacher)
    bank = factories.bank(course)
    for _ in range(9):
        factories.question(bank)
    quiz = factories.quiz(course, bank, kind=QuizKind.COURSE, publish=False)
    login(teacher)
    response = client.post(
        f"/courses/{course.slug}/quizzes/{quiz.id}/publish", follow_redirects=True
    )
    assert "at least 10 questions per attempt (NCCAOM); this one has 9" in response.get_data(
        as_text=True
    )
    assert not quiz.is_published
    factories.question(bank)
    client.post(f"/courses/{course.slug}/quizzes/{quiz.id}/publish")
    db.session.refresh(quiz)
    assert quiz.is_published


def test_quizzes_appear_in_the_course_outline(client, taking):
    course, learner, quiz, *_ = taking
    lesson = course.modules[0].lessons[0]
    html = client.get(f"/courses/{course.slug}/lessons/{lesson.id}").get_data(as_text=True)
    assert f"/courses/{course.slug}/quizzes/{quiz.id}" in html and quiz.title in html
    html = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert f"/courses/{course.slug}/quizzes/{quiz.id}" in html


def test_learners_of_a_course_they_are_not_enrolled_in_are_sent_to_enrol(client, db_session, login):
    course = factories.course()
    quiz = factories.quiz(course, questions=1)
    login(factories.learner())
    response = client.post(f"/courses/{course.slug}/quizzes/{quiz.id}/start")
    assert response.status_code == 302 and response.headers["Location"] == f"/courses/{course.slug}"
    assert svc.attempts_of(factories.learner(), quiz) == []


def _submit_statements(
    client, course, quiz, pick_correct: bool, autosaved: bool = False
) -> tuple[list[str], QuizAttempt]:
    """SQL statements of one form submission answering every question of a fresh attempt
    (with `autosaved`, the page saved each answer before: the form sends the same)."""
    attempt = start(client, course, quiz)
    form = {}
    for question in svc.attempt_questions(attempt):
        choice = next(c for c in question.choices if c.is_correct == pick_correct)
        form[f"q{question.id}"] = str(choice.id)
        if autosaved:
            svc.save_answer(attempt, AnswerInput(question.id, (choice.id,)))
    with recorded_statements(db.engine) as statements:
        response = client.post(f"/courses/{course.slug}/attempts/{attempt.id}/submit", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(attempt)
    return statements, attempt


def test_a_submission_costs_the_same_statements_whatever_the_quiz_size(client, db_session, login):
    """When the page autosaved every answer: one read (the course's version, the attempt
    with its user, questions and saved answers) and one write (the close with the totals,
    and the scores), for 2 or 12 questions (lms.quizzes.submitting), and 4 more when a pass
    at a required quiz asks the completion engine. When the form brings answers not saved
    yet, that read and the general path: the course's version, the attempt, its questions,
    the close, the saved answers, 3 writes of the new answers, then the scores and totals
    (and 3 more for the completion engine)."""
    course = factories.course(modules=1, lessons_per_module=2)
    learner = factories.learner()
    enrolment_services.enrol(learner, course)
    small = factories.quiz(course, questions=2, max_attempts=None)
    large = factories.quiz(course, questions=12, max_attempts=None)
    optional = factories.quiz(course, questions=12, required=False, max_attempts=None)
    login(learner)
    # The process reads the course's outline once per version (lms.learning.snapshot).
    lesson = course.modules[0].lessons[0]
    assert client.get(f"/courses/{course.slug}/lessons/{lesson.id}").status_code == 200
    counts = {}
    for name, quiz, correct, autosaved in [
        ("small failed", small, False, True),
        ("large failed", large, False, True),
        ("large failed, not saved", large, False, False),
        ("optional passed", optional, True, True),
        ("large passed", large, True, True),
        ("large passed, not saved", large, True, False),
    ]:
        statements, attempt = _submit_statements(client, course, quiz, correct, autosaved)
        assert attempt.passed is correct and attempt.max_points == len(attempt.question_ids)
        assert attempt.points == (attempt.max_points if correct else 0)
        counts[name] = len(statements)
    assert counts == {
        "small failed": 2,
        "large failed": 2,
        "large failed, not saved": 10,
        "optional passed": 2,
        "large passed": 6,
        "large passed, not saved": 13,
    }, counts


def test_a_signed_out_session_can_neither_submit_nor_autosave(client, db_session, login):
    from lms.auth.models import new_session_token

    course = factories.course(modules=1, lessons_per_module=1)
    learner = factories.learner()
    enrolment_services.enrol(learner, course)
    quiz = factories.quiz(course, questions=2)
    login(learner)
    attempt = start(client, course, quiz)
    question = svc.attempt_questions(attempt)[0]
    learner.session_token = new_session_token()  # signed out everywhere
    db.session.flush()
    saved = client.post(
        f"/courses/{course.slug}/attempts/{attempt.id}/answers",
        json={"question_id": question.id, "choice_ids": [question.choices[0].id]},
    )
    submitted = client.post(f"/courses/{course.slug}/attempts/{attempt.id}/submit", data={})
    for response in (saved, submitted):
        assert response.status_code in (302, 401)
        assert response.status_code == 401 or "/auth/login" in response.headers["Location"]
    db.session.refresh(attempt)
    assert attempt.is_open and svc.answers_by_question(attempt) == {}


def test_an_autosave_costs_two_statements_and_refuses_odd_question_ids(client, db_session, login):
    course = factories.course(modules=1, lessons_per_module=1)
    learner = factories.learner()
    enrolment_services.enrol(learner, course)
    quiz = factories.quiz(course, questions=3)
    other = factories.quiz(course, questions=1)
    login(learner)
    attempt = start(client, course, quiz)
    question = svc.attempt_questions(attempt)[0]
    foreign = svc.attempt_questions(svc.start_attempt(learner, other))[0]
    url = f"/courses/{course.slug}/attempts/{attempt.id}/answers"
    with recorded_statements(db.engine) as statements:
        saved = client.post(
            url, json={"question_id": question.id, "choice_ids": [question.choices[1].id]}
        )
    assert saved.status_code == 200, saved.get_data(as_text=True)
    # The attempt with the session's user and the question's facts; the claim and the write.
    assert len(statements) == 2, statements
    for odd in (2**40, -1, 0, True, "1", None, foreign.id):
        refused = client.post(url, json={"question_id": odd, "choice_ids": []})
        assert refused.status_code == 400, (odd, refused.get_data(as_text=True))
    answers = svc.answers_by_question(attempt)
    assert list(answers) == [question.id]
    assert [c.id for c in answers[question.id].choices] == [question.choices[1].id]
