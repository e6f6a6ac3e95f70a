"""`@autocommit` views: no transaction around their statements, and the pool is left as found."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_login import login_required
from sqlalchemy import event, text

from lms.connections import autocommit
from lms.extensions import db
from tests import factories
from tests.conftest import make_app


@pytest.fixture
def app_with_views(fresh_database, smtp_server) -> Flask:
    app = make_app(fresh_database(), smtp_server, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1})

    def state() -> str:
        connection = db.session.connection().connection.dbapi_connection
        status = db.session.execute(text("SELECT 1")).scalar_one()
        return f"{connection.autocommit}:{status}:{connection.info.transaction_status.name}"

    app.add_url_rule("/t/plain", "plain", state)
    app.add_url_rule("/t/autocommit", "autocommit", autocommit(state))
    app.add_url_rule("/t/signed-in", "signed_in", autocommit(login_required(state)))

    def write_then_fail():
        db.session.execute(text("INSERT INTO scratch (note) VALUES ('kept')"))
        raise RuntimeError("after the write")

    app.add_url_rule("/t/write", "write", autocommit(write_then_fail))
    with app.app_context():
        factories.learner(email="ana@example.org")
        db.session.execute(text("CREATE TABLE scratch (note text)"))
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_statements_of_an_autocommit_view_run_outside_a_transaction(app_with_views):
    client = app_with_views.test_client()
    # One pooled connection: the plain request after the autocommit one gets it back.
    assert client.get("/t/autocommit").text == "True:1:IDLE"
    assert client.get("/t/plain").text == "False:1:INTRANS"
    assert client.get("/t/autocommit").text == "True:1:IDLE"


def test_the_user_of_an_autocommit_view_is_loaded_without_a_transaction(app_with_views):
    client = app_with_views.test_client()
    statements: list[str] = []
    with app_with_views.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with client.session_transaction() as browser, app_with_views.app_context():
        from lms.auth.models import User

        ana = db.session.scalar(db.select(User).where(User.email == "ana@example.org"))
        browser["_user_id"] = f"{ana.id}:{ana.session_token}"
        browser["_fresh"] = True
    statements.clear()
    assert client.get("/t/signed-in").text == "True:1:IDLE"
    assert any("FROM users" in sql for sql in statements)


def test_a_write_is_kept_even_if_the_view_fails_afterwards(app_with_views):
    # The documented trade-off: without a transaction there is nothing to roll back.
    app_with_views.config["PROPAGATE_EXCEPTIONS"] = False
    client = app_with_views.test_client()
    assert client.get("/t/write").status_code == 500
    with app_with_views.app_context():
        kept = db.session.execute(text("SELECT count(*) FROM scratch WHERE note = 'kept'"))
        assert kept.scalar_one() == 1
