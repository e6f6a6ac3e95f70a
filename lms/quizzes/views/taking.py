"""Learners take quizzes: the quiz page, attempts, autosave, submission and results."""

from __future__ import annotations

import math
import re
from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms import connections, permissions
from lms.auth import services as auth_services
from lms.auth.forms import EmptyForm
from lms.connections import autocommit, leave_autocommit
from lms.db import utcnow
from lms.enrolments import services as enrolment_services
from lms.enrolments.models import Enrolment
from lms.errors import DomainError
from lms.extensions import db
from lms.learning import completion, snapshot
from lms.quizzes import attempts as attempt_services
from lms.quizzes import authoring, bp, submitting
from lms.quizzes.attempts import AnswerInput, InvalidAnswer
from lms.quizzes.models import Question, QuestionKind
from lms.quizzes.views.loading import (
    attempt_of,
    course_or_404,
    own_attempt_and_enrolment,
    own_attempt_to_save,
    quiz_of,
)

FORM_FIELD = re.compile(r"q(\d+)(?:_x|_y)?")


@bp.route("/courses/<slug>/quizzes/<int:quiz_id>")
@login_required
def quiz(slug: str, quiz_id: int):
    course = course_or_404(slug)
    quiz = quiz_of(course, quiz_id)
    enrolment = enrolment_services.enrolment_for(current_user, course)
    editor = permissions.can_author_quizzes(current_user, course)
    if not permissions.can_take_quiz(current_user, course, quiz, enrolment) and not editor:
        if not quiz.is_published:
            abort(404)
        flash("Enrol in this course to take its quizzes.", "info")
        return redirect(url_for("catalog.course", slug=course.slug))
    standing = attempt_services.summary(current_user, quiz, enrolment=enrolment, course=course)
    db.session.commit()  # attempts found past their deadline were just graded
    return render_template(
        "quizzes/quiz.html",
        course=course,
        quiz=quiz,
        standing=standing,
        questions=authoring.questions_per_attempt(quiz, authoring.pool_size(quiz)),
        can_take=permissions.can_take_quiz(current_user, course, quiz, enrolment),
        form=EmptyForm(),
    )


@bp.route("/courses/<slug>/quizzes/<int:quiz_id>/start", methods=["POST"])
@login_required
def start(slug: str, quiz_id: int):
    course = course_or_404(slug)
    quiz = quiz_of(course, quiz_id)
    enrolment = enrolment_services.enrolment_for(current_user, course)
    if not permissions.can_take_quiz(current_user, course, quiz, enrolment):
        flash("Enrol in this course to take its quizzes.", "info")
        return redirect(url_for("catalog.course", slug=course.slug))
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("quizzes.quiz", slug=slug, quiz_id=quiz.id))
    try:
        attempt = attempt_services.start_attempt(
            current_user, quiz, enrolment=enrolment, course=course
        )
    except DomainError as error:
        db.session.commit()  # keep an expired attempt graded on the way
        flash(error.message, "warning")
        return redirect(url_for("quizzes.quiz", slug=slug, quiz_id=quiz.id))
    db.session.commit()
    return redirect(url_for("quizzes.attempt", slug=slug, attempt_id=attempt.id))


@bp.route("/courses/<slug>/attempts/<int:attempt_id>")
@login_required
def attempt(slug: str, attempt_id: int):
    course = course_or_404(slug)
    attempt = attempt_of(course, attempt_id)
    if not permissions.can_view_attempt(current_user, course, attempt):
        abort(404)  # someone else's attempt: not there, as far as this user knows
    if not attempt.is_open or not permissions.can_answer_attempt(current_user, attempt):
        return redirect(url_for("quizzes.result", slug=slug, attempt_id=attempt.id))
    return render_template(
        "quizzes/attempt.html",
        course=course,
        quiz=attempt.quiz,
        attempt=attempt,
        questions=attempt_services.attempt_questions(attempt),
        answers=attempt_services.answers_by_question(attempt),
        form=EmptyForm(),
    )


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidAnswer("Coordinates must be numbers.")
    try:
        number = float(value)
    except ValueError:
        raise InvalidAnswer("Coordinates must be numbers.") from None
    if not math.isfinite(number):
        raise InvalidAnswer("Coordinates must be numbers.")
    return number


