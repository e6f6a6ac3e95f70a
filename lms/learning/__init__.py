"""The learner's journey: lesson pages, progress evidence and the completion engine."""

from flask import Blueprint

bp = Blueprint("learning", __name__, template_folder="templates")

from lms.learning import views  # noqa: E402,F401
