"""Account pages."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from lms.auth import bp, services
from lms.auth.forms import (
    ChangePasswordForm,
    EmptyForm,
    LoginForm,
    ProfileForm,
    RegistrationForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from lms.auth.passwords import verify_password
from lms.auth.tokens import InvalidToken
from lms.errors import DomainError
from lms.extensions import db, limiter
from lms.mail import send_email
from lms.rendering import form_page, safe_next_url

TOKEN_PROBLEMS = {
    "expired": "This link has expired. Request a new one below.",
    "used": "This link has already been used. Request a new one if you still need it.",
    "invalid": "This link is not valid. Check that you copied the whole address.",
}


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _send_verification(user) -> None:
    link = url_for(
        "auth.verify_email", token=services.email_verification_token(user), _external=True
    )
    send_email(user.email, "Confirm your email address", "verify_email", user=user, link=link)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                email=form.email.data,
                legal_name=form.legal_name.data,
                password=form.password.data,
                licences=form.licence_data(),
                nccaom_id=form.nccaom_id.data or None,
            )
        except services.EmailTaken as error:
            form.email.errors.append(error.message)
        except services.NccaomIdTaken as error:
            form.nccaom_id.errors.append(error.message)
        else:
            db.session.commit()
            _send_verification(user)
            return redirect(url_for("auth.check_email", email=user.email))
    return form_page("auth/register.html", form)


@bp.route("/check-email")
def check_email():
    return render_template("auth/check_email.html", email=request.args.get("email", ""))


@bp.route("/verify/<token>")
def verify_email(token: str):
    try:
        user = services.confirm_email(token)
    except InvalidToken as error:
        return render_template(
            "auth/link_problem.html",
            message=TOKEN_PROBLEMS[error.reason],
            retry_endpoint="auth.resend_verification",
        ), 400
    db.session.commit()
    flash("Your email address is confirmed.", "success")
    if current_user.is_authenticated and current_user.id == user.id:
        return redirect(url_for("main.index"))
    return redirect(url_for("auth.login", email=user.email))


@bp.route("/verify/resend", methods=["GET", "POST"])
@login_required
@limiter.limit("5 per hour", methods=["POST"])
def resend_verification():
    form = EmptyForm()
    if current_user.email_verified:
        flash("Your email address is already confirmed.", "info")
        return redirect(url_for("main.index"))
    if form.validate_on_submit():
        _send_verification(current_user)
        flash(f"We sent a new confirmation link to {current_user.email}.", "success")
        return redirect(url_for("main.index"))
    return render_template("auth/resend_verification.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next_url(request.args.get("next")) or url_for("main.index"))
    form = LoginForm(email=request.args.get("email"))
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except DomainError as error:
            # Failed attempts are counted in the database, so keep that write.
            db.session.commit()
            form.form_errors.append(error.message)
            status = error.status_code if error.status_code == 429 else 422
        else:
            login_user(user, remember=form.remember.data)
            db.session.commit()
            flash(f"Welcome back, {user.legal_name}.", "success")
            return redirect(safe_next_url(request.args.get("next")) or url_for("main.index"))
    elif form.errors:
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        logout_user()
        flash("You are signed out.", "info")
    return redirect(url_for("main.index"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"])
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = services.get_user_by_email(form.email.data)
        if user is not None and user.active:
            link = url_for(
                "auth.reset_password", token=services.password_reset_token(user), _external=True
            )
            send_email(user.email, "Reset your password", "reset_password", user=user, link=link)
        # The same answer whether or not the address has an account.
        flash(
            "If an account exists for that address, a reset link is on its way. "
            "It works once, within an hour.",
            "info",
        )
        return redirect(url_for("auth.login"))
    return form_page("auth/request_reset.html", form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"])
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except InvalidToken as error:
        return render_template(
            "auth/link_problem.html",
            message=TOKEN_PROBLEMS[error.reason],
            retry_endpoint="auth.request_reset",
        ), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(token, form.password.data)
        db.session.commit()
        logout_user()
        flash("Your password is changed. Sign in with the new one.", "success")
        return redirect(url_for("auth.login"))
    return form_page("auth/reset_password.html", form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if request.method == "GET":
        _fill_licence_rows(form, current_user)
    if form.validate_on_submit():
        try:
            services.update_profile(
                current_user,
                changed_by=current_user,
                legal_name=form.legal_name.data,
                nccaom_id=form.nccaom_id.data or None,
                licences=form.licence_data(),
            )
        except services.NccaomIdTaken as error:
            db.session.rollback()
            form.nccaom_id.errors.append(error.message)
        else:
            db.session.commit()
            flash("Your profile is saved.", "success")
            return redirect(url_for("auth.profile"))
    return form_page("auth/profile.html", form, history=services.profile_history(current_user))


def _fill_licence_rows(form: ProfileForm, user) -> None:
    while len(form.licences) < len(user.licences) + 1:
        form.licences.append_entry()
    for row, licence in zip(form.licences, user.licences, strict=False):
        row.state.data = licence.state
        row.number.data = licence.number


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append("That is not your current password.")
        else:
            services.change_password(current_user, form.password.data)
            db.session.commit()
            # The session token changed: sign this browser in again, others stay signed out.
            login_user(current_user._get_current_object())
            flash("Your password is changed. Other devices have been signed out.", "success")
            return redirect(url_for("auth.profile"))
    return form_page("auth/change_password.html", form)
