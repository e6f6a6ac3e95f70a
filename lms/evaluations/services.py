"""Submitting a course evaluation, and the aggregated results instructors read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.catalog.models import Course
from lms.enrolments.models import Enrolment
from lms.errors import DomainError
from lms.evaluations.models import QUESTIONS, SCALE, Evaluation
from lms.extensions import db
from lms.learning import completion


class EvaluationNotOpen(DomainError):
    def __init__(self) -> None:
        super().__init__("The evaluation opens once you have completed the course's lessons.")


class AlreadyEvaluated(DomainError):
    status_code = 409

    def __init__(self) -> None:
        super().__init__("You have already evaluated this course. Thank you!")


def evaluation_for(enrolment: Enrolment) -> Evaluation | None:
    return db.session.scalar(select(Evaluation).where(Evaluation.enrolment_id == enrolment.id))


def is_open(progress: completion.CourseProgress) -> bool:
    """Open when everything but the evaluation is done, and it is still wanted."""
    return (
        progress.evaluation_required
        and not progress.evaluation_submitted
        and progress.required_lessons > 0
        and progress.completed_required_lessons == progress.required_lessons
        and progress.quizzes_passed == progress.quizzes_required
    )


def submit(
    enrolment: Enrolment, course: Course, ratings: dict[str, int], comments: str
) -> completion.CourseProgress:
    """Record the learner's evaluation (once) and let the completion engine decide the rest."""
    if not enrolment.is_active:
        raise EvaluationNotOpen()
    progress = completion.progress_for(enrolment.user_id, course)
    if progress.evaluation_submitted or evaluation_for(enrolment) is not None:
        raise AlreadyEvaluated()
    if not is_open(progress):
        raise EvaluationNotOpen()
    if set(ratings) != set(QUESTIONS) or any(value not in SCALE for value in ratings.values()):
        raise DomainError("Answer every question on the 1 to 5 scale.")
    evaluation = Evaluation(
        enrolment_id=enrolment.id,
        user_id=enrolment.user_id,
        course_id=course.id,
        comments=comments.strip(),
        **ratings,
    )
    try:
        with db.session.begin_nested():
            db.session.add(evaluation)
    except IntegrityError as error:  # a double submit from two tabs
        raise AlreadyEvaluated() from error
    return completion.refresh(enrolment, course)


@dataclass(frozen=True)
class Comment:
    text: str
    submitted_at: datetime


@dataclass
class QuestionResult:
    name: str
    text: str
    average: float | None
    distribution: dict[int, int]


@dataclass
class Results:
    count: int
    questions: list[QuestionResult] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)


def results(course: Course) -> Results:
    """Averages, the distribution of answers per question, and comments (anonymous)."""
    evaluations = list(
        db.session.scalars(
            select(Evaluation)
            .where(Evaluation.course_id == course.id)
            .order_by(Evaluation.submitted_at.desc())
        )
    )
    summary = Results(count=len(evaluations))
    for name, text in QUESTIONS.items():
        values = [getattr(item, name) for item in evaluations]
        summary.questions.append(
            QuestionResult(
                name=name,
                text=text,
                average=round(sum(values) / len(values), 2) if values else None,
                distribution={score: values.count(score) for score in SCALE},
            )
        )
    summary.comments = [
        Comment(item.comments, item.submitted_at) for item in evaluations if item.comments
    ]
    return summary
