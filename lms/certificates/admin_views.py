"""Administrators: the certificate list and queue, issue / revoke / reissue, board reports."""

from __future__ import annotations

from datetime import date
from functools import wraps

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms import permissions
from lms.audit import services as audit
from lms.auth.forms import EmptyForm
from lms.certificates import issuance, reports, services
from lms.certificates.forms import ReissueForm, RevokeForm
from lms.certificates.models import CertificateStatus, RevocationReason
from lms.certificates.views import bp
from lms.enrolments.models import Enrolment
from lms.errors import DomainError
from lms.extensions import db


def admin_only(view):
    """Signed-in administrators only (the admin blueprint's guard, for this blueprint)."""

    @wraps(view)
    @login_required
    def guarded(*args, **kwargs):
        permissions.require(permissions.can_manage_certificates(current_user))
        return view(*args, **kwargs)

    return guarded


def _certificate_or_404(number: str):
    certificate = services.certificate_for_admin(number)
    if certificate is None:
        abort(404)
    return certificate


@bp.route("/admin/certificates")
@admin_only
def admin_list():
    query = (request.args.get("q") or "").strip()[:100] or None
    status_value = request.args.get("status") or None
    status = (
        CertificateStatus(status_value)
        if status_value in CertificateStatus._value2member_map_
        else None
    )  # noqa: E501
    page = db.paginate(services.search(query, status), per_page=25, error_out=False)
    return render_template(
        "certificates/admin_list.html",
        page=page,
        query=query,
        status=status,
        statuses=CertificateStatus,
    )


@bp.route("/admin/certificates/queue")
@admin_only
def queue():
    course_id = request.args.get("course", type=int)
    page = db.paginate(services.awaiting_issue(course_id), per_page=100, error_out=False)
    return render_template(
        "certificates/queue.html",
        page=page,
        course_id=course_id,
        courses=services.courses_with_completions(),
        form=EmptyForm(),
    )


@bp.route("/admin/certificates/queue/issue", methods=["POST"])
@admin_only
def issue_many():
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    if request.form.get("scope") == "all":
        ids = services.awaiting_issue_ids(request.form.get("course", type=int))
    else:
        ids = [int(value) for value in request.form.getlist("enrolment_id") if value.isdigit()]
    try:
        job = issuance.enqueue_bulk_issue(ids, current_user)
    except DomainError as error:
        flash(error.message, "warning")
        return redirect(url_for("certificates.queue"))
    db.session.commit()
    flash(
        f"Issuing {job.total} certificate{'s' if job.total != 1 else ''} in the background.", "info"
    )
    return redirect(url_for("admin.job", job_id=job.id))


@bp.route("/admin/enrolments/<int:enrolment_id>/certificate", methods=["POST"])
@admin_only
def issue_one(enrolment_id: int):
    enrolment = db.get_or_404(Enrolment, enrolment_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        certificate = issuance.issue_certificate(enrolment, current_user)
    except DomainError as error:
        flash(error.message, "warning")
        return redirect(url_for("certificates.queue"))
    db.session.commit()
    flash(f"Certificate {certificate.number} issued.", "success")
    return redirect(url_for("certificates.admin_detail", number=certificate.number))


@bp.route("/admin/certificates/<number>")
@admin_only
def admin_detail(number: str):
    certificate = _certificate_or_404(number)
    return render_template(
        "certificates/admin_detail.html",
        certificate=certificate,
        revoke_form=RevokeForm(prefix="revoke"),
        reissue_form=ReissueForm(prefix="reissue"),
        history=db.session.scalars(
            audit.search(target_type="certificates", target_id=str(certificate.id))
        ).all(),
    )


@bp.route("/admin/certificates/<number>/revoke", methods=["POST"])
@admin_only
def revoke(number: str):
    certificate = _certificate_or_404(number)
    form = RevokeForm(prefix="revoke")
    if form.validate_on_submit():
        try:
            issuance.revoke(
                certificate, current_user, RevocationReason(form.reason.data), form.note.data
            )
        except DomainError as error:
            flash(error.message, "warning")
        else:
            db.session.commit()
            flash(f"Certificate {certificate.number} is revoked.", "success")
        return redirect(url_for("certificates.admin_detail", number=certificate.number))
    return _detail_with_errors(certificate, revoke_form=form), 400


@bp.route("/admin/certificates/<number>/reissue", methods=["POST"])
@admin_only
def reissue(number: str):
    certificate = _certificate_or_404(number)
    form = ReissueForm(prefix="reissue")
    if form.validate_on_submit():
        try:
            new = issuance.reissue(certificate, current_user, form.reason.data)
        except DomainError as error:
            flash(error.message, "warning")
            return redirect(url_for("certificates.admin_detail", number=certificate.number))
        db.session.commit()
        flash(f"Reissued as {new.number}; {certificate.number} is superseded.", "success")
        return redirect(url_for("certificates.admin_detail", number=new.number))
    return _detail_with_errors(certificate, reissue_form=form), 400


def _detail_with_errors(certificate, revoke_form=None, reissue_form=None) -> str:
    return render_template(
        "certificates/admin_detail.html",
        certificate=certificate,
        revoke_form=revoke_form or RevokeForm(formdata=None, prefix="revoke"),
        reissue_form=reissue_form or ReissueForm(formdata=None, prefix="reissue"),
        history=db.session.scalars(
            audit.search(target_type="certificates", target_id=str(certificate.id))
        ).all(),
    )


# --- board reports --------------------------------------------------------------------


def _dates() -> tuple[date | None, date | None]:
    def parse(name: str) -> date | None:
        try:
            return date.fromisoformat(request.args.get(name, ""))
        except ValueError:
            return None

    return parse("start"), parse("end")


def _download(body: str | bytes, filename: str, mimetype: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/admin/reports")
@admin_only
def reports_page():
    return render_template("certificates/reports.html", courses=services.courses_with_completions())


@bp.route("/admin/reports/completions.csv")
@admin_only
def completions_csv():
    start, end = _dates()
    body = reports.completions_csv(request.args.get("course", type=int), start, end)
    audit.record(current_user, "report.completions", None, start=start, end=end)
    db.session.commit()
    return _download(body, "completions.csv", "text/csv")


@bp.route("/admin/reports/ce-broker.csv")
@admin_only
def ce_broker_csv():
    start, end = _dates()
    body = reports.ce_broker_csv(start, end)
    audit.record(current_user, "report.ce_broker", None, start=start, end=end)
    db.session.commit()
    return _download(body, "ce-broker-roster.csv", "text/csv")


@bp.route("/admin/reports/audit-export.zip")
@admin_only
def audit_export():
    body = reports.audit_export_zip()
    audit.record(current_user, "report.audit_export", None)
    db.session.commit()
    return _download(body, "certificates-audit-export.zip", "application/zip")
