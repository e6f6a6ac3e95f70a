"""`url_for` for templates, remembered: every page builds the same few dozen URLs (the
navigation, static files, a course's lessons), and building one walks Werkzeug's URL map.
Bootstrap's stylesheet and script tags, the same on every page, are remembered likewise.

A URL here is a function of the endpoint, its values and the request's script root (and,
for ".name" endpoints, the request's blueprint): nothing else changes it in this app, which
registers no URL defaults. External URLs and calls with options (`_anchor`, `_external`, ...)
are built each time.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, has_request_context, request

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


def init_app(app: Flask) -> None:
    app.jinja_env.globals["url_for"] = TemplateUrlFor(app)
    if "bootstrap" in app.jinja_env.globals:
        app.jinja_env.globals["bootstrap"] = RememberedAssets(app.jinja_env.globals["bootstrap"])
