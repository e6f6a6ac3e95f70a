"""`lms.db.HotStatement` (a hot statement handed to the driver as compiled SQL) and
`lms.connections.outside_session` (its connection, outside the ORM session)."""

from __future__ import annotations

import pytest
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    func,
    insert,
    select,
    text,
)

from lms import connections
from lms.connections import autocommit
from lms.db import HotConnection, HotStatement
from lms.enrolments import services as enrolment_services
from lms.enrolments.models import Enrolment, EnrolmentStatus
from lms.extensions import db
from tests import factories
from tests.conftest import make_app
from tests.support.statements import recorded_statements

SCRATCH = Table("scratch", MetaData(), Column("note", String))
STATEMENT = select(Enrolment.id, Enrolment.status).where(
    Enrolment.user_id == bindparam("user_id", type_=Integer),
    Enrolment.status == EnrolmentStatus.ACTIVE,  # a constant the compiled SQL binds
)


def test_a_hot_read_gives_the_rows_the_statement_gives_on_postgresql(db_session):
    learner = factories.learner()
    enrolment = enrolment_services.enrol(learner, factories.course())
    enrolment_services.enrol(factories.learner(), factories.course())
    db.session.flush()
    read = HotStatement(STATEMENT)
    connection = db.session.connection()
    with recorded_statements(db.engine) as statements:
        row = read.first(connection, {"user_id": learner.id})
        again = read.first(connection, {"user_id": learner.id})
    typed = connection.execute(STATEMENT, {"user_id": learner.id}).first()
    assert row == again and len(statements) == 2  # statement events still see it
    assert row[0] == typed[0] == enrolment.id
    assert row[1] == "active" and EnrolmentStatus(row[1]) is typed[1] is EnrolmentStatus.ACTIVE
    assert read.first(connection, {"user_id": learner.id + 1000}) is None


def test_a_hot_read_refuses_sql_finished_at_execution(db_session):
    # aggregate_strings renders its separator into the SQL on every execution.
    with pytest.raises(ValueError):
        HotStatement(select(func.aggregate_strings(Enrolment.status, ","))).first(
            db.session.connection(), {}
        )


def test_on_sqlite_a_hot_read_runs_as_usual():
    engine = create_engine("sqlite://")
    table = Table("t", MetaData(), Column("id", Integer), Column("name", String))
    table.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(table.insert(), [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}])
        read = HotStatement(
            select(table.c.name).where(table.c.id == bindparam("id", type_=Integer))
        )
        assert read.first(connection, {"id": 2}) == ("b",)


def test_the_lesson_page_reads_on_a_pooled_connection_and_gives_it_back(
    fresh_database, smtp_server
):
    app = make_app(fresh_database(), smtp_server)
    try:
        with app.app_context():
            course = factories.course()
            learner = factories.learner()
            enrolment_services.enrol(learner, course)
            db.session.commit()
            url = f"/courses/{course.slug}/lessons/{course.modules[0].lessons[0].id}"
            email = learner.email
            db.session.remove()
        client = app.test_client()
        assert (
            client.post(
                "/auth/login", data={"email": email, "password": factories.PASSWORD}
            ).status_code
            == 302
        )
        client.get(url)  # the visit is recorded, the course's snapshot read
        with app.app_context():
            with recorded_statements(db.engine) as statements:
                page = client.get(url)
            assert page.status_code == 200 and len(statements) == 1
            assert db.engine.pool.checkedout() == 0
    finally:
        with app.app_context():
            db.engine.dispose()


def test_reading_uses_the_sessions_connection_once_it_holds_one(db_session):
    held = db.session.connection()
    with connections.outside_session() as connection:
        assert connection is held


def test_a_hot_write_binds_json_and_begins_as_sqlalchemy_would(fresh_database, smtp_server):
    from sqlalchemy import JSON, insert

    app = make_app(fresh_database(), smtp_server)
    try:
        with app.app_context():
            table = Table(
                "hot_things",
                MetaData(),
                Column("id", Integer, primary_key=True),
                Column("data", JSON),
            )
            table.metadata.create_all(db.engine)
            write = HotStatement(
                insert(table)
                .values(id=bindparam("id", type_=Integer), data=bindparam("data", type_=JSON))
                .returning(table.c.id)
            )
            with db.engine.connect() as connection:
                assert write.first(connection, {"id": 1, "data": [[0.5, 2], {"a": None}]}) == (1,)
                assert connection.in_transaction()  # begun, as SQLAlchemy's autobegin
                connection.commit()
                write.first(connection, {"id": 2, "data": []})
            # Not committed: gone with the connection, as with SQLAlchemy's own execute.
            with db.engine.connect() as connection:
                rows = connection.execute(select(table.c.id, table.c.data)).all()
            assert rows == [(1, [[0.5, 2], {"a": None}])]
    finally:
        with app.app_context():
            db.engine.dispose()


