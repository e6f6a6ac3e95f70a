"""Small-file uploads that go through the app: captions and handouts."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class CaptionsForm(FlaskForm):
    file = FileField("WebVTT caption file (.vtt)", validators=[FileRequired("Choose a .vtt file.")])


class HandoutForm(FlaskForm):
    file = FileField("PDF handout", validators=[FileRequired("Choose a PDF file.")])
