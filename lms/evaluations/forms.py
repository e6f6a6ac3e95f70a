"""The evaluation form: four Likert questions and comments."""

from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length

from lms.evaluations.models import QUESTIONS, SCALE

_CHOICES = [(score, f"{score} – {label}") for score, label in SCALE.items()]
_REQUIRED = "Choose an answer from 1 (strongly disagree) to 5 (strongly agree)."


class EvaluationForm(FlaskForm):
    objectives_met = RadioField(
        QUESTIONS["objectives_met"],
        choices=_CHOICES,
        coerce=int,
        validators=[InputRequired(_REQUIRED)],
    )  # noqa: E501
    instructor_knowledge = RadioField(
        QUESTIONS["instructor_knowledge"],
        choices=_CHOICES,
        coerce=int,
        validators=[InputRequired(_REQUIRED)],
    )  # noqa: E501
    teaching_methods = RadioField(
        QUESTIONS["teaching_methods"],
        choices=_CHOICES,
        coerce=int,
        validators=[InputRequired(_REQUIRED)],
    )  # noqa: E501
    usefulness = RadioField(
        QUESTIONS["usefulness"], choices=_CHOICES, coerce=int, validators=[InputRequired(_REQUIRED)]
    )  # noqa: E501
    comments = TextAreaField(
        "Comments (optional)",
        validators=[Length(max=4000)],
        description="What worked, what to improve, what you would like to learn next.",
    )

    def ratings(self) -> dict[str, int]:
        return {name: getattr(self, name).data for name in QUESTIONS}
