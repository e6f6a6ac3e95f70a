"""Instructor analytics: score distribution, item analysis, hotspot clicks, CSV export.

Aggregates are computed by the database (GROUP BY), so the number of queries and the
Python work do not grow with the number of attempts.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from sqlalchemy import case, func, literal, select, union_all
from sqlalchemy.orm import selectinload

from lms.auth.models import User
from lms.csvsafe import neutralise
from lms.extensions import db
from lms.quizzes.models import (
    AttemptAnswer,
    AttemptReset,
    AttemptStatus,
    Question,
    Quiz,
    QuizAttempt,
    answer_choices,
)

BINS = 10


@dataclass(frozen=True)
class Bin:
    lower: int
    upper: int
    count: int
    passing: bool  # the whole bin is at or above the pass mark

    @property
    def label(self) -> str:
        return f"{self.lower}–{self.upper}%"


@dataclass
class ItemStats:
    question: Question
    responses: int
    difficulty: float | None  # share correct (mean item score, 0..1)
    discrimination: float | None  # corrected point-biserial: item vs total minus the item
    choice_counts: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Headline:
    """A quiz's graded attempts in figures: what item analysis and the dashboards show."""

    attempts: int
    passed: int  # graded attempts at or above the pass mark
    mean_percent: float | None

    @property
    def pass_rate(self) -> float | None:
        """Share of graded attempts that passed."""
        return self.passed / self.attempts if self.attempts else None


def headline_columns() -> tuple:
    """SQL aggregates over graded attempts (rows of a LEFT JOIN without one count zero),
    in the order of `Headline`'s fields."""
    return (
        func.count(QuizAttempt.id),
        func.count(case((QuizAttempt.passed.is_(True), 1))),
        func.avg(QuizAttempt.score_percent),
    )


def headline(row: Sequence) -> Headline:
    """A `Headline` from the values of `headline_columns()`."""
    attempts, passed, mean = row
    return Headline(attempts, passed, float(mean) if mean is not None else None)


@dataclass
class QuizAnalysis:
    attempts: int
    learners: int
    passed: int
    mean_percent: float | None
    bins: list[Bin]
    items: list[ItemStats]

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.attempts if self.attempts else None

    @property
    def max_bin(self) -> int:
        return max((b.count for b in self.bins), default=0)


def _graded(quiz: Quiz):
    return (QuizAttempt.quiz_id == quiz.id, QuizAttempt.status == AttemptStatus.GRADED)


def correlation(n: int, sx: float, sy: float, sxx: float, syy: float, sxy: float) -> float | None:
    """Pearson's r from sums (None when either variable does not vary)."""
    if n < 2:
        return None
    var_x = n * sxx - sx * sx
    var_y = n * syy - sy * sy
    if var_x <= 1e-12 or var_y <= 1e-12:
        return None
    return (n * sxy - sx * sy) / math.sqrt(var_x * var_y)


def _bins(quiz: Quiz) -> list[Bin]:
    percent = QuizAttempt.score_percent
    bucket = case(*((percent < (b + 1) * 10, b) for b in range(BINS - 1)), else_=BINS - 1)
    counts = dict(
        db.session.execute(
            select(bucket.label("bucket"), func.count()).where(*_graded(quiz)).group_by("bucket")
        ).all()
    )
    return [
        Bin(
            lower=b * 10,
            upper=(b + 1) * 10,
            count=counts.get(b, 0),
            passing=b * 10 >= quiz.pass_mark,
        )
        for b in range(BINS)
    ]


def item_analysis(quiz: Quiz) -> QuizAnalysis:
    """Everything the analysis page shows, in a fixed number of queries."""
    *figures, learners = db.session.execute(
        select(*headline_columns(), func.count(func.distinct(QuizAttempt.user_id))).where(
            *_graded(quiz)
        )
    ).one()
    figures = headline(figures)

    # One pass over the graded answers (a CTE read twice): per-question sums for difficulty
    # and discrimination, and per-choice pick counts.
    item = func.coalesce(AttemptAnswer.score, 0.0)
    rest = QuizAttempt.points - item  # the total without this item ("corrected")
    graded = (
        select(
            AttemptAnswer.id.label("answer_id"),
            AttemptAnswer.question_id.label("question_id"),
            item.label("x"),
            rest.label("y"),
        )
        .join(QuizAttempt, QuizAttempt.id == AttemptAnswer.attempt_id)
        .where(*_graded(quiz))
        .cte("graded")
    )
    x, y = graded.c.x, graded.c.y
    per_question = select(
        literal(0).label("level"),
        graded.c.question_id.label("key"),
        func.count().label("n"),
        func.sum(x),
        func.sum(y),
        func.sum(x * x),
        func.sum(y * y),
        func.sum(x * y),
    ).group_by(graded.c.question_id)
    zero = literal(0.0)
    per_choice = (
        select(literal(1), answer_choices.c.choice_id, func.count(), zero, zero, zero, zero, zero)
        .join(graded, graded.c.answer_id == answer_choices.c.answer_id)
        .group_by(answer_choices.c.choice_id)
    )
    stats, picks = [], {}
    for level, key, n, *sums in db.session.execute(union_all(per_question, per_choice)):
        if level == 0:
            stats.append((key, n, *sums))
        else:
            picks[key] = n
    by_question = {row[0]: row for row in stats}
    questions = db.session.scalars(
        select(Question)
        .where((Question.bank_id == quiz.bank_id) | Question.id.in_(list(by_question)))
        .options(selectinload(Question.choices))
        .order_by(Question.position, Question.id)
    ).all()
    items = []
    for question in questions:
        row = by_question.get(question.id)
        if row is None and question.archived:
            continue
        if row is None:
            items.append(ItemStats(question, 0, None, None))
            continue
        _, n, sx, sy, sxx, syy, sxy = row
        items.append(
            ItemStats(
                question,
                responses=n,
                difficulty=float(sx) / n if n else None,
                discrimination=correlation(
                    n, float(sx), float(sy), float(sxx), float(syy), float(sxy)
                ),
                choice_counts={c.id: picks.get(c.id, 0) for c in question.choices},
            )
        )
    return QuizAnalysis(
        attempts=figures.attempts,
        learners=learners,
        passed=figures.passed,
        mean_percent=figures.mean_percent,
        bins=_bins(quiz),
        items=items,
    )


