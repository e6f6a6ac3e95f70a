"""Declarative base with a constraint naming convention, and small shared mixins and helpers."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from psycopg import pq
from sqlalchemy import (
    JSON,
    BindParameter,
    Connection,
    DateTime,
    Engine,
    Enum,
    MetaData,
    String,
    bindparam,
    func,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored with its zone and always handed back as aware UTC.

    SQLite drops the zone on the way in; this puts it back so code never compares naive
    and aware datetimes.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return as_utc(value)


def as_utc(value: datetime | None) -> datetime | None:
    """A timestamp read from the database as aware UTC (SQLite's come back naive)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def utc_from_json(value: str | None) -> datetime | None:
    """A timestamp that came inside JSON from the database (see `json_rows`)."""
    return None if value is None else as_utc(datetime.fromisoformat(value))


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


def str_enum(cls: type[enum.Enum], name: str) -> Enum:
    """A Python Enum stored as its values in a VARCHAR with a CHECK constraint.

    Non-native enums keep migrations simple on PostgreSQL and work the same on SQLite.
    """
    return Enum(
        cls,
        native_enum=False,
        create_constraint=True,
        name=name,
        length=20,
        values_callable=lambda members: [member.value for member in members],
    )


def inline_ids(ids: Iterable[int]) -> BindParameter:
    """Ids for `column.in_(...)`, written into the SQL text rather than bound one by one.

    For a test made on every row of a big aggregate: PostgreSQL then compares against a
    constant array (hashed when long), while a bound parameter per id makes a prepared
    statement's generic plan build that array again for every row. Integers only.
    """
    return bindparam(
        None, sorted({int(item) for item in ids}), expanding=True, literal_execute=True
    )


class json_rows(FunctionElement):  # noqa: N801 (an SQL function's name)
    """Aggregate: every row's values as one JSON array of arrays (no rows: NULL on
    PostgreSQL, an empty array on SQLite).

    For a query that brings a handful of child rows with its one parent row, so a page
    reads both in one round trip. Timestamps arrive as ISO strings (`utc_from_json`).
    """

    type = JSON()
    inherit_cache = True
    name = "json_rows"


@compiles(json_rows, "postgresql")
def _json_rows_postgresql(element, compiler, **kw) -> str:
    return f"json_agg(json_build_array({compiler.process(element.clauses, **kw)}))"


@compiles(json_rows, "sqlite")
def _json_rows_sqlite(element, compiler, **kw) -> str:
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"


class comma_list(FunctionElement):  # noqa: N801 (an SQL function's name)
    """Aggregate: the values as one comma-separated string (no rows: NULL).

    As `func.aggregate_strings(value, ",")`, whose separator is rendered into the SQL on
    every execution; this one is plain SQL, so a hot statement is compiled once.
    """

    type = String()
    inherit_cache = True
    name = "comma_list"


@compiles(comma_list, "postgresql")
def _comma_list_postgresql(element, compiler, **kw) -> str:
    return f"string_agg(CAST({compiler.process(element.clauses, **kw)} AS VARCHAR), ',')"


@compiles(comma_list, "sqlite")
def _comma_list_sqlite(element, compiler, **kw) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)}, ',')"


class HotStatement:
    """A statement on a hot path (a read, or a write that returns one row), compiled once
    per database. On PostgreSQL each execution hands the SQL and the values straight to the
    driver's cursor, past SQLAlchemy's statement cache lookup, execution context and result
    building (about a tenth of a watch report's or a lesson page's CPU):

    - values still go through the dialect's bind processors (JSON, say);
    - `before_cursor_execute` and `after_cursor_execute` listeners still see the statement
      (query counts, tests' recorders);
    - it runs in the connection's transaction as SQLAlchemy's would (begun if none is);
    - a driver error is raised as SQLAlchemy's (`DBAPIError.instance`: IntegrityError,
      OperationalError ...), and a connection it finds lost is invalidated, so the pool
      replaces it.

    Rows come as the driver returns them (tuples): enums as their values, JSON parsed,
    timestamps aware. Elsewhere (SQLite, `make run`) the statement runs as usual and rows
    are typed, so a caller converts values that differ (an enum's value or member, say).
    """

    def __init__(self, statement: Any) -> None:
        self._statement = statement
        self._compiled: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {}

    def _for(self, dialect: Any) -> tuple[str, dict[str, Any], dict[str, Any]]:
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self._statement.compile(dialect=dialect)
            if (
                compiled.positional
                or compiled.post_compile_params
                or compiled.literal_execute_params
            ):
                raise ValueError("HotStatement needs named parameters rendered in the SQL")
            processors = {
                name: processor
                for name, bind in compiled.binds.items()
                # The dialect's own type (psycopg's JSON wraps values for the driver).
                if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect))
                is not None
            }
            defaults = {
                name: processors[name](value) if name in processors else value
                for name, value in compiled.params.items()
            }
            found = self._compiled[dialect.name] = (str(compiled), defaults, processors)
        return found

    def first(self, connection: AnyConnection, params: dict[str, Any]) -> Any:
        dialect = connection.dialect
        if dialect.name != "postgresql":
            return connection.execute(self._statement, params).first()
        sql, defaults, processors = self._for(dialect)
        values = dict(defaults)
        for name, value in params.items():
            processor = processors.get(name)
            values[name] = processor(value) if processor is not None else value
        if isinstance(connection, HotConnection):
            return connection.first_row(sql, values)
        if not connection.in_transaction():
            connection.begin()  # as SQLAlchemy's autobegin (a no-op under AUTOCOMMIT)
        return _first_row(
            connection.connection,
            dialect,
            connection.dispatch,
            connection,
            connection.invalidate,
            sql,
            values,
        )


