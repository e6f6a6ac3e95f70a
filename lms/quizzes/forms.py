"""Authoring and reset forms. Rules that need the database live in the services."""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    FloatField,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from lms.quizzes.authoring import QuestionData, QuizData, true_false_choices
from lms.quizzes.grading import RegionError, clean_region
from lms.quizzes.models import FeedbackPolicy, Question, QuestionKind, Quiz, QuizKind


def _optional_int(value: Any) -> int | None:
    if value in (None, "", "None"):
        return None
    return int(value)


class BankForm(FlaskForm):
    title = StringField("Bank title", validators=[DataRequired(), Length(max=200)])


class ChoiceRow(Form):
    text = StringField("Choice", validators=[Length(max=500)])
    correct = BooleanField("Correct")


class QuestionForm(FlaskForm):
    prompt = TextAreaField("Question", validators=[DataRequired(), Length(max=4000)])
    module = SelectField("Module (tag)", coerce=_optional_int, validate_choice=False)
    choices = FieldList(FormField(ChoiceRow), min_entries=5, max_entries=8)
    partial_credit = BooleanField(
        "Partial credit",
        description="Score = (correct picked − wrong picked) ÷ number of correct choices, "
        "never below 0.",
    )
    answer = RadioField(
        "The statement is", choices=[("true", "True"), ("false", "False")], validate_choice=False
    )
    shape = RadioField(
        "Target shape",
        choices=[("circle", "Circle"), ("polygon", "Polygon")],
        default="circle",
        validate_choice=False,
    )
    cx = FloatField("Centre x (0–1)", validators=[Optional(), NumberRange(0, 1)])
    cy = FloatField("Centre y (0–1)", validators=[Optional(), NumberRange(0, 1)])
    r = FloatField("Radius (share of image width)", validators=[Optional(), NumberRange(0.001, 1)])
    points = TextAreaField(
        "Polygon points",
        description="One point per line as x, y (each from 0 to 1), at least 3 points.",
        validators=[Optional(), Length(max=4000)],
    )
    image_alt = StringField("Image description (for screen readers)", validators=[Length(max=300)])
    explanation = TextAreaField(
        "Explanation (feedback)",
        description="Shown with the correct answer, when the quiz's feedback policy allows.",
        validators=[Length(max=4000)],
    )

    def __init__(self, kind: QuestionKind, modules: list[tuple[int, str]], **kwargs):
        super().__init__(**kwargs)
        self.kind = kind
        self.module.choices = [("", "— none —")] + [(str(i), t) for i, t in modules]

    def region(self) -> dict[str, Any] | None:
        if self.shape.data == "polygon":
            points = []
            for line in re.split(r"[\n;]+", self.points.data or ""):
                if line.strip():
                    parts = [p for p in re.split(r"[,\s]+", line.strip()) if p]
                    try:
                        points.append([float(p) for p in parts])
                    except ValueError:
                        return {"shape": "polygon", "points": "unreadable"}
            return {"shape": "polygon", "points": points}
        return {"shape": "circle", "cx": self.cx.data, "cy": self.cy.data, "r": self.r.data}

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.kind == QuestionKind.HOTSPOT:
            try:
                clean_region(self.region())
            except RegionError as error:
                self.shape.errors = [*self.shape.errors, str(error)]
                ok = False
        if self.kind == QuestionKind.TRUE_FALSE and self.answer.data not in ("true", "false"):
            self.answer.errors = [*self.answer.errors, "Say whether the statement is true."]
            ok = False
        return ok

    def data_for_service(self) -> QuestionData:
        if self.kind == QuestionKind.TRUE_FALSE:
            choices = true_false_choices(self.answer.data == "true")
        elif self.kind == QuestionKind.HOTSPOT:
            choices = []
        else:
            choices = [
                (row.form.text.data.strip(), bool(row.form.correct.data))
                for row in self.choices
                if (row.form.text.data or "").strip()
            ]
        return QuestionData(
            kind=self.kind,
            prompt=self.prompt.data or "",
            explanation=self.explanation.data or "",
            module_id=self.module.data,
            partial_credit=bool(self.partial_credit.data),
            choices=choices,
            region=clean_region(self.region()) if self.kind == QuestionKind.HOTSPOT else None,
            image_alt=self.image_alt.data or "",
        )

    def fill_from(self, question: Question) -> None:
        self.prompt.data = question.prompt
        self.explanation.data = question.explanation
        self.module.data = question.module_id
        self.partial_credit.data = question.partial_credit
        self.image_alt.data = question.image_alt
        for index, choice in enumerate(question.choices[: len(self.choices)]):
            self.choices[index].form.text.data = choice.text
            self.choices[index].form.correct.data = choice.is_correct
        if question.kind == QuestionKind.TRUE_FALSE and question.choices:
            self.answer.data = "true" if question.choices[0].is_correct else "false"
        region = question.region or {}
        if region.get("shape") == "circle":
            self.shape.data = "circle"
            self.cx.data, self.cy.data, self.r.data = region["cx"], region["cy"], region["r"]
        elif region.get("shape") == "polygon":
            self.shape.data = "polygon"
            self.points.data = "\n".join(f"{x:.4f}, {y:.4f}" for x, y in region["points"])


