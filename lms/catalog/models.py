"""Body region -> muscle group -> course -> modules -> lessons."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    literal_column,
)
from sqlalchemy import false as sql_false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from lms.auth.models import User
from lms.db import TimestampMixin, str_enum, utcnow
from lms.extensions import db


class CourseStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class LessonKind(enum.StrEnum):
    VIDEO = "video"
    READING = "reading"


muscle_referral_zones = Table(
    "muscle_referral_zones",
    db.metadata,
    Column("muscle_group_id", ForeignKey("muscle_groups.id", ondelete="CASCADE"), primary_key=True),
    Column("zone_id", ForeignKey("referral_zones.id", ondelete="CASCADE"), primary_key=True),
)

muscle_pain_syndromes = Table(
    "muscle_pain_syndromes",
    db.metadata,
    Column("muscle_group_id", ForeignKey("muscle_groups.id", ondelete="CASCADE"), primary_key=True),
    Column("syndrome_id", ForeignKey("pain_syndromes.id", ondelete="CASCADE"), primary_key=True),
)

# Course B "requires" course A: a learner enrols in B only after completing A.
course_prerequisites = Table(
    "course_prerequisites",
    db.metadata,
    Column("course_id", ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "required_course_id",
        ForeignKey("courses.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
    CheckConstraint("course_id <> required_course_id", name="not_itself"),
)

course_instructors = Table(
    "course_instructors",
    db.metadata,
    Column("course_id", ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class BodyRegion(db.Model):
    __tablename__ = "body_regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    muscle_groups: Mapped[list[MuscleGroup]] = relationship(
        back_populates="region", order_by="MuscleGroup.name"
    )


class ReferralZone(db.Model):
    """An area of the body surface where patients feel referred pain (the body map's zones)."""

    __tablename__ = "referral_zones"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    views: Mapped[str] = mapped_column(String(20), default="front")  # "front", "back", "front back"

    muscle_groups: Mapped[list[MuscleGroup]] = relationship(
        secondary=muscle_referral_zones, back_populates="referral_zones"
    )


class PainSyndrome(db.Model):
    __tablename__ = "pain_syndromes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))

    muscle_groups: Mapped[list[MuscleGroup]] = relationship(
        secondary=muscle_pain_syndromes, back_populates="pain_syndromes"
    )


class MuscleGroup(db.Model):
    __tablename__ = "muscle_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    region_id: Mapped[int] = mapped_column(ForeignKey("body_regions.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    acupoints: Mapped[list[str]] = mapped_column(JSON, default=list)
    needling_caution: Mapped[str] = mapped_column(Text, default="")

    region: Mapped[BodyRegion] = relationship(back_populates="muscle_groups")
    referral_zones: Mapped[list[ReferralZone]] = relationship(
        secondary=muscle_referral_zones,
        back_populates="muscle_groups",
        order_by="ReferralZone.label",
    )
    pain_syndromes: Mapped[list[PainSyndrome]] = relationship(
        secondary=muscle_pain_syndromes,
        back_populates="muscle_groups",
        order_by="PainSyndrome.name",
    )
    courses: Mapped[list[Course]] = relationship(back_populates="muscle_group")


class Course(TimestampMixin, db.Model):
    __tablename__ = "courses"
    __table_args__ = (
        CheckConstraint("ce_minutes >= 0", name="ce_minutes_non_negative"),
        CheckConstraint(
            "completion_threshold BETWEEN 50 AND 100", name="completion_threshold_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    # The provider's course code, printed on certificates (e.g. "TPR-101").
    code: Mapped[str | None] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    muscle_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("muscle_groups.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[CourseStatus] = mapped_column(
        str_enum(CourseStatus, "course_status"), default=CourseStatus.DRAFT
    )
    ce_minutes: Mapped[int] = mapped_column(default=0)
    # Share of a video (percent) the server must have verified as watched.
    completion_threshold: Mapped[int] = mapped_column(default=90, server_default="90")
    # Lessons unlock in order (enforced on the lesson page).
    sequential: Mapped[bool] = mapped_column(default=False, server_default=sql_false())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None]
    # Bumped in the same transaction as any change to what learners see of the course (its
    # modules, lessons, handouts, quizzes, credit): the key of lms.learning.snapshot's cache.
    content_version: Mapped[int] = mapped_column(default=1, server_default="1")

    muscle_group: Mapped[MuscleGroup | None] = relationship(back_populates="courses")
    instructors: Mapped[list[User]] = relationship(
        secondary=course_instructors, order_by="User.legal_name"
    )
    modules: Mapped[list[Module]] = relationship(
        back_populates="course",
        cascade="all, delete-orphan",
        order_by="(Module.position, Module.id)",
    )
    prerequisites: Mapped[list[Course]] = relationship(
        secondary=course_prerequisites,
        primaryjoin=lambda: Course.id == course_prerequisites.c.course_id,
        secondaryjoin=lambda: Course.id == course_prerequisites.c.required_course_id,
        order_by="Course.title",
    )

    @property
    def is_published(self) -> bool:
        return self.status == CourseStatus.PUBLISHED

    @property
    def ce_hours(self) -> float:
        return self.ce_minutes / 60


class Module(db.Model):
    __tablename__ = "modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    course: Mapped[Course] = relationship(back_populates="modules")
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="module",
        cascade="all, delete-orphan",
        order_by="(Lesson.position, Lesson.id)",
    )


class Lesson(db.Model):
    __tablename__ = "lessons"
    __table_args__ = (
        UniqueConstraint("module_id", "slug"),
        CheckConstraint("duration_seconds >= 0", name="duration_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[LessonKind] = mapped_column(
        str_enum(LessonKind, "lesson_kind"), default=LessonKind.READING
    )
    position: Mapped[int] = mapped_column(default=0)
    duration_seconds: Mapped[int] = mapped_column(default=0)
    notes_markdown: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(default=True)
    # Set by the video domain once an uploaded video is stored and verified; object keys
    # are made by the server, never taken from the browser.
    video_key: Mapped[str | None] = mapped_column(String(300))
    video_content_type: Mapped[str | None] = mapped_column(String(40))
    captions_key: Mapped[str | None] = mapped_column(String(300))

    module: Mapped[Module] = relationship(back_populates="lessons")

    @property
    def duration_minutes(self) -> int:
        return round(self.duration_seconds / 60)


# Full-text search (PostgreSQL). The catalog service matches with exactly these expressions so
# the planner can use the GIN indexes below; the constants are literal SQL, not bound
# parameters, because an expression index only matches an identical expression.
_ENGLISH = literal_column("'english'::regconfig")


def english_tsvector(*parts: ColumnElement[str]) -> ColumnElement:
    """to_tsvector('english', a || ' ' || b ...) over NOT NULL text columns."""
    text = parts[0]
    for part in parts[1:]:
        text = text.op("||")(literal_column("' '")).op("||")(part)
    return func.to_tsvector(_ENGLISH, text)


COURSE_SEARCH_VECTOR = english_tsvector(Course.title, Course.summary)
MUSCLE_SEARCH_VECTOR = english_tsvector(MuscleGroup.name)
SYNDROME_SEARCH_VECTOR = english_tsvector(PainSyndrome.name)

for _table, _vector in (
    (Course.__table__, COURSE_SEARCH_VECTOR),
    (MuscleGroup.__table__, MUSCLE_SEARCH_VECTOR),
    (PainSyndrome.__table__, SYNDROME_SEARCH_VECTOR),
):
    # The leading literal hides the table from Index(), so attach each index explicitly.
    _table.append_constraint(
        Index(f"ix_{_table.name}_search", _vector, postgresql_using="gin").ddl_if(
            dialect="postgresql"
        )
    )
