"""Signed file URLs for the local storage backend (the embedded default)."""

from flask import Blueprint

bp = Blueprint("files", __name__)

from lms.files import views  # noqa: E402,F401
