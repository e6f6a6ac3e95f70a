"""Course dashboards, the learner table and export, one learner's page, reminders."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required

from lms import csvsafe, permissions
from lms.auth.forms import EmptyForm
from lms.dashboards import bp, charts, learners, reminders, sections, services
from lms.db import utcnow
from lms.errors import DomainError
from lms.extensions import db


@bp.before_request
@login_required
def guard():
    """Every page here is for signed-in users; each view then checks its own rule."""


@bp.context_processor
def chart_helpers():
    return {"charts": charts}


def _course(slug: str):
    course = services.course_with_syllabus(slug)
    if course is None:
        abort(404)
    permissions.require(permissions.can_view_course_dashboard(current_user, course))
    return course


def _enrolment(course, user_id: int):
    enrolment = learners.enrolment_of(course, user_id)
    if enrolment is None:
        abort(404)
    return enrolment


@bp.route("/")
def index():
    permissions.require(permissions.can_view_dashboards(current_user))
    courses = services.dashboard_courses(current_user)
    return render_template("dashboards/index.html", headlines=services.headlines(courses))


@bp.route("/courses/<slug>")
def course(slug: str):
    course = _course(slug)
    return render_template(
        "dashboards/course.html",
        summary=services.course_summary(course),
        sections=sections.for_course(course),
        stalled_days=services.stalled_after().days,
        form=EmptyForm(),
    )


@bp.route("/courses/<slug>/learners")
def learner_table(slug: str):
    course = _course(slug)
    query = learners.LearnerQuery.from_args(request.args)
    page, rows = learners.learners_page(course, query, request.args.get("page", 1, type=int))
    return render_template(
        "dashboards/learners.html",
        course=course,
        query=query,
        page=page,
        rows=rows,
        statuses=learners.STATUSES,
        active_within=learners.ACTIVE_WITHIN,
        states=learners.STATES,
        sorts=learners.SORTS,
    )


@bp.route("/courses/<slug>/learners.csv")
def learner_export(slug: str):
    course = _course(slug)
    query = learners.LearnerQuery.from_args(request.args)
    lines = csvsafe.stream_rows(learners.EXPORT_HEADER, learners.export_rows(course, query))
    filename = f"{course.slug}-learners-{utcnow():%Y-%m-%d}.csv"
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/courses/<slug>/learners/<int:user_id>")
def learner(slug: str, user_id: int):
    course = _course(slug)
    enrolment = _enrolment(course, user_id)
    return render_template(
        "dashboards/learner.html",
        course=course,
        detail=learners.learner_detail(course, enrolment),
        sections=sections.for_learner(course, enrolment.user),
        next_reminder_at=reminders.can_be_reminded_at(course, enrolment.user),
        form=EmptyForm(),
    )


@bp.route("/courses/<slug>/learners/<int:user_id>/remind", methods=["POST"])
def remind(slug: str, user_id: int):
    course = _course(slug)
    permissions.require(permissions.can_remind_learners(current_user, course))
    enrolment = _enrolment(course, user_id)
    if EmptyForm().validate_on_submit():
        try:
            reminders.remind(course, enrolment, current_user)
        except DomainError as error:
            flash(error.message, "warning")
        else:
            db.session.commit()
            flash(f"Reminder sent to {enrolment.user.legal_name}.", "success")
    return redirect(url_for(".learner", slug=course.slug, user_id=user_id))


@bp.route("/courses/<slug>/remind-stalled", methods=["POST"])
def remind_stalled(slug: str):
    course = _course(slug)
    permissions.require(permissions.can_remind_learners(current_user, course))
    if EmptyForm().validate_on_submit():
        result = reminders.remind_stalled(course, current_user)
        db.session.commit()
        message = f"Sent {result.sent} reminder{'s' if result.sent != 1 else ''}."
        if result.skipped_recently_reminded:
            message += (
                f" {result.skipped_recently_reminded} stalled learner(s) were reminded "
                "recently and were skipped."
            )
        flash(message, "success")
    return redirect(url_for(".course", slug=course.slug))
