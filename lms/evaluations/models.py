"""One evaluation per enrolment: four Likert ratings (1-5) and comments."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import utcnow
from lms.extensions import db

if TYPE_CHECKING:
    from lms.enrolments.models import Enrolment

# The questions California requires (objectives, instructor, methods, usefulness).
QUESTIONS: dict[str, str] = {
    "objectives_met": "The course met its stated learning objectives.",
    "instructor_knowledge": "The instructor was knowledgeable about the subject.",
    "teaching_methods": "The teaching methods were effective.",
    "usefulness": "The content is useful in my clinical practice.",
}
SCALE: dict[int, str] = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neutral",
    4: "Agree",
    5: "Strongly agree",
}


class Evaluation(db.Model):
    __tablename__ = "evaluations"
    __table_args__ = (
        *(CheckConstraint(f"{name} BETWEEN 1 AND 5", name=f"{name}_scale") for name in QUESTIONS),
        # Instructors read a course's evaluations; completion asks per learner and course.
        Index("ix_evaluations_course_user", "course_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="RESTRICT"), unique=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="RESTRICT"))
    objectives_met: Mapped[int]
    instructor_knowledge: Mapped[int]
    teaching_methods: Mapped[int]
    usefulness: Mapped[int]
    comments: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)

    enrolment: Mapped[Enrolment] = relationship()
