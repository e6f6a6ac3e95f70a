"""The CE credit page of a course, for its instructors and administrators."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from lms import permissions
from lms.catalog import services as catalog_services
from lms.certificates import credit
from lms.certificates.forms import CreditSettingsForm
from lms.certificates.views import bp
from lms.errors import DomainError
from lms.extensions import db
from lms.provider import services as provider_services


@bp.route("/teach/courses/<slug>/ce", methods=["GET", "POST"])
@login_required
def ce_settings(slug: str):
    course = catalog_services.course_by_slug(slug)
    if course is None:
        abort(404)
    permissions.require(permissions.can_edit_course_credit(current_user, course))
    current = credit.credit_for(course)
    form = CreditSettingsForm(obj=current)
    if not form.is_submitted():
        form.ce_minutes.data = course.ce_minutes
    if form.validate_on_submit():
        try:
            credit.update_credit(course, form.settings(), current_user)
        except DomainError as error:
            form.form_errors.append(error.message)
        else:
            db.session.commit()
            flash("CE settings saved.", "success")
            return redirect(url_for("certificates.ce_settings", slug=slug))
    settings = provider_services.current_settings()
    return render_template(
        "certificates/ce_settings.html",
        course=course,
        form=form,
        problems=credit.problems_for(course, current, settings),
        credits=credit.board_credits(course.ce_minutes, current, settings),
        minutes_per_hour=credit.MINUTES_PER_HOUR,
        board_name=credit.BOARD_NAME,
        settings=settings,
    )
