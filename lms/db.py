"""Declarative base with a constraint naming convention, and small shared mixins and helpers."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import BindParameter, DateTime, Enum, MetaData, bindparam, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry
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
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


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
