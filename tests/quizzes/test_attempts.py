"""Attempts: start, autosave, grade, limits, deadlines, resets, completion, time spent."""

import random
from datetime import timedelta

import pytest

from lms.db import utcnow
from lms.enrolments import services as enrolment_services
from lms.enrolments.models import EnrolmentStatus
from lms.learning import completion
from lms.learning import services as learning_services
from lms.quizzes import attempts as svc
from lms.quizzes.attempts import AnswerInput
from lms.quizzes.models import AttemptStatus, FeedbackPolicy, QuestionKind
from tests import factories


@pytest.fixture
def setup(db_session):
    course = factories.course(modules=1, lessons_per_module=1)
    learner = factories.learner()
    enrolment = enrolment_services.enrol(learner, course)
    return course, learner, enrolment


def correct_answer(question):
    if question.kind == QuestionKind.HOTSPOT:
        return AnswerInput(question.id, click=(0.5, 0.5))
    return AnswerInput(question.id, tuple(c.id for c in question.choices if c.is_correct))


def wrong_answer(question):
    wrong = [c.id for c in question.choices if not c.is_correct]
    return AnswerInput(question.id, (wrong[0],))


def answer_all(attempt, correct: int, now=None):
    questions = svc.attempt_questions(attempt)
    for index, question in enumerate(questions):
        answer = correct_answer(question) if index < correct else wrong_answer(question)
        svc.save_answer(attempt, answer, now=now)
    return questions


def test_start_fixes_questions_and_orders_and_resumes(setup):
    course, learner, enrolment = setup
    quiz = factories.quiz(course, questions=6, draw_count=4)
    attempt = svc.start_attempt(learner, quiz, rng=random.Random(3))
    assert len(attempt.question_ids) == 4
    assert set(attempt.choice_order) == {str(q) for q in attempt.question_ids}
    # Starting again while it is open resumes the same attempt, same order.
    again = svc.start_attempt(learner, quiz, rng=random.Random(99))
    assert again.id == attempt.id and again.question_ids == attempt.question_ids
    ordered = svc.attempt_questions(attempt)
    assert [q.id for q in ordered] == attempt.question_ids
    for question in ordered:
        assert [c.id for c in question.display_choices] == attempt.choice_order[str(question.id)]


def test_draw_per_module_tag(db_session):
    course = factories.course(modules=2, lessons_per_module=1)
    learner = factories.learner()
    enrolment_services.enrol(learner, course)
    bank = factories.bank(course)
    tagged = [factories.question(bank, module_id=course.modules[1].id) for _ in range(3)]
    for _ in range(3):
        factories.question(bank, module_id=course.modules[0].id)
    quiz = factories.quiz(course, bank, draw_count=2, draw_module_id=course.modules[1].id)
    attempt = svc.start_attempt(learner, quiz)
    assert set(attempt.question_ids) <= {q.id for q in tagged}


def test_grading_scores_and_pass_mark(setup):
    course, learner, enrolment = setup
    quiz = factories.quiz(course, questions=4, pass_mark=75)
    attempt = svc.start_attempt(learner, quiz)
    answer_all(attempt, correct=3)
    svc.submit_attempt(attempt, enrolment=enrolment, course=course)
    assert attempt.status == AttemptStatus.GRADED
    assert attempt.points == 3 and attempt.max_points == 4
    assert attempt.score_percent == 75.0 and attempt.passed is True


def test_unanswered_questions_score_zero_and_get_a_row(setup):
    course, learner, enrolment = setup
    quiz = factories.quiz(course, questions=3)
    attempt = svc.start_attempt(learner, quiz)
    svc.submit_attempt(attempt, enrolment=enrolment, course=course)
    answers = svc.answers_by_question(attempt)
    assert len(answers) == 3 and all(a.score == 0 for a in answers.values())
    assert attempt.score_percent == 0 and attempt.passed is False


