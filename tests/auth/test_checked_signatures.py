"""Signatures checked once per process (`lms.auth.tokens.CheckedSignatures`) and the session
cookie that uses them: what a fresh check refuses, a remembered one refuses too."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from freezegun import freeze_time
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from lms.auth.tokens import CheckedSignatures
from lms.db import utcnow
from tests.support.signatures import forge


class CountingSerializer(URLSafeTimedSerializer):
    """Counts the signature checks it is asked for."""

    checks = 0

    def iter_unsigners(self, salt=None):
        type(self).checks += 1
        return super().iter_unsigners(salt)


@pytest.fixture
def counting():
    CountingSerializer.checks = 0
    return CountingSerializer("key-one", salt="test")


def test_a_signature_is_checked_once_and_each_caller_gets_its_own_payload(counting):
    checked = CheckedSignatures()
    token = counting.dumps({"user": 7, "flashes": [["info", "hello"]]})
    first = checked.loads(counting, token, max_age=60)
    first["flashes"].append(["info", "changed in place"])
    second = checked.loads(counting, token, max_age=60)
    assert second == {"user": 7, "flashes": [["info", "hello"]]}
    assert counting.checks == 1
    payload, signed_at = checked.loads(counting, token, max_age=60, return_timestamp=True)
    assert payload["user"] == 7 and abs((utcnow() - signed_at).total_seconds()) < 5


def test_shared_payloads_are_decoded_once(counting):
    checked = CheckedSignatures(share_payloads=True)
    token = counting.dumps({"user": 7})
    first = checked.loads(counting, token, max_age=60)
    assert checked.loads(counting, token, max_age=60) is first == {"user": 7}
    assert counting.checks == 1


def test_a_forged_signature_is_checked_and_refused_every_time(counting):
    checked = CheckedSignatures()
    forged = forge(counting.dumps({"user": 7}))
    for attempt in range(1, 4):
        with pytest.raises(BadSignature):
            checked.loads(counting, forged, max_age=60)
        assert counting.checks == attempt
    other_key = URLSafeTimedSerializer("key-two", salt="test").dumps({"user": 1})
    with pytest.raises(BadSignature):
        checked.loads(counting, other_key, max_age=60)


def test_a_remembered_signature_still_expires(counting):
    checked = CheckedSignatures()
    with freeze_time(utcnow().replace(microsecond=0)) as clock:
        token = counting.dumps({"user": 7})
        assert checked.loads(counting, token, max_age=60) == {"user": 7}
        clock.tick(60)
        assert checked.loads(counting, token, max_age=60) == {"user": 7}
        clock.tick(1)
        with pytest.raises(SignatureExpired):
            checked.loads(counting, token, max_age=60)
        # Signed in the future (a clock set back): refused as itsdangerous refuses it.
        clock.tick(-120)
        with pytest.raises(SignatureExpired):
            checked.loads(counting, token, max_age=60)
    assert counting.checks == 1


def test_what_one_key_checked_counts_only_for_serializers_holding_that_key():
    checked = CheckedSignatures()
    old = URLSafeTimedSerializer("old-key", salt="test")
    token = old.dumps({"user": 7})
    assert checked.loads(old, token, max_age=60) == {"user": 7}
    rotated = URLSafeTimedSerializer("new-key", salt="test")
    with pytest.raises(BadSignature):
        checked.loads(rotated, token, max_age=60)
    # The old key kept as a fallback still accepts it, as itsdangerous would.
    with_fallback = URLSafeTimedSerializer(["old-key", "new-key"], salt="test")
    assert checked.loads(with_fallback, token, max_age=60) == {"user": 7}


def test_the_memory_is_bounded_and_forgets_the_least_recently_used(counting):
    checked = CheckedSignatures(size=2)
    a, b, c = (counting.dumps({"n": n}) for n in range(3))
    for token in (a, b, a, c):  # c pushes out b (a was used since)
        checked.loads(counting, token, max_age=60)
    assert counting.checks == 3
    checked.loads(counting, a, max_age=60)
    assert counting.checks == 3
    checked.loads(counting, b, max_age=60)
    assert counting.checks == 4


def test_threads_share_the_memory_safely(counting):
    checked = CheckedSignatures(size=8)
    tokens = [counting.dumps({"n": n}) for n in range(32)]
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for round_ in range(50):
                token = tokens[(offset + round_) % len(tokens)]
                assert checked.loads(counting, token, max_age=60) == {"n": tokens.index(token)}
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n * 5,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_the_session_cookie_is_checked_once_and_still_expires(app):
    interface = app.session_interface
    serializer = interface.get_signing_serializer(app)
    lifetime = int(app.permanent_session_lifetime.total_seconds())
    cookie = app.config["SESSION_COOKIE_NAME"]
    with freeze_time(utcnow().replace(microsecond=0)) as clock:
        value = serializer.dumps({"_user_id": "7:abc"})
        for _ in range(2):
            with app.test_request_context(headers={"Cookie": f"{cookie}={value}"}) as ctx:
                session = interface.open_session(app, ctx.request)
                assert dict(session) == {"_user_id": "7:abc"}
                session["changed"] = True  # a request's own copy
        clock.tick(timedelta(seconds=lifetime + 1))
        with app.test_request_context(headers={"Cookie": f"{cookie}={value}"}) as ctx:
            assert dict(interface.open_session(app, ctx.request)) == {}
        with app.test_request_context(headers={"Cookie": f"{cookie}={forge(value)}"}) as ctx:
            assert dict(interface.open_session(app, ctx.request)) == {}
