"""Queries for the admin area."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from lms.auth.models import User


def search_users(query: str | None):
    """Users matching a name or email fragment, newest first, as a paginated select."""
    statement = select(User).order_by(User.created_at.desc(), User.id.desc())
    if query:
        pattern = f"%{query.strip().lower()}%"
        statement = statement.where(
            or_(func.lower(User.legal_name).like(pattern), User.email.like(pattern))
        )
    return statement