def test_hotspot_and_partial_credit_in_an_attempt(setup):
    course, learner, enrolment = setup
    bank = factories.bank(course)
    hotspot = factories.question(
        bank, "hotspot", region={"shape": "polygon", "points": [[0.2, 0.2], [0.6, 0.2], [0.6, 0.6]]}
    )
    multi = factories.question(bank, "multiple", partial_credit=True)
    quiz = factories.quiz(course, bank)
    attempt = svc.start_attempt(learner, quiz)
    svc.save_answer(attempt, AnswerInput(hotspot.id, click=(0.6, 0.4)))  # on the edge
    a, b, c, d = multi.choices  # A and D correct
    svc.save_answer(attempt, AnswerInput(multi.id, (a.id, b.id)))  # (1 - 1) / 2 = 0
    svc.save_answer(attempt, AnswerInput(multi.id, (a.id, d.id, b.id)))  # (2 - 1) / 2
    svc.submit_attempt(attempt, enrolment=enrolment, course=course)
    answers = svc.answers_by_question(attempt)
    assert answers[hotspot.id].score == 1.0
    assert answers[multi.id].score == 0.5
    assert attempt.score_percent == 75.0


def test_autosave_replaces_the_picked_choices_and_the_click(setup):
    course, learner, _ = setup
    bank = factories.bank(course)
    multi = factories.question(bank, "multiple", partial_credit=True)
    hotspot = factories.question(
        bank, "hotspot", region={"shape": "circle", "cx": 0.5, "cy": 0.5, "r": 0.1}
    )
    attempt = svc.start_attempt(learner, factories.quiz(course, bank))
    a, b, c, d = multi.choices

    def saved() -> tuple[set[int], tuple | None]:
        answers = svc.answers_by_question(attempt)
        spot = answers.get(hotspot.id)
        picked = {choice.id for choice in answers[multi.id].choices}
        return picked, (spot.click_x, spot.click_y) if spot else None

    svc.save_answer(attempt, AnswerInput(multi.id, (a.id, b.id, d.id)))
    assert saved() == ({a.id, b.id, d.id}, None)
    svc.save_answer(attempt, AnswerInput(multi.id, (d.id, c.id)))  # two go, one stays, one comes
    svc.save_answer(attempt, AnswerInput(hotspot.id, click=(0.1, 0.2)))
    assert saved() == ({c.id, d.id}, (0.1, 0.2))
    svc.save_answer(attempt, AnswerInput(multi.id, ()))  # unticking everything
    svc.save_answer(attempt, AnswerInput(hotspot.id, click=(0.45, 0.5)))
    assert saved() == (set(), (0.45, 0.5))
    assert len(svc.answers_by_question(attempt)) == 2  # one row per question, updated


def test_a_refused_save_writes_nothing(setup):
    course, learner, enrolment = setup
    quiz = factories.quiz(course, questions=2)
    attempt = svc.start_attempt(learner, quiz)
    first, second = svc.attempt_questions(attempt)
    svc.save_answer(attempt, correct_answer(first))
    svc.submit_attempt(attempt, enrolment=enrolment, course=course)
    before = {
        q: sorted(c.id for c in a.choices) for q, a in svc.answers_by_question(attempt).items()
    }
    with pytest.raises(svc.AttemptClosed):
        svc.save_answer(attempt, wrong_answer(first))
    with pytest.raises(svc.AttemptClosed):
        svc.save_answer(attempt, correct_answer(second))
    after = {
        q: sorted(c.id for c in a.choices) for q, a in svc.answers_by_question(attempt).items()
    }
    assert after == before


@pytest.mark.parametrize(
    ("answer_of", "message"),
    [
        (
            lambda q, other: AnswerInput(other.id, (other.choices[0].id,)),
            "not part of this attempt",
        ),
        (lambda q, other: AnswerInput(q.id, (other.choices[0].id,)), "does not belong"),
        (lambda q, other: AnswerInput(q.id, (q.choices[0].id, q.choices[1].id)), "Choose one"),
        (lambda q, other: AnswerInput(q.id, click=(0.5, 0.5)), "not by clicking"),
    ],
)
def test_bad_answers_are_refused(setup, answer_of, message):
    course, learner, enrolment = setup
    quiz = factories.quiz(course, questions=1)
    other = factories.question(factories.bank(course))
    attempt = svc.start_attempt(learner, quiz)
    question = svc.attempt_questions(attempt)[0]
    with pytest.raises(svc.InvalidAnswer, match=message) as error:
        svc.save_answer(attempt, answer_of(question, other))
    assert error.value.status_code == 400


