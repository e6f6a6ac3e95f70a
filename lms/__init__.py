"""Trigger-point release CE platform: the application factory."""

from __future__ import annotations

import os
from types import SimpleNamespace
from typing import Any

from flask import Flask

from config import CONFIGS, Config, ProductionConfig, settings


def create_app(config: type[Config] | dict[str, Any] | None = None) -> Flask:
    """Build the app. `config` is a Config class, a mapping of overrides, or None for LMS_ENV."""
    app = Flask(__name__, instance_relative_config=True)
    env = os.environ.get("LMS_ENV", "development")
    if config is None or isinstance(config, dict):
        config_class = CONFIGS.get(env)
        if config_class is None:
            raise RuntimeError(f"LMS_ENV={env!r} is not one of {', '.join(CONFIGS)}")
        if config_class is ProductionConfig:
            ProductionConfig.check()
        app.config.from_mapping(settings(config_class))
        if isinstance(config, dict):
            app.config.update(config)
    else:
        app.config.from_mapping(settings(config))
    os.makedirs(app.instance_path, exist_ok=True)
    app.jinja_env.add_extension("jinja2.ext.do")

    import lms.models  # noqa: F401  (every table registered before migrations look)

    _init_extensions(app)
    _register_blueprints(app)
    _register_template_helpers(app)

    from lms.errors import register_error_handlers
    from lms.instrumentation import install_query_counter

    register_error_handlers(app)
    if app.config.get("QUERY_COUNT_HEADER"):
        install_query_counter(app)

    from lms.cli import register_cli

    register_cli(app)
    return app


def _engine_options(config: dict[str, Any]) -> dict[str, Any]:
    """SQLAlchemy engine options, with a connect timeout for PostgreSQL."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql"):
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("connect_timeout", config["DATABASE_CONNECT_TIMEOUT"])
        options["connect_args"] = connect_args
    return options


def _close_session(error: BaseException | None) -> None:
    """End the request's database session, even if the database went away meanwhile.

    Closing rolls back what a read-only request left open. If the server restarted after
    the response was made, that rollback meets a dead connection: the response stands (it
    is already made, nothing of it was to be written), and a second close hands the now
    invalidated connection back to the pool, which replaces it.
    """
    from flask import current_app
    from sqlalchemy.exc import DBAPIError

    from lms.extensions import db

    try:
        db.session.close()
    except DBAPIError as lost:
        reason = (str(lost.orig or lost).splitlines() or [""])[0]
        current_app.logger.warning("Database connection lost at the end of a request: %s", reason)
        db.session.close()


def _init_extensions(app: Flask) -> None:
    from lms.extensions import bootstrap, cache, csrf, db, limiter, login_manager, mail, migrate

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(app.config)
    db.init_app(app)
    # Registered after Flask-SQLAlchemy's own teardown, so it runs before it.
    app.teardown_appcontext(_close_session)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    mail.init_app(app)
    bootstrap.init_app(app)
    cache.init_app(app)
    limiter.init_app(app)
    limiter.enabled = True  # per-app switch: see lms.extensions._rate_limits_off

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"

    from lms.auth import passwords
    from lms.auth.services import load_user_from_session

    passwords.configure(app.config.get("ARGON2_TIME_COST"), app.config.get("ARGON2_MEMORY_KIB"))

    login_manager.user_loader(load_user_from_session)

    from lms.auth.sessions import SessionInterface

    app.session_interface = SessionInterface()

    from lms import jobs, security, storage

    storage.init_app(app)
    security.init_app(app)
    jobs.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from lms import (
        admin,
        auth,
        authoring,
        catalog,
        dashboards,
        enrolments,
        files,
        learning,
        main,
        quizzes,
        video,
    )
    from lms.audit import views as audit_views
    from lms.certificates import views as certificate_views
    from lms.evaluations import views as evaluation_views
    from lms.provider import views as provider_views

    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp, url_prefix="/auth")
    app.register_blueprint(catalog.bp)
    app.register_blueprint(enrolments.bp)
    app.register_blueprint(learning.bp)
    app.register_blueprint(quizzes.bp)
    app.register_blueprint(files.bp)
    app.register_blueprint(video.bp)
    app.register_blueprint(admin.bp, url_prefix="/admin")
    app.register_blueprint(authoring.bp, url_prefix="/teach")
    app.register_blueprint(dashboards.bp, url_prefix="/dashboards")
    app.register_blueprint(provider_views.bp, url_prefix="/admin/provider")
    app.register_blueprint(audit_views.bp, url_prefix="/admin/audit")
    app.register_blueprint(evaluation_views.bp)
    app.register_blueprint(certificate_views.bp)

    from lms.certificates.issuance import connect_completion_signal

    connect_completion_signal()


def _register_template_helpers(app: Flask) -> None:
    from lms import urlcache
    from lms.markdown import render_markdown
    from lms.permissions import TEMPLATE_PREDICATES

    can = SimpleNamespace(**TEMPLATE_PREDICATES)
    app.add_template_filter(render_markdown, "markdown")
    urlcache.init_app(app)

    @app.context_processor
    def inject_globals() -> dict[str, Any]:
        return {"can": can, "provider_name": app.config["PROVIDER_NAME"]}

    @app.template_filter("minutes")
    def format_minutes(minutes: int) -> str:
        hours, rest = divmod(int(minutes), 60)
        if hours and rest:
            return f"{hours} h {rest} min"
        return f"{hours} h" if hours else f"{rest} min"
