"""Course evaluations: opening after the lessons, once per enrolment, aggregated results."""

import pytest
from sqlalchemy import event

from lms.enrolments.models import EnrolmentStatus
from lms.evaluations import services
from lms.extensions import db
from lms.learning import services as learning_services
from tests import factories


def test_evaluation_opens_after_the_lessons_and_completes_the_course(db_session):
    course = factories.ce_course(modules=1, lessons_per_module=1)
    learner = factories.learner()
    from lms.enrolments import services as enrolment_services

    enrolment = enrolment_services.enrol(learner, course)
    with pytest.raises(services.EvaluationNotOpen):
        services.submit(enrolment, course, dict(factories.RATINGS), "")
    learning_services.mark_complete(enrolment, course.modules[0].lessons[0], course)
    assert enrolment.status == EnrolmentStatus.ACTIVE
    progress = services.submit(enrolment, course, dict(factories.RATINGS), "Good")
    assert progress.is_complete and enrolment.status == EnrolmentStatus.COMPLETED
    with pytest.raises(services.AlreadyEvaluated):
        services.submit(enrolment, course, dict(factories.RATINGS), "Again")


def test_course_without_required_evaluation_completes_with_the_lessons(db_session):
    factories.provider_settings()
    course = factories.ce_course(modules=1, lessons_per_module=1)
    factories.course_credit(course, evaluation_required=False)
    enrolment = factories.complete_course(factories.learner(), course, evaluate=False)
    assert enrolment.status == EnrolmentStatus.COMPLETED


def test_form_needs_every_answer(client, db_session, login):
    course = factories.course(modules=1, lessons_per_module=1)
    learner = factories.learner()
    factories.complete_course(learner, course, evaluate=False)
    login(learner)
    page = client.get(f"/courses/{course.slug}/evaluation").get_data(as_text=True)
    assert page.count("<fieldset") >= 4 and "<legend" in page
    response = client.post(f"/courses/{course.slug}/evaluation", data={"objectives_met": "5"})
    assert response.status_code == 200
    assert "Choose an answer from 1" in response.get_data(as_text=True)


def test_instructors_see_aggregated_results_learners_do_not(client, db_session, login):
    teacher = factories.instructor()
    course = factories.ce_course(teacher, modules=1, lessons_per_module=1)
    for ratings in ({"objectives_met": 5}, {"objectives_met": 3}):
        enrolment = factories.complete_course(factories.learner(), course, evaluate=False)
        services.submit(enrolment, course, {**factories.RATINGS, **ratings}, "Loved the palpation")
    results = services.results(course)
    first = results.questions[0]
    assert results.count == 2 and first.average == 4.0
    assert first.distribution == {1: 0, 2: 0, 3: 1, 4: 0, 5: 1}
    assert [c.text for c in results.comments] == ["Loved the palpation"] * 2
    login(teacher)
    page = client.get(f"/teach/courses/{course.slug}/evaluations").get_data(as_text=True)
    assert "4.00" in page and "Loved the palpation" in page
    login(factories.learner())
    assert client.get(f"/teach/courses/{course.slug}/evaluations").status_code == 403


def test_my_learning_query_count_stays_fixed_with_evaluations(client, db_session, login):
    learner = factories.learner()
    login(learner)

    def count() -> int:
        statements = []

        def record(*args):
            if "SAVEPOINT" not in str(args[2]):
                statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            client.get("/my/learning")
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    from lms.enrolments import services as enrolment_services

    enrolment_services.enrol(learner, factories.course())
    one = count()
    for _ in range(4):
        enrolment_services.enrol(learner, factories.course())
    assert count() == one
