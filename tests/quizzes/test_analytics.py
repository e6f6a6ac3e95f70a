"""Item analysis on a hand-computed example, query counts, hotspot clicks, CSV export, resets."""

import csv
import io

import pytest
from sqlalchemy import event

from lms.enrolments import services as enrolment_services
from lms.extensions import db
from lms.quizzes import analytics
from lms.quizzes import attempts as svc
from lms.quizzes.attempts import AnswerInput
from tests import factories

# Item scores per attempt (rows) and question (columns), and the totals:
#   A: 1 1 1 = 3    B: 1 1 0 = 2    C: 1 0 0 = 1    D: 0 0 1 = 1
PATTERN = [(1, 1, 1), (1, 1, 0), (1, 0, 0), (0, 0, 1)]
# Difficulty = share correct: q1 3/4, q2 2/4, q3 2/4.
# Corrected point-biserial, item x against the rest of the score y = total - x:
#   q1: x = 1 1 1 0, y = 2 1 0 1 -> covariance 0 -> r = 0
#   q2: x = 1 1 0 0, y = 2 1 1 1 -> S(dx dy) = 0.5, S(dx^2) = 1, S(dy^2) = 0.75
#       r = 0.5 / sqrt(0.75) = 0.57735
#   q3: x = 1 0 0 1, y = 2 2 1 0 -> S(dx dy) = -0.5, S(dy^2) = 2.75 -> r = -0.30151
EXPECTED = [(0.75, 0.0), (0.5, 0.57735), (0.5, -0.30151)]


def take(course, quiz, questions, scores, learner=None):
    learner = learner or factories.learner()
    enrolment = enrolment_services.enrol(learner, course)
    attempt = svc.start_attempt(learner, quiz)
    for question, right in zip(questions, scores, strict=True):
        pick = question.choices[0] if right else question.choices[1]  # A is correct
        svc.save_answer(attempt, AnswerInput(question.id, (pick.id,)))
    svc.submit_attempt(attempt, enrolment=enrolment, course=course)
    return attempt


@pytest.fixture
def analysed(db_session):
    course = factories.course(modules=1, lessons_per_module=1)
    bank = factories.bank(course)
    questions = [factories.question(bank, prompt=f"Q{i}") for i in (1, 2, 3)]
    quiz = factories.quiz(course, bank, pass_mark=70, shuffle_questions=False)
    for scores in PATTERN:
        take(course, quiz, questions, scores)
    return course, quiz, questions


def test_item_statistics_match_the_hand_computed_example(analysed):
    course, quiz, questions = analysed
    report = analytics.item_analysis(quiz)
    assert report.attempts == 4 and report.learners == 4 and report.passed == 1
    assert report.pass_rate == 0.25
    assert report.mean_percent == pytest.approx((100 + 66.67 + 33.33 + 33.33) / 4)
    by_question = {item.question.id: item for item in report.items}
    for question, (difficulty, discrimination) in zip(questions, EXPECTED, strict=True):
        item = by_question[question.id]
        assert item.responses == 4
        assert item.difficulty == pytest.approx(difficulty)
        assert item.discrimination == pytest.approx(discrimination, abs=1e-4)
    q1 = by_question[questions[0].id]
    a, b, c = questions[0].choices
    assert q1.choice_counts == {a.id: 3, b.id: 1, c.id: 0}
    assert [b.count for b in report.bins] == [0, 0, 0, 2, 0, 0, 1, 0, 0, 1]
    assert [b.passing for b in report.bins] == [False] * 7 + [True] * 3


def test_item_analysis_queries_do_not_grow_with_attempts(analysed):
    course, quiz, questions = analysed

    def count() -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        engine = db.session.get_bind().engine
        event.listen(engine, "before_cursor_execute", listener)
        try:
            analytics.item_analysis(quiz)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    before = count()
    for _ in range(3):
        take(course, quiz, questions, (1, 0, 1))
    assert count() == before <= 8


def test_void_and_open_attempts_are_left_out_of_the_statistics(analysed):
    course, quiz, questions = analysed
    teacher = factories.instructor()
    extra = take(course, quiz, questions, (0, 0, 0))
    svc.reset_attempts(quiz, extra.user, teacher, "Took it for a colleague")
    svc.start_attempt(factories.learner(), quiz)  # in progress
    assert analytics.item_analysis(quiz).attempts == 4


