"""A small course with hand-placed evidence, whose dashboard numbers are computed by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from lms.auth.models import User
from lms.catalog.models import Course
from lms.db import utcnow
from lms.enrolments.models import Enrolment, EnrolmentStatus
from lms.extensions import db
from lms.learning.models import LessonProgress
from tests import factories


@dataclass
class SmallCourse:
    course: Course
    teacher: User
    learners: dict[str, User]
    now: datetime


def place(
    course,
    learner,
    *,
    enrolled_days_ago,
    status=EnrolmentStatus.ACTIVE,
    completed_days_ago=None,
    marked=(),
    visited=(),
    seen_days_ago=0,
    now,
):
    lessons = [lesson for module in course.modules for lesson in module.lessons]
    db.session.add(
        Enrolment(
            user_id=learner.id,
            course_id=course.id,
            status=status,
            enrolled_at=now - timedelta(days=enrolled_days_ago),
            completed_at=None
            if completed_days_ago is None
            else now - timedelta(days=completed_days_ago),
        )
    )
    for index in sorted(set(marked) | set(visited)):
        db.session.add(
            LessonProgress(
                user_id=learner.id,
                lesson_id=lessons[index].id,
                course_id=course.id,
                first_seen_at=now - timedelta(days=enrolled_days_ago),
                last_seen_at=now - timedelta(days=seen_days_ago),
                marked_complete_at=now - timedelta(days=seen_days_ago) if index in marked else None,
            )
        )
    db.session.flush()


@pytest.fixture
def small_course(db_session) -> SmallCourse:
    """Four required readings; learners A..F as in tests/dashboards/test_services.py."""
    now = utcnow()
    teacher = factories.instructor()
    course = factories.course(teacher, modules=2, lessons_per_module=2)
    names = {
        "A": ("Ada Alvarez", [("CA", "AC 1001")]),
        "B": ("Ben Brook", [("FL", "AP 2002")]),
        "C": ("Cai Chen", [("NY", "003003")]),
        "D": ("Dee Doyle", [("CA", "AC 4004")]),
        "E": ("Eli Evans", [("TX", "AC05005")]),
        "F": ("Fay Fox", [("CA", "AC 6006"), ("NY", "006006")]),
    }
    learners = {
        key: factories.learner(legal_name=name, licences=licences)
        for key, (name, licences) in names.items()
    }
    done = EnrolmentStatus.COMPLETED
    place(
        course,
        learners["A"],
        enrolled_days_ago=10,
        status=done,
        completed_days_ago=4,
        marked=(0, 1, 2, 3),
        seen_days_ago=2,
        now=now,
    )
    place(course, learners["B"], enrolled_days_ago=30, marked=(0, 1), seen_days_ago=20, now=now)
    place(
        course,
        learners["C"],
        enrolled_days_ago=5,
        marked=(0,),
        visited=(1,),
        seen_days_ago=1,
        now=now,
    )
    place(course, learners["D"], enrolled_days_ago=40, now=now)
    place(
        course,
        learners["E"],
        enrolled_days_ago=15,
        status=EnrolmentStatus.WITHDRAWN,
        marked=(0, 1, 2),
        seen_days_ago=3,
        now=now,
    )
    place(
        course,
        learners["F"],
        enrolled_days_ago=20,
        status=done,
        completed_days_ago=10,
        marked=(0, 1, 2, 3),
        seen_days_ago=10,
        now=now,
    )
    return SmallCourse(course, teacher, learners, now)
