"""What the completion engine needs to know about evaluations, in one query per call."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, and_, select

from lms.catalog.models import Course
from lms.certificates.models import CourseCredit
from lms.evaluations.models import Evaluation
from lms.extensions import db


@dataclass(frozen=True)
class EvaluationState:
    # California requires an evaluation in every course: required unless a course says not.
    required: bool = True
    submitted: bool = False


def evaluation_states(user_id: int | None, course_ids: Iterable[int]) -> dict[int, EvaluationState]:
    """Per course: whether an evaluation is required and whether this learner submitted it."""
    ids = list(course_ids)
    if not ids:
        return {}
    statement = (
        select(Course.id, CourseCredit.evaluation_required, Evaluation.id)
        .outerjoin(CourseCredit, CourseCredit.course_id == Course.id)
        .outerjoin(
            Evaluation,
            and_(Evaluation.course_id == Course.id, Evaluation.user_id == (user_id or -1)),
        )
        .where(Course.id.in_(ids))
    )
    return {
        course_id: EvaluationState(
            # A course without CE settings awards no CE credit, so it asks for no evaluation;
            # CE settings require one by default (California requires it for every course).
            required=bool(required),
            submitted=evaluation_id is not None,
        )
        for course_id, required, evaluation_id in db.session.execute(statement)
    }


def submissions(course_id: int, user_ids: Iterable[int] | None = None) -> Select:
    """SQL: (user_id) of each learner who evaluated the course.

    The completion engine's set-based path reads it; one row per learner, since a learner
    has one enrolment per course and an enrolment one evaluation.
    """
    statement = select(Evaluation.user_id.label("user_id")).where(Evaluation.course_id == course_id)
    if user_ids is not None:
        statement = statement.where(Evaluation.user_id.in_(list(user_ids)))
    return statement