def test_analysis_page_shows_histogram_svg_and_table(client, analysed, login):
    course, quiz, questions = analysed
    teacher = factories.instructor()
    course.instructors.append(teacher)
    db.session.flush()
    login(teacher)
    html = client.get(f"/courses/{course.slug}/quizzes/{quiz.id}/analysis").get_data(as_text=True)
    assert "<svg" in html and 'id="histogram-table"' in html and "hatched" in html
    assert "25%" in html and "0.58" in html and "-0.30" in html
    assert "style=" not in html and "<script>" not in html


def test_hotspot_clicks_are_reported_with_hits(client, db_session, login):
    teacher = factories.instructor()
    course = factories.course(teacher, modules=1, lessons_per_module=1)
    bank = factories.bank(course)
    question = factories.question(bank, "hotspot")  # circle at the centre, r = 0.1
    quiz = factories.quiz(course, bank)
    for click in [(0.5, 0.5), (0.55, 0.5), (0.9, 0.9)]:
        learner = factories.learner()
        enrolment = enrolment_services.enrol(learner, course)
        attempt = svc.start_attempt(learner, quiz)
        svc.save_answer(attempt, AnswerInput(question.id, click=click))
        svc.submit_attempt(attempt, enrolment=enrolment, course=course)
    clicks = analytics.hotspot_clicks(quiz, question)
    assert sorted((c.x, c.y, c.hit) for c in clicks) == [
        (0.5, 0.5, True),
        (0.55, 0.5, True),
        (0.9, 0.9, False),
    ]
    login(teacher)
    html = client.get(
        f"/courses/{course.slug}/quizzes/{quiz.id}/questions/{question.id}/clicks"
    ).get_data(as_text=True)
    assert "3 clicks; 2 inside the target region, 1 outside" in html
    assert (
        html.count('class="hotspot-dot-hit"') == 2 and html.count('class="hotspot-dot-miss"') == 1
    )
    assert 'class="hotspot-target"' in html


def test_csv_export_streams_every_attempt_and_defuses_formulas(client, db_session, login):
    teacher = factories.instructor()
    course = factories.course(teacher, modules=1, lessons_per_module=1)
    bank = factories.bank(course)
    questions = [factories.question(bank)]
    quiz = factories.quiz(course, bank, shuffle_questions=False)
    take(course, quiz, questions, (1,), learner=factories.learner(legal_name="=HYPERLINK(1)"))
    take(course, quiz, questions, (0,), learner=factories.learner(legal_name="@SUM(A1)"))
    for _ in range(5):
        take(course, quiz, questions, (1,))
    svc.start_attempt(factories.learner(legal_name="-2+3"), quiz)  # in progress rows count too

    lines = list(analytics.attempts_csv(quiz.id, batch=2))  # batches smaller than the data
    rows = list(csv.reader(io.StringIO("".join(lines))))
    assert rows[0][0] == "attempt_id" and len(rows) == 1 + 8
    names = [row[1] for row in rows[1:]]
    assert "'=HYPERLINK(1)" in names and "'@SUM(A1)" in names and "'-2+3" in names

    login(teacher)
    response = client.get(f"/courses/{course.slug}/quizzes/{quiz.id}/attempts.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert len(list(csv.reader(io.StringIO(response.get_data(as_text=True))))) == 9


def test_reset_through_the_learners_page_records_who_and_why(client, db_session, login):
    teacher = factories.instructor()
    course = factories.course(teacher, modules=1, lessons_per_module=1)
    quiz = factories.quiz(course, questions=1, max_attempts=1)
    learner = factories.learner(legal_name="Pat Learner")
    attempt = take(
        course,
        quiz,
        svc.attempt_questions(svc.start_attempt(factories.learner(), quiz)),
        (1,),
        learner=learner,
    )
    login(teacher)
    url = f"/courses/{course.slug}/quizzes/{quiz.id}/learners/{learner.id}/reset"
    client.post(url, data={"reason": ""})
    db.session.refresh(attempt)
    assert attempt.status.value == "graded"
    response = client.post(url, data={"reason": "Browser crashed mid-exam"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "1 attempt(s) voided" in html and "Browser crashed mid-exam" in html
    db.session.refresh(attempt)
    assert attempt.status.value == "void"
    assert svc.summary(learner, quiz).left == 1
