"""Authoring for instructors: their courses, modules and lessons, publishing, enrolments."""

from flask import Blueprint

bp = Blueprint("authoring", __name__, template_folder="templates")

from lms.authoring import outline_views, views  # noqa: E402,F401
