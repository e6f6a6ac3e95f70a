"""Question banks, quizzes, and learners' attempts at them.

Invariants that must hold under concurrency live in the database: one attempt number per
learner and quiz, attempt numbers never above the limit stored on the row, and at most one
attempt in progress per learner and quiz.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import User
from lms.catalog.models import Course, Lesson, Module
from lms.db import TimestampMixin, str_enum, utcnow
from lms.extensions import db


class QuestionKind(enum.StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"
    HOTSPOT = "hotspot"

    @property
    def label(self) -> str:
        return {
            "single": "Single choice",
            "multiple": "Multiple select",
            "true_false": "True / false",
            "hotspot": "Image hotspot",
        }[self.value]


class QuizKind(enum.StrEnum):
    LESSON = "lesson"  # a knowledge check attached to a lesson
    MODULE = "module"  # a module's final assessment
    COURSE = "course"  # the course's final assessment (NCCAOM: at least 10 questions)

    @property
    def label(self) -> str:
        return {
            "lesson": "Lesson check",
            "module": "Module assessment",
            "course": "Final assessment",
        }[self.value]


class QuizStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class FeedbackPolicy(enum.StrEnum):
    AFTER_ATTEMPT = "after_attempt"
    AFTER_PASSING = "after_passing"
    NEVER = "never"

    @property
    def label(self) -> str:
        return {
            "after_attempt": "After each attempt",
            "after_passing": "After passing",
            "never": "Never (score only)",
        }[self.value]


class AttemptStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    GRADED = "graded"
    VOID = "void"  # reset by an instructor: kept for the record, no longer counted

    @property
    def label(self) -> str:
        return {"in_progress": "In progress", "graded": "Graded", "void": "Void (reset)"}[
            self.value
        ]


class QuestionBank(TimestampMixin, db.Model):
    __tablename__ = "question_banks"
    __table_args__ = (UniqueConstraint("course_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))

    course: Mapped[Course] = relationship()
    questions: Mapped[list[Question]] = relationship(
        back_populates="bank", order_by="(Question.position, Question.id)"
    )


class Question(TimestampMixin, db.Model):
    """One question. Hotspot targets are in image-relative coordinates (0..1).

    `region` is {"shape": "circle", "cx", "cy", "r"} (r as a fraction of the image width,
    so the circle stays round on any aspect ratio) or {"shape": "polygon", "points": [[x, y],
    ...]}. It never leaves the server before an attempt is submitted.
    """

    __tablename__ = "questions"
    __table_args__ = (
        CheckConstraint("kind <> 'hotspot' OR region IS NOT NULL", name="hotspot_has_region"),
        CheckConstraint("(image_key IS NULL) = (image_width IS NULL)", name="image_has_dimensions"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(
        ForeignKey("question_banks.id", ondelete="CASCADE"), index=True
    )
    module_id: Mapped[int | None] = mapped_column(
        ForeignKey("modules.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind, "question_kind"))
    prompt: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str] = mapped_column(Text, default="")
    partial_credit: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    archived: Mapped[bool] = mapped_column(default=False, server_default=false())
    region: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    image_key: Mapped[str | None] = mapped_column(String(300))
    image_width: Mapped[int | None]
    image_height: Mapped[int | None]
    image_alt: Mapped[str] = mapped_column(String(300), default="")

    bank: Mapped[QuestionBank] = relationship(back_populates="questions")
    module: Mapped[Module | None] = relationship()
    choices: Mapped[list[Choice]] = relationship(
        back_populates="question",
        cascade="all, delete-orphan",
        order_by="(Choice.position, Choice.id)",
    )

    @property
    def is_ready(self) -> bool:
        """A hotspot question needs its image before learners can see it."""
        return self.kind != QuestionKind.HOTSPOT or self.image_key is not None

    @property
    def aspect(self) -> float:
        """Image height / width (1 when unknown): turns circle radii into round circles."""
        if self.image_width and self.image_height:
            return self.image_height / self.image_width
        return 1.0


class Choice(db.Model):
    __tablename__ = "choices"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(String(500))
    is_correct: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    question: Mapped[Question] = relationship(back_populates="choices")


class Quiz(TimestampMixin, db.Model):
    __tablename__ = "quizzes"
    __table_args__ = (
        CheckConstraint("pass_mark BETWEEN 1 AND 100", name="pass_mark_range"),
        CheckConstraint("max_attempts IS NULL OR max_attempts >= 1", name="max_attempts_positive"),
        CheckConstraint(
            "time_limit_minutes IS NULL OR time_limit_minutes >= 1", name="time_limit_positive"
        ),
        CheckConstraint("draw_count IS NULL OR draw_count >= 1", name="draw_count_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_banks.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[QuizKind] = mapped_column(str_enum(QuizKind, "quiz_kind"))
    # A lesson check needs its lesson and a module assessment its module (checked when
    # publishing); deleting the lesson or module keeps the quiz and its attempts.
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lessons.id", ondelete="SET NULL"))
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id", ondelete="SET NULL"))
    # None: every ready question of the bank (or of the tag); N: N drawn per attempt.
    draw_count: Mapped[int | None]
    draw_module_id: Mapped[int | None] = mapped_column(
        ForeignKey("modules.id", ondelete="SET NULL")
    )
    shuffle_questions: Mapped[bool] = mapped_column(default=True)
    shuffle_choices: Mapped[bool] = mapped_column(default=True)
    pass_mark: Mapped[int] = mapped_column(default=70, server_default="70")
    max_attempts: Mapped[int | None]
    time_limit_minutes: Mapped[int | None]
    feedback_policy: Mapped[FeedbackPolicy] = mapped_column(
        str_enum(FeedbackPolicy, "feedback_policy"), default=FeedbackPolicy.AFTER_ATTEMPT
    )
    required: Mapped[bool] = mapped_column(default=True)
    status: Mapped[QuizStatus] = mapped_column(
        str_enum(QuizStatus, "quiz_status"), default=QuizStatus.DRAFT
    )
    published_at: Mapped[datetime | None]

    course: Mapped[Course] = relationship()
    bank: Mapped[QuestionBank] = relationship()
    lesson: Mapped[Lesson | None] = relationship()
    module: Mapped[Module | None] = relationship(foreign_keys=[module_id])
    draw_module: Mapped[Module | None] = relationship(foreign_keys=[draw_module_id])

    @property
    def is_published(self) -> bool:
        return self.status == QuizStatus.PUBLISHED


class AttemptReset(db.Model):
    """An instructor voided a learner's attempts at a quiz: who, when and why."""

    __tablename__ = "quiz_attempt_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="RESTRICT"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    reset_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts_voided: Mapped[int] = mapped_column(default=0)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    reset_by: Mapped[User | None] = relationship(foreign_keys=[reset_by_id])


