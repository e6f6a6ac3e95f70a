"""Lesson videos: uploads in progress, handouts, and the evidence of watched time."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import User
from lms.catalog.models import Lesson
from lms.db import TimestampMixin, str_enum, utcnow
from lms.extensions import db


class UploadStatus(enum.StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    ABORTED = "aborted"
    FAILED = "failed"


class VideoUpload(TimestampMixin, db.Model):
    """One multipart upload of a lesson video, from initiation to verification.

    The row outlives a page reload, so the editor can resume; `flask lms cleanup-uploads`
    aborts the ones left pending. A completed upload that a newer video replaced keeps its
    object until the cleanup removes it (`superseded_at`).
    """

    __tablename__ = "video_uploads"
    __table_args__ = (
        CheckConstraint("size > 0", name="size_positive"),
        CheckConstraint("part_size > 0", name="part_size_positive"),
        Index("ix_video_uploads_status_created_at", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    upload_id: Mapped[str] = mapped_column(String(1024))
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(40))
    part_size: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[UploadStatus] = mapped_column(
        str_enum(UploadStatus, "upload_status"), default=UploadStatus.PENDING
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    finished_at: Mapped[datetime | None]
    superseded_at: Mapped[datetime | None]
    object_deleted_at: Mapped[datetime | None]
    duration_seconds: Mapped[float | None]
    failure_reason: Mapped[str | None] = mapped_column(Text)

    lesson: Mapped[Lesson] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def parts_total(self) -> int:
        return max(1, -(-self.size // self.part_size))


class Handout(TimestampMixin, db.Model):
    """A PDF learners download from a lesson page."""

    __tablename__ = "handouts"
    __table_args__ = (CheckConstraint("size > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    filename: Mapped[str] = mapped_column(String(200))
    size: Mapped[int]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class WatchCoverage(db.Model):
    """A learner's merged, credited coverage of one lesson video.

    `intervals` is a sorted list of disjoint [start, end] media seconds. The row is the lock
    that serialises a learner's reports for the lesson (several tabs share one budget).
    """

    __tablename__ = "watch_coverage"
    __table_args__ = (
        UniqueConstraint("user_id", "lesson_id"),
        CheckConstraint("verified_seconds >= 0", name="verified_non_negative"),
        CheckConstraint("reports_accepted >= 0", name="reports_accepted_non_negative"),
        Index("ix_watch_coverage_lesson_id", "lesson_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="RESTRICT"))
    intervals: Mapped[list[list[float]]] = mapped_column(JSON, default=list)
    verified_seconds: Mapped[float] = mapped_column(default=0)
    last_report_at: Mapped[datetime | None]
    reports_accepted: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class WatchReport(db.Model):
    """Append-only evidence: every well-formed report as received, and what it earned.

    Never updated or deleted (a trigger refuses it on PostgreSQL): boards may ask for the
    time-on-task evidence behind a certificate years later.
    """

    __tablename__ = "watch_reports"
    __table_args__ = (
        # A replayed report (same page session and sequence number) is stored once.
        UniqueConstraint("user_id", "lesson_id", "session", "client_seq"),
        CheckConstraint("credited_seconds >= 0", name="credited_non_negative"),
        CheckConstraint("client_seq >= 0", name="client_seq_non_negative"),
        # Evidence belongs to the learner's coverage row of the lesson (which belongs to the
        # user and the lesson). A report locks that row already, so checking this key costs
        # it no lock on the users' and lessons' rows, which every report shares. The unique
        # index above serves it (it begins with the same two columns).
        ForeignKeyConstraint(
            ["user_id", "lesson_id"],
            ["watch_coverage.user_id", "watch_coverage.lesson_id"],
            ondelete="RESTRICT",
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    user_id: Mapped[int]
    lesson_id: Mapped[int]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    session: Mapped[str] = mapped_column(String(64))
    client_seq: Mapped[int] = mapped_column(BigInteger)
    intervals: Mapped[list[list[float]]] = mapped_column(JSON)
    position_seconds: Mapped[float]
    credited_seconds: Mapped[float]
    rejected_reason: Mapped[str | None] = mapped_column(String(200))
