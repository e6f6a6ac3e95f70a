"""Admin services: finding users, changing roles, deactivating and reactivating accounts."""

from __future__ import annotations

from sqlalchemy import Select, exists, func, or_, select

from lms.admin.events import record_admin_action
from lms.auth import services as auth_services
from lms.auth.models import Licence, Role, User, UserRole, new_session_token
from lms.errors import DomainError
from lms.extensions import db
from lms.textsearch import ESCAPE, contains_pattern

USER_STATUSES = ("active", "deactivated")


class LastAdmin(DomainError):
    status_code = 409

    def __init__(self, user: User, doing: str) -> None:
        super().__init__(
            f"Cannot {doing} {user.legal_name}: they are the last active administrator. "
            "Make another account an administrator first."
        )


def search_users(query: str | None, role: str | None = None, status: str | None = None) -> Select:
    """Users matching a name, email or licence number fragment, a role and a status."""
    statement = select(User).order_by(User.created_at.desc(), User.id.desc())
    if query:
        pattern = contains_pattern(query.strip())
        statement = statement.where(
            or_(
                func.lower(User.legal_name).like(pattern, escape=ESCAPE),
                User.email.like(pattern, escape=ESCAPE),
                exists().where(
                    Licence.user_id == User.id,
                    func.lower(Licence.number).like(pattern, escape=ESCAPE),
                ),
            )
        )
    if role in {item.value for item in Role}:
        statement = statement.where(
            exists().where(UserRole.user_id == User.id, UserRole.role == Role(role))
        )
    if status in USER_STATUSES:
        statement = statement.where(User.active.is_(status == "active"))
    return statement


def _other_active_admins(user: User) -> int:
    """Active administrators other than `user`, their rows locked until commit.

    The lock makes two admins demoting each other at the same moment take turns, so the
    second sees the first one's change and is refused.
    """
    ids = db.session.scalars(
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.ADMIN, User.active.is_(True))
        .with_for_update(of=User)
    ).all()
    return len([ident for ident in ids if ident != user.id])


def _is_active_admin(user: User) -> bool:
    return user.active and Role.ADMIN in user.roles


def change_roles(actor: User, user: User, roles: set[Role]) -> None:
    """Replace a user's roles; the last active administrator keeps the admin role."""
    if not roles:
        raise DomainError("Choose at least one role.")
    before = user.roles
    if Role.ADMIN not in roles and _is_active_admin(user) and not _other_active_admins(user):
        raise LastAdmin(user, "remove the administrator role from")
    auth_services.set_roles(user, roles)
    if before != roles:
        record_admin_action(
            actor,
            "user.roles_changed",
            user,
            before=sorted(r.value for r in before),
            after=sorted(r.value for r in roles),
        )


def deactivate(actor: User, user: User) -> None:
    """Stop an account signing in; every record it has stays."""
    if not user.active:
        return
    if _is_active_admin(user) and not _other_active_admins(user):
        raise LastAdmin(user, "deactivate")
    user.active = False
    # Signs the account out everywhere: the session cookie carries this token.
    user.session_token = new_session_token()
    db.session.flush()
    record_admin_action(actor, "user.deactivated", user)


def reactivate(actor: User, user: User) -> None:
    """Let a deactivated account sign in again."""
    if user.active:
        return
    user.active = True
    db.session.flush()
    record_admin_action(actor, "user.reactivated", user)