def test_hotspot_click_outside_the_image_is_refused(setup):
    course, learner, enrolment = setup
    bank = factories.bank(course)
    question = factories.question(bank, "hotspot")
    quiz = factories.quiz(course, bank)
    attempt = svc.start_attempt(learner, quiz)
    for click in [(1.01, 0.5), (-0.1, 0.5), (0.5, 1.5)]:
        with pytest.raises(svc.InvalidAnswer, match="outside the image"):
            svc.save_answer(attempt, AnswerInput(question.id, click=click))


def test_submitting_twice_grades_once(setup):
    course, learner, enrolment = setup
    quiz = factories.quiz(course, questions=2)
    attempt = svc.start_attempt(learner, quiz)
    svc.submit_attempt(attempt, enrolment=enrolment, course=course)
    submitted_at = attempt.submitted_at
    with pytest.raises(svc.AttemptClosed) as error:
        svc.submit_attempt(attempt, enrolment=enrolment, course=course)
    assert error.value.status_code == 409
    assert attempt.submitted_at == submitted_at
    with pytest.raises(svc.AttemptClosed):
        svc.save_answer(attempt, correct_answer(svc.attempt_questions(attempt)[0]))


def test_attempt_limit_counts_exactly(setup):
    course, learner, enrolment = setup
    quiz = factories.quiz(course, questions=2, max_attempts=2)
    for expected_left in (1, 0):
        attempt = svc.start_attempt(learner, quiz)
        svc.submit_attempt(attempt, enrolment=enrolment, course=course)
        assert svc.summary(learner, quiz).left == expected_left
    standing = svc.summary(learner, quiz)
    assert not standing.can_start and standing.used == 2
    with pytest.raises(svc.AttemptLimitReached, match="used all 2 attempts"):
        svc.start_attempt(learner, quiz)


def test_the_database_refuses_an_attempt_number_past_the_limit(setup):
    from sqlalchemy.exc import IntegrityError

    from lms.extensions import db
    from lms.quizzes.models import QuizAttempt

    course, learner, enrolment = setup
    quiz = factories.quiz(course, questions=1, max_attempts=1)
    row = QuizAttempt(
        quiz_id=quiz.id,
        user_id=learner.id,
        number=2,
        number_limit=1,
        question_ids=[],
        pass_mark=70,
        status=AttemptStatus.GRADED,
    )
    with pytest.raises(IntegrityError, match="within_limit"), db.session.begin_nested():
        db.session.add(row)


def test_deadline_is_stored_and_late_answers_are_refused(setup):
    course, learner, enrolment = setup
    quiz = factories.quiz(course, questions=2, time_limit_minutes=10)
    start = utcnow() - timedelta(minutes=9)
    attempt = svc.start_attempt(learner, quiz, now=start)
    assert attempt.deadline == start + timedelta(minutes=10)
    first, second = svc.attempt_questions(attempt)
    svc.save_answer(attempt, correct_answer(first))  # in time
    late = start + timedelta(minutes=10, seconds=1)
    with pytest.raises(svc.DeadlinePassed, match="time limit has passed") as error:
        svc.save_answer(attempt, correct_answer(second), now=late)
    assert error.value.status_code == 409
    # A late submission is graded on what was saved by the deadline; its answers are ignored.
    svc.submit_attempt(
        attempt, enrolment=enrolment, course=course, answers=[correct_answer(second)], now=late
    )
    assert attempt.score_percent == 50.0


def test_an_expired_open_attempt_is_graded_when_the_learner_returns(setup):
    course, learner, enrolment = setup
    quiz = factories.quiz(course, questions=1, time_limit_minutes=5, max_attempts=2)
    start = utcnow() - timedelta(minutes=30)
    attempt = svc.start_attempt(learner, quiz, now=start)
    svc.save_answer(attempt, correct_answer(svc.attempt_questions(attempt)[0]), now=start)
    standing = svc.summary(learner, quiz, enrolment=enrolment, course=course)
    assert attempt.status == AttemptStatus.GRADED and attempt.passed
    assert standing.open_attempt is None and standing.left == 1


