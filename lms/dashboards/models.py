"""What the dashboards remember: reminders sent to learners."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import User
from lms.db import utcnow
from lms.extensions import db


class ReminderLog(db.Model):
    """One reminder email to a learner about a course; read to avoid sending too often."""

    __tablename__ = "reminder_logs"
    __table_args__ = (
        Index("ix_reminder_logs_course_user_sent", "course_id", "user_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="RESTRICT"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)

    sent_by: Mapped[User | None] = relationship(foreign_keys=[sent_by_id])
