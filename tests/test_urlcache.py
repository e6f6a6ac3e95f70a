"""Templates' remembered `url_for` builds what Flask's would, per script root and blueprint."""

from flask import session, url_for
from flask_wtf.csrf import generate_csrf, validate_csrf

from lms.urlcache import RememberedCsrfTokens, TemplateUrlFor


def test_remembered_urls_are_flasks_urls(app):
    cached = TemplateUrlFor(app, size=3)
    calls = [
        ("catalog.catalog", {}),
        ("catalog.course", {"slug": "piriformis"}),
        ("learning.lesson", {"slug": "piriformis", "lesson_id": 7}),
        ("static", {"filename": "css/app.css"}),
        ("catalog.catalog", {"q": "neck pain", "region": ["neck", "back"]}),  # unhashable
        ("catalog.course", {"slug": "piriformis", "_anchor": "syllabus"}),  # an option
    ]
    for root in ("", "/lms"):
        with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": root}):
            for _ in range(2):  # built, then remembered (and the memo overflows: size 3)
                for endpoint, values in calls:
                    assert cached(endpoint, **values) == url_for(endpoint, **values)
            assert cached("catalog.catalog").startswith(f"{root}/")


def test_a_relative_endpoint_is_remembered_per_blueprint(app):
    cached = TemplateUrlFor(app)
    with app.test_request_context("/catalog"):
        assert cached(".catalog") == url_for("catalog.catalog")
    with app.test_request_context("/auth/login"):
        assert cached(".login") == url_for("auth.login")


def test_bootstrap_tags_are_remembered_per_script_root(app):
    extension = app.extensions["bootstrap"]
    remembered = app.jinja_env.globals["bootstrap"]
    for root in ("", "/lms"):
        with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": root}):
            for _ in range(2):
                assert remembered.load_css() == extension.load_css()
                assert remembered.load_js() == extension.load_js()
            # With arguments: built by the extension each time.
            assert remembered.load_js(with_popper=False) == extension.load_js(with_popper=False)
    assert remembered.static_folder == extension.static_folder  # the rest: the extension's


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_remembered_csrf_token_is_flask_wtfs_and_is_reused_for_a_while(app):
    tokens = RememberedCsrfTokens(app, clock=(clock := Clock()))
    raw = "a" * 40

    def page(raw_token: str | None) -> str:
        with app.test_request_context("/"):
            if raw_token is not None:
                session["csrf_token"] = raw_token
            token = tokens()
            validate_csrf(token)  # raises if Flask-WTF would refuse it
            assert generate_csrf() == token  # the request's token, for its forms and JS
            return token

    first = page(raw)
    clock.now += 299
    assert page(raw) == first
    assert page("b" * 40) != first  # another session's raw token
    clock.now += 2
    page(raw)  # signed again (the same text within the same second)
    page(None)  # a new session gets a raw token and a signed one


def test_templates_get_the_remembered_csrf_tokens(app):
    with app.test_request_context("/"):
        context = {}
        app.update_template_context(context)
        assert isinstance(context["csrf_token"], RememberedCsrfTokens)


def test_csrf_tokens_are_reused_for_a_tenth_of_a_time_limit(app):
    tokens = RememberedCsrfTokens(app)
    assert tokens._reuse_seconds() == 300  # WTF_CSRF_TIME_LIMIT None: as long as the session
    app.config["WTF_CSRF_TIME_LIMIT"] = 600
    try:
        assert tokens._reuse_seconds() == 60
    finally:
        app.config["WTF_CSRF_TIME_LIMIT"] = None
