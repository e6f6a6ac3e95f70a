"""Domain exceptions shared across the app, and the HTTP error pages."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, jsonify, render_template, request, session
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from lms.extensions import db
from lms.storage import StorageUnavailable

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
    503: (
        "Temporarily unavailable",
        "The service is briefly unavailable. Please retry in a moment.",
    ),
}
DATABASE_UNAVAILABLE = "The database is unavailable, retry in a moment."
# Seconds a client is told to wait (Retry-After) when a dependency is down: a database
# restart or a storage hiccup is over in seconds.
RETRY_AFTER_SECONDS = 5


# What a JSON answer may load or be framed by: nothing (the usual policy for an API; the
# pages' policy is `lms.security.content_security_policy`). Short, so also cheap to send.
API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"


class _ApiHeaderOptions(dict):
    """Talisman's per-view options for a JSON endpoint: the API's policy, and every other
    option as the current app's Talisman has it.

    Talisman fills a view's options in place (`setdefault`) with its own settings, and a
    view function is shared by every app a process makes (the tests make several): a plain
    dict would keep the first app's settings (whether to force https, say) for all."""

    def setdefault(self, key: str, default: Any = None) -> Any:
        return self.get(key, default)  # the app's setting, not stored

    def __missing__(self, key: str) -> Any:
        return getattr(current_app.extensions["talisman"], key)


def json_endpoint(view: F) -> F:
    """Mark a view as a JSON API: its errors are JSON whatever the client accepts, and its
    answers carry the API's content security policy (Talisman's per-view options)."""
    view.returns_json = True  # type: ignore[attr-defined]
    view.talisman_view_options = _ApiHeaderOptions(  # type: ignore[attr-defined]
        content_security_policy=API_CONTENT_SECURITY_POLICY
    )
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

    @app.errorhandler(sa_exc.DBAPIError)
    @app.errorhandler(sa_exc.TimeoutError)
    def database_unavailable(error: Exception):
        # Connection refused or dropped (a restart, a failover), or no pooled connection
        # free in time. The pool pings connections before use, so the first request after
        # the database is back gets a fresh connection: recovery needs nothing from here.
        transient = isinstance(error, sa_exc.OperationalError | sa_exc.TimeoutError) or (
            isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated
        )
        if not transient:  # a bug (a constraint, a bad statement): the usual 500
            return unexpected_error(error)
        app.logger.warning("Database unavailable on %s: %s", request.path, _first_line(error))
        return _unavailable(DATABASE_UNAVAILABLE)

    @app.errorhandler(StorageUnavailable)
    def storage_unavailable(error: StorageUnavailable):
        app.logger.warning("Storage unavailable on %s: %s", request.path, error.__cause__)
        return _unavailable(str(error))

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("Unhandled error on %s", request.path)
        return render_error(500)


def _unavailable(message: str):
    # A 503 changes nothing, so retrying is always right: the database work is rolled back
    # and the session goes back to what the browser sent (a sign-in whose commit failed
    # must not leave the browser signed in, nor a flash message for a page never shown).
    _rollback()
    sent = current_app.session_interface.open_session(current_app, request)
    session.clear()
    session.update(sent or {})
    body, code = render_error(503, message)
    return body, code, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _rollback() -> None:
    # The connection may already be gone: then there is nothing left to roll back.
    with contextlib.suppress(Exception):
        db.session.rollback()


def _first_line(error: Exception) -> str:
    return (str(getattr(error, "orig", None) or error).strip().splitlines() or [""])[0]
