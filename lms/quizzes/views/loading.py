"""Loading a course and its quiz objects for a request, or 404."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from lms import permissions
from lms.catalog.models import Course
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


def module_options(course: Course) -> list[tuple[int, str]]:
    return [(m.id, f"Module {i}: {m.title}") for i, m in enumerate(course.modules, start=1)]


def lesson_options(course: Course) -> list[tuple[int, str]]:
    return [(lesson.id, lesson.title) for m in course.modules for lesson in m.lessons]
