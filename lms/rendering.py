"""Rendering conventions shared by the views: form pages and safe redirects."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import render_template, request
from flask_wtf import FlaskForm


def form_page(template: str, form: FlaskForm, **context):
    """Render a page holding a form; a submitted form that failed validation answers 422."""
    status = 422 if request.method == "POST" and form.errors else 200
    return render_template(template, form=form, **context), status


def safe_next_url(target: str | None) -> str | None:
    """Return `target` only when it is a path on this site, never another host."""
    if not target:
        return None
    target = target.strip()
    # Browsers treat backslashes like slashes, so "/\\evil.com" is another host too.
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    if any(ord(char) < 32 for char in target):
        return None
    return target
