"""Account services: they add and flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, g, session
from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.exc import IntegrityError

from lms.auth.models import (
    Licence,
    ProfileChange,
    Role,
    SignedInUser,
    User,
    UserRole,
    new_session_token,
)
from lms.auth.passwords import hash_password, needs_rehash, verify_password
from lms.auth.tokens import InvalidToken, fingerprint, make_token, read_token
from lms.db import as_utc, comma_list, utcnow
from lms.errors import DomainError
from lms.extensions import db

VERIFY_PURPOSE = "verify-email"
RESET_PURPOSE = "reset-password"
# Verifying against this keeps the time of a login for an unknown email like a known one.
_DUMMY_HASH = hash_password("not-a-real-password")


class EmailTaken(DomainError):
    def __init__(self) -> None:
        super().__init__("An account with this email already exists.")


class NccaomIdTaken(DomainError):
    def __init__(self) -> None:
        super().__init__("This NCCAOM ID is already registered to another account.")


class InvalidCredentials(DomainError):
    def __init__(self) -> None:
        super().__init__("Email or password is incorrect.")


class AccountLocked(DomainError):
    status_code = 429

    def __init__(self, until: datetime) -> None:
        minutes = max(1, int((until - utcnow()).total_seconds() // 60) + 1)
        super().__init__(
            "Too many failed sign-in attempts for this account. "
            f"Try again in {minutes} minute{'s' if minutes != 1 else ''}, or reset your password."
        )
        self.until = until


@dataclass(frozen=True)
class LicenceData:
    state: str
    number: str


def normalize_email(email: str) -> str:
    return email.strip().lower()


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def email_exists(email: str) -> bool:
    return get_user_by_email(email) is not None


def create_user(
    email: str,
    legal_name: str,
    password: str,
    roles: set[Role] | frozenset[Role] = frozenset({Role.LEARNER}),
    licences: list[LicenceData] | None = None,
    nccaom_id: str | None = None,
    verified: bool = False,
) -> User:
    """Create an account; raises EmailTaken/NccaomIdTaken, also when a concurrent request won."""
    user = User(
        email=normalize_email(email),
        legal_name=legal_name.strip(),
        password_hash=hash_password(password),
        nccaom_id=nccaom_id or None,
        email_verified_at=utcnow() if verified else None,
    )
    user.role_links = [UserRole(role=role) for role in sorted(roles)]
    user.licences = [
        Licence(state=item.state.upper(), number=item.number.strip()) for item in licences or []
    ]
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError as exc:
        if "nccaom" in str(exc.orig).lower():
            raise NccaomIdTaken() from exc
        raise EmailTaken() from exc
    return user


def set_roles(user: User, roles: set[Role]) -> None:
    """Replace a user's roles."""
    keep = [link for link in user.role_links if link.role in roles]
    missing = roles - {link.role for link in keep}
    user.role_links = keep + [UserRole(role=role) for role in sorted(missing)]
    db.session.flush()


def authenticate(email: str, password: str) -> User:
    """Return the user for these credentials, counting failures towards a temporary lock."""
    user = get_user_by_email(email)
    now = utcnow()
    if user is None:
        verify_password(_DUMMY_HASH, password)
        raise InvalidCredentials()
    if user.locked_until and user.locked_until > now:
        raise AccountLocked(user.locked_until)
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        config = current_app.config
        if user.failed_logins >= config["ACCOUNT_LOCKOUT_THRESHOLD"]:
            user.locked_until = now + timedelta(seconds=config["ACCOUNT_LOCKOUT_SECONDS"])
            user.failed_logins = 0
            db.session.flush()
            raise AccountLocked(user.locked_until)
        db.session.flush()
        raise InvalidCredentials()
    if not user.active:
        # Same message as a wrong password: a deactivated account reveals nothing.
        raise InvalidCredentials()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    db.session.flush()
    return user


