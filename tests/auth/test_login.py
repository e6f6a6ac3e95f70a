"""Signing in and out, remember me, lockout, safe redirects, session invalidation."""

import pytest

from lms.auth import services
from lms.extensions import db
from tests import factories


def test_login_with_correct_password_signs_in(client, db_session):
    user = factories.learner(legal_name="Ana Kowalski")
    response = client.post(
        "/auth/login", data={"email": user.email.upper(), "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Ana Kowalski" in page and "Sign out" in page


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client, db_session):
    user = factories.learner()
    wrong = client.post("/auth/login", data={"email": user.email, "password": "nope-nope-nope"})
    unknown = client.post(
        "/auth/login", data={"email": "ghost@example.com", "password": "nope-nope-nope"}
    )
    assert wrong.status_code == unknown.status_code == 422
    assert "Email or password is incorrect" in wrong.get_data(as_text=True)
    assert "Email or password is incorrect" in unknown.get_data(as_text=True)


def test_five_wrong_passwords_lock_the_account_for_a_while(client, db_session):
    user = factories.learner()
    for _ in range(4):
        response = client.post(
            "/auth/login", data={"email": user.email, "password": "wrong-pass-1"}
        )
        assert response.status_code == 422
    fifth = client.post("/auth/login", data={"email": user.email, "password": "wrong-pass-1"})
    assert fifth.status_code == 429
    assert "Too many failed sign-in attempts" in fifth.get_data(as_text=True)
    # Even the right password is refused while the lock lasts.
    right = client.post("/auth/login", data={"email": user.email, "password": factories.PASSWORD})
    assert right.status_code == 429
    assert "Try again in 5 minutes" in right.get_data(as_text=True)


def test_deactivated_user_cannot_sign_in(client, db_session):
    user = factories.learner()
    user.active = False
    db.session.flush()
    response = client.post(
        "/auth/login", data={"email": user.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/my/learning", "/my/learning"),
        ("/catalog?region=neck", "/catalog?region=neck"),
        ("https://evil.example/phish", "/"),
        ("//evil.example/phish", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("http:/evil.example", "/"),
    ],
)
def test_next_only_leads_to_this_site(client, db_session, next_url, expected):
    user = factories.learner()
    response = client.post(
        "/auth/login",
        query_string={"next": next_url},
        data={"email": user.email, "password": factories.PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_remember_me_sets_a_persistent_cookie(client, db_session):
    user = factories.learner()
    response = client.post(
        "/auth/login", data={"email": user.email, "password": factories.PASSWORD, "remember": "y"}
    )
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember and "Expires=" in remember[0] and "HttpOnly" in remember[0]


def test_without_remember_me_no_persistent_cookie(client, db_session):
    user = factories.learner()
    response = client.post(
        "/auth/login", data={"email": user.email, "password": factories.PASSWORD}
    )
    assert not [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token")]


def test_logout_signs_out(client, db_session, login):
    login(factories.learner())
    assert client.get("/my/learning").status_code == 200
    client.post("/auth/logout")
    response = client.get("/my/learning")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_password_change_signs_out_other_sessions(app, db_session):
    user = factories.learner()
    first, second = app.test_client(), app.test_client()
    for browser in (first, second):
        browser.post("/auth/login", data={"email": user.email, "password": factories.PASSWORD})
        assert browser.get("/my/learning").status_code == 200
    response = first.post(
        "/auth/account/password",
        data={
            "current_password": factories.PASSWORD,
            "password": "a-brand-new-secret",
            "confirm": "a-brand-new-secret",
        },
    )
    assert response.status_code == 302
    assert first.get("/my/learning").status_code == 200
    assert second.get("/my/learning").status_code == 302


def test_change_password_requires_the_current_one(client, db_session, login):
    user = factories.learner()
    login(user)
    response = client.post(
        "/auth/account/password",
        data={
            "current_password": "not-my-password",
            "password": "a-brand-new-secret",
            "confirm": "a-brand-new-secret",
        },
    )
    assert response.status_code == 422
    assert "not your current password" in response.get_data(as_text=True)


def test_login_session_cookie_carries_a_rotating_token(db_session):
    user = factories.learner()
    session_id = user.get_id()
    assert services.load_user_from_session(session_id) is user
    services.change_password(user, "another-password-1")
    assert services.load_user_from_session(session_id) is None
    assert services.load_user_from_session("garbage") is None
