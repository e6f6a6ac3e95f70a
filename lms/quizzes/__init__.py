"""Question banks, quizzes, attempts, grading and item analysis."""

from flask import Blueprint

bp = Blueprint("quizzes", __name__, template_folder="templates")

from lms.quizzes import views  # noqa: E402,F401