def load_user_from_session(session_id: str) -> User | SignedInUser | None:
    """Resolve the "id:token" stored in the session cookie."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    preloaded = g.get("_signed_in_user")
    if preloaded is not None and preloaded.get_id() == session_id:
        return preloaded
    user = db.session.get(User, int(user_id))
    if user is None or user.session_token != token:
        return None
    return user


def session_holder(user_id: Any, session_token: Any) -> ColumnElement[bool]:
    """SQL: the users row of the session's "user:token" pair, while the account is active.

    For hot statements that check the session themselves instead of paying for a user query
    (watch reports, autosave) or that load the user with their own rows so Flask-Login finds
    them in the session (lesson page, submission; on a miss Flask-Login asks as usual).
    """
    return and_(User.id == user_id, User.active.is_(True), User.session_token == session_token)


def signed_in_user_columns() -> tuple:
    """Columns a hot query adds to read the session's user (outer-joined to `User` on
    `session_holder`): their row and roles, for `signed_in_user`."""
    roles = select(comma_list(UserRole.role)).where(UserRole.user_id == User.id)
    return (
        User.id,
        User.email,
        User.legal_name,
        User.email_verified_at,
        User.active,
        User.session_token,
        roles.scalar_subquery(),
    )


def signed_in_user(columns: Any) -> SignedInUser | None:
    """The user from `signed_in_user_columns` (None: the token is no longer theirs)."""
    *fields, roles = columns
    if fields[0] is None:
        return None
    user_id, email, legal_name, verified_at, active, token = fields
    return SignedInUser(
        user_id,
        email,
        legal_name,
        as_utc(verified_at),
        bool(active),
        token,
        frozenset(Role(name) for name in (roles or "").split(",") if name),
    )


def preload_signed_in_user(user: SignedInUser) -> None:
    """A page that read the session's user in its own query (with the same test as
    `session_holder`) hands them to Flask-Login's user load: no query of its own."""
    g._signed_in_user = user


def session_identity() -> tuple[int, str] | None:
    """The (user id, session token) the signed session names, without loading the user.

    For hot JSON endpoints that check the pair inside their own SQL statement instead of
    paying for a user query; the same rule as `load_user_from_session`.
    """
    user_id, _, token = str(session.get("_user_id") or "").partition(":")
    if not user_id.isdigit() or not token:
        return None
    return int(user_id), token


def email_verification_token(user: User) -> str:
    return make_token(VERIFY_PURPOSE, {"uid": user.id, "email": user.email})


def confirm_email(token: str) -> User:
    """Mark the address in a verification link as verified."""
    data = read_token(VERIFY_PURPOSE, token, current_app.config["EMAIL_VERIFY_MAX_AGE"])
    user = db.session.get(User, data.get("uid"))
    if user is None or user.email != data.get("email"):
        raise InvalidToken("invalid")
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        db.session.flush()
    return user


def password_reset_token(user: User) -> str:
    # The fingerprint of the current hash makes the link single-use: once the password
    # changes, the link no longer matches.
    return make_token(RESET_PURPOSE, {"uid": user.id, "fp": fingerprint(user.password_hash)})


def user_for_reset_token(token: str) -> User:
    """The user a reset link belongs to, if the link is still valid and unused."""
    data = read_token(RESET_PURPOSE, token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    user = db.session.get(User, data.get("uid"))
    if user is None:
        raise InvalidToken("invalid")
    if fingerprint(user.password_hash) != data.get("fp"):
        raise InvalidToken("used")
    return user


def reset_password(token: str, new_password: str) -> User:
    """Set a new password through a reset link; the link cannot be used again."""
    user = user_for_reset_token(token)
    change_password(user, new_password)
    # Receiving the link proves the mailbox is theirs.
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    user.locked_until = None
    user.failed_logins = 0
    db.session.flush()
    return user


def change_password(user: User, new_password: str) -> None:
    """Set a password and sign out every other session of this user."""
    user.password_hash = hash_password(new_password)
    user.session_token = new_session_token()
    db.session.flush()


def update_profile(
    user: User,
    changed_by: User,
    legal_name: str,
    nccaom_id: str | None,
    licences: list[LicenceData],
) -> list[ProfileChange]:
    """Apply profile edits; each change to a printed field is recorded with who and when."""
    changes: list[ProfileChange] = []

    def record(field: str, old: str | None, new: str | None) -> None:
        if old != new:
            changes.append(
                ProfileChange(
                    user_id=user.id,
                    changed_by_id=changed_by.id,
                    field=field,
                    old_value=old,
                    new_value=new,
                )
            )

    legal_name = legal_name.strip()
    record("legal_name", user.legal_name, legal_name)
    user.legal_name = legal_name
    nccaom_id = nccaom_id or None
    record("nccaom_id", user.nccaom_id, nccaom_id)
    user.nccaom_id = nccaom_id

    wanted = {item.state.upper(): item.number.strip() for item in licences}
    for licence in list(user.licences):
        if licence.state not in wanted:
            record(f"licence:{licence.state}", licence.number, None)
            user.licences.remove(licence)
        elif wanted[licence.state] != licence.number:
            record(f"licence:{licence.state}", licence.number, wanted[licence.state])
            licence.number = wanted[licence.state]
    existing = {licence.state for licence in user.licences}
    for state, number in wanted.items():
        if state not in existing:
            record(f"licence:{state}", None, number)
            user.licences.append(Licence(state=state, number=number))

    db.session.add_all(changes)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise NccaomIdTaken() from exc
    return changes


def profile_history(user: User) -> list[ProfileChange]:
    return list(
        db.session.scalars(
            select(ProfileChange)
            .where(ProfileChange.user_id == user.id)
            .order_by(ProfileChange.changed_at.desc(), ProfileChange.id.desc())
        )
    )
