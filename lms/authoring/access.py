"""Loading what an authoring request edits, with the permission check, or stopping it."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from lms import permissions
from lms.catalog import services as catalog_services
from lms.catalog.models import Course, Lesson, Module
from lms.extensions import db


def editable_course(course_id: int) -> Course:
    """The course, if it exists (404) and the current user may edit it (403)."""
    course = catalog_services.course_by_id(course_id)
    if course is None:
        abort(404)
    permissions.require(permissions.can_edit_course(current_user, course))
    return course


def module_of(course: Course, module_id: int) -> Module:
    module = db.session.get(Module, module_id)
    if module is None or module.course_id != course.id:
        abort(404)
    return module


def lesson_of(course: Course, lesson_id: int) -> Lesson:
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or lesson.module.course_id != course.id:
        abort(404)
    return lesson
