"""Lesson videos: direct-to-storage uploads, playback, handouts and verified watch time."""

from flask import Blueprint

bp = Blueprint("video", __name__, template_folder="templates")

from lms.video import views  # noqa: E402,F401
