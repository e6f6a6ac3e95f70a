"""A dependency down: the app answers 503 with a clear message, fast, and recovers on its own.

Real servers only: a port nobody listens on, a socket that accepts but never answers, a
private PostgreSQL that is stopped and started again, and moto's S3 behind a TCP proxy
whose link is cut. `bench/load.py` does the same under load.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator

import psycopg
import pytest
from flask import Flask, session
from sqlalchemy import text

from lms.connections import socket_closed
from lms.extensions import db
from tests import factories
from tests.conftest import make_app, s3_settings
from tests.support import free_port
from tests.support.postgres import PostgresServer
from tests.support.tcpproxy import TcpProxy
from tests.video.conftest import sign_in, video_course

DATABASE_DOWN = "The database is unavailable, retry in a moment."
STORAGE_DOWN = "File storage is unavailable; please retry shortly."


def _assert_unavailable(response, message: str) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)[:500]
    assert response.headers["Retry-After"] == "5"
    if response.is_json:
        assert response.get_json()["message"] == message
    else:
        assert message in response.get_data(as_text=True)


def test_unreachable_database_is_a_503_page_and_json(smtp_server):
    app = make_app(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/lms", smtp_server)
    client = app.test_client()
    started = time.monotonic()
    page = client.get("/catalog")
    _assert_unavailable(page, DATABASE_DOWN)
    assert "Temporarily unavailable" in page.get_data(as_text=True)
    as_json = client.get("/catalog", headers={"Accept": "application/json"})
    _assert_unavailable(as_json, DATABASE_DOWN)
    assert time.monotonic() - started < 5  # refused connections fail at once
    assert client.get("/healthz").status_code == 200  # liveness needs no database


def test_a_503_leaves_the_session_as_the_browser_sent_it(smtp_server):
    # Like a sign-in whose commit fails: the session changed, then the database went away.
    app = make_app(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/lms", smtp_server)

    @app.route("/outage/session-then-database")
    def session_then_database():
        session["_user_id"] = "42"
        db.session.execute(text("SELECT 1"))
        return "unreachable"

    client = app.test_client()
    with client.session_transaction() as before:
        before["cart"] = "kept"
    _assert_unavailable(client.get("/outage/session-then-database"), DATABASE_DOWN)
    with client.session_transaction() as after:
        assert "_user_id" not in after  # not signed in by a request that failed
        assert after["cart"] == "kept"


def test_a_database_that_never_answers_times_out_into_a_503(smtp_server):
    # Accepts TCP connections (the kernel's backlog) but never speaks PostgreSQL.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        app = make_app(
            f"postgresql+psycopg://postgres@127.0.0.1:{port}/lms",
            smtp_server,
            DATABASE_CONNECT_TIMEOUT=1,
        )
        started = time.monotonic()
        response = app.test_client().get("/catalog")
        elapsed = time.monotonic() - started
    _assert_unavailable(response, DATABASE_DOWN)
    assert elapsed < 6, f"took {elapsed:.1f}s: the connect timeout was not applied"


@pytest.fixture(scope="module")
def private_postgres(smtp_server) -> Iterator[tuple[PostgresServer, Flask]]:
    """A PostgreSQL of this module's own (it gets restarted) and an app migrated onto it."""
    from flask_migrate import upgrade

    with PostgresServer() as server:
        app = make_app(server.create_database("lms_outage"), smtp_server)
        with app.app_context():
            upgrade(directory="migrations")
            factories.course(factories.instructor(), title="Upper trapezius release")
            db.session.commit()
        yield server, app
        with app.app_context():
            db.engine.dispose()


def _accepts_connections(server: PostgresServer) -> bool:
    try:
        with psycopg.connect(server.dsn(), connect_timeout=1):
            return True
    except psycopg.OperationalError:
        return False


def test_database_restart_gives_503s_while_down_and_recovers_on_its_own(private_postgres):
    server, app = private_postgres
    client = app.test_client()
    assert client.get("/catalog").status_code == 200  # the pool now holds a connection

    restart = threading.Thread(target=server.restart, kwargs={"down_seconds": 2})
    restart.start()
    try:
        deadline = time.monotonic() + 10
        while _accepts_connections(server) and time.monotonic() < deadline:
            time.sleep(0.05)
        _assert_unavailable(client.get("/catalog"), DATABASE_DOWN)
    finally:
        restart.join(timeout=60)
    assert _accepts_connections(server)
    # The pooled connection died with the server: the pool replaces it, unseen.
    response = client.get("/catalog")
    assert response.status_code == 200
    assert "Upper trapezius release" in response.get_data(as_text=True)


