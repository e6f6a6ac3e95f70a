"""Write to the audit log, and read it back filtered. Generic: any domain records here."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select

from lms.audit.models import AuditEvent
from lms.auth.models import User
from lms.extensions import db


def _target_of(target: Any) -> tuple[str | None, str | None]:
    if target is None:
        return None, None
    if isinstance(target, tuple):
        kind, ident = target
        return str(kind), str(ident)
    kind = getattr(target, "__tablename__", type(target).__name__)
    return kind, str(getattr(target, "id", target))


def record(actor: User | None, action: str, target: Any = None, **details: Any) -> AuditEvent:
    """Append one event: who (None: the system), what, to which record, with details."""
    target_type, target_id = _target_of(target)
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        actor_label=actor.email if actor is not None else "system",
        action=action,
        target_type=target_type,
        target_id=target_id,
        # Round-trip through JSON so dates and enums are stored as the log will show them.
        details=json.loads(json.dumps(details, default=str)),
    )
    db.session.add(event)
    db.session.flush()
    return event


def search(
    action: str | None = None,
    actor: str | None = None,
    start: date | None = None,
    end: date | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
) -> Select:
    """Events matching the filters, newest first (dates inclusive, UTC)."""
    statement = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if action:
        statement = statement.where(AuditEvent.action == action)
    if actor:
        statement = statement.where(func.lower(AuditEvent.actor_label).contains(actor.lower()))
    if start:
        statement = statement.where(AuditEvent.at >= datetime.combine(start, time.min, UTC))
    if end:
        upper = datetime.combine(end + timedelta(days=1), time.min, UTC)
        statement = statement.where(AuditEvent.at < upper)
    if target_type:
        statement = statement.where(AuditEvent.target_type == target_type)
    if target_id:
        statement = statement.where(AuditEvent.target_id == target_id)
    return statement


def actions() -> list[str]:
    return list(
        db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    )
