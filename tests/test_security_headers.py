"""Security headers and cookie flags, in development and production settings."""

from config import ProductionConfig
from lms import create_app


def test_pages_carry_a_strict_content_security_policy(client, db_session):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "'unsafe-inline'" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_no_inline_script_or_style_in_pages(client, db_session):
    import re

    html = client.get("/auth/register").get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " style=" not in html and "<style" not in html


def test_production_forces_https_with_hsts_and_secure_cookies(monkeypatch):
    monkeypatch.setenv("LMS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-secret")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:p@db.internal/lms")
    app = create_app(ProductionConfig)
    client = app.test_client()
    plain = client.get("/healthz", base_url="http://lms.example.org")
    assert plain.status_code == 302 and plain.headers["Location"].startswith("https://")
    # Behind the TLS proxy (X-Forwarded-Proto), pages are served with HSTS.
    secure = client.get(
        "/healthz", base_url="http://lms.example.org", headers={"X-Forwarded-Proto": "https"}
    )
    assert secure.status_code == 200
    assert "max-age=63072000" in secure.headers["Strict-Transport-Security"]
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_s3_origin_is_allowed_for_media_and_uploads(fresh_database, smtp_server, s3_endpoint):
    from tests.conftest import make_app, s3_settings

    app = make_app(fresh_database(), smtp_server, **s3_settings(s3_endpoint, "media"))
    policy = app.test_client().get("/healthz").headers["Content-Security-Policy"]
    for directive in ("media-src", "connect-src", "img-src"):
        assert any(
            part.strip().startswith(directive) and s3_endpoint in part for part in policy.split(";")
        )


def test_json_endpoints_answer_with_the_api_policy(client, db_session):
    # A watch report from nobody signed in: the JSON error carries the API's policy.
    response = client.post("/lessons/1/watch", json={"token": "x"})
    assert response.is_json and response.status_code in (400, 401)
    assert response.headers["Content-Security-Policy"] == (
        "default-src 'none'; frame-ancestors 'none'"
    )
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # Pages keep theirs.
    assert "script-src 'self'" in client.get("/").headers["Content-Security-Policy"]


def test_a_json_endpoints_options_follow_each_app(client, db_session, monkeypatch):
    # The testing app (no forced https) answers a JSON endpoint first; a production app
    # made afterwards in the same process still forces https on it.
    assert client.post("/lessons/1/watch", json={"token": "x"}).status_code in (400, 401)
    monkeypatch.setenv("LMS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-secret")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:p@db.internal/lms")
    production = create_app(ProductionConfig).test_client()
    plain = production.post("/lessons/1/watch", base_url="http://lms.example.org", json={})
    assert plain.status_code == 302 and plain.headers["Location"].startswith("https://")
    assert plain.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    # And the first app's answers are as they were.
    again = client.post("/lessons/1/watch", json={"token": "x"})
    assert again.status_code in (400, 401)
    assert again.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
