"""Signed, expiring tokens for email links (verification, password reset)."""

from __future__ import annotations

import functools
import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class InvalidToken(Exception):
    """The link is malformed, tampered with, expired or already used."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return serializer(current_app.config["SECRET_KEY"], f"lms.{purpose}")


@functools.lru_cache(maxsize=32)
def serializer(secret_key: str, salt: str) -> URLSafeTimedSerializer:
    """One serializer per key and salt (it holds no state between calls): hot paths sign
    and check tokens on every request, and need not build one each time."""
    return URLSafeTimedSerializer(secret_key, salt=salt)


def fingerprint(value: str) -> str:
    """A short digest of state that a token must still match when it is used."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def make_token(purpose: str, payload: dict) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: int) -> dict:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise InvalidToken("expired") from exc
    except BadSignature as exc:
        raise InvalidToken("invalid") from exc
    if not isinstance(data, dict):
        raise InvalidToken("invalid")
    return data
