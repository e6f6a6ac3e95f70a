"""Authoring a course's outline: modules and lessons, and their order.

Reordering has two ways in: "Move up"/"Move down" buttons (plain forms, for keyboards and
browsers without JavaScript) and the drag-and-drop list, which posts the whole new order.
"""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import login_required

from lms.auth.forms import EmptyForm
from lms.authoring import bp, outline
from lms.authoring.access import editable_course, lesson_of, module_of
from lms.authoring.forms import LessonForm, ModuleForm, MoveForm
from lms.extensions import db
from lms.markdown import render_markdown


def _outline(course, anchor: str | None = None):
    return redirect(url_for("authoring.course", course_id=course.id, _anchor=anchor))


@bp.route("/courses/<int:course_id>/modules", methods=["POST"])
@login_required
def add_module(course_id: int):
    course = editable_course(course_id)
    form = ModuleForm()
    if not form.validate_on_submit():
        flash("A module needs a title of at most 200 characters.", "warning")
        return _outline(course, "add-module")
    module = outline.add_module(course, form.title.data)
    db.session.commit()
    flash(f"Module “{module.title}” added.", "success")
    return _outline(course, f"module-{module.id}")


@bp.route("/courses/<int:course_id>/modules/<int:module_id>/edit", methods=["GET", "POST"])
@login_required
def edit_module(course_id: int, module_id: int):
    course = editable_course(course_id)
    module = module_of(course, module_id)
    form = ModuleForm(obj=module)
    if form.validate_on_submit():
        outline.rename_module(module, form.title.data)
        db.session.commit()
        flash("Module renamed.", "success")
        return _outline(course, f"module-{module.id}")
    return render_template("authoring/module_form.html", course=course, module=module, form=form)


@bp.route("/courses/<int:course_id>/modules/<int:module_id>/delete", methods=["POST"])
@login_required
def delete_module(course_id: int, module_id: int):
    course = editable_course(course_id)
    module = module_of(course, module_id)
    if EmptyForm().validate_on_submit():
        title = module.title
        try:
            outline.delete_module(module)
        except outline.HasLearnerRecords as error:
            flash(error.message, "warning")
        else:
            db.session.commit()
            flash(f"Module “{title}” and its lessons were deleted.", "info")
    return _outline(course)


@bp.route("/courses/<int:course_id>/modules/<int:module_id>/move", methods=["POST"])
@login_required
def move_module(course_id: int, module_id: int):
    course = editable_course(course_id)
    module = module_of(course, module_id)
    form = MoveForm()
    if form.validate_on_submit():
        outline.move_module(module, form.offset)
        db.session.commit()
    return _outline(course, f"module-{module.id}")


def _ordered_ids() -> list[int]:
    """The new order from JSON {"ids": [...]} or form fields ids=1&ids=2 (or "1,2")."""
    if request.is_json:
        payload = request.get_json(silent=True)
        values = payload.get("ids") if isinstance(payload, dict) else None
    else:
        values = [part for value in request.form.getlist("ids") for part in value.split(",")]
    if not isinstance(values, list) or not values:
        abort(400)
    try:
        return [int(value) for value in values]
    except (TypeError, ValueError):
        abort(400)


def _reordered(course, anchor: str):
    if request.is_json:
        return jsonify(ok=True)
    flash("New order saved.", "success")
    return _outline(course, anchor)


@bp.route("/courses/<int:course_id>/modules/order", methods=["POST"])
@login_required
def reorder_modules(course_id: int):
    course = editable_course(course_id)  # CSRFProtect has checked the token (form or header)
    outline.reorder_modules(course, _ordered_ids())
    db.session.commit()
    return _reordered(course, "modules")


@bp.route("/courses/<int:course_id>/modules/<int:module_id>/lessons/order", methods=["POST"])
@login_required
def reorder_lessons(course_id: int, module_id: int):
    course = editable_course(course_id)
    module = module_of(course, module_id)
    outline.reorder_lessons(module, _ordered_ids())
    db.session.commit()
    return _reordered(course, f"module-{module.id}")


def _lesson_page(course, module, form, lesson=None):
    notes_preview = render_markdown(form.notes_markdown.data) if form.preview.data else None
    return render_template(
        "authoring/lesson_form.html",
        course=course,
        module=module,
        lesson=lesson,
        form=form,
        notes_preview=notes_preview,
    )


@bp.route("/courses/<int:course_id>/modules/<int:module_id>/lessons/new", methods=["GET", "POST"])
@login_required
def new_lesson(course_id: int, module_id: int):
    course = editable_course(course_id)
    module = module_of(course, module_id)
    form = LessonForm()
    if form.validate_on_submit() and not form.preview.data:
        lesson = outline.add_lesson(module, form.data_for_service())
        db.session.commit()
        flash(f"Lesson “{lesson.title}” added.", "success")
        return _outline(course, f"lesson-{lesson.id}")
    return _lesson_page(course, module, form)


@bp.route("/courses/<int:course_id>/lessons/<int:lesson_id>/edit", methods=["GET", "POST"])
@login_required
def edit_lesson(course_id: int, lesson_id: int):
    course = editable_course(course_id)
    lesson = lesson_of(course, lesson_id)
    form = LessonForm(obj=lesson)
    if request.method == "GET":
        form.kind.data = lesson.kind.value
        form.duration_minutes.data = lesson.duration_minutes
    if form.validate_on_submit() and not form.preview.data:
        outline.update_lesson(lesson, form.data_for_service())
        db.session.commit()
        flash("Lesson saved.", "success")
        return _outline(course, f"lesson-{lesson.id}")
    return _lesson_page(course, lesson.module, form, lesson)


@bp.route("/courses/<int:course_id>/lessons/<int:lesson_id>/delete", methods=["POST"])
@login_required
def delete_lesson(course_id: int, lesson_id: int):
    course = editable_course(course_id)
    lesson = lesson_of(course, lesson_id)
    anchor = f"module-{lesson.module_id}"
    if EmptyForm().validate_on_submit():
        title = lesson.title
        try:
            outline.delete_lesson(lesson)
        except outline.HasLearnerRecords as error:
            flash(error.message, "warning")
        else:
            db.session.commit()
            flash(f"Lesson “{title}” deleted.", "info")
    return _outline(course, anchor)


@bp.route("/courses/<int:course_id>/lessons/<int:lesson_id>/move", methods=["POST"])
@login_required
def move_lesson(course_id: int, lesson_id: int):
    course = editable_course(course_id)
    lesson = lesson_of(course, lesson_id)
    form = MoveForm()
    if form.validate_on_submit():
        outline.move_lesson(lesson, form.offset)
        db.session.commit()
    return _outline(course, f"lesson-{lesson.id}")
