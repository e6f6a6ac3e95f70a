"""`url_for` for templates, remembered: every page builds the same few dozen URLs (the
navigation, static files, a course's lessons), and building one walks Werkzeug's URL map.
Bootstrap's stylesheet and script tags, the same on every page, are remembered likewise,
and so is the signed form of a session's CSRF token (`RememberedCsrfTokens`).

A URL here is a function of the endpoint, its values and the request's script root (and,
for ".name" endpoints, the request's blueprint): nothing else changes it in this app, which
registers no URL defaults. External URLs and calls with options (`_anchor`, `_external`, ...)
are built each time.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import Flask, g, has_request_context, request, session
from flask_wtf.csrf import generate_csrf

MAX_URLS = 8192


class TemplateUrlFor:
    def __init__(self, app: Flask, size: int = MAX_URLS) -> None:
        self._build = app.url_for
        self._urls: dict[tuple, str] = {}
        self._size = size
        self._lock = threading.Lock()

    def __call__(self, endpoint: str, **values: Any) -> str:
        if not has_request_context() or any(name.startswith("_") for name in values):
            return self._build(endpoint, **values)
        scope = request.blueprint if endpoint.startswith(".") else None
        key = (request.script_root, scope, endpoint, *sorted(values.items()))
        try:
            found = self._urls.get(key)
        except TypeError:  # an unhashable value (a list of ids): build it
            return self._build(endpoint, **values)
        if found is None:
            found = self._build(endpoint, **values)
            with self._lock:
                if len(self._urls) >= self._size:
                    self._urls.clear()
                self._urls[key] = found
        return found


class RememberedAssets:
    """Bootstrap-Flask's `load_css()` and `load_js()` (made of the app's configuration and
    static URLs) built once per script root; calls with arguments go to the extension."""

    def __init__(self, extension: Any) -> None:
        self._extension = extension
        self._tags: dict[tuple[str, str], str] = {}

    def _remembered(self, name: str, args: tuple, kwargs: dict) -> Any:
        build = getattr(self._extension, name)
        if args or kwargs or not has_request_context():
            return build(*args, **kwargs)
        key = (name, request.script_root)
        found = self._tags.get(key)
        if found is None:
            found = self._tags[key] = build()
        return found

    def load_css(self, *args: Any, **kwargs: Any) -> Any:
        return self._remembered("load_css", args, kwargs)

    def load_js(self, *args: Any, **kwargs: Any) -> Any:
        return self._remembered("load_js", args, kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._extension, name)


class RememberedCsrfTokens:
    """`csrf_token()` for templates: the signed token of a session's raw CSRF token, reused.

    Flask-WTF signs the session's raw token (with a timestamp) on every page, and any token
    it signed stays valid as long as the session when `WTF_CSRF_TIME_LIMIT` is None (ours),
    or for that many seconds. A signed token is reused for at most 5 minutes, and at most a
    tenth of the time limit, so a page's token lives nearly as long as a freshly signed one.
    """

    REUSE_SECONDS = 300
    MAX_ENTRIES = 8192

    def __init__(self, app: Flask, clock=time.monotonic) -> None:
        self._app = app
        self._clock = clock
        self._tokens: dict[tuple[str, str], tuple[str, float]] = {}

    def _reuse_seconds(self) -> float:
        limit = self._app.config.get("WTF_CSRF_TIME_LIMIT")
        return self.REUSE_SECONDS if not limit else min(self.REUSE_SECONDS, limit / 10)

    def __call__(self) -> str:
        field = self._app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        raw = session.get(field)
        if not isinstance(raw, str) or field in g:  # a new session, or asked already
            return generate_csrf()
        key = (raw, self._app.secret_key)
        now = self._clock()
        found = self._tokens.get(key)
        if found is not None and now - found[1] < self._reuse_seconds():
            setattr(g, field, found[0])  # as generate_csrf does: the request's token
            return found[0]
        token = generate_csrf()
        if len(self._tokens) >= self.MAX_ENTRIES:
            self._tokens.clear()
        self._tokens[key] = (token, now)
        return token


def init_app(app: Flask) -> None:
    app.jinja_env.globals["url_for"] = TemplateUrlFor(app)
    tokens = app.jinja_env.globals["csrf_token"] = RememberedCsrfTokens(app)
    # Flask-WTF also hands its own to every template through a context processor: this one
    # runs after it, so templates get the remembered tokens.
    app.context_processor(lambda: {"csrf_token": tokens})
    if "bootstrap" in app.jinja_env.globals:
        app.jinja_env.globals["bootstrap"] = RememberedAssets(app.jinja_env.globals["bootstrap"])