def _answer_from_json(payload: Any) -> AnswerInput:
    if not isinstance(payload, dict):
        raise InvalidAnswer("Send the answer as a JSON object.")
    question_id = payload.get("question_id")
    choice_ids = payload.get("choice_ids", [])
    if not isinstance(question_id, int) or isinstance(question_id, bool):
        raise InvalidAnswer("question_id must be a number.")
    if not isinstance(choice_ids, list) or not all(
        isinstance(c, int) and not isinstance(c, bool) for c in choice_ids
    ):
        raise InvalidAnswer("choice_ids must be a list of numbers.")
    click = None
    if payload.get("x") is not None or payload.get("y") is not None:
        click = (_number(payload.get("x")), _number(payload.get("y")))
    return AnswerInput(question_id, tuple(choice_ids), click)


def _answers_from_form(form) -> list[AnswerInput]:
    """Answers posted by the plain form (it works without JavaScript).

    Blank questions are skipped, so answers already autosaved stand; answers naming a
    question outside the attempt are refused by the service (400).
    """
    question_ids = sorted(
        {int(match.group(1)) for key in form if (match := FORM_FIELD.fullmatch(key))}
    )
    answers = []
    for question_id in question_ids:
        try:
            choice_ids = tuple(int(v) for v in form.getlist(f"q{question_id}") if v)
        except ValueError:
            raise InvalidAnswer("Choices must be numbers.") from None
        x, y = form.get(f"q{question_id}_x", ""), form.get(f"q{question_id}_y", "")
        click = (_number(x), _number(y)) if x.strip() and y.strip() else None
        if choice_ids or click is not None:
            answers.append(AnswerInput(question_id, choice_ids, click))
    return answers


@bp.route("/courses/<slug>/attempts/<int:attempt_id>/answers", methods=["POST"])
# Not @login_required: the attempt's query checks the session's user (autosave is hot).
# On PostgreSQL a save is one statement that claims the attempt and writes the answer
# (lms.quizzes.attempts._SAVE_ONE), after one read: no transaction needed around them.
@autocommit(only_on=("postgresql",))
def save_answer(slug: str, attempt_id: int):
    payload = request.get_json(silent=True)
    asked = payload.get("question_id") if isinstance(payload, dict) else None
    attempt, facts = own_attempt_to_save(slug, attempt_id, asked)
    try:
        answer = _answer_from_json(payload)
        attempt_services.save_answer(attempt, answer, facts=facts)
    except DomainError as error:
        db.session.rollback()
        return jsonify(error="refused", message=error.message), error.status_code
    connections.commit()
    return jsonify(saved=True, question_id=answer.question_id)


@bp.route("/courses/<slug>/attempts/<int:attempt_id>/submit", methods=["POST"])
# On PostgreSQL the common case is one read and one write, each standing alone
# (lms.quizzes.submitting); every other case takes the general path, in a transaction.
@autocommit(only_on=("postgresql",))
def submit(slug: str, attempt_id: int):
    done = _submit_in_two_statements(slug, attempt_id)
    if done is not None:
        return done
    leave_autocommit()
    course = snapshot.by_slug(slug)  # the outline, from the process's current snapshot
    found = own_attempt_and_enrolment(course, attempt_id) if course is not None else None
    # As @login_required; the attempt's query loaded the session's user: no query of its own.
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if course is None or not permissions.can_view_course(current_user, course):
        abort(404)
    if found is None or not permissions.can_answer_attempt(current_user, found[0]):
        abort(404)
    attempt, enrolment, _user = found
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        answers = _answers_from_form(request.form)
        attempt_services.submit_attempt(
            attempt, enrolment=enrolment, course=course, answers=answers
        )
    except attempt_services.AttemptClosed as error:
        db.session.rollback()
        return render_template(
            "quizzes/already_submitted.html", course=course, attempt=attempt, message=error.message
        ), 409
    db.session.commit()
    # No flash: the result page's score is the answer (and the session cookie stays as is).
    return redirect(url_for("quizzes.result", slug=slug, attempt_id=attempt.id))


