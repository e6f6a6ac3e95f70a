"""Password reset by emailed, signed, expiring, single-use link."""

import re
from datetime import timedelta

from freezegun import freeze_time

from lms.auth.passwords import verify_password
from lms.db import utcnow
from tests import factories
from tests.support.smtp import body_text


def reset_path(mailbox, email: str) -> str:
    message = mailbox.wait_for(email, subject_contains="Reset your password")
    match = re.search(r"https?://[^/\s]+(/auth/reset/\S+)", body_text(message))
    assert match, body_text(message)
    return match.group(1)


def test_reset_link_sets_a_new_password_once(client, db_session, mailbox):
    user = factories.learner()
    response = client.post("/auth/reset", data={"email": user.email})
    assert response.status_code == 302
    path = reset_path(mailbox, user.email)

    assert client.get(path).status_code == 200
    response = client.post(
        path, data={"password": "new-secret-value", "confirm": "new-secret-value"}
    )
    assert response.status_code == 302
    db_session.refresh(user)
    assert verify_password(user.password_hash, "new-secret-value")

    second = client.post(path, data={"password": "other-secret-val", "confirm": "other-secret-val"})
    assert second.status_code == 400
    assert "already been used" in second.get_data(as_text=True)
    db_session.refresh(user)
    assert verify_password(user.password_hash, "new-secret-value")


def test_expired_reset_link_changes_nothing(client, db_session, mailbox):
    user = factories.learner()
    client.post("/auth/reset", data={"email": user.email})
    path = reset_path(mailbox, user.email)
    old_hash = user.password_hash
    with freeze_time(utcnow() + timedelta(hours=2)):
        response = client.post(
            path, data={"password": "new-secret-value", "confirm": "new-secret-value"}
        )
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    db_session.refresh(user)
    assert user.password_hash == old_hash


def test_reset_request_does_not_reveal_whether_an_account_exists(client, db_session, mailbox):
    user = factories.learner()
    known = client.post("/auth/reset", data={"email": user.email}, follow_redirects=True)
    unknown = client.post(
        "/auth/reset", data={"email": "nobody@example.com"}, follow_redirects=True
    )
    assert known.status_code == unknown.status_code == 200
    assert "If an account exists" in known.get_data(as_text=True)
    assert "If an account exists" in unknown.get_data(as_text=True)
    mailbox.wait_for(user.email)
    assert mailbox.find("nobody@example.com") == []


def test_weak_new_password_is_a_field_error(client, db_session, mailbox):
    user = factories.learner()
    client.post("/auth/reset", data={"email": user.email})
    path = reset_path(mailbox, user.email)
    response = client.post(path, data={"password": "short", "confirm": "short"})
    assert response.status_code == 422
    assert "at least 10 characters" in response.get_data(as_text=True)
