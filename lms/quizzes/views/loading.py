"""Loading a course and its quiz objects for a request, or 404."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app
from flask_login import current_user
from sqlalchemy import Integer, Select, String, and_, bindparam, select

from lms import permissions
from lms.auth import services as auth_services
from lms.auth.models import User
from lms.catalog.models import Course
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.learning import services as learning_services
from lms.quizzes.attempts import QUESTION_FACT_COLUMNS, QuestionFacts, facts_from_rows
from lms.quizzes.models import Choice, Question, QuestionBank, Quiz, QuizAttempt


def course_or_404(slug: str) -> Course:
    """The course with its syllabus, if the user may see it."""
    course = learning_services.syllabus(slug)
    if course is None or not permissions.can_view_course(current_user, course):
        abort(404)
    return course


def editable_course(slug: str) -> Course:
    course = course_or_404(slug)
    permissions.require(permissions.can_author_quizzes(current_user, course))
    return course


def bank_of(course: Course, bank_id: int) -> QuestionBank:
    bank = db.session.get(QuestionBank, bank_id)
    if bank is None or bank.course_id != course.id:
        abort(404)
    return bank


def question_of(course: Course, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.bank.course_id != course.id:
        abort(404)
    return question


def quiz_of(course: Course, quiz_id: int) -> Quiz:
    quiz = db.session.get(Quiz, quiz_id)
    if quiz is None or quiz.course_id != course.id:
        abort(404)
    return quiz


def attempt_of(course: Course, attempt_id: int) -> QuizAttempt:
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.quiz.course_id != course.id:
        abort(404)
    return attempt


def learner_of(course: Course, user_id: int) -> User:
    """A learner of the course (enrolled now or before), or 404: the course's editors act on
    their own learners only, and never learn whether a user id exists elsewhere."""
    from sqlalchemy import select

    learner = db.session.scalar(
        select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(User.id == user_id, Enrolment.course_id == course.id)
    )
    if learner is None:
        abort(404)
    return learner


def module_options(course: Course) -> list[tuple[int, str]]:
    return [(m.id, f"Module {i}: {m.title}") for i, m in enumerate(course.modules, start=1)]


def lesson_options(course: Course) -> list[tuple[int, str]]:
    return [(lesson.id, lesson.title) for m in course.modules for lesson in m.lessons]


_ATTEMPT_TO_SAVE = (
    select(QuizAttempt.id, QuizAttempt.question_ids, *QUESTION_FACT_COLUMNS)
    .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
    .join(Course, Course.id == Quiz.course_id)
    .join(
        User,
        and_(
            User.id == QuizAttempt.user_id,
            auth_services.session_holder(
                bindparam("user_id", type_=Integer), bindparam("session_token", type_=String)
            ),
        ),
    )
    # The answered question's facts, a row per choice (checked against the attempt later).
    .outerjoin(Question, Question.id == bindparam("question_id", type_=Integer))
    .outerjoin(Choice, Choice.question_id == Question.id)
    .where(
        QuizAttempt.id == bindparam("attempt_id", type_=Integer),
        QuizAttempt.user_id == bindparam("user_id", type_=Integer),
        Course.slug == bindparam("slug", type_=String),
    )
)

LARGEST_ID = 2**31 - 1


def own_attempt_to_save(
    slug: str, attempt_id: int, question_id: Any
) -> tuple[Any, dict[int, QuestionFacts] | None]:
    """The signed-in learner's attempt in the course `slug` (its `id` and `question_ids`),
    with the facts of the question `question_id` (None: the caller reads them).

    Autosave is hot: the session's "user:token" pair is checked inside this one query, as
    Flask-Login would check it with a query of its own, and the answered question comes
    with it. Signed out: Flask-Login's answer; someone else's attempt, or another course's:
    404.
    """
    identity = auth_services.session_identity()
    if identity is not None:
        user_id, token = identity
        wanted = (
            question_id
            if isinstance(question_id, int)
            and not isinstance(question_id, bool)
            and 0 < question_id <= LARGEST_ID
            else 0
        )
        rows = (
            db.session.connection()
            .execute(
                _ATTEMPT_TO_SAVE,
                {
                    "attempt_id": attempt_id,
                    "user_id": user_id,
                    "slug": slug,
                    "session_token": token,
                    "question_id": wanted,
                },
            )
            .all()
        )
        if rows:
            facts = facts_from_rows(row[2:] for row in rows if row[2] is not None)
            return rows[0], facts
    if not current_user.is_authenticated:  # no session, a stale one, or a deactivated user
        abort(current_app.login_manager.unauthorized())
    return own_open_attempt(slug, attempt_id), None  # restored by "remember me", or 404


def own_open_attempt(slug: str, attempt_id: int) -> QuizAttempt:
    """The current user's attempt in the course `slug`, in one query (autosave is hot)."""
    from flask_login import current_user
    from sqlalchemy import select

    attempt = db.session.scalar(
        select(QuizAttempt)
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .join(Course, Course.id == Quiz.course_id)
        .where(QuizAttempt.id == attempt_id, Course.slug == slug)
    )
    if attempt is None or not permissions.can_answer_attempt(current_user, attempt):
        abort(404)
    return attempt


def _attempt_to_submit_statement() -> Select:
    """Built once (submitting is hot): the attempt, its quiz, the enrolment, the user."""
    from sqlalchemy.orm import contains_eager

    return (
        select(QuizAttempt, Enrolment, User)
        .join(QuizAttempt.quiz)
        .outerjoin(
            Enrolment,
            and_(Enrolment.user_id == QuizAttempt.user_id, Enrolment.course_id == Quiz.course_id),
        )
        .outerjoin(
            User,
            and_(
                User.id == QuizAttempt.user_id,
                auth_services.session_holder(
                    bindparam("user_id", type_=Integer), bindparam("session_token", type_=String)
                ),
            ),
        )
        .where(
            QuizAttempt.id == bindparam("attempt_id", type_=Integer),
            Quiz.course_id == bindparam("course_id", type_=Integer),
        )
        .options(contains_eager(QuizAttempt.quiz))
    )


_ATTEMPT_TO_SUBMIT = _attempt_to_submit_statement()


def own_attempt_and_enrolment(
    course: Any, attempt_id: int
) -> tuple[QuizAttempt, Enrolment | None] | None:
    """The attempt at a quiz of `course` (its quiz loaded) and its learner's enrolment in
    the course, in one query (submitting is hot); None if there is no such attempt.

    The same query loads the user the session names, if the session's token is still
    theirs, so the request's user load finds them in the session instead of asking again.
    Whose attempt it is, the caller checks (`permissions.can_answer_attempt`).
    """
    identity = auth_services.session_identity() or (0, "")
    row = (
        db.session.execute(
            _ATTEMPT_TO_SUBMIT,
            {
                "attempt_id": attempt_id,
                "course_id": course.id,
                "user_id": identity[0],
                "session_token": identity[1],
            },
        )
        .unique()
        .one_or_none()
    )
    return (row[0], row[1], row[2]) if row is not None else None
