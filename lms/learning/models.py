"""Evidence of a learner's work on a lesson."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.catalog.models import Lesson
from lms.db import utcnow
from lms.extensions import db


class LessonProgress(db.Model):
    """One row per learner and lesson: visits, resume position, completion.

    `verified_seconds` is written only by the video domain from watch reports the server
    could verify; `completed_at` is set by the completion engine, never by the browser.
    """

    __tablename__ = "lesson_progress"
    __table_args__ = (
        UniqueConstraint("user_id", "lesson_id"),
        CheckConstraint("position_seconds >= 0", name="position_non_negative"),
        CheckConstraint("verified_seconds >= 0", name="verified_non_negative"),
        # Dashboards read a course's progress learner by learner.
        Index("ix_lesson_progress_course_user", "course_id", "user_id"),
        # "Active in the last 7 days": a range scan per course.
        Index("ix_lesson_progress_course_last_seen", "course_id", "last_seen_at", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    lesson_id: Mapped[int] = mapped_column(
        ForeignKey("lessons.id", ondelete="RESTRICT"), index=True
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="RESTRICT"))
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    position_seconds: Mapped[float] = mapped_column(default=0)
    verified_seconds: Mapped[float] = mapped_column(default=0)
    marked_complete_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]

    lesson: Mapped[Lesson] = relationship()
