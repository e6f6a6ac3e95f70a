"""Taking a quiz: starting an attempt, saving answers, grading, resets, time spent.

Attempts are server-side records. Starting one fixes its questions and their order; the
server grades it; the time limit is a deadline stored on the row; the attempt limit and
"one attempt in progress" are database constraints, so a second tab or a double click
cannot make an extra attempt.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lms.auth.models import User
from lms.catalog.models import Course
from lms.db import utcnow
from lms.enrolments.models import Enrolment
from lms.errors import DomainError
from lms.extensions import db
from lms.learning import completion
from lms.quizzes import grading
from lms.quizzes.authoring import pool_statement, questions_per_attempt
from lms.quizzes.models import (
    AttemptAnswer,
    AttemptReset,
    AttemptStatus,
    Choice,
    FeedbackPolicy,
    Question,
    QuestionKind,
    Quiz,
    QuizAttempt,
    answer_choices,
)


class AttemptLimitReached(DomainError):
    status_code = 409

    def __init__(self, quiz: Quiz):
        attempts = quiz.max_attempts
        super().__init__(
            f"You have used all {attempts} attempt{'s' if attempts != 1 else ''} at this quiz. "
            "Ask your instructor if you need another."
        )


class QuizUnavailable(DomainError):
    status_code = 409

    def __init__(self) -> None:
        super().__init__("This quiz is not open yet.")


class AttemptClosed(DomainError):
    status_code = 409

    def __init__(self) -> None:
        super().__init__("This attempt has already been submitted.")


class DeadlinePassed(DomainError):
    status_code = 409

    def __init__(self) -> None:
        super().__init__(
            "The time limit has passed: this answer was not saved. "
            "Answers saved before the deadline count; submit the attempt to see your result."
        )


class InvalidAnswer(DomainError):
    status_code = 400


@dataclass(frozen=True)
class AnswerInput:
    """One answer as the learner sent it (choice ids, or a click in image coordinates)."""

    question_id: int
    choice_ids: tuple[int, ...] = ()
    click: tuple[float, float] | None = None


@dataclass(frozen=True)
class AttemptSummary:
    """A learner's standing on a quiz, for the quiz page."""

    attempts: list[QuizAttempt]
    used: int
    left: int | None  # None: unlimited
    open_attempt: QuizAttempt | None
    passed: bool
    best_percent: float | None

    @property
    def can_start(self) -> bool:
        return self.open_attempt is None and (self.left is None or self.left > 0)


# --- reading ------------------------------------------------------------------------------


def attempts_of(user: User, quiz: Quiz) -> list[QuizAttempt]:
    return list(
        db.session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.user_id == user.id, QuizAttempt.quiz_id == quiz.id)
            .order_by(QuizAttempt.number)
        )
    )


def summary(
    user: User,
    quiz: Quiz,
    *,
    enrolment: Enrolment | None = None,
    course: Course | None = None,
    now: datetime | None = None,
) -> AttemptSummary:
    """Attempts used and left, the open attempt, best score (expired attempts get graded)."""
    attempts = attempts_of(user, quiz)
    now = now or utcnow()
    for attempt in attempts:
        if attempt.is_open and _expired(attempt, now):
            grade_expired(attempt, now, enrolment=enrolment, course=course)
    counted = [a for a in attempts if a.status != AttemptStatus.VOID]
    graded = [a for a in counted if a.status == AttemptStatus.GRADED]
    used = len(counted)
    return AttemptSummary(
        attempts=attempts,
        used=used,
        left=None if quiz.max_attempts is None else max(0, quiz.max_attempts - used),
        open_attempt=next((a for a in counted if a.is_open), None),
        passed=any(a.passed for a in graded),
        best_percent=max((a.score_percent or 0.0 for a in graded), default=None),
    )


def attempt_questions(attempt: QuizAttempt) -> list[Question]:
    """The attempt's questions with their choices, in the attempt's own order."""
    questions = db.session.scalars(
        select(Question)
        .where(Question.id.in_(attempt.question_ids))
        .options(selectinload(Question.choices))
    ).all()
    by_id = {question.id: question for question in questions}
    ordered = [by_id[qid] for qid in attempt.question_ids if qid in by_id]
    for question in ordered:
        order = attempt.choice_order.get(str(question.id))
        if order:
            position = {choice_id: index for index, choice_id in enumerate(order)}
            question.display_choices = sorted(
                question.choices, key=lambda c: position.get(c.id, len(position))
            )
        else:
            question.display_choices = list(question.choices)
    return ordered


