"""Enrol, leave, and "my learning"."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from lms import permissions
from lms.auth.forms import EmptyForm
from lms.catalog import services as catalog_services
from lms.enrolments import bp, services
from lms.errors import DomainError
from lms.extensions import db


def _course_or_404(slug: str):
    course = catalog_services.course_by_slug(slug)
    if course is None or not permissions.can_view_course(current_user, course):
        abort(404)
    return course


@bp.route("/courses/<slug>/enrol", methods=["POST"])
@login_required
def enrol(slug: str):
    course = _course_or_404(slug)
    permissions.require(permissions.can_enrol_self(current_user, course))
    if EmptyForm().validate_on_submit():
        try:
            services.enrol(
                current_user,
                course,
                attestation_accepted=request.form.get("attestation") == "accepted",
            )
        except DomainError as error:
            flash(error.message, "warning")
        else:
            db.session.commit()
            flash(f"You are enrolled in {course.title}.", "success")
    return redirect(url_for("catalog.course", slug=course.slug))


@bp.route("/courses/<slug>/leave", methods=["POST"])
@login_required
def leave(slug: str):
    course = _course_or_404(slug)
    enrolment = services.enrolment_for(current_user, course)
    if enrolment is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        services.withdraw(enrolment)
        db.session.commit()
        flash(f"You have left {course.title}. Your progress is kept if you return.", "info")
    return redirect(url_for("catalog.course", slug=course.slug))
