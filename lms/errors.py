"""Domain exceptions shared across the app, and the HTTP error pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

F = TypeVar("F", bound=Callable[..., Any])


class DomainError(Exception):
    """A business rule refused an action; the message is safe to show the user."""

    status_code = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(DomainError):
    status_code = 403


ERROR_TEXT = {
    400: ("Bad request", "The request could not be understood. Please go back and try again."),
    403: ("Not allowed", "Your account does not have access to this page."),
    404: ("Page not found", "We could not find that page. It may have moved or been unpublished."),
    405: ("Method not allowed", "That action is not available here."),
    413: ("Too large", "The file or form you sent is larger than this page accepts."),
    429: ("Too many attempts", "You have made too many requests. Please wait a moment and retry."),
    500: (
        "Something went wrong",
        "An unexpected error occurred. It has been logged; please retry.",
    ),
}


def json_endpoint(view: F) -> F:
    """Mark a view as a JSON API: its errors are JSON whatever the client accepts."""
    view.returns_json = True  # type: ignore[attr-defined]
    return view


def _wants_json() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "returns_json", False):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.is_json or best == "application/json"


def render_error(code: int, detail: str | None = None):
    title, text = ERROR_TEXT.get(code, ERROR_TEXT[500])
    message = detail or text
    if _wants_json():
        return jsonify(error=title, message=message), code
    try:
        page = render_template("errors/error.html", code=code, title=title, message=message)
    except Exception:  # e.g. the database is down while the layout loads the user
        page = f"<!doctype html><title>{title}</title><h1>{code} {title}</h1><p>{message}</p>"
    return page, code


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(
            400, "This form has expired or was not sent from this site. Reload the page and retry."
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        detail = error.description if error.code == 429 else None
        if error.code == 429:
            detail = "You have made too many requests. Please wait a minute before trying again."
        response = render_error(error.code or 500, detail)
        return response

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return render_error(error.status_code, error.message)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("Unhandled error on %s", request.path)
        return render_error(500)
