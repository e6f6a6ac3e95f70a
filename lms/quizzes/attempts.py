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
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

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
        if attempt.is_open and expired(attempt, now):
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


def expired(attempt: QuizAttempt, now: datetime) -> bool:
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
        if not expired(current, now):
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


@dataclass(frozen=True)
class QuestionFacts:
    """What checking and scoring an answer need to know about a question (never its text)."""

    kind: QuestionKind
    choice_ids: frozenset[int]
    correct_ids: frozenset[int]
    partial_credit: bool = False
    region: dict[str, Any] | None = None
    aspect: float = 1.0


# What grading needs of a question: one row per choice (one row with no choice for hotspots).
QUESTION_FACT_COLUMNS = (
    Question.id,
    Question.kind,
    Question.partial_credit,
    Question.region,
    Question.image_width,
    Question.image_height,
    Choice.id,
    Choice.is_correct,
)

_QUESTION_FACTS = (
    select(*QUESTION_FACT_COLUMNS)
    .join(Choice, Choice.question_id == Question.id, isouter=True)
    .where(Question.id.in_(bindparam("question_ids", expanding=True)))
)


def question_facts(question_ids: Iterable[int]) -> dict[int, QuestionFacts]:
    """Facts about the questions, with their choices, in one query."""
    rows = db.session.connection().execute(_QUESTION_FACTS, {"question_ids": list(question_ids)})
    return facts_from_rows(rows)


def facts_from_rows(rows: Iterable[Any]) -> dict[int, QuestionFacts]:
    """`QuestionFacts` from rows of `QUESTION_FACT_COLUMNS` (any query may bring them)."""
    questions: dict[int, tuple] = {}
    choices: dict[int, set[int]] = {}
    correct: dict[int, set[int]] = {}
    for question_id, kind, partial, region, width, height, choice_id, is_correct in rows:
        questions[question_id] = (kind, partial, region, width, height)
        choices.setdefault(question_id, set())
        correct.setdefault(question_id, set())
        if choice_id is not None:
            choices[question_id].add(choice_id)
            if is_correct:
                correct[question_id].add(choice_id)
    return {
        question_id: QuestionFacts(
            kind=kind,
            choice_ids=frozenset(choices[question_id]),
            correct_ids=frozenset(correct[question_id]),
            partial_credit=partial,
            region=region,
            aspect=height / width if width and height else 1.0,
        )
        for question_id, (kind, partial, region, width, height) in questions.items()
    }


def check_answer(
    attempt: QuizAttempt, facts: dict[int, QuestionFacts], answer: AnswerInput
) -> QuestionKind:
    """Refuse an answer that does not fit its question (400), before anything is written."""
    question = facts.get(answer.question_id)
    if answer.question_id not in attempt.question_ids or question is None:
        raise InvalidAnswer("That question is not part of this attempt.")
    if question.kind == QuestionKind.HOTSPOT:
        if answer.choice_ids:
            raise InvalidAnswer("A hotspot question is answered by clicking on the image.")
        if answer.click is not None and not grading.click_in_image(*answer.click):
            raise InvalidAnswer("The click is outside the image.")
        return question.kind
    if answer.click is not None:
        raise InvalidAnswer("This question is answered by choosing, not by clicking.")
    if not set(answer.choice_ids) <= question.choice_ids:
        raise InvalidAnswer("That choice does not belong to this question.")
    if question.kind != QuestionKind.MULTIPLE and len(answer.choice_ids) > 1:
        raise InvalidAnswer("Choose one answer for this question.")
    return question.kind


def validate_answer(attempt: QuizAttempt, answer: AnswerInput) -> QuestionKind:
    """Refuse answers that do not fit the question (400), before anything is written."""
    if answer.question_id not in attempt.question_ids:
        raise InvalidAnswer("That question is not part of this attempt.")
    return check_answer(attempt, question_facts([answer.question_id]), answer)


def _claimable(attempt_id: Any, now: Any) -> Any:
    """The open, unexpired attempt: the row a save (or a submission) claims."""
    return and_(
        QuizAttempt.id == attempt_id,
        QuizAttempt.status == AttemptStatus.IN_PROGRESS,
        (QuizAttempt.deadline.is_(None)) | (QuizAttempt.deadline >= now),
    )


