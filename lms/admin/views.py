"""Admin pages: users, courses, enrolments and bulk enrolment."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms import permissions
from lms.admin import bp, bulk, enrolments, services
from lms.admin.forms import BulkConfirmForm, BulkUploadForm, EnrolForm, RolesForm
from lms.admin.models import BulkEnrolmentBatch
from lms.auth.forms import EmptyForm
from lms.auth.models import Role, User
from lms.catalog.models import Course
from lms.dashboards import services as dashboard_services
from lms.enrolments.models import Enrolment
from lms.errors import DomainError
from lms.extensions import db
from lms.jobs import Job, JobStatus, recent_jobs


@bp.before_request
@login_required
def guard():
    permissions.require(permissions.can_access_admin(current_user))


@bp.route("/")
def index():
    return render_template("admin/index.html")


@bp.route("/users")
def users():
    query = (request.args.get("q") or "").strip()[:100] or None
    role = request.args.get("role") if request.args.get("role") in {r.value for r in Role} else None
    status = (
        request.args.get("status") if request.args.get("status") in services.USER_STATUSES else None
    )
    page = db.paginate(services.search_users(query, role, status), per_page=25, error_out=False)
    return render_template(
        "admin/users.html",
        page=page,
        query=query,
        role=role,
        status=status,
        roles=list(Role),
        statuses=services.USER_STATUSES,
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    person = db.get_or_404(User, user_id)
    permissions.require(permissions.can_change_roles(current_user, person))
    form = RolesForm(roles=sorted(role.value for role in person.roles))
    if form.validate_on_submit():
        try:
            services.change_roles(current_user, person, {Role(value) for value in form.roles.data})
        except DomainError as error:
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(f"Roles of {person.legal_name} saved.", "success")
            return redirect(url_for(".user", user_id=person.id))
    return render_template("admin/user.html", person=person, form=form, button=EmptyForm())


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
def deactivate_user(user_id: int):
    person = db.get_or_404(User, user_id)
    permissions.require(permissions.can_deactivate(current_user, person))
    if EmptyForm().validate_on_submit():
        try:
            services.deactivate(current_user, person)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(
                f"{person.legal_name} is deactivated and signed out; their records are kept.",
                "success",
            )
    return redirect(url_for(".user", user_id=person.id))


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
def reactivate_user(user_id: int):
    person = db.get_or_404(User, user_id)
    permissions.require(permissions.can_deactivate(current_user, person))
    if EmptyForm().validate_on_submit():
        services.reactivate(current_user, person)
        db.session.commit()
        flash(f"{person.legal_name} can sign in again.", "success")
    return redirect(url_for(".user", user_id=person.id))


@bp.route("/courses")
def courses():
    statement = db.select(Course).options(*dashboard_services.SYLLABUS).order_by(Course.title)
    page = db.paginate(statement, per_page=25, error_out=False)
    return render_template(
        "admin/courses.html", page=page, headlines=dashboard_services.headlines(list(page.items))
    )


def _enrol_form() -> EnrolForm:
    form = EnrolForm()
    form.course.choices = [(c.slug, c.title) for c in enrolments.all_courses() if c.is_published]
    return form


@bp.route("/enrolments")
def enrolment_list():
    permissions.require(permissions.can_manage_all_enrolments(current_user))
    query = (request.args.get("q") or "").strip()[:100] or None
    course = (request.args.get("course") or "").strip()[:80] or None
    status = (
        request.args.get("status") if request.args.get("status") in enrolments.STATUSES else None
    )
    page = db.paginate(
        enrolments.search_enrolments(query, course, status), per_page=25, error_out=False
    )
    return render_template(
        "admin/enrolments.html",
        page=page,
        query=query,
        course=course,
        status=status,
        statuses=enrolments.STATUSES,
        courses=enrolments.all_courses(),
        form=_enrol_form(),
        button=EmptyForm(),
    )


@bp.route("/enrolments", methods=["POST"])
def enrol():
    permissions.require(permissions.can_manage_all_enrolments(current_user))
    form = _enrol_form()
    if form.validate_on_submit():
        course = db.session.scalar(db.select(Course).where(Course.slug == form.course.data))
        try:
            enrolment = enrolments.enrol_by_email(current_user, form.email.data, course)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(f"{enrolment.user.legal_name} is enrolled in {course.title}.", "success")
    else:
        flash(" ".join(e for errors in form.errors.values() for e in errors), "danger")
    return redirect(url_for(".enrolment_list"))


@bp.route("/enrolments/<int:enrolment_id>/withdraw", methods=["POST"])
def withdraw(enrolment_id: int):
    enrolment = db.get_or_404(Enrolment, enrolment_id)
    permissions.require(permissions.can_manage_all_enrolments(current_user))
    if EmptyForm().validate_on_submit():
        enrolments.withdraw(current_user, enrolment)
        db.session.commit()
        flash(f"{enrolment.user.legal_name} is withdrawn from {enrolment.course.title}.", "success")
    return redirect(
        request.referrer if _same_site(request.referrer) else url_for(".enrolment_list")
    )


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)


@bp.route("/enrolments/bulk", methods=["GET", "POST"])
def bulk_upload():
    permissions.require(permissions.can_manage_all_enrolments(current_user))
    form = BulkUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            batch = bulk.upload(current_user, upload.filename, upload.read())
        except DomainError as error:
            form.file.errors.append(error.message)
        else:
            db.session.commit()
            return redirect(url_for(".bulk_preview", batch_id=batch.id))
    return render_template("admin/bulk_upload.html", form=form)


@bp.route("/enrolments/bulk/<int:batch_id>")
def bulk_preview(batch_id: int):
    batch = db.get_or_404(BulkEnrolmentBatch, batch_id)
    permissions.require(permissions.can_manage_all_enrolments(current_user))
    return render_template(
        "admin/bulk_preview.html",
        batch=batch,
        plan=bulk.plan(batch.content),
        form=BulkConfirmForm(sha256=batch.sha256),
        Action=bulk.Action,
    )


@bp.route("/enrolments/bulk/<int:batch_id>/confirm", methods=["POST"])
def bulk_confirm(batch_id: int):
    batch = db.get_or_404(BulkEnrolmentBatch, batch_id)
    permissions.require(permissions.can_manage_all_enrolments(current_user))
    form = BulkConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        result = bulk.confirm(current_user, batch, form.sha256.data)
    except DomainError as error:
        flash(error.message, "danger")
        return redirect(url_for(".bulk_preview", batch_id=batch.id))
    db.session.commit()
    bulk.send_account_emails(result.created)
    flash(
        f"Enrolled {result.enrolled} row(s); created {len(result.created)} account(s) and "
        "emailed them a link to choose a password.",
        "success",
    )
    return redirect(url_for(".enrolment_list"))


@bp.route("/jobs")
def job_list():
    status = request.args.get("status")
    status = JobStatus(status) if status in {s.value for s in JobStatus} else None
    page = db.paginate(recent_jobs(status), per_page=25, error_out=False)
    return render_template("admin/jobs.html", page=page, status=status, statuses=list(JobStatus))


@bp.route("/jobs/<int:job_id>")
def job(job_id: int):
    return render_template("admin/job.html", job=db.get_or_404(Job, job_id))


@bp.route("/jobs/<int:job_id>/status")
def job_status(job_id: int):
    """Polled by the job page to show progress."""
    return jsonify(db.get_or_404(Job, job_id).as_dict())