class QuizAttempt(db.Model):
    """A learner's attempt: its questions and their order are fixed when it starts.

    `number` counts every attempt ever made (void ones too); `number_limit` is the highest
    number this learner may reach (max attempts + attempts voided by resets), so the CHECK
    refuses an attempt past the limit even when two requests race past the service's check.
    """

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("user_id", "quiz_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("number_limit IS NULL OR number <= number_limit", name="within_limit"),
        CheckConstraint("deadline IS NULL OR deadline > started_at", name="deadline_after_start"),
        CheckConstraint(
            "score_percent IS NULL OR score_percent BETWEEN 0 AND 100", name="score_range"
        ),
        # One attempt in progress per learner and quiz, whatever the number of tabs.
        Index(
            "uq_quiz_attempts_one_in_progress",
            "user_id",
            "quiz_id",
            unique=True,
            postgresql_where=text("status = 'in_progress'"),
            sqlite_where=text("status = 'in_progress'"),
        ),
        Index("ix_quiz_attempts_quiz_status", "quiz_id", "status"),
        # Who passed which quiz, for every learner of a course at once (the completion
        # engine's set-based path), read from the index alone.
        Index(
            "ix_quiz_attempts_passes",
            "quiz_id",
            "status",
            "user_id",
            postgresql_where=text("passed IS true"),
            sqlite_where=text("passed IS 1"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="RESTRICT"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    number: Mapped[int]
    number_limit: Mapped[int | None]
    status: Mapped[AttemptStatus] = mapped_column(
        str_enum(AttemptStatus, "attempt_status"), default=AttemptStatus.IN_PROGRESS
    )
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    last_saved_at: Mapped[datetime | None]
    question_ids: Mapped[list[int]] = mapped_column(JSON)
    # {question id (as a string, JSON keys are strings): [choice ids in display order]}
    choice_order: Mapped[dict[str, list[int]]] = mapped_column(JSON, default=dict)
    pass_mark: Mapped[int]
    points: Mapped[float | None] = mapped_column(Float)
    max_points: Mapped[int | None]
    score_percent: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None]
    reset_id: Mapped[int | None] = mapped_column(
        ForeignKey("quiz_attempt_resets.id", ondelete="SET NULL")
    )

    quiz: Mapped[Quiz] = relationship()
    user: Mapped[User] = relationship()
    answers: Mapped[list[AttemptAnswer]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.status == AttemptStatus.IN_PROGRESS


answer_choices = Table(
    "attempt_answer_choices",
    db.metadata,
    Column("answer_id", ForeignKey("attempt_answers.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "choice_id", ForeignKey("choices.id", ondelete="RESTRICT"), primary_key=True, index=True
    ),
)


class AttemptAnswer(db.Model):
    """The learner's answer to one question of an attempt; scored when the attempt is graded."""

    __tablename__ = "attempt_answers"
    __table_args__ = (
        UniqueConstraint("attempt_id", "question_id"),
        CheckConstraint("click_x IS NULL OR click_x BETWEEN 0 AND 1", name="click_x_in_image"),
        CheckConstraint("click_y IS NULL OR click_y BETWEEN 0 AND 1", name="click_y_in_image"),
        CheckConstraint("score IS NULL OR score BETWEEN 0 AND 1", name="score_range"),
        Index("ix_attempt_answers_question", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="RESTRICT"))
    click_x: Mapped[float | None] = mapped_column(Float)
    click_y: Mapped[float | None] = mapped_column(Float)
    saved_at: Mapped[datetime | None]
    score: Mapped[float | None] = mapped_column(Float)

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
    choices: Mapped[list[Choice]] = relationship(secondary=answer_choices)
