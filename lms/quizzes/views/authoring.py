"""Authoring: banks, questions, hotspot images, import/export, quiz settings, publishing."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from lms.auth.forms import EmptyForm
from lms.errors import DomainError
from lms.extensions import db
from lms.quizzes import authoring, bp, transfer
from lms.quizzes.forms import BankForm, ImageForm, ImportForm, QuestionForm, QuizForm
from lms.quizzes.models import QuestionKind
from lms.quizzes.views.loading import (
    bank_of,
    editable_course,
    lesson_options,
    module_options,
    question_of,
    quiz_of,
)


@bp.route("/courses/<slug>/quizzes/manage")
@login_required
def manage(slug: str):
    course = editable_course(slug)
    quizzes = authoring.quizzes_of(course)
    return render_template(
        "quizzes/manage.html",
        course=course,
        banks=authoring.banks_of(course),
        quizzes=quizzes,
        problems={quiz.id: authoring.publish_problems(quiz) for quiz in quizzes},
        bank_form=BankForm(),
        form=EmptyForm(),
    )


@bp.route("/courses/<slug>/banks", methods=["POST"])
@login_required
def create_bank(slug: str):
    course = editable_course(slug)
    form = BankForm()
    if form.validate_on_submit():
        try:
            bank = authoring.create_bank(course, form.title.data)
        except DomainError as error:
            flash(error.message, "warning")
        else:
            db.session.commit()
            flash(f"Question bank “{bank.title}” created.", "success")
            return redirect(url_for("quizzes.bank", slug=slug, bank_id=bank.id))
    else:
        flash("Give the bank a title.", "warning")
    return redirect(url_for("quizzes.manage", slug=slug))


@bp.route("/courses/<slug>/banks/<int:bank_id>")
@login_required
def bank(slug: str, bank_id: int):
    course = editable_course(slug)
    bank = bank_of(course, bank_id)
    return render_template(
        "quizzes/bank.html",
        course=course,
        bank=bank,
        questions=authoring.bank_questions(bank),
        kinds=list(QuestionKind),
        form=EmptyForm(),
    )


def _kind_or_404(value: str | None) -> QuestionKind:
    try:
        return QuestionKind(value or "")
    except ValueError:
        abort(404)


@bp.route("/courses/<slug>/banks/<int:bank_id>/questions/new", methods=["GET", "POST"])
@login_required
def new_question(slug: str, bank_id: int):
    course = editable_course(slug)
    bank = bank_of(course, bank_id)
    kind = _kind_or_404(request.args.get("kind", "single"))
    form = QuestionForm(kind, module_options(course))
    if form.validate_on_submit():
        try:
            question = authoring.create_question(
                bank, form.data_for_service(), authoring.course_module_ids(course)
            )
        except authoring.InvalidQuestion as error:
            form.form_errors.extend(error.problems)
        else:
            db.session.commit()
            flash("Question saved.", "success")
            if kind == QuestionKind.HOTSPOT:
                flash("Upload the anatomy image so learners can see this question.", "info")
                return redirect(
                    url_for("quizzes.edit_question", slug=slug, question_id=question.id)
                )
            return redirect(url_for("quizzes.bank", slug=slug, bank_id=bank.id))
    return render_template(
        "quizzes/question_form.html", course=course, bank=bank, form=form, kind=kind, question=None
    )


@bp.route("/courses/<slug>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@login_required
def edit_question(slug: str, question_id: int):
    course = editable_course(slug)
    question = question_of(course, question_id)
    form = QuestionForm(question.kind, module_options(course))
    if request.method == "GET":
        form.fill_from(question)
    if form.validate_on_submit():
        try:
            authoring.update_question(
                question, form.data_for_service(), authoring.course_module_ids(course)
            )
        except authoring.InvalidQuestion as error:
            form.form_errors.extend(error.problems)
        else:
            db.session.commit()
            flash("Question saved.", "success")
            return redirect(url_for("quizzes.bank", slug=slug, bank_id=question.bank_id))
    return render_template(
        "quizzes/question_form.html",
        course=course,
        bank=question.bank,
        form=form,
        kind=question.kind,
        question=question,
        image_form=ImageForm(),
    )


@bp.route("/courses/<slug>/questions/<int:question_id>/archive", methods=["POST"])
@login_required
def archive_question(slug: str, question_id: int):
    course = editable_course(slug)
    question = question_of(course, question_id)
    if EmptyForm().validate_on_submit():
        authoring.archive_question(question)
        db.session.commit()
        flash("Question archived: new attempts no longer draw it; past attempts keep it.", "info")
    return redirect(url_for("quizzes.bank", slug=slug, bank_id=question.bank_id))


@bp.route("/courses/<slug>/questions/<int:question_id>/image", methods=["POST"])
@login_required
def upload_image(slug: str, question_id: int):
    course = editable_course(slug)
    question = question_of(course, question_id)
    form = ImageForm()
    if form.validate_on_submit():
        try:
            authoring.attach_image(question, form.image.data.read(), course)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash("Image uploaded. Draw the target region on it.", "success")
    else:
        flash(" ".join(form.image.errors) or "Choose an image file.", "danger")
    return redirect(url_for("quizzes.edit_question", slug=slug, question_id=question.id))


@bp.route("/courses/<slug>/questions/<int:question_id>/image")
@login_required
def question_image(slug: str, question_id: int):
    from lms.storage import get_storage

    course = editable_course(slug)
    question = question_of(course, question_id)
    if not question.image_key:
        abort(404)
    return redirect(get_storage().download_url(question.image_key, expires_in=600))


@bp.route("/courses/<slug>/banks/<int:bank_id>/export.<fmt>")
@login_required
def export_bank(slug: str, bank_id: int, fmt: str):
    course = editable_course(slug)
    bank = bank_of(course, bank_id)
    if fmt == "json":
        body, mimetype = transfer.export_json(bank), "application/json"
    elif fmt == "csv":
        body, mimetype = transfer.export_csv(bank), "text/csv"
    else:
        abort(404)
    filename = f"{course.slug}-bank-{bank.id}.{fmt}"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/courses/<slug>/banks/<int:bank_id>/import", methods=["GET", "POST"])
@login_required
def import_bank(slug: str, bank_id: int):
    course = editable_course(slug)
    bank = bank_of(course, bank_id)
    form = ImportForm()
    report, status = None, 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            report = transfer.import_bank(bank, course, upload.filename or "", upload.read())
        except transfer.ImportRejected as error:
            db.session.rollback()
            report, status = error.report, 422
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(f"Imported {report.imported} questions.", "success")
            return redirect(url_for("quizzes.bank", slug=slug, bank_id=bank.id))
    return (
        render_template(
            "quizzes/import.html",
            course=course,
            bank=bank,
            form=form,
            report=report,
            columns=transfer.CSV_COLUMNS,
        ),
        status,
    )


def _quiz_form(course, **kwargs) -> QuizForm:
    banks = [(b.id, b.title) for b in authoring.banks_of(course)]
    return QuizForm(lesson_options(course), module_options(course), banks, **kwargs)


@bp.route("/courses/<slug>/quizzes/new", methods=["GET", "POST"])
@login_required
def new_quiz(slug: str):
    course = editable_course(slug)
    form = _quiz_form(course)
    if not form.bank.choices:
        flash("Create a question bank first: a quiz draws its questions from one.", "info")
        return redirect(url_for("quizzes.manage", slug=slug))
    if form.validate_on_submit():
        try:
            quiz = authoring.create_quiz(course, form.data_for_service())
        except DomainError as error:
            form.form_errors.append(error.message)
        else:
            db.session.commit()
            flash(f"Quiz “{quiz.title}” saved as a draft.", "success")
            return redirect(url_for("quizzes.manage", slug=slug))
    return render_template("quizzes/quiz_form.html", course=course, form=form, quiz=None)


@bp.route("/courses/<slug>/quizzes/<int:quiz_id>/edit", methods=["GET", "POST"])
@login_required
def edit_quiz(slug: str, quiz_id: int):
    course = editable_course(slug)
    quiz = quiz_of(course, quiz_id)
    form = _quiz_form(course)
    if request.method == "GET":
        form.fill_from(quiz)
    if form.validate_on_submit():
        try:
            authoring.update_quiz(quiz, course, form.data_for_service())
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.message)
        else:
            db.session.commit()
            flash("Quiz settings saved.", "success")
            return redirect(url_for("quizzes.manage", slug=slug))
    return render_template("quizzes/quiz_form.html", course=course, form=form, quiz=quiz)


@bp.route("/courses/<slug>/quizzes/<int:quiz_id>/publish", methods=["POST"])
@login_required
def publish_quiz(slug: str, quiz_id: int):
    course = editable_course(slug)
    quiz = quiz_of(course, quiz_id)
    if EmptyForm().validate_on_submit():
        try:
            authoring.publish_quiz(quiz)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(f"“{quiz.title}” is published.", "success")
    return redirect(url_for("quizzes.manage", slug=slug))


@bp.route("/courses/<slug>/quizzes/<int:quiz_id>/unpublish", methods=["POST"])
@login_required
def unpublish_quiz(slug: str, quiz_id: int):
    course = editable_course(slug)
    quiz = quiz_of(course, quiz_id)
    if EmptyForm().validate_on_submit():
        authoring.unpublish_quiz(quiz)
        db.session.commit()
        flash(f"“{quiz.title}” is back to draft.", "info")
    return redirect(url_for("quizzes.manage", slug=slug))
