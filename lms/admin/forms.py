"""Admin forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import EmailField, HiddenField, SelectField, SelectMultipleField, SubmitField
from wtforms.validators import DataRequired, Email, Length
from wtforms.widgets import CheckboxInput, ListWidget

from lms.auth.models import Role


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RolesForm(FlaskForm):
    roles = MultiCheckboxField(
        "Roles",
        choices=[(role.value, role.value.capitalize()) for role in Role],
        validators=[DataRequired("Choose at least one role.")],
    )
    submit = SubmitField("Save roles")


class EnrolForm(FlaskForm):
    email = EmailField("Learner's email", validators=[DataRequired(), Email(), Length(max=254)])
    course = SelectField("Course", validators=[DataRequired()])
    submit = SubmitField("Enrol")


class BulkUploadForm(FlaskForm):
    file = FileField(
        "CSV file",
        description="Columns email, name, course (the course's slug or code). UTF-8 preferred.",
        validators=[
            FileRequired("Choose a CSV file."),
            FileAllowed(["csv", "txt"], "A .csv file, please."),
        ],
    )
    submit = SubmitField("Preview")


class BulkConfirmForm(FlaskForm):
    sha256 = HiddenField(validators=[DataRequired(), Length(min=64, max=64)])
    submit = SubmitField("Enrol everyone listed")
