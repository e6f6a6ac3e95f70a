"""The session cookie: Flask's signed cookie, whose signature each process checks once."""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

from lms.auth.tokens import CheckedSignatures


class SessionInterface(SecureCookieSessionInterface):
    """As Flask's, but a cookie's signature is checked once per process and remembered
    (`CheckedSignatures`): a signed-in browser sends the same cookie with every request.
    The cookie's age is still checked on every request, and a session whose cookie fails
    either check starts empty, as in Flask."""

    def __init__(self) -> None:
        super().__init__()
        self.checked = CheckedSignatures()

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            return self.session_class(self.checked.loads(serializer, value, max_age=max_age))
        except BadSignature:
            return self.session_class()
