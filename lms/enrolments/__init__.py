"""Enrolment of learners in courses, and the learner's own list of courses."""

from flask import Blueprint

bp = Blueprint("enrolments", __name__, template_folder="templates")

from lms.enrolments import views  # noqa: E402,F401
