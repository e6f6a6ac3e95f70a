"""What the completion engine and course outlines need to know about quizzes.

Kept apart from the attempt services (which call the completion engine) so the engine can
read quiz results without an import circle. Each function is one query, whatever the
number of quizzes or attempts.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import Select, and_, case, func, select

from lms.extensions import db
from lms.learning.completion import QuizEvidence
from lms.quizzes.models import AttemptStatus, Quiz, QuizAttempt, QuizKind, QuizStatus


@dataclass(frozen=True)
class QuizResult:
    quiz_id: int
    course_id: int
    title: str
    passed: bool


def required_quiz_results(
    user_id: int | None, course_ids: Iterable[int]
) -> dict[int, list[QuizResult]]:
    """Required published quizzes of the courses and whether the learner has passed each."""
    ids = list(course_ids)
    if not ids:
        return {}
    passed = func.max(case((QuizAttempt.passed.is_(True), 1), else_=0))
    rows = db.session.execute(
        select(Quiz.id, Quiz.course_id, Quiz.title, passed)
        .outerjoin(
            QuizAttempt,
            and_(
                QuizAttempt.quiz_id == Quiz.id,
                QuizAttempt.user_id == (user_id if user_id is not None else -1),
                QuizAttempt.status == AttemptStatus.GRADED,
            ),
        )
        .where(
            Quiz.course_id.in_(ids),
            Quiz.required.is_(True),
            Quiz.status == QuizStatus.PUBLISHED,
        )
        .group_by(Quiz.id, Quiz.course_id, Quiz.title)
        .order_by(Quiz.id)
    ).all()
    results: dict[int, list[QuizResult]] = {}
    for quiz_id, course_id, title, has_passed in rows:
        results.setdefault(course_id, []).append(
            QuizResult(quiz_id, course_id, title, bool(has_passed))
        )
    return results


def passes(required_quiz_ids: Collection[int], user_ids: Iterable[int] | None = None) -> Select:
    """SQL: (user_id, quiz_id) once for each of these quizzes a learner passed.

    "Passed" is `required_quiz_results`' test: a graded attempt at or above the pass mark.
    The completion engine's set-based path reads it; ix_quiz_attempts_passes answers it
    from the index alone.
    """
    statement = (
        # (quiz, learner) in the index's order: DISTINCT is a walk over the index.
        select(QuizAttempt.quiz_id.label("quiz_id"), QuizAttempt.user_id.label("user_id"))
        .where(
            QuizAttempt.quiz_id.in_(list(required_quiz_ids)),
            QuizAttempt.status == AttemptStatus.GRADED,
            QuizAttempt.passed.is_(True),
        )
        .distinct()
    )
    if user_ids is not None:
        statement = statement.where(QuizAttempt.user_id.in_(list(user_ids)))
    return statement


@dataclass(frozen=True)
class OutlineItem:
    quiz: Quiz
    passed: bool


@dataclass(frozen=True)
class QuizOutline:
    """A course's published quizzes placed in its outline: after a lesson, a module, or last."""

    items: tuple[OutlineItem, ...] = ()

    def for_lesson(self, lesson_id: int) -> list[OutlineItem]:
        return [
            i
            for i in self.items
            if i.quiz.kind == QuizKind.LESSON and i.quiz.lesson_id == lesson_id
        ]

    def for_module(self, module_id: int) -> list[OutlineItem]:
        return [
            i
            for i in self.items
            if i.quiz.kind == QuizKind.MODULE and i.quiz.module_id == module_id
        ]

    @property
    def finals(self) -> list[OutlineItem]:
        """Course finals, and quizzes whose lesson or module was deleted (listed last)."""
        placed = {id(i) for i in self.items if self._placed(i.quiz)}
        return [i for i in self.items if id(i) not in placed]

    @staticmethod
    def _placed(quiz: Quiz) -> bool:
        if quiz.kind == QuizKind.LESSON:
            return quiz.lesson_id is not None
        if quiz.kind == QuizKind.MODULE:
            return quiz.module_id is not None
        return False

    def required_evidence(self) -> tuple[QuizEvidence, ...]:
        """The completion engine's quiz evidence, without another query."""
        return tuple(
            QuizEvidence(i.quiz.id, i.quiz.title, i.passed) for i in self.items if i.quiz.required
        )


def course_outline(course_id: int, user_id: int | None) -> QuizOutline:
    """Published quizzes of a course, with whether this learner passed each (one query)."""
    passed = func.max(case((QuizAttempt.passed.is_(True), 1), else_=0))
    rows = db.session.execute(
        select(Quiz, passed)
        .outerjoin(
            QuizAttempt,
            and_(
                QuizAttempt.quiz_id == Quiz.id,
                QuizAttempt.user_id == (user_id if user_id is not None else -1),
                QuizAttempt.status == AttemptStatus.GRADED,
            ),
        )
        .where(Quiz.course_id == course_id, Quiz.status == QuizStatus.PUBLISHED)
        .group_by(Quiz.id)
        .order_by(Quiz.id)
    ).all()
    return QuizOutline(tuple(OutlineItem(quiz, bool(has_passed)) for quiz, has_passed in rows))
