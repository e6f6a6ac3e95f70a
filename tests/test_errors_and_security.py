"""Error pages in the site's style, CSRF, 404s and 403s, and the login rate limit."""

import pytest

from tests import factories


@pytest.fixture
def csrf_app(fresh_database, smtp_server):
    from tests.conftest import make_app

    return make_app(
        fresh_database(),
        smtp_server,
        WTF_CSRF_ENABLED=True,
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="3 per minute",
    )


def test_form_without_csrf_token_gets_the_400_page(csrf_app):
    client = csrf_app.test_client()
    response = client.post("/auth/login", data={"email": "a@example.com", "password": "whatever12"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "This form has expired or was not sent from this site" in html
    assert "Go to the home page" in html  # rendered in the site's layout


def test_form_with_wrong_csrf_token_gets_400(csrf_app):
    client = csrf_app.test_client()
    client.get("/auth/login")
    response = client.post(
        "/auth/login", data={"email": "a@example.com", "password": "x" * 12, "csrf_token": "forged"}
    )
    assert response.status_code == 400


def test_login_is_rate_limited_per_client(csrf_app):
    import re

    client = csrf_app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    statuses = [
        client.post(
            "/auth/login",
            data={"email": f"x{i}@example.com", "password": "x" * 12, "csrf_token": token},
        ).status_code
        for i in range(5)
    ]
    assert statuses[:3] == [422, 422, 422]
    assert statuses[3:] == [429, 429]
    limited = client.post(
        "/auth/login", data={"email": "y@example.com", "password": "x" * 12, "csrf_token": token}
    )
    assert "too many requests" in limited.get_data(as_text=True).lower()


def test_unknown_page_and_unknown_course_are_404_in_site_style(client, db_session):
    for path in ("/no-such-page", "/courses/no-such-course"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Page not found" in response.get_data(as_text=True)


def test_draft_course_is_404_for_learners_but_visible_to_its_instructor(client, db_session, login):
    teacher = factories.instructor()
    draft = factories.course(teacher, published=False, title="Draft Piriformis")
    login(factories.learner())
    assert client.get(f"/courses/{draft.slug}").status_code == 404
    login(teacher)
    response = client.get(f"/courses/{draft.slug}")
    assert response.status_code == 200 and "Draft" in response.get_data(as_text=True)


def test_learner_on_admin_page_gets_403(client, db_session, login):
    login(factories.learner())
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "Not allowed" in response.get_data(as_text=True)


def test_json_clients_get_json_errors(client, db_session):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["error"] == "Page not found"


@pytest.mark.parametrize("code", [400, 403, 404, 413, 429, 500])
def test_every_error_page_renders_in_the_layout(app, code):
    from lms.errors import render_error

    with app.test_request_context("/"):
        body, status = render_error(code)
    assert status == code
    assert str(code) in body and "Go to the home page" in body


def test_unexpected_exception_gives_500_page(fresh_database, smtp_server):
    from tests.conftest import make_app

    app = make_app(fresh_database(), smtp_server)

    @app.route("/_boom_for_test")
    def boom():
        raise RuntimeError("kaboom")

    response = app.test_client().get("/_boom_for_test")
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)


def test_too_large_request_gets_413(client, db_session, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/auth/login", data={"email": "a" * (limit + 10)})
    assert response.status_code == 413
    assert "Too large" in response.get_data(as_text=True)
