"""Forms: CE settings of a course, revoking and reissuing certificates."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lms.certificates.credit import CreditSettings
from lms.certificates.models import (
    CaliforniaCategory,
    DeliveryFormat,
    FloridaSubject,
    IssuanceMode,
    NccaomCategory,
    RevocationReason,
)


def _choices(enum_class) -> list[tuple[str, str]]:
    return [(member.value, getattr(member, "label", member.value)) for member in enum_class]


class CreditSettingsForm(FlaskForm):
    ce_minutes = IntegerField(
        "Contact minutes",
        validators=[InputRequired(), NumberRange(min=0, max=6000)],
        description="Minutes of instruction, excluding time on the final assessment.",
    )
    delivery_format = SelectField("Format", choices=_choices(DeliveryFormat))
    nccaom_enabled = BooleanField("Claim NCCAOM PDA points")
    nccaom_course_number = StringField(
        "NCCAOM course number", validators=[Optional(), Length(max=40)]
    )
    nccaom_category = SelectField("NCCAOM category", choices=_choices(NccaomCategory))
    california_enabled = BooleanField("Claim California CE hours")
    california_course_number = StringField(
        "California course number", validators=[Optional(), Length(max=40)]
    )  # noqa: E501
    california_category = SelectField("California category", choices=_choices(CaliforniaCategory))
    florida_enabled = BooleanField("Claim Florida CE hours (CE Broker)")
    florida_course_number = StringField(
        "CE Broker course number", validators=[Optional(), Length(max=40)],
        description='As CE Broker lists it, e.g. "20-123456".',
    )  # fmt: skip
    florida_subject = SelectField("Florida subject area", choices=_choices(FloridaSubject))
    attestation_required = BooleanField("Learners must accept a participant attestation to enrol")
    attestation_text = TextAreaField("Attestation text", validators=[Length(max=2000)])
    evaluation_required = BooleanField(
        "Learners submit the course evaluation before the certificate",
        description="California requires an evaluation in every course.",
    )
    issuance = RadioField(
        "Certificates",
        choices=[
            (IssuanceMode.AUTOMATIC.value, "Issued automatically on completion"),
            (IssuanceMode.ADMIN.value, "Queued for an administrator to issue"),
        ],
        validators=[InputRequired()],
    )

    def settings(self) -> CreditSettings:
        return CreditSettings(
            ce_minutes=self.ce_minutes.data,
            delivery_format=DeliveryFormat(self.delivery_format.data),
            nccaom_enabled=self.nccaom_enabled.data,
            nccaom_course_number=self.nccaom_course_number.data or "",
            nccaom_category=NccaomCategory(self.nccaom_category.data),
            california_enabled=self.california_enabled.data,
            california_course_number=self.california_course_number.data or "",
            california_category=CaliforniaCategory(self.california_category.data),
            florida_enabled=self.florida_enabled.data,
            florida_course_number=self.florida_course_number.data or "",
            florida_subject=FloridaSubject(self.florida_subject.data),
            attestation_required=self.attestation_required.data,
            attestation_text=self.attestation_text.data or "",
            evaluation_required=self.evaluation_required.data,
            issuance=IssuanceMode(self.issuance.data),
        )


class RevokeForm(FlaskForm):
    reason = SelectField(
        "Reason",
        choices=[("", "Choose a reason"), *_choices(RevocationReason)],
        validators=[DataRequired("Choose the reason for revoking.")],
    )
    note = TextAreaField(
        "Details",
        validators=[DataRequired("Explain why the certificate is revoked."), Length(max=2000)],
        description="Kept in the audit log; the learner receives it by email.",
    )


class ReissueForm(FlaskForm):
    reason = TextAreaField(
        "Reason for reissuing",
        validators=[
            DataRequired("Give the reason for reissuing (e.g. legal name corrected)."),
            Length(max=2000),
        ],
        description="The new certificate uses the learner's current profile (name, licences).",
    )
