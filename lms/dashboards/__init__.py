"""Dashboards: course progress for instructors and administrators."""

from flask import Blueprint

bp = Blueprint("dashboards", __name__, template_folder="templates")

from lms.dashboards import views  # noqa: E402,F401
