"""Account forms. Field-level rules live here; rules needing the database live in services."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from lms.auth.passwords import password_problem
from lms.auth.services import LicenceData

NCCAOM_ID_PATTERN = re.compile(r"^[1-9][0-9]{2,5}$")

US_STATES = [
    ("AK", "Alaska"),
    ("AL", "Alabama"),
    ("AR", "Arkansas"),
    ("AZ", "Arizona"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DC", "District of Columbia"),
    ("DE", "Delaware"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("HI", "Hawaii"),
    ("IA", "Iowa"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("MA", "Massachusetts"),
    ("MD", "Maryland"),
    ("ME", "Maine"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MO", "Missouri"),
    ("MS", "Mississippi"),
    ("MT", "Montana"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("NE", "Nebraska"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NV", "Nevada"),
    ("NY", "New York"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VA", "Virginia"),
    ("VT", "Vermont"),
    ("WA", "Washington"),
    ("WI", "Wisconsin"),
    ("WV", "West Virginia"),
    ("WY", "Wyoming"),
]
STATE_CHOICES = [("", "State…")] + US_STATES
STATE_CODES = {code for code, _ in US_STATES}


def validate_nccaom_id(form, field) -> None:
    if field.data and not NCCAOM_ID_PATTERN.match(field.data):
        raise ValidationError("An NCCAOM ID is 3 to 6 digits and does not start with 0.")


def validate_password_strength(form, field) -> None:
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class LicenceForm(Form):
    """One licence row: both fields or neither."""

    # A row the browser did not send at all counts as empty, not as a bad choice.
    state = SelectField("State", choices=STATE_CHOICES, validate_choice=False)
    number = StringField("Licence number", validators=[Length(max=40)])

    def validate_state(self, field) -> None:
        if field.data and field.data not in STATE_CODES:
            raise ValidationError("Choose a state from the list.")

    def validate_number(self, field) -> None:
        if bool(self.state.data) != bool((field.data or "").strip()):
            raise ValidationError("Give both the state and the licence number, or neither.")


class LicencesMixin:
    licences = FieldList(FormField(LicenceForm), min_entries=2, max_entries=10)

    def licence_data(self) -> list[LicenceData]:
        return [
            LicenceData(state=row.state.data, number=row.number.data.strip())
            for row in self.licences
            if row.state.data and (row.number.data or "").strip()
        ]

    def validate_licences(self, field) -> None:
        rows = self.licence_data()
        if not rows:
            raise ValidationError("Add at least one acupuncture licence.")
        states = [row.state for row in rows]
        if len(states) != len(set(states)):
            raise ValidationError("List each state only once.")


class RegistrationForm(LicencesMixin, FlaskForm):
    legal_name = StringField(
        "Legal name",
        description="Exactly as it must appear on your CE certificates.",
        validators=[DataRequired(), Length(max=200)],
    )
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(
        "Password",
        description="At least 10 characters.",
        validators=[DataRequired(), validate_password_strength, Length(max=200)],
    )
    confirm = PasswordField(
        "Repeat password",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
    )
    nccaom_id = StringField(
        "NCCAOM ID (optional)",
        description="3 to 6 digits, as on your NCCAOM record.",
        validators=[Optional(), Length(max=6), validate_nccaom_id],
    )
    submit = SubmitField("Create account")


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Remember me on this device")
    submit = SubmitField("Sign in")


class ResetRequestForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    submit = SubmitField("Email me a reset link")


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password", validators=[DataRequired(), validate_password_strength, Length(max=200)]
    )
    confirm = PasswordField(
        "Repeat new password",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
    )
    submit = SubmitField("Set new password")


class ChangePasswordForm(ResetPasswordForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    submit = SubmitField("Change password")


class ProfileForm(LicencesMixin, FlaskForm):
    legal_name = StringField(
        "Legal name",
        description="Changes are recorded; certificates already issued are corrected by reissue.",
        validators=[DataRequired(), Length(max=200)],
    )
    nccaom_id = StringField(
        "NCCAOM ID (optional)", validators=[Optional(), Length(max=6), validate_nccaom_id]
    )
    submit = SubmitField("Save profile")


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for POST buttons."""

    submit = SubmitField("Submit")