def answers_by_question(attempt: QuizAttempt) -> dict[int, AttemptAnswer]:
    answers = db.session.scalars(
        select(AttemptAnswer)
        .where(AttemptAnswer.attempt_id == attempt.id)
        .options(selectinload(AttemptAnswer.choices))
        # Autosave writes with Core statements; never trust answers cached in the session.
        .execution_options(populate_existing=True)
    ).all()
    return {answer.question_id: answer for answer in answers}


def feedback_visible(attempt: QuizAttempt, quiz: Quiz, passed_quiz: bool) -> bool:
    """Whether the learner may now see correct answers and explanations for an attempt."""
    if attempt.status != AttemptStatus.GRADED:
        return False
    if quiz.feedback_policy == FeedbackPolicy.AFTER_ATTEMPT:
        return True
    if quiz.feedback_policy == FeedbackPolicy.AFTER_PASSING:
        return passed_quiz
    return False


# --- starting -----------------------------------------------------------------------------


def _expired(attempt: QuizAttempt, now: datetime) -> bool:
    return attempt.deadline is not None and now > attempt.deadline


def _open_attempt(user_id: int, quiz_id: int) -> QuizAttempt | None:
    return db.session.scalar(
        select(QuizAttempt).where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.quiz_id == quiz_id,
            QuizAttempt.status == AttemptStatus.IN_PROGRESS,
        )
    )


def _draw(quiz: Quiz, rng: random.Random) -> tuple[list[int], dict[str, list[int]]]:
    pool = list(
        db.session.scalars(
            pool_statement(quiz)
            .options(selectinload(Question.choices))
            .order_by(Question.position, Question.id)
        )
    )
    count = questions_per_attempt(quiz, len(pool))
    drawn = rng.sample(pool, count) if count < len(pool) else list(pool)
    if quiz.shuffle_questions:
        rng.shuffle(drawn)
    choice_order = {}
    for question in drawn:
        ids = [choice.id for choice in question.choices]
        if quiz.shuffle_choices and question.kind != QuestionKind.TRUE_FALSE:
            rng.shuffle(ids)
        choice_order[str(question.id)] = ids
    return [question.id for question in drawn], choice_order


