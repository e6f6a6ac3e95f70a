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
    select,
)

from lms import connections
from lms.db import HotStatement
from lms.enrolments import services as enrolment_services
from lms.enrolments.models import Enrolment, EnrolmentStatus
from lms.extensions import db
from tests import factories
from tests.conftest import make_app
from tests.support.statements import recorded_statements

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
