"""The one place admin actions are recorded: the audit log admins read and filter."""

from __future__ import annotations

from typing import Any

from lms.audit import services as audit


def record_admin_action(actor: Any, action: str, target: Any, **details: Any) -> None:
    """Record that an administrator did something to a user, course, enrolment or batch."""
    audit.record(actor, f"admin.{action}", target, **details)
