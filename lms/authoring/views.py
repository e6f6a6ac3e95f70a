"""Authoring pages for a course as a whole: list, create, edit, publish, preview, enrolments."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms import permissions
from lms.auth.forms import EmptyForm
from lms.authoring import bp, services
from lms.authoring.access import editable_course
from lms.authoring.forms import CourseForm, EnrolLearnerForm, ModuleForm, MoveForm
from lms.catalog.views import render_course_page
from lms.enrolments import services as enrolment_services
from lms.errors import DomainError
from lms.extensions import db


@bp.route("/")
@login_required
def my_courses():
    permissions.require(permissions.can_author_courses(current_user))
    courses = services.courses_for_author(
        current_user, everything=permissions.is_admin(current_user)
    )
    return render_template("authoring/my_courses.html", courses=courses)


def _course_form(course=None) -> CourseForm:
    form = CourseForm(obj=course)
    if course is not None and request.method == "GET":
        form.prerequisite_ids.data = [required.id for required in course.prerequisites]
    form.set_choices(services.muscle_groups(), services.all_courses(), course)
    return form


@bp.route("/courses/new", methods=["GET", "POST"])
@login_required
def new_course():
    permissions.require(permissions.can_author_courses(current_user))
    form = _course_form()
    if form.validate_on_submit():
        try:
            course = services.create_course(form.data_for_service(), author=current_user)
        except services.FieldError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash(
                f"Course “{course.title}” created as a draft. Add modules and lessons.", "success"
            )
            return redirect(url_for("authoring.course", course_id=course.id))
    return render_template("authoring/course_form.html", form=form, course=None)


@bp.route("/courses/<int:course_id>")
@login_required
def course(course_id: int):
    course = editable_course(course_id)
    return render_template(
        "authoring/course.html",
        course=course,
        module_form=ModuleForm(),
        move_form=MoveForm(),
        button_form=EmptyForm(),
    )


@bp.route("/courses/<int:course_id>/edit", methods=["GET", "POST"])
@login_required
def edit_course(course_id: int):
    course = editable_course(course_id)
    form = _course_form(course)
    if form.validate_on_submit():
        try:
            services.update_course(course, form.data_for_service())
        except services.FieldError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash("Course details saved.", "success")
            return redirect(url_for("authoring.course", course_id=course.id))
    return render_template("authoring/course_form.html", form=form, course=course)


@bp.route("/courses/<int:course_id>/publish", methods=["POST"])
@login_required
def publish(course_id: int):
    course = editable_course(course_id)
    if EmptyForm().validate_on_submit():
        try:
            services.publish(course)
        except DomainError as error:
            flash(f"Not published: {error.message}", "warning")
        else:
            db.session.commit()
            flash(f"“{course.title}” is published and listed in the catalog.", "success")
    return redirect(url_for("authoring.course", course_id=course.id))


@bp.route("/courses/<int:course_id>/unpublish", methods=["POST"])
@login_required
def unpublish(course_id: int):
    course = editable_course(course_id)
    if EmptyForm().validate_on_submit():
        services.unpublish(course)
        db.session.commit()
        flash(f"“{course.title}” is a draft again and no longer in the catalog.", "info")
    return redirect(url_for("authoring.course", course_id=course.id))


@bp.route("/courses/<int:course_id>/preview")
@login_required
def preview(course_id: int):
    return render_course_page(editable_course(course_id), preview=True)


@bp.route("/courses/<int:course_id>/enrolments", methods=["GET", "POST"])
@login_required
def enrolments(course_id: int):
    course = editable_course(course_id)
    permissions.require(permissions.can_manage_enrolments(current_user, course))
    form = EnrolLearnerForm()
    if form.validate_on_submit():
        try:
            enrolment = enrolment_services.enrol_by_email(course, form.email.data, current_user)
        except DomainError as error:
            form.email.errors.append(error.message)
        else:
            db.session.commit()
            flash(f"{enrolment.user.legal_name} is enrolled in {course.title}.", "success")
            return redirect(url_for("authoring.enrolments", course_id=course.id))
    page = db.paginate(enrolment_services.course_enrolments(course), per_page=25, error_out=False)
    return render_template("authoring/enrolments.html", course=course, form=form, page=page)