@dataclass(frozen=True)
class Click:
    x: float
    y: float
    hit: bool


MAX_CLICKS_SHOWN = 5000


def hotspot_clicks(quiz: Quiz, question: Question) -> list[Click]:
    """Where learners clicked on a hotspot question in graded attempts (latest first)."""
    rows = db.session.execute(
        select(AttemptAnswer.click_x, AttemptAnswer.click_y, AttemptAnswer.score)
        .join(QuizAttempt, QuizAttempt.id == AttemptAnswer.attempt_id)
        .where(
            *_graded(quiz),
            AttemptAnswer.question_id == question.id,
            AttemptAnswer.click_x.is_not(None),
        )
        .order_by(AttemptAnswer.id.desc())
        .limit(MAX_CLICKS_SHOWN)
    ).all()
    return [Click(x, y, bool(score and score >= 1)) for x, y, score in rows]


@dataclass(frozen=True)
class LearnerRow:
    user_id: int
    name: str
    email: str
    attempts: int
    best_percent: float | None
    passed: bool
    in_progress: bool


def learners_of(quiz: Quiz) -> list[LearnerRow]:
    """Each learner who attempted the quiz, with counted attempts (void ones excluded)."""
    counted = QuizAttempt.status != AttemptStatus.VOID
    graded = QuizAttempt.status == AttemptStatus.GRADED
    rows = db.session.execute(
        select(
            User.id,
            User.legal_name,
            User.email,
            func.count(case((counted, 1))),
            func.max(case((graded, QuizAttempt.score_percent))),
            func.count(case((QuizAttempt.passed.is_(True) & graded, 1))),
            func.count(case((QuizAttempt.status == AttemptStatus.IN_PROGRESS, 1))),
        )
        .join(QuizAttempt, QuizAttempt.user_id == User.id)
        .where(QuizAttempt.quiz_id == quiz.id)
        .group_by(User.id, User.legal_name, User.email)
        .order_by(User.legal_name)
    ).all()
    return [
        LearnerRow(uid, name, email, used, best, bool(passes), bool(open_))
        for uid, name, email, used, best, passes, open_ in rows
    ]


def resets_of(quiz: Quiz) -> list[AttemptReset]:
    return list(
        db.session.scalars(
            select(AttemptReset)
            .where(AttemptReset.quiz_id == quiz.id)
            .options(selectinload(AttemptReset.user), selectinload(AttemptReset.reset_by))
            .order_by(AttemptReset.created_at.desc())
        )
    )


# --- CSV export ---------------------------------------------------------------------------

CSV_HEADER = [
    "attempt_id",
    "learner",
    "email",
    "attempt_number",
    "status",
    "started_at",
    "submitted_at",
    "deadline",
    "score_percent",
    "passed",
    "reset_reason",
]


safe_cell = neutralise  # a CSV cell a spreadsheet will not run as a formula


def _line(values: list[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([safe_cell(v) for v in values])
    return buffer.getvalue()


def attempts_csv(quiz_id: int, batch: int = 1000) -> Iterator[str]:
    """Every attempt of the quiz as CSV lines, streamed from one query (server-side cursor)."""
    yield _line(CSV_HEADER)
    rows = db.session.execute(
        select(
            QuizAttempt.id,
            User.legal_name,
            User.email,
            QuizAttempt.number,
            QuizAttempt.status,
            QuizAttempt.started_at,
            QuizAttempt.submitted_at,
            QuizAttempt.deadline,
            QuizAttempt.score_percent,
            QuizAttempt.passed,
            AttemptReset.reason,
        )
        .join(User, User.id == QuizAttempt.user_id)
        .outerjoin(AttemptReset, AttemptReset.id == QuizAttempt.reset_id)
        .where(QuizAttempt.quiz_id == quiz_id)
        .order_by(QuizAttempt.id)
        .execution_options(yield_per=batch)
    )
    for row in rows:
        (
            attempt_id,
            name,
            email,
            number,
            status,
            started,
            submitted,
            deadline,
            score,
            passed,
            why,
        ) = row
        yield _line(
            [
                attempt_id,
                name,
                email,
                number,
                status.value if hasattr(status, "value") else status,
                started.isoformat() if started else "",
                submitted.isoformat() if submitted else "",
                deadline.isoformat() if deadline else "",
                "" if score is None else f"{score:.2f}",
                "" if passed is None else ("yes" if passed else "no"),
                why or "",
            ]
        )
