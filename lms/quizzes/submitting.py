"""Submitting an attempt in two statements: the common case, on PostgreSQL.

The page autosaves every answer as the learner gives it, so the submit form almost always
sends what is saved already. Then a submission is:

1. one read (`_READ`): the course's version, the attempt, its quiz's `required`, the
   learner's enrolment (for the completion engine), the session's user (only while the
   session's token is theirs), the facts of the attempt's questions and its saved
   answers, with the attempt's `last_saved_at`, which every autosave moves on
   (`attempts._SAVE_ONE`);
2. Python grades the saved answers (`attempts.scored`, the rules every path uses);
3. one write (`_WRITE`) that closes the attempt with its totals only if it is still in
   progress and no answer was saved since the read (compare-and-set on `last_saved_at`),
   and then writes every question's score.

Each statement stands alone (the view is `@autocommit`). Anything else goes the way that
handles every case (`attempts.submit_attempt`, in a transaction): an attempt that is not
in progress, form answers that differ from the saved ones, an autosave or another submit
that came between the read and the write, a session restored by "remember me", SQLite.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    cast,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql

from lms.auth import services as auth_services
from lms.auth.models import SignedInUser, User
from lms.catalog.models import Course
from lms.db import AnyConnection, HotStatement, as_utc, json_rows
from lms.enrolments.models import Enrolment
from lms.quizzes import attempts
from lms.quizzes.models import (
    AttemptAnswer,
    AttemptStatus,
    Choice,
    Question,
    QuestionKind,
    Quiz,
    QuizAttempt,
    answer_choices,
)


@dataclass
class AttemptFacts:
    """What grading needs of an attempt (as `QuizAttempt` has it, for the shared rules)."""

    id: int
    user_id: int
    quiz_id: int
    status: AttemptStatus
    deadline: datetime | None
    last_saved_at: datetime | None
    question_ids: list[int]
    pass_mark: int
    required: bool  # its quiz counts for completion
    passed: bool | None = None


@dataclass(frozen=True)
class Submission:
    """The read's row: everything a submission decides on."""

    course_id: int
    version: int
    attempt: AttemptFacts
    enrolment_id: int | None
    user: SignedInUser | None
    facts: dict[int, attempts.QuestionFacts]
    saved: dict[int, attempts.SavedAnswer]


def _read_statement() -> Select:
    attempt_id = bindparam("attempt_id", type_=Integer)
    user_id = bindparam("user_id", type_=Integer)
    asked = (
        func.json_array_elements_text(QuizAttempt.question_ids)
        .table_valued("value")
        .render_derived(name="asked")
    )
    # From the attempt's question ids to their rows (by key, whatever the bank's size).
    facts = (
        select(json_rows(*attempts.QUESTION_FACT_COLUMNS))
        .select_from(asked)
        .join(Question, Question.id == cast(asked.c.value, Integer))
        .join(Choice, Choice.question_id == Question.id, isouter=True)
        .scalar_subquery()
    )
    saved = (
        select(
            json_rows(
                AttemptAnswer.question_id,
                AttemptAnswer.click_x,
                AttemptAnswer.click_y,
                answer_choices.c.choice_id,
            )
        )
        .select_from(AttemptAnswer)
        .join(answer_choices, answer_choices.c.answer_id == AttemptAnswer.id, isouter=True)
        .where(AttemptAnswer.attempt_id == QuizAttempt.id)
        .scalar_subquery()
    )
    return (
        select(
            Course.id,
            Course.content_version,
            QuizAttempt.id,
            QuizAttempt.user_id,
            QuizAttempt.quiz_id,
            QuizAttempt.status,
            QuizAttempt.deadline,
            QuizAttempt.last_saved_at,
            QuizAttempt.question_ids,
            QuizAttempt.pass_mark,
            Quiz.required,
            Enrolment.id,
            facts,
            saved,
            *auth_services.signed_in_user_columns(),
        )
        .select_from(Course)
        .join(Quiz, Quiz.course_id == Course.id)
        .join(QuizAttempt, and_(QuizAttempt.quiz_id == Quiz.id, QuizAttempt.id == attempt_id))
        .outerjoin(
            Enrolment,
            and_(Enrolment.user_id == QuizAttempt.user_id, Enrolment.course_id == Course.id),
        )
        .outerjoin(
            User,
            auth_services.session_holder(user_id, bindparam("session_token", type_=String)),
        )
        .where(Course.slug == bindparam("slug", type_=String))
    )


