"""Administration: users, courses and enrolments across the provider."""

from flask import Blueprint

bp = Blueprint("admin", __name__, template_folder="templates")

from lms.admin import views  # noqa: E402,F401