def start_attempt(
    user: User,
    quiz: Quiz,
    *,
    enrolment: Enrolment | None = None,
    course: Course | None = None,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> QuizAttempt:
    """Start an attempt, or return the one in progress. Refuses past the attempt limit."""
    if not quiz.is_published:
        raise QuizUnavailable()
    now = now or utcnow()
    current = _open_attempt(user.id, quiz.id)
    if current is not None:
        if not _expired(current, now):
            return current
        grade_expired(current, now, enrolment=enrolment, course=course)
    counts = db.session.execute(
        select(
            func.coalesce(func.max(QuizAttempt.number), 0),
            func.count(case((QuizAttempt.status == AttemptStatus.VOID, 1))),
        ).where(QuizAttempt.user_id == user.id, QuizAttempt.quiz_id == quiz.id)
    ).one()
    last_number, voided = counts
    if quiz.max_attempts is not None and last_number - voided >= quiz.max_attempts:
        raise AttemptLimitReached(quiz)
    question_ids, choice_order = _draw(quiz, rng or random.Random())  # noqa: S311
    if not question_ids:
        raise QuizUnavailable()
    attempt = QuizAttempt(
        quiz_id=quiz.id,
        user_id=user.id,
        number=last_number + 1,
        number_limit=None if quiz.max_attempts is None else quiz.max_attempts + voided,
        status=AttemptStatus.IN_PROGRESS,
        started_at=now,
        deadline=now + timedelta(minutes=quiz.time_limit_minutes)
        if quiz.time_limit_minutes
        else None,
        question_ids=question_ids,
        choice_order=choice_order,
        pass_mark=quiz.pass_mark,
    )
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        # Another tab started (or finished) an attempt at the same moment: the database
        # let exactly one through. Resume it, or refuse if that one was the last.
        current = _open_attempt(user.id, quiz.id)
        if current is not None:
            return current
        raise AttemptLimitReached(quiz) from None
    return attempt


# --- answering ----------------------------------------------------------------------------


def _question_facts(attempt: QuizAttempt, question_id: int) -> tuple[QuestionKind, set[int]]:
    if question_id not in attempt.question_ids:
        raise InvalidAnswer("That question is not part of this attempt.")
    rows = db.session.execute(
        select(Question.kind, Choice.id)
        .join(Choice, Choice.question_id == Question.id, isouter=True)
        .where(Question.id == question_id)
    ).all()
    return rows[0][0], {choice_id for _, choice_id in rows if choice_id is not None}


def validate_answer(attempt: QuizAttempt, answer: AnswerInput) -> QuestionKind:
    """Refuse answers that do not fit the question (400), before anything is written."""
    kind, choice_ids = _question_facts(attempt, answer.question_id)
    if kind == QuestionKind.HOTSPOT:
        if answer.choice_ids:
            raise InvalidAnswer("A hotspot question is answered by clicking on the image.")
        if answer.click is not None and not grading.click_in_image(*answer.click):
            raise InvalidAnswer("The click is outside the image.")
        return kind
    if answer.click is not None:
        raise InvalidAnswer("This question is answered by choosing, not by clicking.")
    if not set(answer.choice_ids) <= choice_ids:
        raise InvalidAnswer("That choice does not belong to this question.")
    if kind != QuestionKind.MULTIPLE and len(answer.choice_ids) > 1:
        raise InvalidAnswer("Choose one answer for this question.")
    return kind


def _claim_for_saving(attempt: QuizAttempt, now: datetime) -> None:
    """Lock the open attempt row for this save; refuse closed or expired attempts.

    The UPDATE takes the row lock a concurrent submit also needs, so an answer is either
    saved before grading reads the answers or refused after.
    """
    result = db.session.execute(
        update(QuizAttempt)
        .where(
            QuizAttempt.id == attempt.id,
            QuizAttempt.status == AttemptStatus.IN_PROGRESS,
            (QuizAttempt.deadline.is_(None)) | (QuizAttempt.deadline >= now),
        )
        .values(last_saved_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        return
    db.session.refresh(attempt)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise AttemptClosed()
    raise DeadlinePassed()


def _insert(dialect: str):
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _write_answer(attempt: QuizAttempt, answer: AnswerInput, now: datetime) -> int:
    click_x, click_y = answer.click if answer.click is not None else (None, None)
    statement = _insert(db.session.get_bind().dialect.name)(AttemptAnswer).values(
        attempt_id=attempt.id,
        question_id=answer.question_id,
        click_x=click_x,
        click_y=click_y,
        saved_at=now,
    )
    answer_id = db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["attempt_id", "question_id"],
            set_={"click_x": click_x, "click_y": click_y, "saved_at": now},
        ).returning(AttemptAnswer.id)
    ).scalar_one()
    db.session.execute(delete(answer_choices).where(answer_choices.c.answer_id == answer_id))
    if answer.choice_ids:
        db.session.execute(
            insert(answer_choices),
            [{"answer_id": answer_id, "choice_id": cid} for cid in sorted(set(answer.choice_ids))],
        )
    return answer_id


def save_answer(attempt: QuizAttempt, answer: AnswerInput, now: datetime | None = None) -> int:
    """Autosave one answer; 400 if it does not fit, 409 once submitted or past the deadline."""
    now = now or utcnow()
    validate_answer(attempt, answer)
    _claim_for_saving(attempt, now)
    return _write_answer(attempt, answer, now)


# --- grading ------------------------------------------------------------------------------


def submit_attempt(
    attempt: QuizAttempt,
    *,
    enrolment: Enrolment | None,
    course: Course | None,
    answers: Iterable[AnswerInput] = (),
    now: datetime | None = None,
) -> QuizAttempt:
    """Grade an attempt once. Answers sent with a late submission are ignored."""
    now = now or utcnow()
    answers = list(answers)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise AttemptClosed()
    late = _expired(attempt, now)
    if answers and not late:
        for answer in answers:
            validate_answer(attempt, answer)
        _claim_for_saving(attempt, now)
        for answer in answers:
            _write_answer(attempt, answer, now)
    _close(attempt, now)
    _grade(attempt)
    _record_completion(attempt, enrolment, course)
    return attempt


def grade_expired(
    attempt: QuizAttempt,
    now: datetime,
    *,
    enrolment: Enrolment | None = None,
    course: Course | None = None,
) -> None:
    """Grade an attempt left open past its deadline, on the answers saved in time."""
    try:
        _close(attempt, now)
    except AttemptClosed:
        db.session.refresh(attempt)
        return
    _grade(attempt)
    _record_completion(attempt, enrolment, course)


def _close(attempt: QuizAttempt, now: datetime) -> None:
    """The guarded transition: only one request ever moves an attempt out of progress."""
    result = db.session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.status == AttemptStatus.IN_PROGRESS)
        .values(status=AttemptStatus.GRADED, submitted_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise AttemptClosed()
    attempt.status, attempt.submitted_at = AttemptStatus.GRADED, now


def question_score(question: Question, answer: AttemptAnswer | None) -> float:
    """Score one answer (0 when unanswered)."""
    if answer is None:
        return 0.0
    if question.kind == QuestionKind.HOTSPOT:
        if answer.click_x is None or answer.click_y is None or not question.region:
            return 0.0
        hit = grading.region_contains(
            question.region, answer.click_x, answer.click_y, question.aspect
        )
        return 1.0 if hit else 0.0
    return grading.score_choices(
        [choice.id for choice in question.choices if choice.is_correct],
        [choice.id for choice in answer.choices],
        multiple=question.kind == QuestionKind.MULTIPLE,
        partial_credit=question.partial_credit,
    )


def _grade(attempt: QuizAttempt) -> None:
    questions = attempt_questions(attempt)
    answers = answers_by_question(attempt)
    points = 0.0
    for question in questions:
        answer = answers.get(question.id)
        if answer is None:  # unanswered: a row with score 0 keeps item statistics honest
            answer = AttemptAnswer(attempt_id=attempt.id, question_id=question.id)
            db.session.add(answer)
        answer.score = question_score(question, answer)
        points += answer.score
    attempt.points = points
    attempt.max_points = len(questions)
    attempt.score_percent = round(100 * points / len(questions), 2) if questions else 0.0
    attempt.passed = attempt.score_percent >= attempt.pass_mark
    db.session.flush()


def _record_completion(
    attempt: QuizAttempt, enrolment: Enrolment | None, course: Course | None
) -> None:
    if enrolment is not None and course is not None and enrolment.user_id == attempt.user_id:
        completion.refresh(enrolment, course)


# --- resets and time ----------------------------------------------------------------------


class ResetNeedsReason(DomainError):
    def __init__(self) -> None:
        super().__init__("Give a reason for the reset (it is kept with the learner's record).")


def reset_attempts(quiz: Quiz, learner: User, reset_by: User, reason: str) -> AttemptReset:
    """Void a learner's attempts so they may start again; nothing is deleted."""
    reason = reason.strip()
    if len(reason) < 5:
        raise ResetNeedsReason()
    reset = AttemptReset(
        quiz_id=quiz.id, user_id=learner.id, reset_by_id=reset_by.id, reason=reason
    )
    db.session.add(reset)
    db.session.flush()
    result = db.session.execute(
        update(QuizAttempt)
        .where(
            QuizAttempt.quiz_id == quiz.id,
            QuizAttempt.user_id == learner.id,
            QuizAttempt.status != AttemptStatus.VOID,
        )
        .values(status=AttemptStatus.VOID, reset_id=reset.id)
        .execution_options(synchronize_session=False)
    )
    reset.attempts_voided = result.rowcount
    db.session.flush()
    db.session.expire_all()
    return reset


def assessment_seconds(user: User, course: Course) -> int:
    """Time spent in the course's quizzes (boards do not count it as instruction time).

    Each attempt counts from its start to its submission, or to its deadline when it was
    submitted late; attempts still open are not counted.
    """
    rows = db.session.execute(
        select(QuizAttempt.started_at, QuizAttempt.submitted_at, QuizAttempt.deadline)
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .where(
            QuizAttempt.user_id == user.id,
            Quiz.course_id == course.id,
            QuizAttempt.submitted_at.is_not(None),
        )
    ).all()
    total = 0.0
    for started_at, submitted_at, deadline in rows:
        end = min(submitted_at, deadline) if deadline is not None else submitted_at
        total += max(0.0, (end - started_at).total_seconds())
    return int(total)
