"""Configuration checks, and the schema's naming convention (migrations: test_migrations.py)."""

import pytest

from lms.extensions import db


def test_production_refuses_to_start_without_secret_key_and_server_database(monkeypatch):
    from lms import create_app

    monkeypatch.setenv("LMS_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///x.db")
    with pytest.raises(RuntimeError) as error:
        create_app()
    message = str(error.value)
    assert "SECRET_KEY is not set" in message
    assert "DATABASE_URL must name a server database" in message


def test_production_starts_with_secret_key_and_postgres(monkeypatch):
    from lms import create_app

    monkeypatch.setenv("LMS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-secret")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:p@db.internal/lms")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


def test_unknown_environment_is_refused(monkeypatch):
    from lms import create_app

    monkeypatch.setenv("LMS_ENV", "staging-typo")
    with pytest.raises(RuntimeError, match="not one of"):
        create_app()


def test_constraint_names_follow_the_convention(db_session):
    names = [
        constraint.name
        for table in db.metadata.tables.values()
        for constraint in table.constraints
        if constraint.name
    ]
    assert names and all(name.split("_")[0] in {"pk", "uq", "ck", "fk"} for name in names)
