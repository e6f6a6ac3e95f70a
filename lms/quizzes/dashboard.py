"""What the course dashboards show about quizzes, registered as dashboard sections.

- the course dashboard: per quiz (lesson checks, module assessments, the final), graded
  attempts, passes, pass rate and mean score (the figures of item analysis,
  `analytics.headline_columns`), with a link to its analysis (learners, item statistics);
- a learner's page: their attempts and scores, and whether they passed each quiz (as the
  completion engine reads it, `evidence.course_outline`).

Each loader costs one or two queries whatever the number of learners or attempts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import contains_eager

from lms.auth.models import User
from lms.catalog.models import Course
from lms.dashboards import charts
from lms.dashboards.sections import (
    CourseSection,
    LearnerSection,
    course_sections,
    learner_sections,
)
from lms.extensions import db
from lms.quizzes import analytics
from lms.quizzes.evidence import course_outline
from lms.quizzes.models import AttemptStatus, Quiz, QuizAttempt, QuizKind

# Lesson checks first, then module assessments, then the course's final assessment.
_OUTLINE_ORDER = case((Quiz.kind == QuizKind.LESSON, 0), (Quiz.kind == QuizKind.MODULE, 1), else_=2)


@dataclass(frozen=True)
class QuizSummary:
    quiz: Quiz
    figures: analytics.Headline


@dataclass(frozen=True)
class CourseQuizzes:
    summaries: list[QuizSummary]

    def chart(self) -> Markup:
        """Graded and passed attempts per quiz (the table lists every figure)."""
        return charts.bar_chart(
            "Quizzes: graded and passed attempts",
            "For each quiz in course order, the graded attempts (solid bars) and the attempts "
            "that passed (hatched bars); the table below lists the same numbers with pass "
            "rates and mean scores.",
            [
                charts.Row(item.quiz.title, (item.figures.attempts, item.figures.passed))
                for item in self.summaries
            ],
            (
                charts.Series("Graded", "chart-bar"),
                charts.Series("Passed", "chart-bar-hatched"),
            ),
        )


def quiz_summaries(course: Course) -> list[QuizSummary]:
    """The course's quizzes with their graded attempts' figures.

    One query. Drafts are listed too: a quiz taken and then unpublished keeps its attempts.
    The attempts are counted per quiz before the quizzes are joined: grouping ~50,000
    attempts with every quiz column attached cost twice as much.
    """
    names = ("attempts", "passed", "mean")
    figures = (
        select(
            QuizAttempt.quiz_id,
            *(
                column.label(name)
                for name, column in zip(names, analytics.headline_columns(), strict=True)
            ),
        )
        .join(Quiz, and_(Quiz.id == QuizAttempt.quiz_id, Quiz.course_id == course.id))
        .where(QuizAttempt.status == AttemptStatus.GRADED)
        .group_by(QuizAttempt.quiz_id)
        .subquery("figures")
    )
    statement = (
        select(
            Quiz,
            func.coalesce(figures.c.attempts, 0),
            func.coalesce(figures.c.passed, 0),
            figures.c.mean,
        )
        .outerjoin(figures, figures.c.quiz_id == Quiz.id)
        .where(Quiz.course_id == course.id)
        .order_by(_OUTLINE_ORDER, Quiz.id)
    )
    return [
        QuizSummary(quiz, analytics.headline(figures))
        for quiz, *figures in db.session.execute(statement)
    ]


def course_quizzes(course: Course) -> CourseQuizzes | None:
    """The dashboard section: None (hidden) when the course has no quiz."""
    summaries = quiz_summaries(course)
    return CourseQuizzes(summaries) if summaries else None


# --- one learner --------------------------------------------------------------------------


@dataclass(frozen=True)
class LearnerQuiz:
    quiz: Quiz
    passed: bool  # as the completion engine reads it
    attempts: list[QuizAttempt] = field(default_factory=list)

    @property
    def best_percent(self) -> float | None:
        scores = [
            a.score_percent
            for a in self.attempts
            if a.status == AttemptStatus.GRADED and a.score_percent is not None
        ]
        return max(scores, default=None)


def learner_quizzes(course: Course, learner: User) -> list[LearnerQuiz] | None:
    """The learner's attempts at each published quiz of the course (and at any quiz they
    attempted), in two queries; None (hidden) when the course has no quiz."""
    outline = course_outline(course.id, learner.id)
    attempts = db.session.scalars(
        select(QuizAttempt)
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .where(Quiz.course_id == course.id, QuizAttempt.user_id == learner.id)
        .options(contains_eager(QuizAttempt.quiz))
        .order_by(QuizAttempt.quiz_id, QuizAttempt.number)
    ).all()
    by_quiz: dict[int, list[QuizAttempt]] = {}
    for attempt in attempts:
        by_quiz.setdefault(attempt.quiz_id, []).append(attempt)
    shown = [LearnerQuiz(i.quiz, i.passed, by_quiz.pop(i.quiz.id, [])) for i in outline.items]
    # Attempts at quizzes unpublished since: kept and shown, never counted as passes.
    for quiz_attempts in by_quiz.values():
        shown.append(LearnerQuiz(quiz_attempts[0].quiz, False, quiz_attempts))
    return shown or None


course_sections.append(
    CourseSection("quizzes", "Quizzes", "quizzes/_dashboard_course.html", course_quizzes)
)
learner_sections.append(
    LearnerSection(
        "quiz-attempts", "Quiz attempts", "quizzes/_dashboard_learner.html", learner_quizzes
    )
)
