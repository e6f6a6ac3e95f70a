"""Accounts: registration, login, email verification, password reset, profile."""

from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="templates")

from lms.auth import views  # noqa: E402,F401  (registers the routes)
