"""CE credit settings per course, and certificates as issued."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    event,
    inspect,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import str_enum, utcnow
from lms.extensions import db

if TYPE_CHECKING:  # related by name: importing these packages here would load their views
    from lms.auth.models import User
    from lms.catalog.models import Course
    from lms.enrolments.models import Enrolment


class Board(enum.StrEnum):
    NCCAOM = "nccaom"
    CALIFORNIA = "california"
    FLORIDA = "florida"


class NccaomCategory(enum.StrEnum):
    CORE_COMPETENCY = "Core Competency"
    SAFETY_AND_ETHICS = "Safety and Ethics"
    BIOMEDICINE = "Biomedicine"
    PROFESSIONAL_DEVELOPMENT = "Prof. Development"


class CaliforniaCategory(enum.StrEnum):
    CATEGORY_1 = "Category 1"
    CATEGORY_2 = "Category 2"


class FloridaSubject(enum.StrEnum):
    GENERAL = "General"
    BIOMEDICAL = "Biomedical"
    LAWS_AND_RULES = "Laws and Rules"
    MEDICAL_ERRORS = "Medical Errors"


class DeliveryFormat(enum.StrEnum):
    HOME_STUDY = "online"
    LIVE = "live"

    @property
    def label(self) -> str:
        return "Online / home study" if self is DeliveryFormat.HOME_STUDY else "Live"


class IssuanceMode(enum.StrEnum):
    AUTOMATIC = "automatic"
    ADMIN = "admin"


class CertificateStatus(enum.StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


class RevocationReason(enum.StrEnum):
    ISSUED_IN_ERROR = "issued_in_error"
    REQUIREMENTS_NOT_MET = "requirements_not_met"
    MISCONDUCT = "misconduct"
    LEARNER_REQUEST = "learner_request"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "issued_in_error": "Issued in error",
            "requirements_not_met": "Course requirements not met",
            "misconduct": "Academic misconduct",
            "learner_request": "At the learner's request",
            "other": "Other",
        }[self.value]


DEFAULT_ATTESTATION = (
    "I attest that I will personally complete every lesson and assessment of this course, "
    "and that I will practise the hands-on (psychomotor) techniques only within my scope of "
    "practice and after supervised training where my board requires it."
)


class CourseCredit(db.Model):
    """A course's CE data: approval numbers, categories, format, evaluation, issuance."""

    __tablename__ = "course_credits"

    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True
    )
    delivery_format: Mapped[DeliveryFormat] = mapped_column(
        str_enum(DeliveryFormat, "delivery_format"), default=DeliveryFormat.HOME_STUDY
    )
    nccaom_enabled: Mapped[bool] = mapped_column(default=False)
    nccaom_course_number: Mapped[str] = mapped_column(String(40), default="")
    nccaom_category: Mapped[NccaomCategory] = mapped_column(
        str_enum(NccaomCategory, "nccaom_category"), default=NccaomCategory.CORE_COMPETENCY
    )
    california_enabled: Mapped[bool] = mapped_column(default=False)
    california_course_number: Mapped[str] = mapped_column(String(40), default="")
    california_category: Mapped[CaliforniaCategory] = mapped_column(
        str_enum(CaliforniaCategory, "california_category"),
        default=CaliforniaCategory.CATEGORY_1,
    )
    florida_enabled: Mapped[bool] = mapped_column(default=False)
    florida_course_number: Mapped[str] = mapped_column(String(40), default="")
    florida_subject: Mapped[FloridaSubject] = mapped_column(
        str_enum(FloridaSubject, "florida_subject"), default=FloridaSubject.GENERAL
    )
    attestation_required: Mapped[bool] = mapped_column(default=False)
    attestation_text: Mapped[str] = mapped_column(Text, default=DEFAULT_ATTESTATION)
    # California requires an evaluation in every course, hence on by default.
    evaluation_required: Mapped[bool] = mapped_column(default=True)
    issuance: Mapped[IssuanceMode] = mapped_column(
        str_enum(IssuanceMode, "issuance_mode"), default=IssuanceMode.AUTOMATIC
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    course: Mapped[Course] = relationship()


class Certificate(db.Model):
    """A certificate as issued: its snapshot is exactly what the PDF prints, forever."""

    __tablename__ = "certificates"
    __table_args__ = (
        # At most one valid certificate per enrolment, whatever the race.
        Index(
            "uq_certificates_enrolment_valid",
            "enrolment_id",
            unique=True,
            postgresql_where=text("status = 'valid'"),
            sqlite_where=text("status = 'valid'"),
        ),
        CheckConstraint(
            "status != 'revoked' OR (revoked_at IS NOT NULL AND revocation_reason IS NOT NULL)",
            name="revocation_recorded",
        ),
        Index("ix_certificates_user", "user_id"),
        Index("ix_certificates_course_completed", "course_id", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="RESTRICT"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="RESTRICT"))
    status: Mapped[CertificateStatus] = mapped_column(
        str_enum(CertificateStatus, "certificate_status"), default=CertificateStatus.VALID
    )
    completed_at: Mapped[datetime]
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    pdf_key: Mapped[str] = mapped_column(String(300))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificates.id", ondelete="RESTRICT"), unique=True
    )
    reissue_reason: Mapped[str | None] = mapped_column(Text)
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revocation_reason: Mapped[RevocationReason | None] = mapped_column(
        str_enum(RevocationReason, "revocation_reason")
    )
    revocation_note: Mapped[str | None] = mapped_column(Text)
    superseded_at: Mapped[datetime | None]

    enrolment: Mapped[Enrolment] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    course: Mapped[Course] = relationship()
    replaces: Mapped[Certificate | None] = relationship(
        remote_side=[id], foreign_keys=[replaces_id], back_populates="replaced_by"
    )
    replaced_by: Mapped[Certificate | None] = relationship(
        foreign_keys=[replaces_id], back_populates="replaces"
    )

    @property
    def is_valid(self) -> bool:
        return self.status == CertificateStatus.VALID


IMMUTABLE_FIELDS = (
    "number",
    "snapshot",
    "pdf_key",
    "pdf_sha256",
    "enrolment_id",
    "user_id",
    "course_id",
    "issued_at",
)


class CertificateIsImmutable(RuntimeError):
    pass


@event.listens_for(Certificate, "before_update")
def _keep_issued_content(mapper, connection, target: Certificate) -> None:
    state = inspect(target)
    changed = [name for name in IMMUTABLE_FIELDS if state.attrs[name].history.has_changes()]
    if changed:
        raise CertificateIsImmutable(f"an issued certificate cannot change: {changed}")


@event.listens_for(Certificate, "before_delete")
def _never_delete(mapper, connection, target: Certificate) -> None:
    raise CertificateIsImmutable("certificates are kept; revoke instead of deleting")
