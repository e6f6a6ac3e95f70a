"""Admin pages."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user, login_required

from lms import permissions
from lms.admin import bp, services
from lms.extensions import db


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
