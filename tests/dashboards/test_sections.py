"""Quiz and certificate sections of the dashboards, on a small CE course computed by hand.

Trapezius assessment (module, required, 2 questions)   Palpation check (lesson, optional)
Ana  0 %, then 100 %                                   Ana  100 %
Bo   100 %                        Certificates: Ana's reissued (1 superseded + 1 valid),
Cy   0 %                          Bo's revoked; Cy and Di have none.
Di   an attempt left open (never counted)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from lms.auth.models import User
from lms.catalog.models import Course
from lms.certificates import issuance
from lms.certificates import services as certificate_services
from lms.certificates.models import Certificate, RevocationReason
from lms.enrolments import services as enrolment_services
from lms.evaluations import services as evaluation_services
from lms.extensions import db
from lms.learning import completion
from lms.learning import services as learning_services
from lms.quizzes import analytics
from lms.quizzes import attempts as attempt_services
from lms.quizzes import dashboard as quiz_dashboard
from lms.quizzes.models import Quiz, QuizKind
from tests import factories
from tests.support.statements import recorded_statements


@dataclass
class AssessedCourse:
    course: Course
    teacher: User
    admin: User
    final: Quiz
    check: Quiz
    learners: dict[str, User]
    reissued: Certificate  # Ana's current certificate
    revoked: Certificate  # Bo's


def take(learner, quiz, course, enrolment, right: bool, submit: bool = True):
    """One attempt, every answer right or every answer wrong."""
    attempt = attempt_services.start_attempt(learner, quiz, enrolment=enrolment, course=course)
    for question in attempt_services.attempt_questions(attempt):
        pick = [c.id for c in question.choices if c.is_correct is right][0]
        attempt_services.save_answer(attempt, attempt_services.AnswerInput(question.id, (pick,)))
    if submit:
        attempt_services.submit_attempt(attempt, enrolment=enrolment, course=course)
    return attempt


def finish_lessons_and_evaluate(enrolment, course):
    for lesson in completion.course_lessons(course):
        learning_services.mark_complete(enrolment, lesson, course)
    evaluation_services.submit(enrolment, course, dict(factories.RATINGS), "")


@pytest.fixture
def assessed(db_session) -> AssessedCourse:
    factories.provider_settings()
    teacher, admin = factories.instructor(), factories.admin()
    course = factories.ce_course(teacher, modules=1, lessons_per_module=2)
    final = factories.quiz(course, questions=2, title="Trapezius assessment")
    check = factories.quiz(
        course, questions=2, title="Palpation check", kind=QuizKind.LESSON, required=False
    )
    course = learning_services.syllabus(course.slug)
    names = {"Ana": "Ana Aoki", "Bo": "Bo Berg", "Cy": "Cy Cole", "Di": "Di Diaz"}
    learners = {key: factories.learner(legal_name=name) for key, name in names.items()}
    enrolments = {key: enrolment_services.enrol(user, course) for key, user in learners.items()}

    take(learners["Ana"], final, course, enrolments["Ana"], right=False)
    take(learners["Ana"], final, course, enrolments["Ana"], right=True)
    take(learners["Ana"], check, course, enrolments["Ana"], right=True)
    take(learners["Bo"], final, course, enrolments["Bo"], right=True)
    take(learners["Cy"], final, course, enrolments["Cy"], right=False)
    take(learners["Di"], final, course, enrolments["Di"], right=True, submit=False)
    for key in ("Ana", "Bo"):
        finish_lessons_and_evaluate(enrolments[key], course)

    first = issuance.issue_certificate(enrolments["Ana"], admin)
    reissued = issuance.reissue(first, admin, "Name corrected")
    revoked = issuance.issue_certificate(enrolments["Bo"], admin)
    issuance.revoke(revoked, admin, RevocationReason.ISSUED_IN_ERROR, "Wrong course")
    db.session.flush()
    return AssessedCourse(course, teacher, admin, final, check, learners, reissued, revoked)


# --- services: the figures ------------------------------------------------------------


def test_quiz_summaries_are_item_analysis_figures(assessed):
    summaries = {
        item.quiz.id: item.figures for item in quiz_dashboard.quiz_summaries(assessed.course)
    }
    final = summaries[assessed.final.id]
    # Graded attempts only: Ana twice, Bo, Cy; Di's open attempt is left out.
    assert (final.attempts, final.passed) == (4, 2)
    assert final.pass_rate == pytest.approx(0.5)
    assert final.mean_percent == pytest.approx(50.0)
    check = summaries[assessed.check.id]
    assert (check.attempts, check.passed, check.mean_percent) == (1, 1, 100.0)
    for quiz in (assessed.final, assessed.check):
        report = analytics.item_analysis(quiz)
        figures = summaries[quiz.id]
        assert (report.attempts, report.passed, report.pass_rate, report.mean_percent) == (
            figures.attempts,
            figures.passed,
            figures.pass_rate,
            figures.mean_percent,
        )
    assert analytics.item_analysis(assessed.final).learners == 3  # Ana, Bo, Cy
    # Course order: the lesson check before the final.
    assert list(summaries) == [assessed.check.id, assessed.final.id]


def test_course_certificates_count_each_status(assessed):
    figures = certificate_services.course_certificates(assessed.course)
    assert (figures.valid, figures.revoked, figures.superseded, figures.issued) == (1, 1, 1, 3)
    assert figures.awaiting == 0  # Bo's revoked certificate is not re-queued
    assert figures.latest.number in {assessed.reissued.number, assessed.revoked.number}
    assert figures.latest.issued_at == max(assessed.reissued.issued_at, assessed.revoked.issued_at)


def test_sections_stay_hidden_on_a_course_without_quizzes_or_ce_credit(db_session):
    course = factories.course()
    learner = factories.learner()
    enrolment_services.enrol(learner, course)
    assert quiz_dashboard.course_quizzes(course) is None
    assert quiz_dashboard.learner_quizzes(course, learner) is None
    assert certificate_services.course_certificates(course) is None
    assert certificate_services.learner_certificates(course, learner) is None


# --- pages ----------------------------------------------------------------------------


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def section(html, key):
    start = html.index(f'id="section-{key}"')
    end = html.find("<section", start)
    return html[start : end if end > 0 else None]


def test_course_dashboard_shows_quizzes_and_certificates(client, login, assessed):
    login(assessed.teacher)
    html = page(client, f"/dashboards/courses/{assessed.course.slug}")
    quizzes = section(html, "quizzes")
    assert "<svg" in quizzes and "Quizzes: graded and passed attempts" in quizzes
    analysis = f"/courses/{assessed.course.slug}/quizzes/{assessed.final.id}/analysis"
    assert f'href="{analysis}"' in quizzes
    # kind, graded attempts, passed, pass rate, mean score
    assert re.search(
        r"Trapezius assessment : item analysis\s+Module assessment\s+4\s+2\s+50%\s+50\.0%",
        text_of(quizzes),
    )
    assert client.get(analysis).status_code == 200  # the link leads to the analysis

    certificates = text_of(section(html, "certificates"))
    for label, number in (("Valid", 1), ("Revoked", 1), ("Superseded by a reissue", 1)):
        assert re.search(rf"{label}\s+{number}\b", certificates), label
    assert "Latest certificate" in certificates
    assert "/admin/certificates/" not in html  # instructors do not manage certificates
    assert 'style="' not in html


def test_admins_get_links_to_the_certificate_pages(client, login, assessed):
    login(assessed.admin)
    html = section(page(client, f"/dashboards/courses/{assessed.course.slug}"), "certificates")
    assert re.search(r'href="/admin/certificates/MTP-[0-9A-Z]+"', html)


def test_learner_page_shows_attempts_scores_and_certificates(client, login, assessed):
    login(assessed.teacher)
    ana = assessed.learners["Ana"]
    html = page(client, f"/dashboards/courses/{assessed.course.slug}/learners/{ana.id}")
    attempts = text_of(section(html, "quiz-attempts"))
    assert re.search(
        r"Trapezius assessment : learners and resets\s+passed \(required\); best score 100%"
        r"\s+#1 Graded .*? 0% Failed",
        attempts,
    )
    assert re.search(r"#2 Graded .*? 100% Passed", attempts)
    assert re.search(r"Palpation check : learners and resets\s+passed; best score 100%", attempts)
    certificates = text_of(section(html, "certificates"))
    assert assessed.reissued.number in certificates and "Valid" in certificates
    assert f"Replaced by {assessed.reissued.number}" in certificates
    assert "Superseded" in certificates


def test_learner_page_shows_what_is_left_quizzes_included(client, login, assessed):
    """Cy failed the assessment and opened no lesson: every step is still to do."""
    login(assessed.teacher)
    cy = assessed.learners["Cy"]
    html = text_of(page(client, f"/dashboards/courses/{assessed.course.slug}/learners/{cy.id}"))
    assert "pass the quiz “Trapezius assessment”" in html and "submit the course evaluation" in html
    attempts = html[html.index("Quiz attempts") :]
    assert re.search(
        r"Trapezius assessment : learners and resets required, not passed yet; best score 0%"
        r"\s+#1 Graded .*? 0% Failed",
        attempts,
    )
    assert re.search(
        r"Palpation check : learners and resets\s+optional, not passed\s+Not attempted", attempts
    )
    assert "No certificate issued for this course." in html


@pytest.mark.parametrize("suffix", ["", "/learners/{learner}"])
def test_other_instructors_and_learners_never_see_the_sections(client, login, assessed, suffix):
    path = f"/dashboards/courses/{assessed.course.slug}" + suffix.format(
        learner=assessed.learners["Ana"].id
    )
    for user in (factories.instructor(), assessed.learners["Ana"]):
        login(user)
        response = client.get(path)
        assert response.status_code == 403
        assert assessed.reissued.number not in response.get_data(as_text=True)


def count_queries(client, path) -> int:
    with recorded_statements(db.engine, skip=("SAVEPOINT", "RELEASE")) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


def test_sections_cost_the_same_queries_however_many_learners(client, login, assessed):
    login(assessed.teacher)
    course = assessed.course
    paths = [
        f"/dashboards/courses/{course.slug}",
        f"/dashboards/courses/{course.slug}/learners",
        f"/dashboards/courses/{course.slug}/learners/{assessed.learners['Ana'].id}",
    ]
    before = [count_queries(client, path) for path in paths]
    for _ in range(3):
        learner = factories.learner()
        enrolment = enrolment_services.enrol(learner, course)
        take(learner, assessed.final, course, enrolment, right=False)
        take(learner, assessed.final, course, enrolment, right=True)
        take(learner, assessed.check, course, enrolment, right=True)
        finish_lessons_and_evaluate(enrolment, course)
        issuance.issue_certificate(enrolment, assessed.admin)
    assert [count_queries(client, path) for path in paths] == before
