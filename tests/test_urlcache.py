"""Templates' remembered `url_for` builds what Flask's would, per script root and blueprint."""

from flask import url_for

from lms.urlcache import TemplateUrlFor


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