def test_a_hot_statements_driver_errors_are_sqlalchemys(db_session):
    from sqlalchemy import insert
    from sqlalchemy.exc import IntegrityError, OperationalError

    learner = factories.learner()
    db.session.flush()
    duplicate = HotStatement(
        insert(Enrolment)
        .values(
            user_id=bindparam("user_id", type_=Integer),
            course_id=bindparam("course_id", type_=Integer),
            status=EnrolmentStatus.ACTIVE,
        )
        .returning(Enrolment.id)
    )
    course = factories.course()
    enrolment_services.enrol(learner, course)
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        duplicate.first(db.session.connection(), {"user_id": learner.id, "course_id": course.id})
    # A connection the server ended: the driver's error, translated, and the connection
    # invalidated so the pool does not hand it out again.
    with db.engine.connect() as connection:
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with db.engine.connect() as other:
            other.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
        with pytest.raises(OperationalError) as raised:
            HotStatement(STATEMENT).first(connection, {"user_id": learner.id})
        assert raised.value.connection_invalidated and connection.invalidated


def test_a_connection_left_waiting_on_an_answer_is_not_used_again(db_session):
    # What a server ending the session mid-statement can leave behind ("connection socket
    # closed"): the driver still waits on an answer. SQLAlchemy does not call that a
    # disconnect; the hot statement invalidates the connection all the same.
    from sqlalchemy.exc import OperationalError

    with db.engine.connect() as connection:
        connection.connection.dbapi_connection.pgconn.send_query(b"SELECT 1")  # never read
        with pytest.raises(OperationalError) as raised:
            HotStatement(STATEMENT).first(connection, {"user_id": 1})
        assert raised.value.connection_invalidated and connection.invalidated


@pytest.fixture
def one_connection_app(fresh_database, smtp_server):
    """An app whose pool holds one connection, and a scratch table."""
    app = make_app(fresh_database(), smtp_server, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1})
    with app.app_context():
        db.session.execute(text("CREATE TABLE scratch (note text)"))
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


NOTE = HotStatement(
    insert(SCRATCH).values(note=bindparam("note", type_=String)).returning(func.pg_backend_pid())
)


def test_an_autocommit_views_hot_statements_run_on_the_pools_connection_in_autocommit(
    one_connection_app,
):
    app = one_connection_app

    @autocommit
    def view():
        with connections.outside_session() as connection:
            assert isinstance(connection, HotConnection)
            (hot_backend,) = NOTE.first(connection, {"note": "hot"})
            # Any other statement runs through SQLAlchemy, on the same connection.
            backend = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
            (again,) = NOTE.first(connection, {"note": "again"})
        return f"{hot_backend == backend == again}"

    @autocommit
    def hot_only():
        with connections.outside_session() as connection:
            return str(
                isinstance(connection, HotConnection)
                and NOTE.first(connection, {"note": "solo"}) is not None
            )

    def plain():
        db.session.execute(text("SELECT 1"))
        connection = db.session.connection().connection.dbapi_connection
        return f"{connection.autocommit}:{connection.info.transaction_status.name}"

    app.add_url_rule("/t/hot", "hot", view)
    app.add_url_rule("/t/hot-only", "hot_only", hot_only)

    app.add_url_rule("/t/plain", "plain", plain)
    client = app.test_client()
    for hot, statements_run in (("/t/hot", 3), ("/t/hot-only", 1)):
        with app.app_context(), recorded_statements(db.engine) as statements:
            assert client.get(hot).text == "True"
        assert len(statements) == statements_run  # the listeners see hot statements too
        # The one pooled connection came back out of autocommit (through SQLAlchemy after
        # an `execute`, by the hot connection itself otherwise).
        assert client.get("/t/plain").text == "False:INTRANS"
    # Each statement committed itself: another connection sees every row.
    with app.app_context():
        with db.engine.connect() as other:
            notes = other.execute(text("SELECT note FROM scratch ORDER BY note")).scalars().all()
        assert notes == ["again", "hot", "solo"]
        assert db.engine.pool.checkedout() == 0


def test_a_hot_connection_lost_is_replaced_and_an_absent_server_is_sqlalchemys_error(
    one_connection_app,
):
    from sqlalchemy.exc import OperationalError

    with one_connection_app.app_context():
        engine = db.engine.execution_options(isolation_level="AUTOCOMMIT")
        with HotConnection(engine) as connection:
            (pid,) = NOTE.first(connection, {"note": "before"})
            with db.engine.connect() as other:
                other.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
                other.commit()
            with pytest.raises(OperationalError) as raised:
                NOTE.first(connection, {"note": "lost"})
            assert raised.value.connection_invalidated
        # The pool's one connection is a new one, with a cursor of its own.
        with HotConnection(engine) as connection:
            (new_pid,) = NOTE.first(connection, {"note": "after"})
        assert new_pid != pid
    nowhere = create_engine("postgresql+psycopg://postgres@127.0.0.1:9/none")
    with pytest.raises(OperationalError):
        HotConnection(nowhere.execution_options(isolation_level="AUTOCOMMIT"))
