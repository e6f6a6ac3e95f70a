"""Loading a course and its quiz objects for a request, or 404."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from lms import permissions
from lms.auth.models import User
from lms.catalog.models import Course
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.learning import services as learning_services
from lms.quizzes.models import Question, QuestionBank, Quiz, QuizAttempt


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


def own_attempt_and_enrolment(
    course: Course, attempt_id: int
) -> tuple[QuizAttempt, Enrolment | None]:
    """The current user's attempt at a quiz of `course` (its quiz loaded) and their
    enrolment in the course, in one query (submitting is hot), or 404."""
    from sqlalchemy import and_, select
    from sqlalchemy.orm import contains_eager

    row = db.session.execute(
        select(QuizAttempt, Enrolment)
        .join(QuizAttempt.quiz)
        .outerjoin(
            Enrolment,
            and_(Enrolment.user_id == QuizAttempt.user_id, Enrolment.course_id == Quiz.course_id),
        )
        .where(QuizAttempt.id == attempt_id, Quiz.course_id == course.id)
        .options(contains_eager(QuizAttempt.quiz))
    ).one_or_none()
    if row is None or not permissions.can_answer_attempt(current_user, row[0]):
        abort(404)
    return row[0], row[1]
