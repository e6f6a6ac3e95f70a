"""Dashboard numbers of a hand-built course against values computed by hand.

Learners of four required readings (tests/dashboards/conftest.py):
A  completed 4/4, enrolled 10 d ago, completed 4 d ago, seen 2 d ago
B  2/4, seen 20 d ago (stalled)          C  1/4 (+ opened lesson 2), seen 1 d ago
D  never opened, enrolled 40 d ago (stalled)
E  withdrawn with 3/4 (not counted)      F  completed 4/4, enrolled 20 d ago, completed 10 d ago
"""

import pytest

from lms.dashboards import services
from lms.learning import completion


def test_headline_numbers(small_course):
    summary = services.course_summary(small_course.course, now=small_course.now)
    assert summary.enrolled == 5  # E left
    assert summary.active_7_days == 2  # A, C
    assert summary.active_30_days == 4  # A, B, C, F
    assert summary.completed == 2  # A, F
    assert summary.completion_rate == pytest.approx(0.4)
    assert summary.stalled == 2  # B, D
    # A took 6 days, F 10 days.
    assert summary.median_days_to_complete == pytest.approx(8.0, abs=0.01)


def test_progress_distribution(small_course):
    summary = services.course_summary(small_course.course, now=small_course.now)
    assert [(b.label, b.learners) for b in summary.distribution] == [
        ("0%", 1),  # D
        ("1–25%", 1),  # C
        ("26–50%", 1),  # B
        ("51–75%", 0),
        ("76–99%", 0),
        ("100%", 2),  # A, F
    ]


def test_lesson_funnel(small_course):
    summary = services.course_summary(small_course.course, now=small_course.now)
    assert [(step.reached, step.completed) for step in summary.funnel] == [
        (4, 4),  # A B C F
        (4, 3),  # A B F completed, C only opened it
        (2, 2),
        (2, 2),
    ]


def test_numbers_agree_with_the_per_learner_engine(small_course):
    course = small_course.course
    summary = services.course_summary(course, now=small_course.now)
    counted = [small_course.learners[key] for key in "ABCDF"]
    complete = [completion.progress_for(learner.id, course).is_complete for learner in counted]
    assert summary.completed == sum(complete)


def test_headlines_of_several_courses_in_one_go(small_course, db_session):
    from tests import factories

    empty = factories.course(small_course.teacher)
    courses = services.dashboard_courses(small_course.teacher)
    by_course = {item.course.id: item for item in services.headlines(courses)}
    assert by_course[small_course.course.id].enrolled == 5
    assert by_course[small_course.course.id].completed == 2
    assert by_course[empty.id].enrolled == 0
    assert by_course[empty.id].completion_rate is None


def test_instructors_see_only_their_courses_admins_all(small_course, db_session):
    from tests import factories

    other = factories.course(factories.instructor())
    assert other not in services.dashboard_courses(small_course.teacher)
    assert {small_course.course, other} <= set(services.dashboard_courses(factories.admin()))


def test_headlines_query_count_does_not_grow_with_courses(db_session, app):
    from sqlalchemy import event

    from lms.dashboards import services as dashboard_services
    from lms.extensions import db
    from tests import factories

    def count(n: int) -> int:
        courses = [factories.course() for _ in range(n)]
        statements = []

        def record(conn, cursor, statement, *args):
            if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            dashboard_services.headlines(courses)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    assert count(1) == count(4)