_READ = HotStatement(_read_statement())


def read(
    connection: AnyConnection, slug: str, attempt_id: int, identity: tuple[int, str]
) -> Submission | None:
    """The submission's facts in one statement; None if the course has no such attempt."""
    row = _READ.first(
        connection,
        {
            "slug": slug,
            "attempt_id": attempt_id,
            "user_id": identity[0],
            "session_token": identity[1],
        },
    )
    if row is None:
        return None
    (course_id, version, attempt_id, user_id, quiz_id, status, deadline, last_saved_at,
     question_ids, pass_mark, required, enrolment_id, facts, saved) = row[:14]  # fmt: skip
    return Submission(
        course_id=course_id,
        version=version,
        attempt=AttemptFacts(
            id=attempt_id,
            user_id=user_id,
            quiz_id=quiz_id,
            status=AttemptStatus(status),
            deadline=as_utc(deadline),
            last_saved_at=as_utc(last_saved_at),
            question_ids=list(question_ids),
            pass_mark=pass_mark,
            required=required,
        ),
        enrolment_id=enrolment_id,
        user=auth_services.signed_in_user(row[14:]),
        facts=attempts.facts_from_rows(
            (question_id, QuestionKind(kind), *rest) for question_id, kind, *rest in facts or ()
        ),
        saved=attempts.saved_from_rows(saved or ()),
    )


def _write_statement() -> Select:
    """Close the attempt with its totals if it is as read, then write every score."""
    attempt_id = bindparam("attempt_id", type_=Integer)
    closed = (
        update(QuizAttempt)
        .where(
            QuizAttempt.id == attempt_id,
            QuizAttempt.status == AttemptStatus.IN_PROGRESS,
            QuizAttempt.last_saved_at.is_not_distinct_from(
                bindparam("last_saved_at", type_=QuizAttempt.last_saved_at.type)
            ),
        )
        .values(
            status=AttemptStatus.GRADED,
            submitted_at=bindparam("now", type_=QuizAttempt.submitted_at.type),
            points=bindparam("points", type_=Float),
            max_points=bindparam("max_points", type_=Integer),
            score_percent=bindparam("score_percent", type_=Float),
            passed=bindparam("passed", type_=Boolean),
        )
        .returning(QuizAttempt.id)
        .cte("closed")
    )
    given = attempts.given_scores()
    scores = postgresql.insert(AttemptAnswer).from_select(
        ["attempt_id", "question_id", "score"],
        select(closed.c.id, given.c.question_id, given.c.score).select_from(closed, given),
    )
    scores = scores.on_conflict_do_update(
        index_elements=["attempt_id", "question_id"], set_={"score": scores.excluded.score}
    ).cte("scores")
    # PostgreSQL runs a data-modifying CTE whether or not the query reads it.
    return select(select(closed.c.id).scalar_subquery()).add_cte(scores)


_WRITE = HotStatement(_write_statement())


def grade(
    connection: AnyConnection,
    submission: Submission,
    answers: list[attempts.AnswerInput],
    now: datetime,
) -> bool:
    """Grade the attempt on its saved answers in one write; False if this is not the
    common case (see the module doc) and nothing was written.

    Answers that do not fit the attempt are refused first (`attempts.InvalidAnswer`), as
    `attempts.submit_attempt` refuses them.
    """
    attempt = submission.attempt
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return False
    on_time = bool(answers) and not attempts.expired(attempt, now)
    if on_time:
        for answer in answers:
            attempts.check_answer(attempt, submission.facts, answer)
        if attempts.unsaved(answers, submission.saved):
            return False
    scores, totals = attempts.scored(
        attempt.question_ids, attempt.pass_mark, submission.facts, submission.saved
    )
    (closed,) = _WRITE.first(
        connection,
        {
            "attempt_id": attempt.id,
            "last_saved_at": attempt.last_saved_at,
            "now": now,
            "graded_ids": list(scores),
            "graded_scores": list(scores.values()),
            **totals,
        },
    )
    if closed is None:
        return False
    attempt.status, attempt.passed = AttemptStatus.GRADED, totals["passed"]
    return True


def counts_for_completion(submission: Submission) -> bool:
    """Whether the completion engine is to be asked (`attempts.counts_for_completion`); the
    read's enrolment is the attempt's learner's."""
    attempt = submission.attempt
    return attempts.counts_for_completion(
        attempt.passed, attempt.required, submission.enrolment_id is not None
    )
