"""Fixtures: throwaway PostgreSQL and Redis servers, a real SMTP server, the app, rollback.

PostgreSQL is the database the suite trusts. The schema is built once by running the
migrations into a template database; every database the suite needs is copied from it.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSqlaSession
from sqlalchemy.orm import Session

from config import TestingConfig
from lms import create_app
from lms.extensions import db
from tests import factories
from tests.support.postgres import PostgresServer
from tests.support.redisserver import RedisServer
from tests.support.smtp import SmtpServer

TEMPLATE_DB = "lms_template"
_db_names = itertools.count()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    with PostgresServer() as server:
        yield server


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """Debian's redis-server on loopback: the job queue and shared rate-limit counters."""
    with RedisServer() as server:
        yield server


_signing_dir: list[str] = []


def signing_identity() -> tuple[str, str]:
    """A throwaway key and self-signed certificate for certificate PDFs (one per run)."""
    from pathlib import Path

    from lms.certificates.signing import generate_self_signed

    if not _signing_dir:
        folder = Path(tempfile.mkdtemp(prefix="lms-signing-")) / "identity"
        generate_self_signed(folder, "Test provider certificate signing", "Test provider")
        _signing_dir.append(str(folder))
    return f"{_signing_dir[0]}/key.pem", f"{_signing_dir[0]}/cert.pem"


def make_app(database_url: str, smtp: SmtpServer, **overrides) -> Flask:
    """An app on its own database; used for the main app and for special-purpose apps."""
    key_path, cert_path = signing_identity()
    settings = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "LOCAL_STORAGE_PATH": tempfile.mkdtemp(prefix="lms-storage-"),
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp.port,
        "CERT_SIGNING_KEY_PATH": key_path,
        "CERT_SIGNING_CERT_PATH": cert_path,
        **overrides,
    }
    app = create_app(type("SuiteConfig", (TestingConfig,), settings))
    app.test_client_class = RequestIsolatedClient
    return app


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A real S3 API over HTTP on loopback (moto's server), for the S3 storage backend."""
    from moto.server import ThreadedMotoServer

    from tests.support import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def s3_settings(endpoint: str, bucket: str) -> dict:
    return {
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": endpoint,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "testing",
        "S3_SECRET_ACCESS_KEY": "testing",
    }


@pytest.fixture(scope="session")
def template_database(postgres: PostgresServer, smtp_server: SmtpServer) -> str:
    """Run the migrations once into a template database; return its name."""
    from flask_migrate import upgrade

    url = postgres.create_database(TEMPLATE_DB)
    app = make_app(url, smtp_server)
    with app.app_context():
        upgrade(directory="migrations")
        db.engine.dispose()
    return TEMPLATE_DB


@pytest.fixture(scope="session")
def fresh_database(postgres: PostgresServer, template_database: str):
    """A factory for new, migrated, empty databases (for tests that need real commits)."""

    def create() -> str:
        name = f"lms_test_{next(_db_names)}"
        import psycopg

        with psycopg.connect(postgres.dsn(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"')
        return postgres.url(name)

    return create


@pytest.fixture(scope="session")
def app(fresh_database, smtp_server: SmtpServer) -> Iterator[Flask]:
    app = make_app(fresh_database(), smtp_server)
    yield app


class ConnectionBoundSession(FlaskSqlaSession):
    """Flask-SQLAlchemy's session picks an engine itself; this one keeps the test's connection."""

    def get_bind(self, *args, **kwargs):
        return self.bind


class TestAppSession:
    """`db.session` during a rolled-back test: the test's session for the test's app, the
    usual session for any other app (a live server still answering a browser's last beacon,
    an app on a fresh database), so nothing else ever writes into the test's transaction."""

    def __init__(self, app: Flask, scoped, original) -> None:
        self._app, self._scoped, self._original = app, scoped, original

    def _target(self):
        from flask import current_app, has_app_context

        if has_app_context() and current_app._get_current_object() is self._app:
            return self._scoped
        return self._original

    def __call__(self, *args, **kwargs):
        return self._target()(*args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self._target(), name)


@pytest.fixture
def db_session(app: Flask) -> Iterator[Session]:
    """Run the test inside a transaction that is rolled back afterwards.

    Code under test may commit: with "create_savepoint" its commits only release
    savepoints inside the outer transaction.
    """
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        scoped = db._make_scoped_session(
            {
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
                "class_": ConnectionBoundSession,
                "expire_on_commit": False,
            }
        )
        db.session = TestAppSession(app, scoped, original)
        try:
            yield scoped
        finally:
            scoped.remove()
            db.session = original
            transaction.rollback()
            connection.close()


class RequestIsolatedClient(FlaskClient):
    """A test client whose requests get their own app context, as in production.

    Tests hold an app context open (for the database); Flask would reuse it for requests,
    sharing `g` (and Flask-Login's cached user) between requests and between clients.
    """

    def open(self, *args, **kwargs):
        # Read streamed bodies inside the isolated context: a generator that pushes its own
        # app context (CSV exports) must finish before the test's context is restored.
        kwargs.setdefault("buffered", True)
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


@pytest.fixture
def client(app: Flask, db_session: Session) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One headless Chromium for the whole run (Playwright allows one sync driver per thread)."""
    from playwright.sync_api import sync_playwright

    from tests.support.browser import launch_chromium

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def register_handler():
    """Register background-job handlers for one test (`jobs.handler`, undone afterwards)."""
    from lms import jobs

    kinds = []

    def register(kind, function):
        jobs.handler(kind)(function)
        kinds.append(kind)

    yield register
    for kind in kinds:
        jobs._handlers.pop(kind, None)


@pytest.fixture
def mailbox(smtp_server: SmtpServer) -> SmtpServer:
    smtp_server.clear()
    return smtp_server


@pytest.fixture
def login(client: FlaskClient):
    """Sign a user in through the real login form."""

    def sign_in(user, password: str = factories.PASSWORD, remember: bool = False):
        client.post("/auth/logout")
        response = client.post(
            "/auth/login",
            data={"email": user.email, "password": password, "remember": "y" if remember else ""},
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return response

    return sign_in
