"""The provider settings form."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, Optional

from lms.provider.services import ProviderDetails

_IMAGES = FileAllowed(["png", "jpg", "jpeg"], "Upload a PNG or JPEG image.")


class ProviderSettingsForm(FlaskForm):
    name = StringField("Provider name", validators=[DataRequired(), Length(max=200)])
    address = TextAreaField(
        "Address",
        validators=[DataRequired(), Length(max=500)],
        description="Printed on certificates.",
    )
    website = StringField("Website", validators=[Optional(), URL(), Length(max=200)])
    logo = FileField(
        "Logo", validators=[_IMAGES], description="PNG or JPEG, at most 2 MB; square works best."
    )
    signatory_name = StringField(
        "Authorised signatory", validators=[DataRequired(), Length(max=200)]
    )
    signatory_title = StringField("Signatory's title", validators=[Optional(), Length(max=200)])
    signature = FileField(
        "Signature image",
        validators=[_IMAGES],
        description="A scan of the signature on a white or transparent background.",
    )
    nccaom_provider_number = StringField(
        "NCCAOM provider number", validators=[Optional(), Length(max=40)]
    )
    california_cep_number = StringField(
        "California CEP provider number", validators=[Optional(), Length(max=40)]
    )
    ce_broker_provider_number = StringField(
        "CE Broker provider number",
        validators=[Optional(), Length(max=40)],
        description='As CE Broker lists it, e.g. "50-12345".',
    )

    def details(self) -> ProviderDetails:
        return ProviderDetails(
            name=self.name.data or "",
            address=self.address.data or "",
            website=self.website.data or "",
            signatory_name=self.signatory_name.data or "",
            signatory_title=self.signatory_title.data or "",
            nccaom_provider_number=self.nccaom_provider_number.data or "",
            california_cep_number=self.california_cep_number.data or "",
            ce_broker_provider_number=self.ce_broker_provider_number.data or "",
        )

    @staticmethod
    def upload(field) -> bytes | None:
        return field.data.read() if field.data and getattr(field.data, "filename", "") else None