def _submit_in_two_statements(slug: str, attempt_id: int) -> Any:
    """The common case of a submission (see lms.quizzes.submitting); None: take the
    general path, which answers every other case (nothing was written)."""
    identity = auth_services.session_identity()
    if identity is None or db.engine.dialect.name != "postgresql":
        return None
    with connections.outside_session() as connection:
        found = submitting.read(connection, slug, attempt_id, identity)
        if found is None or found.user is None:
            return None  # no such attempt here, or not signed in: the general path says so
        # The session's user, read with the attempt (as Flask-Login would find them): the
        # checks ask about them directly, and the request's user load finds them too.
        auth_services.preload_signed_in_user(found.user)
        course = snapshot.snapshot(found.course_id, found.version)
        if not (
            permissions.can_view_course(found.user, course)
            and permissions.can_answer_attempt(found.user, found.attempt)
        ):
            return None
        # The CSRF token was checked before the view (CSRFProtect guards every POST); a
        # form object here would only sign a new token for a page nobody renders.
        answers = _answers_from_form(request.form)
        if not submitting.grade(connection, found, answers, utcnow()):
            return None
    if submitting.counts_for_completion(found):
        leave_autocommit()  # what the engine records lands together
        completion.refresh(db.session.get(Enrolment, found.enrolment_id), course)
    connections.commit()
    return redirect(url_for("quizzes.result", slug=slug, attempt_id=attempt_id))


@bp.route("/courses/<slug>/attempts/<int:attempt_id>/result")
@login_required
def result(slug: str, attempt_id: int):
    course = course_or_404(slug)
    attempt = attempt_of(course, attempt_id)
    if not permissions.can_view_attempt(current_user, course, attempt):
        abort(404)  # someone else's attempt: not there, as far as this user knows
    if attempt.is_open:
        if permissions.can_answer_attempt(current_user, attempt):
            return redirect(url_for("quizzes.attempt", slug=slug, attempt_id=attempt.id))
        abort(404)
    quiz = attempt.quiz
    enrolment = enrolment_services.enrolment_for(attempt.user, course)
    standing = attempt_services.summary(attempt.user, quiz, enrolment=enrolment, course=course)
    own = permissions.can_answer_attempt(current_user, attempt)
    reviewer = permissions.can_view_quiz_results(current_user, course)
    show = reviewer or attempt_services.feedback_visible(attempt, quiz, standing.passed)
    db.session.commit()
    return render_template(
        "quizzes/result.html",
        course=course,
        quiz=quiz,
        attempt=attempt,
        standing=standing,
        own=own,
        show_feedback=show,
        questions=attempt_services.attempt_questions(attempt),
        answers=attempt_services.answers_by_question(attempt),
        can_retry=own and not standing.passed and standing.can_start,
        form=EmptyForm(),
        HOTSPOT=QuestionKind.HOTSPOT,
    )


@bp.route("/courses/<slug>/attempts/<int:attempt_id>/questions/<int:question_id>/image")
@login_required
def attempt_image(slug: str, attempt_id: int, question_id: int):
    from lms.storage import get_storage

    course = course_or_404(slug)
    attempt = attempt_of(course, attempt_id)
    if not permissions.can_view_attempt(current_user, course, attempt):
        abort(404)  # someone else's attempt: not there, as far as this user knows
    if question_id not in attempt.question_ids:
        abort(404)
    question = db.session.get(Question, question_id)
    if question is None or not question.image_key:
        abort(404)
    return redirect(get_storage().download_url(question.image_key, expires_in=600))