def test_reset_voids_attempts_with_a_recorded_reason_and_allows_new_ones(setup):
    course, learner, enrolment = setup
    teacher = factories.instructor()
    quiz = factories.quiz(course, questions=1, max_attempts=1)
    attempt = svc.start_attempt(learner, quiz)
    svc.submit_attempt(attempt, enrolment=enrolment, course=course)
    with pytest.raises(svc.AttemptLimitReached):
        svc.start_attempt(learner, quiz)
    with pytest.raises(svc.ResetNeedsReason):
        svc.reset_attempts(quiz, learner, teacher, "  ")
    reset = svc.reset_attempts(quiz, learner, teacher, "Power cut during the exam")
    assert reset.attempts_voided == 1 and reset.reset_by_id == teacher.id
    assert reset.created_at is not None
    kept = svc.attempts_of(learner, quiz)
    assert [a.status for a in kept] == [AttemptStatus.VOID] and kept[0].reset_id == reset.id
    fresh = svc.start_attempt(learner, quiz)
    assert fresh.number == 2 and fresh.number_limit == 2
    assert svc.summary(learner, quiz).left == 0


@pytest.mark.parametrize(
    ("policy", "passed_quiz", "visible"),
    [
        (FeedbackPolicy.AFTER_ATTEMPT, False, True),
        (FeedbackPolicy.AFTER_PASSING, False, False),
        (FeedbackPolicy.AFTER_PASSING, True, True),
        (FeedbackPolicy.NEVER, True, False),
    ],
)
def test_feedback_policy(setup, policy, passed_quiz, visible):
    course, learner, enrolment = setup
    quiz = factories.quiz(course, questions=1, feedback_policy=policy)
    attempt = svc.start_attempt(learner, quiz)
    assert svc.feedback_visible(attempt, quiz, passed_quiz) is False  # never before grading
    svc.submit_attempt(attempt, enrolment=enrolment, course=course)
    assert svc.feedback_visible(attempt, quiz, passed_quiz) is visible


def test_passing_a_required_quiz_completes_the_course(setup):
    course, learner, enrolment = setup
    quiz = factories.quiz(course, questions=2)
    course = learning_services.syllabus(course.slug)
    lesson = course.modules[0].lessons[0]
    progress = learning_services.mark_complete(enrolment, lesson, course)
    assert not progress.is_complete and progress.missing == (f"pass the quiz “{quiz.title}”",)
    assert enrolment.status == EnrolmentStatus.ACTIVE

    failed = svc.start_attempt(learner, quiz)
    answer_all(failed, correct=0)
    svc.submit_attempt(failed, enrolment=enrolment, course=course)
    assert enrolment.status == EnrolmentStatus.ACTIVE

    passed = svc.start_attempt(learner, quiz)
    answer_all(passed, correct=2)
    svc.submit_attempt(passed, enrolment=enrolment, course=course)
    assert enrolment.status == EnrolmentStatus.COMPLETED
    assert completion.progress_for(learner.id, course).quizzes_passed == 1


def test_optional_and_draft_quizzes_do_not_block_completion(setup):
    course, learner, enrolment = setup
    factories.quiz(course, questions=1, required=False)
    factories.quiz(course, questions=1, publish=False)
    course = learning_services.syllabus(course.slug)
    progress = learning_services.mark_complete(enrolment, course.modules[0].lessons[0], course)
    assert progress.is_complete and progress.quizzes_required == 0


def test_quiz_evidence_is_a_fixed_number_of_queries(setup):
    from sqlalchemy import event

    from lms.extensions import db

    course, learner, enrolment = setup
    for _ in range(4):
        quiz = factories.quiz(course, questions=1)
        attempt = svc.start_attempt(learner, quiz)
        svc.submit_attempt(attempt, enrolment=enrolment, course=course)
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    engine = db.session.get_bind().engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        evidence = completion.quiz_evidence(learner.id, [course.id])
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(statements) == 1 and len(evidence[course.id]) == 4


def test_assessment_time_is_counted_separately_and_capped_at_the_deadline(setup):
    course, learner, enrolment = setup
    quiz = factories.quiz(course, questions=1, time_limit_minutes=10, max_attempts=3)
    start = utcnow() - timedelta(hours=2)
    first = svc.start_attempt(learner, quiz, now=start)
    svc.submit_attempt(first, enrolment=enrolment, course=course, now=start + timedelta(minutes=4))
    second = svc.start_attempt(learner, quiz, now=start + timedelta(minutes=30))
    svc.submit_attempt(  # submitted 50 minutes late: only the 10 allowed minutes count
        second, enrolment=enrolment, course=course, now=start + timedelta(minutes=90)
    )
    assert svc.assessment_seconds(learner, course) == 14 * 60
