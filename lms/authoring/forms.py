"""Authoring forms: course details, module, lesson, enrol a learner, move buttons."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from lms.authoring.outline import LessonData
from lms.authoring.services import CourseData
from lms.catalog.models import Course, LessonKind, MuscleGroup

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def _optional_int(value: object) -> int | None:
    return int(value) if value not in (None, "", "None") else None


class CourseForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        "Web address",
        validators=[
            Optional(),
            Length(max=80),
            Regexp(SLUG_PATTERN, message="Use lower-case letters, digits and single hyphens."),
        ],
        description="The last part of the course's address, e.g. “upper-trapezius”. "
        "Left empty, it is made from the title.",
    )
    muscle_group_id = SelectField("Muscle group", coerce=_optional_int, validators=[Optional()])
    summary = TextAreaField(
        "Summary",
        validators=[Length(max=2000)],
        description="Two or three sentences shown in the catalog and on the course page.",
        render_kw={"rows": 4},
    )
    ce_minutes = IntegerField(
        "CE minutes",
        validators=[InputRequired(), NumberRange(min=0, max=6000)],
        description="Minutes of instruction; each board's credit is derived from them.",
    )
    sequential = BooleanField(
        "Lessons unlock in order",
        description="Learners must finish each lesson before the next one opens.",
    )
    prerequisite_ids = SelectMultipleField(
        "Prerequisites",
        coerce=int,
        validators=[Optional()],
        description="Courses a learner must complete before enrolling in this one. "
        "Hold Ctrl (⌘ on a Mac) to choose several.",
        render_kw={"size": 6},
    )
    submit = SubmitField("Save course")

    def set_choices(self, muscles: list[MuscleGroup], courses: list[Course], course=None) -> None:
        self.muscle_group_id.choices = [("", "— None —")] + [
            (m.id, f"{m.name} ({m.region.name})") for m in muscles
        ]
        self.prerequisite_ids.choices = [
            (c.id, c.title) for c in courses if course is None or c.id != course.id
        ]

    def data_for_service(self) -> CourseData:
        return CourseData(
            title=self.title.data.strip(),
            slug=(self.slug.data or "").strip(),
            summary=self.summary.data or "",
            muscle_group_id=self.muscle_group_id.data,
            ce_minutes=self.ce_minutes.data,
            sequential=bool(self.sequential.data),
            prerequisite_ids=list(self.prerequisite_ids.data or []),
        )


class ModuleForm(FlaskForm):
    title = StringField("Module title", validators=[DataRequired(), Length(max=200)])
    submit = SubmitField("Save module")


class LessonForm(FlaskForm):
    title = StringField("Lesson title", validators=[DataRequired(), Length(max=200)])
    kind = SelectField(
        "Kind",
        choices=[(LessonKind.VIDEO.value, "Video"), (LessonKind.READING.value, "Reading")],
        validators=[AnyOf([kind.value for kind in LessonKind])],
    )
    duration_minutes = IntegerField(
        "Duration (minutes)", validators=[InputRequired(), NumberRange(min=0, max=600)]
    )
    notes_markdown = TextAreaField(
        "Notes",
        validators=[Length(max=50_000)],
        description="Markdown: **bold**, *italic*, lists, tables, [links](https://…). "
        "Scripts, images and embedded frames are removed.",
        render_kw={"rows": 14},
    )
    required = BooleanField("Required for completion", default=True)
    preview = SubmitField("Preview notes")
    submit = SubmitField("Save lesson")

    def data_for_service(self) -> LessonData:
        return LessonData(
            title=self.title.data.strip(),
            kind=LessonKind(self.kind.data),
            duration_minutes=self.duration_minutes.data,
            notes_markdown=self.notes_markdown.data or "",
            required=bool(self.required.data),
        )


class EnrolLearnerForm(FlaskForm):
    email = EmailField("Learner's email", validators=[DataRequired(), Email(), Length(max=254)])
    submit = SubmitField("Enrol learner")


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[AnyOf(["up", "down"])])

    @property
    def offset(self) -> int:
        return -1 if self.direction.data == "up" else 1
