"""Provider settings page (administrators)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from lms import permissions
from lms.errors import DomainError
from lms.extensions import db
from lms.provider import services
from lms.provider.forms import ProviderSettingsForm
from lms.storage import get_storage

bp = Blueprint("provider", __name__, template_folder="templates")


@bp.route("/", methods=["GET", "POST"])
@login_required
def settings():
    permissions.require(permissions.can_manage_provider(current_user))
    current = services.current_settings()
    form = ProviderSettingsForm(obj=current)
    if form.validate_on_submit():
        try:
            services.update_settings(
                form.details(),
                current_user,
                logo=form.upload(form.logo),
                signature=form.upload(form.signature),
            )
        except DomainError as error:
            form.form_errors.append(error.message)
        else:
            db.session.commit()
            flash("Provider settings saved. New certificates use them.", "success")
            return redirect(url_for("provider.settings"))
    storage = get_storage()
    images = {
        name: storage.download_url(key, expires_in=600, content_type="image/png")
        for name, key in (("logo", current.logo_key), ("signature", current.signature_key))
        if key
    }
    return render_template("provider/settings.html", form=form, images=images)