def test_connections_the_server_closed_are_replaced_unseen(private_postgres, smtp_server):
    # No request meets the database down: the server restarts between two requests, and
    # another ends a pooled session. The pool holds dead connections that no ping tests
    # (lms.connections looks at their sockets instead): every page still answers.
    server, _ = private_postgres
    app = make_app(server.url("lms_outage"), smtp_server)

    @app.route("/outage/backend")
    def backend():
        return str(db.session.execute(text("SELECT pg_backend_pid()")).scalar_one())

    client = app.test_client()
    first = client.get("/outage/backend")
    assert first.status_code == 200
    server.restart()
    second = client.get("/outage/backend")
    assert second.status_code == 200, second.get_data(as_text=True)[:300]
    assert second.get_data(as_text=True) != first.get_data(as_text=True)

    with psycopg.connect(server.dsn("lms_outage"), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (int(second.get_data(as_text=True)),))
    third = client.get("/outage/backend")
    assert third.status_code == 200, third.get_data(as_text=True)[:300]
    with app.app_context():
        db.engine.dispose()


def test_the_socket_check_tells_a_live_connection_from_an_ended_one(private_postgres):
    server, _ = private_postgres
    with (
        psycopg.connect(server.dsn("lms_outage")) as live,
        psycopg.connect(server.dsn("lms_outage"), autocommit=True) as admin,
    ):
        assert not socket_closed(live)
        live.execute("SELECT 1").fetchall()
        live.rollback()
        assert not socket_closed(live)
        admin.execute("SELECT pg_terminate_backend(%s)", (live.info.backend_pid,))
        deadline = time.monotonic() + 5
        while not socket_closed(live) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert socket_closed(live)


def test_a_connection_lost_after_the_view_still_gives_its_page(private_postgres, smtp_server):
    # The database restarts between the page being made and the request's end, when the
    # session's transaction is closed: the page stands, the dead connection is replaced.
    server, _ = private_postgres
    app = make_app(server.url("lms_outage"), smtp_server)

    @app.route("/outage/connection-lost-after-the-view")
    def connection_lost_after_the_view():
        backend = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with psycopg.connect(server.dsn("lms_outage"), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (backend,))
        return "made before the connection was lost"

    client = app.test_client()
    response = client.get("/outage/connection-lost-after-the-view")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "made before the connection was lost"
    assert client.get("/catalog").status_code == 200


@pytest.fixture
def storage_behind_proxy(fresh_database, smtp_server, s3_endpoint) -> Iterator[dict]:
    """An S3-mode app whose storage endpoint is a cuttable proxy in front of moto."""
    port = int(s3_endpoint.rsplit(":", 1)[1])
    with TcpProxy("127.0.0.1", port) as proxy:
        settings = s3_settings(f"http://127.0.0.1:{proxy.port}", f"outage-{os.urandom(4).hex()}")
        app = make_app(fresh_database(), smtp_server, **settings)
        app.extensions["storage"].ensure_bucket()
        with app.app_context():
            teacher, course, lesson = video_course(key=None)
            db.session.commit()
            world = {"app": app, "proxy": proxy, "teacher": teacher}
            world["uploads"] = f"/courses/{course.slug}/lessons/{lesson.id}/video/uploads"
        yield world
        with app.app_context():
            db.engine.dispose()


def test_storage_outage_is_a_503_and_uploads_work_again_after_it(storage_behind_proxy):
    world = storage_behind_proxy
    client = world["app"].test_client()
    sign_in(client, world["teacher"])
    video = {"filename": "seminar.mp4", "size": 20 * 1024 * 1024, "type": "video/mp4"}
    before = client.post(world["uploads"], json=video)
    assert before.status_code == 201, before.get_json()
    status_url = before.get_json()["urls"]["status"]

    world["proxy"].cut()
    try:
        started = time.monotonic()
        _assert_unavailable(client.post(world["uploads"], json=video), STORAGE_DOWN)
        # Resuming asks storage which parts it holds: "unavailable", not "start again".
        _assert_unavailable(client.get(status_url), STORAGE_DOWN)
        assert time.monotonic() - started < 20  # retried with backoff, never a hang
    finally:
        world["proxy"].restore()

    assert client.get(status_url).status_code == 200
    after = client.post(world["uploads"], json=video)
    assert after.status_code == 201, after.get_json()
