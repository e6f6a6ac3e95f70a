"""Lesson pages, "mark complete" and "my learning"."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from lms import permissions
from lms.auth import services as auth_services
from lms.auth.forms import EmptyForm
from lms.connections import autocommit
from lms.enrolments import services as enrolment_services
from lms.errors import DomainError
from lms.evaluations import services as evaluations
from lms.evaluations.status import EvaluationState
from lms.extensions import db
from lms.learning import bp, completion, services, sidebar, snapshot


def _load(slug: str, lesson_id: int):
    """The course, lesson and enrolment, or 404 / a redirect to the course page."""
    course = services.syllabus(slug)
    if course is None or not permissions.can_view_course(current_user, course):
        abort(404)
    lesson = services.find_lesson(course, lesson_id)
    if lesson is None:
        abort(404)
    enrolment = enrolment_services.enrolment_for(current_user, course)
    return course, lesson, enrolment


@bp.route("/courses/<slug>/lessons/<int:lesson_id>")
@autocommit  # reads, and at most one upsert (the visit)
def lesson(slug: str, lesson_id: int):
    # One query: the user the session names with the course's version and this learner's
    # enrolment, evaluation, quiz passes and lesson progress. The outline comes from the
    # process's snapshot of that version (read once per version).
    identity = auth_services.session_identity()
    state = snapshot.learner_state(slug, *identity) if identity else None
    if state is not None and state.user is not None:
        auth_services.preload_signed_in_user(state.user)
    # As @login_required; the user read above needs no query of its own.
    user = current_user._get_current_object()  # once: each proxy access looks it up again
    if not user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if state is None or not state.signed_in:  # restored by "remember me", or no such course
        state = snapshot.learner_state(slug, user.id)
    if state is None:
        abort(404)
    course = snapshot.snapshot(state.course_id, state.version)
    if not permissions.can_view_course(user, course):
        abort(404)
    lesson = course.lessons_by_id.get(lesson_id)
    if lesson is None:
        abort(404)
    enrolment = state.enrolment
    if not permissions.can_open_lessons(user, course, enrolment):
        flash("Enrol in this course to open its lessons.", "info")
        return redirect(url_for("catalog.course", slug=course.slug))
    studying = enrolment is not None and enrolment.is_active
    rows = state.progress if studying else []
    outline = course.outline(state.passed_quiz_ids if studying else ())
    evidence = completion.course_evidence(
        course,
        rows,
        user.id if studying else None,
        quizzes=outline.required_evidence() if studying else (),
        evaluation=EvaluationState(
            required=course.evaluation_required, submitted=studying and state.evaluated
        ),
    )
    progress = completion.course_progress(evidence)
    if studying and course.sequential:
        waiting = services.first_locking_lesson(course, lesson, progress)
        if waiting is not None:  # the visit of a locked lesson is not recorded
            flash(f"Lessons in this course unlock in order: complete “{waiting.title}” first.",
                  "info")  # fmt: skip
            return redirect(url_for("learning.lesson", slug=course.slug, lesson_id=waiting.id))
    row = next((r for r in rows if r.lesson_id == lesson.id), None)
    if studying and services.note_visit(user, lesson, course, rows):
        db.session.commit()
    return render_template(
        "learning/lesson.html",
        course=course,
        lesson=lesson,
        enrolment=enrolment,
        progress=progress,
        row=row,
        preview=not studying,
        nav=services.neighbours(course, lesson),
        lesson_done=lesson.id in progress.completed_lesson_ids,
        passed_quiz_ids=state.passed_quiz_ids if studying else frozenset(),
        lesson_sidebar=sidebar.lesson_sidebar,
    )


@bp.route("/courses/<slug>/lessons/<int:lesson_id>/complete", methods=["POST"])
@login_required
def mark_complete(slug: str, lesson_id: int):
    course, lesson, enrolment = _load(slug, lesson_id)
    if enrolment is None or not enrolment.is_active:
        flash("Enrol in this course to record your progress.", "info")
        return redirect(url_for("catalog.course", slug=course.slug))
    if EmptyForm().validate_on_submit():
        try:
            progress = services.mark_complete(enrolment, lesson, course)
        except DomainError as error:
            flash(error.message, "warning")
            return redirect(url_for("learning.lesson", slug=slug, lesson_id=lesson.id))
        db.session.commit()
        if evaluations.is_open(progress):
            flash("All lessons done: one short evaluation and the course is complete.", "success")
            return redirect(url_for("evaluations.evaluate", slug=slug))
        if progress.is_complete:
            flash(f"Congratulations — you have completed {course.title}.", "success")
            return redirect(url_for("learning.my_learning"))
        flash(f"“{lesson.title}” is complete.", "success")
    following = services.neighbours(course, lesson).next
    target = following or lesson
    return redirect(url_for("learning.lesson", slug=slug, lesson_id=target.id))


@bp.route("/my/learning")
@autocommit  # reads only
@login_required
def my_learning():
    cards = services.my_learning(current_user)
    return render_template(
        "learning/my_learning.html",
        current=[card for card in cards if not card.is_complete],
        completed=[card for card in cards if card.is_complete],
        ce_minutes=services.ce_minutes_earned(cards),
    )
