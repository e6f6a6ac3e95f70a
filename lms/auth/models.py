"""People, their roles and licences, and the history of changes to what certificates print."""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import TimestampMixin, str_enum, utcnow
from lms.extensions import db


class Role(enum.StrEnum):
    LEARNER = "learner"
    INSTRUCTOR = "instructor"
    ADMIN = "admin"


def new_session_token() -> str:
    return secrets.token_hex(16)


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint(
            "nccaom_id IS NULL OR (length(nccaom_id) BETWEEN 3 AND 6 AND nccaom_id NOT LIKE '0%')",
            name="nccaom_id_format",
        ),
        CheckConstraint("failed_logins >= 0", name="failed_logins_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased so the unique constraint holds in any letter case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    legal_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    nccaom_id: Mapped[str | None] = mapped_column(String(6), unique=True)
    email_verified_at: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the login cookie: rotating it logs out every session of this user.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]

    role_links: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="joined"
    )
    licences: Mapped[list[Licence]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Licence.id"
    )

    @property
    def roles(self) -> set[Role]:
        return {link.role for link in self.role_links}

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def __repr__(self) -> str:
        return f"<User {self.email}>"


@dataclass(frozen=True, slots=True)
class SignedInUser:
    """The signed-in user as a read-only page sees them: the columns pages show and the
    roles, read inside the page's own query instead of loading a `User` (the lesson page:
    `snapshot.learner_state`). Not an ORM object: code given one writes by `id`."""

    id: int
    email: str
    legal_name: str
    email_verified_at: datetime | None
    active: bool
    session_token: str
    roles: frozenset[Role]

    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(
        str_enum(Role, "role"),
        primary_key=True,
    )

    user: Mapped[User] = relationship(back_populates="role_links")


class Licence(db.Model):
    """A state acupuncture licence; one per state per person."""

    __tablename__ = "licences"
    __table_args__ = (UniqueConstraint("user_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(2))
    number: Mapped[str] = mapped_column(String(40))

    user: Mapped[User] = relationship(back_populates="licences")


class ProfileChange(db.Model):
    """Who changed a printed field of a profile (legal name, licence), when, from what to what."""

    __tablename__ = "profile_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    changed_by: Mapped[User | None] = relationship(foreign_keys=[changed_by_id])
