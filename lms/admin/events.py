"""The one place admin actions are recorded.

Until the audit-log module lands, actions go to the `lms.admin.actions` logger. At merge,
this function's body becomes `lms.audit.record(actor, action, target, **details)`; every
admin service already calls it, so nothing else changes.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("lms.admin.actions")


def _describe(target: Any) -> str:
    name = type(target).__name__
    ident = getattr(target, "id", None)
    return f"{name}#{ident}" if ident is not None else name


def record_admin_action(actor: Any, action: str, target: Any, **details: Any) -> None:
    """Record that an administrator did something to a user, course, enrolment or batch."""
    log.info(
        "admin action %s by user#%s on %s %s",
        action,
        getattr(actor, "id", None),
        _describe(target),
        details,
        extra={"action": action, "actor_id": getattr(actor, "id", None), "details": details},
    )
