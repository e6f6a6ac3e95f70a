"""Learner transcript and downloads; the public verification page."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from lms import permissions
from lms.certificates import dashboard, reports, services  # noqa: F401  (dashboard: sections)
from lms.certificates import transcript as rules
from lms.extensions import db, limiter
from lms.provider import services as provider_services

bp = Blueprint("certificates", __name__, template_folder="templates")


def _verify_limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


verify_limit = limiter.shared_limit(_verify_limit, scope="certificate-verification")


def _period(args) -> tuple[str | None, date, date, str | None]:
    """The renewal period asked for: a preset, or a start and end date (ISO)."""
    today = date.today()
    preset = args.get("preset")
    if preset in rules.PRESETS:
        start, end = rules.preset_period(preset, today)
        return preset, start, end, None
    try:
        start = date.fromisoformat(args.get("start", ""))
        end = date.fromisoformat(args.get("end", ""))
    except ValueError:
        start, end = rules.preset_period("nccaom", today)
        problem = (
            "Enter both dates as YYYY-MM-DD." if args.get("start") or args.get("end") else None
        )
        return ("nccaom" if problem is None else None), start, end, problem
    if start > end:
        start, end = end, start
    return None, start, end, None


def _transcript_data():
    certificates = services.certificates_of(current_user)
    entries = reports.entries_for(certificates)
    preset, start, end, problem = _period(request.args)
    return certificates, entries, preset, start, end, problem


@bp.route("/my/transcript")
@login_required
def transcript():
    certificates, entries, preset, start, end, problem = _transcript_data()
    return render_template(
        "certificates/transcript.html",
        rows=list(zip(certificates, entries, strict=True)),
        totals=rules.totals(entries, start, end),
        presets=rules.PRESETS,
        preset=preset,
        start=start,
        end=end,
        problem=problem,
    )


@bp.route("/my/transcript.csv")
@login_required
def transcript_csv():
    _, entries, _, start, end, _ = _transcript_data()
    return Response(
        reports.transcript_csv(entries),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="ce-transcript.csv"'},
    )


@bp.route("/my/transcript.pdf")
@login_required
def transcript_pdf():
    from lms.certificates import pdf  # fpdf2 loads on first use (slow to import)

    _, entries, _, start, end, _ = _transcript_data()
    document = pdf.render_transcript(
        current_user.legal_name,
        provider_services.current_settings().name,
        entries,
        rules.totals(entries, start, end),
        start,
        end,
    )
    return Response(
        document,
        mimetype="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="ce-transcript.pdf"'},
    )


@bp.route("/certificates/<number>/download")
@login_required
def download(number: str):
    certificate = services.by_number(number)
    if certificate is None:
        abort(404)
    permissions.require(permissions.can_download_certificate(current_user, certificate))
    url = services.download_url(certificate, current_user)
    db.session.commit()  # an administrator's download is in the audit log
    return redirect(url)


@bp.route("/verify")
@verify_limit
def verify_form():
    typed = (request.args.get("number") or "").strip()
    if typed:
        return redirect(url_for("certificates.verify", number=typed[:64]))
    return render_template("certificates/verify_form.html")


@bp.route("/verify/<number>")
@verify_limit
def verify(number: str):
    certificate = services.find_for_verification(number)
    if certificate is None:
        # The same page for malformed and unknown numbers: no hint for guessing.
        return render_template("certificates/verify_unknown.html"), 404
    return render_template("certificates/verify.html", certificate=certificate)


from lms.certificates import admin_views, ce_views  # noqa: E402,F401  (routes on bp)