def _claim_for_saving(attempt_id: int, now: datetime) -> None:
    """Lock the open attempt row for this save; refuse closed or expired attempts.

    The UPDATE takes the row lock a concurrent submit also needs, so an answer is either
    saved before grading reads the answers or refused after.
    """
    result = db.session.execute(
        update(QuizAttempt)
        .where(_claimable(attempt_id, now))
        .values(last_saved_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise _refusal(attempt_id)


def _refusal(attempt_id: int) -> DomainError:
    """Why a save found no open attempt to claim: submitted, or past its deadline."""
    status = db.session.scalar(select(QuizAttempt.status).where(QuizAttempt.id == attempt_id))
    return AttemptClosed() if status != AttemptStatus.IN_PROGRESS else DeadlinePassed()


def _upsert_answer(insert_answer: Any) -> Any:
    """An INSERT of answers (either dialect's) that updates the one a question already has."""
    return insert_answer.on_conflict_do_update(
        index_elements=["attempt_id", "question_id"],
        set_={
            name: getattr(insert_answer.excluded, name)
            for name in ("click_x", "click_y", "saved_at")
        },
    )


def _save_one_statement() -> Select:
    """PostgreSQL: claim the attempt, upsert the answer, replace its choices: one statement.

    Built once with bind parameters (autosave is the hottest write of an assessment). Each
    part feeds on the one before: nothing is written unless the claim succeeded.
    """
    now = bindparam("now", type_=QuizAttempt.last_saved_at.type)
    choice_ids = bindparam("choice_ids", type_=postgresql.ARRAY(Integer))
    claimed = (
        update(QuizAttempt)
        .where(_claimable(bindparam("attempt_id", type_=Integer), now))
        .values(last_saved_at=now)
        .returning(QuizAttempt.id)
        .cte("claimed")
    )
    answer = postgresql.insert(AttemptAnswer).from_select(
        ["attempt_id", "question_id", "click_x", "click_y", "saved_at"],
        select(
            claimed.c.id,
            bindparam("question_id", type_=Integer),
            bindparam("click_x", type_=AttemptAnswer.click_x.type),
            bindparam("click_y", type_=AttemptAnswer.click_y.type),
            now,
        ),
    )
    saved = _upsert_answer(answer).returning(AttemptAnswer.id).cte("saved")
    # The choices no longer picked go; the new ones come (the kept ones are left alone).
    cleared = (
        delete(answer_choices)
        .where(
            answer_choices.c.answer_id.in_(select(saved.c.id)),
            answer_choices.c.choice_id != func.all(choice_ids),
        )
        .cte("cleared")
    )
    picked = (
        postgresql.insert(answer_choices)
        .from_select(["answer_id", "choice_id"], select(saved.c.id, func.unnest(choice_ids)))
        .on_conflict_do_nothing()
        .cte("picked")
    )
    return select(func.count()).select_from(claimed).add_cte(saved, cleared, picked)


_SAVE_ONE = _save_one_statement()


def _insert(dialect: str):
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _write_answers(attempt: QuizAttempt, answers: Iterable[AnswerInput], now: datetime) -> None:
    """Upsert the answers and replace their choices: three statements for any number."""
    latest = {answer.question_id: answer for answer in answers}  # the last one per question
    if not latest:
        return
    statement = _insert(db.session.get_bind().dialect.name)(AttemptAnswer).values(
        [
            {
                "attempt_id": attempt.id,
                "question_id": answer.question_id,
                "click_x": answer.click[0] if answer.click is not None else None,
                "click_y": answer.click[1] if answer.click is not None else None,
                "saved_at": now,
            }
            for answer in latest.values()
        ]
    )
    saved = db.session.execute(
        _upsert_answer(statement).returning(AttemptAnswer.id, AttemptAnswer.question_id)
    ).all()
    answer_ids = {question_id: answer_id for answer_id, question_id in saved}
    db.session.execute(
        delete(answer_choices).where(answer_choices.c.answer_id.in_(list(answer_ids.values())))
    )
    picked = [
        {"answer_id": answer_ids[question_id], "choice_id": choice_id}
        for question_id, answer in latest.items()
        for choice_id in sorted(set(answer.choice_ids))
    ]
    if picked:
        db.session.execute(insert(answer_choices), picked)


def save_answer(
    attempt: Any,
    answer: AnswerInput,
    now: datetime | None = None,
    facts: dict[int, QuestionFacts] | None = None,
) -> None:
    """Autosave one answer; 400 if it does not fit, 409 once submitted or past the deadline.

    `attempt` is a QuizAttempt or anything with its `id` and `question_ids`; `facts`, the
    answered question's, when the caller's query brought them (else they are read here).
    """
    now = now or utcnow()
    if facts is None:
        validate_answer(attempt, answer)
    else:
        check_answer(attempt, facts, answer)
    if db.session.get_bind().dialect.name != "postgresql":
        _claim_for_saving(attempt.id, now)
        _write_answers(attempt, [answer], now)
        return
    click = answer.click or (None, None)
    claimed = (
        db.session.connection()
        .execute(
            _SAVE_ONE,
            {
                "attempt_id": attempt.id,
                "now": now,
                "question_id": answer.question_id,
                "click_x": click[0],
                "click_y": click[1],
                "choice_ids": sorted(set(answer.choice_ids)),
            },
        )
        .scalar_one()
    )
    if claimed != 1:
        raise _refusal(attempt.id)


# --- grading ------------------------------------------------------------------------------


def submit_attempt(
    attempt: QuizAttempt,
    *,
    enrolment: Enrolment | None,
    course: Any,
    answers: Iterable[AnswerInput] = (),
    now: datetime | None = None,
) -> QuizAttempt:
    """Grade an attempt once. Answers sent with a late submission are ignored.

    `course` is the ORM course or its snapshot (lms.learning.snapshot): the completion
    engine reads its structure only.
    """
    now = now or utcnow()
    answers = list(answers)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise AttemptClosed()
    # The deadline is fixed when the attempt starts, so this is the database's verdict too.
    on_time = bool(answers) and not expired(attempt, now)
    facts = question_facts(attempt.question_ids)
    if on_time:
        for answer in answers:
            check_answer(attempt, facts, answer)
    # Closing first takes the row lock an autosave also needs: an answer is either saved
    # before the answers are read for grading, or refused as closed.
    _close(attempt, now)
    saved = _saved_answers(attempt.id)
    if on_time:
        # The page autosaves as the learner answers, so what the form sends is mostly
        # saved already: only the answers that differ are written.
        changed = unsaved(answers, saved)
        _write_answers(attempt, changed, now)
        saved.update(
            (a.question_id, (a.click or (None, None), frozenset(a.choice_ids))) for a in changed
        )
    _grade(attempt, facts, saved)
    _record_completion(attempt, enrolment, course)
    return attempt


def _latest(answers: Iterable[AnswerInput]) -> list[AnswerInput]:
    """The last answer given to each question."""
    return list({answer.question_id: answer for answer in answers}.values())


def unsaved(answers: Iterable[AnswerInput], saved: dict[int, SavedAnswer]) -> list[AnswerInput]:
    """The answers (the last one per question) that differ from the saved ones."""
    return [answer for answer in _latest(answers) if saved.get(answer.question_id) != (
        answer.click or (None, None), frozenset(answer.choice_ids))]  # fmt: skip


SavedAnswer = tuple[tuple[float | None, float | None], frozenset[int]]


def _saved_answers(attempt_id: int) -> dict[int, SavedAnswer]:
    """Question id -> (click, chosen choice ids) of the answers saved for an attempt."""
    return saved_from_rows(
        db.session.connection().execute(_SAVED_ANSWERS, {"attempt_id": attempt_id})
    )


def saved_from_rows(rows: Iterable[Any]) -> dict[int, SavedAnswer]:
    """Saved answers from rows of (question id, click x, click y, choice id or None)."""
    clicks: dict[int, tuple[float | None, float | None]] = {}
    picked: dict[int, set[int]] = {}
    for question_id, click_x, click_y, choice_id in rows:
        clicks[question_id] = (click_x, click_y)
        if choice_id is not None:
            picked.setdefault(question_id, set()).add(choice_id)
    return {qid: (click, frozenset(picked.get(qid, ()))) for qid, click in clicks.items()}


_SAVED_ANSWERS = (
    select(
        AttemptAnswer.question_id,
        AttemptAnswer.click_x,
        AttemptAnswer.click_y,
        answer_choices.c.choice_id,
    )
    .join(answer_choices, answer_choices.c.answer_id == AttemptAnswer.id, isouter=True)
    .where(AttemptAnswer.attempt_id == bindparam("attempt_id", type_=Integer))
)


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
    _grade(attempt, question_facts(attempt.question_ids), _saved_answers(attempt.id))
    _record_completion(attempt, enrolment, course)


_CLOSE = (
    update(QuizAttempt)
    .where(
        QuizAttempt.id == bindparam("attempt_id", type_=Integer),
        QuizAttempt.status == AttemptStatus.IN_PROGRESS,
    )
    .values(
        status=AttemptStatus.GRADED,
        submitted_at=bindparam("now", type_=QuizAttempt.submitted_at.type),
    )
)


def _close(attempt: QuizAttempt, now: datetime) -> None:
    """The guarded transition: only one request ever moves an attempt out of progress."""
    result = db.session.connection().execute(_CLOSE, {"attempt_id": attempt.id, "now": now})
    if result.rowcount != 1:
        raise AttemptClosed()
    # Already written: record the values without making the next flush write them again.
    set_committed_value(attempt, "status", AttemptStatus.GRADED)
    set_committed_value(attempt, "submitted_at", now)


def score_answer(
    question: QuestionFacts, click: tuple[float | None, float | None], picked: Iterable[int]
) -> float:
    """Score one saved answer: a click for a hotspot, chosen choice ids otherwise."""
    if question.kind == QuestionKind.HOTSPOT:
        x, y = click
        if x is None or y is None or not question.region:
            return 0.0
        return 1.0 if grading.region_contains(question.region, x, y, question.aspect) else 0.0
    return grading.score_choices(
        question.correct_ids,
        picked,
        multiple=question.kind == QuestionKind.MULTIPLE,
        partial_credit=question.partial_credit,
    )


def given_scores() -> Any:
    """PostgreSQL: the scores as rows (question_id, score), from two array parameters
    (`graded_ids`, `graded_scores`): one statement writes them whatever their number."""
    return (
        func.unnest(
            # Not named after a column of quiz_attempts: an UPDATE beside it would set it.
            bindparam("graded_ids", type_=postgresql.ARRAY(Integer)),
            bindparam("graded_scores", type_=postgresql.ARRAY(Float)),
        )
        .table_valued("question_id", "score")
        .render_derived(name="given")
    )


def _scores_statement() -> Select:
    """PostgreSQL: every question's score and the attempt's totals, in one statement.

    Built once: the scores travel as two arrays (question ids, scores) whatever their number.
    """
    attempt_id = bindparam("attempt_id", type_=Integer)
    given = given_scores()
    scored = postgresql.insert(AttemptAnswer).from_select(
        ["attempt_id", "question_id", "score"],
        select(attempt_id, given.c.question_id, given.c.score),
    )
    scored = (
        scored.on_conflict_do_update(
            index_elements=["attempt_id", "question_id"], set_={"score": scored.excluded.score}
        )
        .returning(AttemptAnswer.id)
        .cte("scored")
    )
    totals = (
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt_id)
        .values(
            points=bindparam("points", type_=Float),
            max_points=bindparam("max_points", type_=Integer),
            score_percent=bindparam("score_percent", type_=Float),
            passed=bindparam("passed", type_=Boolean),
        )
        .cte("totals")
    )
    return select(func.count()).select_from(scored).add_cte(totals)


_SCORES = _scores_statement()


def scored(
    question_ids: Iterable[int],
    pass_mark: int,
    facts: dict[int, QuestionFacts],
    saved: dict[int, SavedAnswer],
) -> tuple[dict[int, float], dict[str, Any]]:
    """Every question's score (question id -> score) and the attempt's totals."""
    graded = [qid for qid in dict.fromkeys(question_ids) if qid in facts]
    # Unanswered questions get a row with score 0: it keeps item statistics honest.
    scores = {qid: score_answer(facts[qid], *saved[qid]) if qid in saved else 0.0 for qid in graded}
    points = sum(scores.values())
    totals = {
        "points": points,
        "max_points": len(scores),
        "score_percent": round(100 * points / len(scores), 2) if scores else 0.0,
    }
    totals["passed"] = totals["score_percent"] >= pass_mark
    return scores, totals


def _grade(
    attempt: QuizAttempt, facts: dict[int, QuestionFacts], saved: dict[int, SavedAnswer]
) -> None:
    """Score the saved answers: one write of every score and of the attempt's totals."""
    scores, totals = scored(attempt.question_ids, attempt.pass_mark, facts, saved)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.connection().execute(
            _SCORES,
            {
                "attempt_id": attempt.id,
                "graded_ids": list(scores),
                "graded_scores": list(scores.values()),
                **totals,
            },
        )
        # Already written: record the values without making the next flush write them again.
        for name, value in totals.items():
            set_committed_value(attempt, name, value)
        return
    if scores:
        statement = sqlite.insert(AttemptAnswer).values(
            [
                {"attempt_id": attempt.id, "question_id": qid, "score": score}
                for qid, score in scores.items()
            ]
        )
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=["attempt_id", "question_id"],
                set_={"score": statement.excluded.score},
            )
        )
    for name, value in totals.items():
        setattr(attempt, name, value)
    db.session.flush()


def counts_for_completion(passed: bool | None, required: bool, enrolled: bool) -> bool:
    """A pass at a required quiz by its enrolled learner: the only quiz evidence the
    completion engine counts (a fail or an optional quiz cannot change a completion)."""
    return bool(passed and required and enrolled)


def _record_completion(
    attempt: QuizAttempt, enrolment: Enrolment | None, course: Course | None
) -> None:
    """Tell the completion engine about a quiz result it counts (`counts_for_completion`)."""
    if course is None:
        return
    enrolled = enrolment is not None and enrolment.user_id == attempt.user_id
    if counts_for_completion(attempt.passed, attempt.quiz.required, enrolled):
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