def _first_row(
    pooled: Any,
    dialect: Any,
    events: Any,
    target: Any,
    invalidate: Any,
    sql: str,
    values: dict[str, Any],
) -> Any:
    """Run `sql` on the pooled connection's driver cursor, with the statement events around
    it and the driver's errors raised as SQLAlchemy's (`invalidate` is told of a lost
    connection)."""
    dbapi_connection = pooled.dbapi_connection
    cursor = _cursor(pooled, dbapi_connection)
    try:
        events.before_cursor_execute(target, cursor, sql, values, None, False)
        cursor.execute(sql, values)
        row = cursor.fetchone()
        events.after_cursor_execute(target, cursor, sql, values, None, False)
    except dialect.loaded_dbapi.Error as error:
        lost = dialect.is_disconnect(error, dbapi_connection, cursor) or _unusable(dbapi_connection)
        if lost:
            invalidate(error)
        raise _sqlalchemy_error(error, dialect, sql, values, lost=lost) from error
    return row


def _unusable(dbapi_connection: Any) -> bool:
    """After a driver error: whether the connection can take no further command. A server
    that ends the session while the statement is on its way can leave psycopg's connection
    open but waiting on an answer that will never come ("connection socket closed"), which
    SQLAlchemy does not count as a disconnect."""
    pgconn = dbapi_connection.pgconn
    return bool(
        dbapi_connection.closed
        or pgconn.status != pq.ConnStatus.OK
        or pgconn.transaction_status in (pq.TransactionStatus.ACTIVE, pq.TransactionStatus.UNKNOWN)
    )


def _sqlalchemy_error(
    error: Exception, dialect: Any, sql: str | None, values: Any, *, lost: bool
) -> DBAPIError:
    """The driver's error as SQLAlchemy raises it (IntegrityError, OperationalError ...)."""
    return DBAPIError.instance(
        sql, values, error, dialect.loaded_dbapi.Error, connection_invalidated=lost, dialect=dialect
    )


_CURSOR = "lms.hot_cursor"


def _cursor(pooled: Any, dbapi_connection: Any) -> Any:
    """The driver cursor hot statements reuse on this connection: a new one costs about as
    much as binding a statement's values. The pool gives a connection to one thread at a
    time, and each execution starts the cursor afresh; a replaced connection gets its own."""
    cursor = pooled.info.get(_CURSOR)
    if cursor is None or cursor.closed or cursor.connection is not dbapi_connection:
        cursor = pooled.info[_CURSOR] = dbapi_connection.cursor()
    return cursor


class HotConnection:
    """A pooled connection of a PostgreSQL engine, in autocommit, for hot statements outside
    any transaction (`lms.connections.outside_session`). It is the pool's connection and
    the driver's, no more: a SQLAlchemy `Connection` would cost a tenth of a watch report's
    CPU for its checkout and return alone (the object, its joined event dispatch, the
    isolation level set and reset through the engine's listeners).

    - `HotStatement.first` runs on the driver's connection; each statement commits itself.
      Listeners on the engine's `before_cursor_execute` and `after_cursor_execute` see it,
      with this object in the place of the connection.
    - Any other statement (`execute`) runs through a SQLAlchemy `Connection` opened on the
      same pooled connection at its first use, so it goes back to the pool as usual.
    - `close` gives the connection back to the pool out of autocommit (or discards it, if
      it can no longer be switched back).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = dialect = engine.dialect
        try:
            self._pooled = engine.raw_connection()
        except dialect.loaded_dbapi.Error as error:  # no server: as SQLAlchemy would say it
            raise _sqlalchemy_error(error, dialect, None, None, lost=False) from error
        self._general: Connection | None = None
        try:
            self._pooled.dbapi_connection.autocommit = True
        except dialect.loaded_dbapi.Error as error:  # lost since the pool checked it
            self._pooled.invalidate(error)
            self._pooled.close()
            raise _sqlalchemy_error(error, dialect, None, None, lost=True) from error
        except BaseException:
            self._pooled.close()
            raise

    def first_row(self, sql: str, values: dict[str, Any]) -> Any:
        pooled = self._pooled
        return _first_row(
            pooled,
            self.dialect,
            self.engine.dispatch,
            self,
            pooled.invalidate,
            sql,
            values,
        )

    def execute(self, statement: Any, parameters: Any = None) -> Any:
        if self._general is None:
            # The engine is the autocommit one (`lms.connections.bind_for`): SQLAlchemy
            # sees the connection in autocommit, and switches it back when it returns.
            self._general = Connection(self.engine, connection=self._pooled)
        return self._general.execute(statement, parameters)

    def close(self) -> None:
        if self._general is not None:
            self._general.close()
            return
        pooled = self._pooled
        if pooled.is_valid:
            try:
                pooled.dbapi_connection.autocommit = False
            except self.dialect.loaded_dbapi.Error as error:
                pooled.invalidate(error)  # lost meanwhile: the pool replaces it
        pooled.close()

    def __enter__(self) -> HotConnection:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


# What hot statements run on: a SQLAlchemy connection, or the pool's own in autocommit.
AnyConnection = Connection | HotConnection