class ImageForm(FlaskForm):
    image = FileField(
        "Anatomy image",
        description="PNG, JPEG or WebP, at most 5 MB.",
        validators=[FileRequired("Choose an image file.")],
    )


class ImportForm(FlaskForm):
    file = FileField(
        "CSV or JSON file",
        description="The format of the export. Nothing is imported if any row has a problem.",
        validators=[FileRequired("Choose a file to import.")],
    )


def _positive_or_none(form, field) -> None:
    if field.data is not None and field.data < 1:
        raise ValidationError("Leave empty, or give a number of at least 1.")


class QuizForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    kind = SelectField(
        "Kind", choices=[(k.value, k.label) for k in QuizKind], validators=[DataRequired()]
    )
    lesson = SelectField("Lesson (for a lesson check)", coerce=_optional_int, validate_choice=False)
    module = SelectField(
        "Module (for a module assessment)", coerce=_optional_int, validate_choice=False
    )
    bank = SelectField("Question bank", coerce=_optional_int, validate_choice=False)
    draw_count = IntegerField(
        "Questions per attempt",
        description="Leave empty to use every question; a number draws that many at random.",
        validators=[Optional(), _positive_or_none],
    )
    draw_module = SelectField(
        "Draw only questions tagged with", coerce=_optional_int, validate_choice=False
    )
    shuffle_questions = BooleanField("Shuffle the questions for each attempt", default=True)
    shuffle_choices = BooleanField("Shuffle the choices for each attempt", default=True)
    pass_mark = IntegerField(
        "Pass mark (%)", default=70, validators=[DataRequired(), NumberRange(1, 100)]
    )
    max_attempts = IntegerField(
        "Maximum attempts",
        description="Leave empty for unlimited attempts.",
        validators=[Optional(), _positive_or_none],
    )
    time_limit_minutes = IntegerField(
        "Time limit (minutes)",
        description="Leave empty for no time limit.",
        validators=[Optional(), _positive_or_none],
    )
    feedback_policy = SelectField(
        "Show correct answers and explanations",
        choices=[(p.value, p.label) for p in FeedbackPolicy],
    )
    required = BooleanField("Required: counts toward course completion", default=True)

    def __init__(self, lessons, modules, banks, **kwargs):
        super().__init__(**kwargs)
        self.lesson.choices = [("", "—")] + [(str(i), t) for i, t in lessons]
        self.module.choices = [("", "—")] + [(str(i), t) for i, t in modules]
        self.draw_module.choices = [("", "— any module —")] + [(str(i), t) for i, t in modules]
        self.bank.choices = [(str(i), t) for i, t in banks]

    def data_for_service(self) -> QuizData:
        return QuizData(
            title=self.title.data or "",
            kind=QuizKind(self.kind.data),
            bank_id=self.bank.data or 0,
            lesson_id=self.lesson.data,
            module_id=self.module.data,
            draw_count=self.draw_count.data,
            draw_module_id=self.draw_module.data,
            shuffle_questions=bool(self.shuffle_questions.data),
            shuffle_choices=bool(self.shuffle_choices.data),
            pass_mark=self.pass_mark.data,
            max_attempts=self.max_attempts.data,
            time_limit_minutes=self.time_limit_minutes.data,
            feedback_policy=FeedbackPolicy(self.feedback_policy.data),
            required=bool(self.required.data),
        )

    def fill_from(self, quiz: Quiz) -> None:
        self.title.data = quiz.title
        self.kind.data = quiz.kind.value
        self.lesson.data = quiz.lesson_id
        self.module.data = quiz.module_id
        self.bank.data = quiz.bank_id
        self.draw_count.data = quiz.draw_count
        self.draw_module.data = quiz.draw_module_id
        self.shuffle_questions.data = quiz.shuffle_questions
        self.shuffle_choices.data = quiz.shuffle_choices
        self.pass_mark.data = quiz.pass_mark
        self.max_attempts.data = quiz.max_attempts
        self.time_limit_minutes.data = quiz.time_limit_minutes
        self.feedback_policy.data = quiz.feedback_policy.value
        self.required.data = quiz.required


class ResetForm(FlaskForm):
    reason = TextAreaField(
        "Reason for the reset",
        description="Kept with the learner's record (who, when, why).",
        validators=[DataRequired(), Length(min=5, max=1000)],
    )
