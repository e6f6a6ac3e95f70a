"""Signed, expiring tokens: email links (verification, password reset), and the memory of
signatures already checked that the session cookie and the watch-report token use."""

from __future__ import annotations

import functools
import hashlib
import threading
import time
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from itsdangerous.encoding import want_bytes


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


class CheckedSignatures:
    """Signed values whose signature this process has already checked, and when each was
    signed (a bounded LRU, safe across threads).

    A browser sends the same session cookie with every request, and a lesson page's player
    the same report token every 15 s. Checking a signature costs two HMACs in Python: for
    the cookie and the token a watch report carries, about a tenth of the report's CPU.
    Here each is checked once per process:

    - only values that passed the full check are remembered (a forged one is checked, and
      refused, every time);
    - the age is checked against `max_age` on every use, as itsdangerous would;
    - the payload is decoded afresh each time, so every caller gets its own copy (a session
      is changed in place), unless `share_payloads`: then it is decoded once and every
      caller gets the same object, which none may change;
    - entries are keyed by the serializer's keys too, so a rotated key shares nothing. Use
      one instance per kind of serializer: a check is only as good as the salt and key
      derivation that made it.
    """

    def __init__(self, size: int = 4096, *, share_payloads: bool = False) -> None:
        self._size = size
        self._share = share_payloads
        # Each entry: the signed payload, its signing time, and its shared decoding (if any).
        self._checked: OrderedDict[tuple[bytes, ...], list[Any]] = OrderedDict()
        self._lock = threading.Lock()

    def loads(
        self,
        serializer: URLSafeTimedSerializer,
        value: str | bytes,
        *,
        max_age: int | None,
        return_timestamp: bool = False,
    ) -> Any:
        """As `serializer.loads(value, max_age=..., return_timestamp=...)`."""
        signed = want_bytes(value)
        key = (signed, *serializer.secret_keys)
        with self._lock:
            found = self._checked.get(key)
            if found is not None:
                self._checked.move_to_end(key)
        if found is None:
            base64d, signed_at = _unsign(serializer, signed)
            found = [base64d, signed_at, _UNDECODED]
            with self._lock:
                self._checked[key] = found
                if len(self._checked) > self._size:
                    self._checked.popitem(last=False)
        base64d, signed_at, payload = found
        if max_age is not None:
            age = int(time.time()) - signed_at
            if age > max_age or age < 0:
                raise SignatureExpired(
                    f"Signature age {age} is outside 0..{max_age} seconds",
                    payload=base64d,
                    date_signed=datetime.fromtimestamp(signed_at, UTC),
                )
        if payload is _UNDECODED:
            payload = serializer.load_payload(base64d)
            if self._share:
                found[2] = payload
        if return_timestamp:
            return payload, datetime.fromtimestamp(signed_at, UTC)
        return payload


_UNDECODED = object()


def _unsign(serializer: URLSafeTimedSerializer, signed: bytes) -> tuple[bytes, int]:
    """The signed payload and its signing time (whole seconds), if one of the serializer's
    keys signed it (the newest first, as `loads` tries them); else BadSignature."""
    last: BadSignature | None = None
    for signer in serializer.iter_unsigners():
        try:
            base64d, signed_at = signer.unsign(signed, return_timestamp=True)
        except BadSignature as error:
            last = error
        else:
            return base64d, int(signed_at.timestamp())
    raise last or BadSignature("No key to check the signature with")
