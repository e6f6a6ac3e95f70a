"""Admin pages."""

from __future__ import annotations

from flask import jsonify, render_template, request
from flask_login import current_user, login_required

from lms import permissions
from lms.admin import bp, services
from lms.extensions import db
from lms.jobs import Job


@bp.before_request
@login_required
def guard():
    permissions.require(permissions.can_access_admin(current_user))


@bp.route("/")
def index():
    return render_template("admin/index.html")


@bp.route("/users")
def users():
    query = (request.args.get("q") or "").strip()[:100] or None
    page = db.paginate(services.search_users(query), per_page=25, error_out=False)
    return render_template("admin/users.html", page=page, query=query)


@bp.route("/jobs/<int:job_id>")
def job(job_id: int):
    return render_template("admin/job.html", job=db.get_or_404(Job, job_id))


@bp.route("/jobs/<int:job_id>/status")
def job_status(job_id: int):
    """Polled by the job page to show progress."""
    return jsonify(db.get_or_404(Job, job_id).as_dict())
