"""Database connections: a liveness check that costs no round trip, and autocommit reads.

Two costs every request used to pay before its first query:

- `pool_pre_ping` sends a statement to the server each time a connection leaves the pool.
  A PostgreSQL server that restarts or ends a session closes the socket (after a FATAL
  message), so a pooled connection whose socket has become readable while idle is dead;
  `check_on_checkout` looks at the socket instead (no round trip) and makes the pool replace
  such a connection, unseen. A connection lost without the socket being closed (a cable cut)
  fails on its first statement instead; SQLAlchemy then invalidates the whole pool and the
  request answers 503 (lms.errors), as it would have while pinging.
- A transaction (BEGIN ... ROLLBACK, two round trips) around pages that only read, or write
  one statement. Views marked `@autocommit` run their statements one at a time instead,
  each in its own implicit transaction. Only for views that need no atomicity across
  statements: several writes, or a read that must agree with a write, need a transaction.
"""

from __future__ import annotations

import select as io_select
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

from flask import g, has_request_context
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import Pool

from lms.db import AnyConnection, HotConnection

_AUTOCOMMIT_FLAG = "_lms_autocommit"


def socket_closed(dbapi_connection: Any) -> bool:
    """Whether an idle psycopg connection's server has gone (False for other drivers)."""
    pgconn = getattr(dbapi_connection, "pgconn", None)
    if pgconn is None:
        return False
    if dbapi_connection.closed or pgconn.status != 0:  # 0: CONNECTION_OK
        return True
    try:
        readable, _, _ = io_select.select([pgconn.socket], [], [], 0)
    except (OSError, ValueError):
        return True
    # Nothing is asked of an idle connection, so anything to read is the server's goodbye
    # (an error, then end of file). We LISTEN to nothing, so it cannot be a notification.
    return bool(readable)


@event.listens_for(Pool, "checkout")
def check_on_checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    if socket_closed(dbapi_connection):
        # The pool discards this connection and checks out another (a new one if need be).
        raise DisconnectionError("the database server closed this connection")


def autocommit(view: Callable | None = None, *, only_on: tuple[str, ...] = ()) -> Callable:
    """Run this view's statements without a surrounding transaction (see the module doc).

    Put it above `login_required`, so the user's query runs the same way. `only_on` names
    the databases (dialects) on which the view is safe so; elsewhere it keeps its
    transaction.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from lms.extensions import db

            # Only before the request's first statement: a session never holds two
            # connections.
            if not db.session().in_transaction() and (
                not only_on or db.engine.dialect.name in only_on
            ):
                setattr(g, _AUTOCOMMIT_FLAG, True)
            return view(*args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate


def commit() -> None:
    """Commit the request's work: nothing to do when each statement committed itself."""
    from lms.extensions import db

    if not _autocommits(db.session.get_bind()):
        db.session.commit()


def leave_autocommit() -> None:
    """From here on, this request's statements run in a transaction again (for writes that
    must land together). Ends the session's work so far (each statement of it is already
    committed) and gives its autocommit connection back to the pool."""
    if has_request_context() and g.pop(_AUTOCOMMIT_FLAG, None):
        from lms.extensions import db

        db.session.commit()


def bind_for(engine: Engine) -> Engine:
    """The engine a session should use now: an autocommit view of it inside `@autocommit`."""
    if not (has_request_context() and g.get(_AUTOCOMMIT_FLAG)):
        return engine
    found = engine.__dict__.get("_lms_autocommit")
    if found is None:
        # Same pool and connections: each connection is switched to autocommit when it is
        # checked out for this engine and switched back when it is returned.
        found = engine.__dict__["_lms_autocommit"] = engine.execution_options(
            isolation_level="AUTOCOMMIT"
        )
    return found


def _autocommits(bind: Engine | Connection) -> bool:
    """Whether each statement on `bind` commits itself (the engine `bind_for` gives inside
    `@autocommit`)."""
    return bind.get_execution_options().get("isolation_level") == "AUTOCOMMIT"


@contextmanager
def outside_session() -> Iterator[AnyConnection]:
    """A connection for a hot path's statements outside the ORM session (the lesson page's
    read, a watch report's write): they pay for neither the session's transaction
    bookkeeping nor its close. Within `@autocommit` on PostgreSQL it is a `HotConnection`
    (each statement commits itself); elsewhere a SQLAlchemy connection in the engine's
    mode. It goes back to the pool at the end of the block, so open it only before the
    session's first statement. Once the session holds a connection (or is bound to one, as
    in the tests), that one: a request never holds two connections."""
    from lms.extensions import db

    session = db.session()
    bind = session.get_bind()
    if isinstance(bind, Connection) or session.in_transaction():
        yield session.connection()
        return
    if bind.dialect.name == "postgresql" and _autocommits(bind):
        with HotConnection(bind) as connection:
            yield connection
        return
    with bind.connect() as connection:
        yield connection


class Session(FlaskSession):
    """Flask-SQLAlchemy's session, on the autocommit engine inside `@autocommit` views."""

    def get_bind(self, *args: Any, **kwargs: Any) -> Any:
        bind = super().get_bind(*args, **kwargs)
        return bind_for(bind) if isinstance(bind, Engine) else bind
