"""Enrolment rules: prerequisites, staff enrolment by email, and one enrolment whatever the race."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from lms.catalog.models import course_prerequisites
from lms.enrolments import services
from lms.enrolments.models import Enrolment, EnrolmentStatus
from lms.extensions import db
from tests import factories
from tests.conftest import make_app


def test_prerequisites_must_be_completed_and_the_error_names_the_missing_courses(db_session):
    basics = factories.course(title="Palpation basics")
    anatomy = factories.course(title="Neck anatomy")
    advanced = factories.course(title="Advanced neck")
    advanced.prerequisites = [basics, anatomy]
    learner = factories.learner()
    services.enrol(learner, basics).status = EnrolmentStatus.COMPLETED
    services.enrol(learner, anatomy)  # enrolled, not completed
    db.session.flush()

    with pytest.raises(services.PrerequisitesMissing) as refused:
        services.enrol(learner, advanced)
    assert refused.value.message == "Complete “Neck anatomy” before enrolling in this course."
    assert services.enrolment_for(learner, advanced) is None

    services.enrolment_for(learner, anatomy).status = EnrolmentStatus.COMPLETED
    db.session.flush()
    assert services.enrol(learner, advanced).status == EnrolmentStatus.ACTIVE


def test_a_course_cannot_require_itself_in_the_database(db_session):
    course = factories.course()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            insert(course_prerequisites).values(course_id=course.id, required_course_id=course.id)
        )


def test_staff_enrol_a_learner_by_email_even_before_they_verify_it(db_session):
    teacher = factories.instructor()
    course = factories.course(teacher)
    learner = factories.learner(email="lin@example.com", verified=False)
    enrolment = services.enrol_by_email(course, "  LIN@example.com ", enrolled_by=teacher)
    assert enrolment.user_id == learner.id and enrolment.enrolled_by_id == teacher.id
    with pytest.raises(services.NoSuchLearner, match="nobody@example.com"):
        services.enrol_by_email(course, "nobody@example.com", enrolled_by=teacher)


def test_enrolling_twice_through_the_page_makes_one_enrolment(client, login, db_session):
    course = factories.course()
    learner = factories.learner()
    login(learner)
    for _ in range(2):
        assert client.post(f"/courses/{course.slug}/enrol").status_code == 302
    count = db.session.scalar(
        select(func.count()).select_from(Enrolment).where(Enrolment.course_id == course.id)
    )
    assert count == 1


def test_enrol_page_explains_missing_prerequisites(client, login, db_session):
    basics = factories.course(title="Palpation basics")
    course = factories.course()
    course.prerequisites = [basics]
    login(factories.learner())
    response = client.post(f"/courses/{course.slug}/enrol", follow_redirects=True)
    assert "Complete “Palpation basics” before enrolling" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0


def test_simultaneous_enrolments_on_postgresql_make_exactly_one(fresh_database, smtp_server):
    """Eight threads, eight sessions, one barrier: the unique constraint settles the race."""
    app = make_app(fresh_database(), smtp_server)
    with app.app_context():
        learner = factories.learner()
        course = factories.course()
        db.session.commit()
        learner_id, course_id = learner.id, course.id
        db.session.remove()

    from lms.auth.models import User
    from lms.catalog.models import Course

    threads_count = 8
    barrier = threading.Barrier(threads_count)
    results: list[int] = []
    errors: list[BaseException] = []

    def enrol_at_once() -> None:
        try:
            with app.app_context():  # its own app context, so its own session and connection
                learner = db.session.get(User, learner_id)
                course = db.session.get(Course, course_id)
                course.prerequisites  # noqa: B018 - load before the race
                barrier.wait(timeout=10)
                enrolment = services.enrol(learner, course)
                db.session.commit()
                results.append(enrolment.id)
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=enrol_at_once) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors, errors
    assert len(results) == threads_count and len(set(results)) == 1
    with app.app_context():
        rows = db.session.scalars(select(Enrolment).where(Enrolment.course_id == course_id)).all()
        assert len(rows) == 1 and rows[0].user_id == learner_id
        db.session.remove()
        db.engine.dispose()
