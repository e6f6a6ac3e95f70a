"""Count the SQL statements a request runs (the test harness's savepoints left out)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

HARNESS = ("SAVEPOINT", "RELEASE", "ROLLBACK")


@contextmanager
def recorded_statements(engine: Engine, skip: tuple[str, ...] = HARNESS) -> Iterator[list[str]]:
    """Yield a list that fills with the statements run on `engine` inside the block, but
    those starting with one of `skip` (the rollback harness's own)."""
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        if not statement.lstrip().upper().startswith(skip):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
