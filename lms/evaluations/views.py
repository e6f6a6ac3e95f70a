"""The learner's evaluation form, and the results page for the course's instructors."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from lms import permissions
from lms.enrolments import services as enrolment_services
from lms.errors import DomainError
from lms.evaluations import services
from lms.evaluations.forms import EvaluationForm
from lms.evaluations.models import QUESTIONS, SCALE
from lms.extensions import db
from lms.learning import services as learning_services

bp = Blueprint("evaluations", __name__, template_folder="templates")


def _course_or_404(slug: str):
    course = learning_services.syllabus(slug)
    if course is None or not permissions.can_view_course(current_user, course):
        abort(404)
    return course


@bp.route("/courses/<slug>/evaluation", methods=["GET", "POST"])
@login_required
def evaluate(slug: str):
    course = _course_or_404(slug)
    enrolment = enrolment_services.enrolment_for(current_user, course)
    if enrolment is None:
        flash("Enrol in this course to evaluate it.", "info")
        return redirect(url_for("catalog.course", slug=slug))
    form = EvaluationForm()
    if form.validate_on_submit():
        try:
            progress = services.submit(enrolment, course, form.ratings(), form.comments.data or "")
        except DomainError as error:
            flash(error.message, "warning")
            return redirect(url_for("catalog.course", slug=slug))
        db.session.commit()
        flash("Thank you for your evaluation.", "success")
        if progress.is_complete:
            return redirect(url_for("certificates.transcript"))
        return redirect(url_for("catalog.course", slug=slug))
    return render_template("evaluations/form.html", course=course, form=form, questions=QUESTIONS)


@bp.route("/teach/courses/<slug>/evaluations")
@login_required
def results(slug: str):
    course = _course_or_404(slug)
    permissions.require(permissions.can_view_evaluations(current_user, course))
    return render_template(
        "evaluations/results.html", course=course, results=services.results(course), scale=SCALE
    )
