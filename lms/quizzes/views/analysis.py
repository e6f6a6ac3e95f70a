"""Instructors follow a quiz: analysis, hotspot clicks, learners and resets, CSV export."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from lms import permissions
from lms.errors import DomainError
from lms.extensions import db
from lms.quizzes import analytics, bp
from lms.quizzes import attempts as attempt_services
from lms.quizzes.forms import ResetForm
from lms.quizzes.models import QuestionKind
from lms.quizzes.views.loading import course_or_404, learner_of, question_of, quiz_of


def _results_course(slug: str):
    course = course_or_404(slug)
    permissions.require(permissions.can_view_quiz_results(current_user, course))
    return course


@bp.route("/courses/<slug>/quizzes/<int:quiz_id>/analysis")
@login_required
def analysis(slug: str, quiz_id: int):
    course = _results_course(slug)
    quiz = quiz_of(course, quiz_id)
    return render_template(
        "quizzes/analysis.html",
        course=course,
        quiz=quiz,
        report=analytics.item_analysis(quiz),
        HOTSPOT=QuestionKind.HOTSPOT,
    )


@bp.route("/courses/<slug>/quizzes/<int:quiz_id>/questions/<int:question_id>/clicks")
@login_required
def hotspot_clicks(slug: str, quiz_id: int, question_id: int):
    course = _results_course(slug)
    quiz = quiz_of(course, quiz_id)
    question = question_of(course, question_id)
    if question.kind != QuestionKind.HOTSPOT:
        abort(404)
    clicks = analytics.hotspot_clicks(quiz, question)
    return render_template(
        "quizzes/clicks.html",
        course=course,
        quiz=quiz,
        question=question,
        clicks=clicks,
        hits=sum(1 for click in clicks if click.hit),
    )


@bp.route("/courses/<slug>/quizzes/<int:quiz_id>/attempts.csv")
@login_required
def export_attempts(slug: str, quiz_id: int):
    course = _results_course(slug)
    quiz = quiz_of(course, quiz_id)
    filename = f"{course.slug}-quiz-{quiz.id}-attempts.csv"
    app, quiz_id = current_app._get_current_object(), quiz.id

    def lines():
        # The rows are read while the response is sent, after this request's context has
        # gone: the generator opens its own app context (and session) for the one query.
        with app.app_context():
            yield from analytics.attempts_csv(quiz_id)

    return Response(
        lines(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/courses/<slug>/quizzes/<int:quiz_id>/learners")
@login_required
def learners(slug: str, quiz_id: int):
    course = _results_course(slug)
    quiz = quiz_of(course, quiz_id)
    return render_template(
        "quizzes/learners.html",
        course=course,
        quiz=quiz,
        rows=analytics.learners_of(quiz),
        resets=analytics.resets_of(quiz),
        form=ResetForm(),
        can_reset=permissions.can_reset_quiz_attempts(current_user, course),
    )


@bp.route("/courses/<slug>/quizzes/<int:quiz_id>/learners/<int:user_id>/reset", methods=["POST"])
@login_required
def reset_attempts(slug: str, quiz_id: int, user_id: int):
    course = course_or_404(slug)
    permissions.require(permissions.can_reset_quiz_attempts(current_user, course))
    quiz = quiz_of(course, quiz_id)
    learner = learner_of(course, user_id)
    form = ResetForm()
    if form.validate_on_submit():
        try:
            reset = attempt_services.reset_attempts(quiz, learner, current_user, form.reason.data)
        except DomainError as error:
            flash(error.message, "warning")
        else:
            db.session.commit()
            flash(
                f"Reset {learner.legal_name}: {reset.attempts_voided} attempt(s) voided and kept "
                "on record. They may start again.",
                "success",
            )
    else:
        flash("Give a reason for the reset (at least 5 characters).", "warning")
    return redirect(url_for("quizzes.learners", slug=slug, quiz_id=quiz.id))
