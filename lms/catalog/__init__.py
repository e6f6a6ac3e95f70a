"""The catalog: body regions, muscle groups, courses and their syllabus."""

from flask import Blueprint

bp = Blueprint("catalog", __name__, template_folder="templates")

from lms.catalog import views  # noqa: E402,F401
