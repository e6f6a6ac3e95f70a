"""HTTP security headers and policy (Flask-Talisman), and proxy awareness.

The Content-Security-Policy allows no inline script or style: every script and stylesheet
is a file served by the app. Browsers may also talk to the S3 endpoint directly (presigned
uploads and playback), so its origin is allowed for media, images and connections.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, abort, request
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix


def _origin(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def storage_origins(config) -> list[str]:
    """Origins browsers reach object storage at (none in local mode: the app serves files)."""
    if config.get("STORAGE_BACKEND") != "s3":
        return []
    endpoint = _origin(config.get("S3_PUBLIC_ENDPOINT_URL") or config.get("S3_ENDPOINT_URL"))
    if endpoint:
        return [endpoint]
    bucket, region = config.get("S3_BUCKET"), config.get("S3_REGION") or "us-east-1"
    return [f"https://{bucket}.s3.{region}.amazonaws.com", f"https://s3.{region}.amazonaws.com"]


def content_security_policy(config) -> dict[str, str | list[str]]:
    storage = storage_origins(config)
    return {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": ["'self'", "data:", "blob:", *storage],
        "media-src": ["'self'", "blob:", *storage],
        "connect-src": ["'self'", *storage],
        "font-src": ["'self'", "data:"],
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }


def require_json_objects() -> None:
    """Every JSON endpoint takes an object; malformed JSON or a bare value is a 400 here,
    before any view (or Flask-WTF, which reads JSON bodies as form data) sees it."""
    if (
        request.method in {"POST", "PUT", "PATCH"}
        and request.is_json
        and not isinstance(request.get_json(silent=True), dict)
    ):
        abort(400, "The request body must be a JSON object.")


def init_app(app: Flask) -> None:
    app.before_request(require_json_objects)
    proxies = app.config.get("PROXY_COUNT", 0)
    if proxies:
        # Behind a TLS-terminating proxy: trust its X-Forwarded-* so https is recognised.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    secure = bool(app.config.get("SESSION_COOKIE_SECURE"))
    # One Talisman per app: it keeps its settings on the instance, so a shared one would
    # let the last app configured decide for all of them.
    app.extensions["talisman"] = Talisman(
        app,
        force_https=bool(app.config.get("FORCE_HTTPS")),
        strict_transport_security=bool(app.config.get("HSTS")),
        strict_transport_security_max_age=63072000,
        frame_options="DENY",
        content_security_policy=content_security_policy(app.config),
        referrer_policy="strict-origin-when-cross-origin",
        session_cookie_secure=secure,
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        force_file_save=False,
    )
