"""The audit log for administrators: filter by action, actor and dates; paginated."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from lms import permissions
from lms.audit import services
from lms.extensions import db

bp = Blueprint("audit", __name__, template_folder="templates")


def _date(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.route("/")
@login_required
def log():
    permissions.require(permissions.can_read_audit_log(current_user))
    filters = {
        "action": (request.args.get("action") or "").strip()[:60] or None,
        "actor": (request.args.get("actor") or "").strip()[:100] or None,
        "start": _date("start"),
        "end": _date("end"),
    }
    page = db.paginate(services.search(**filters), per_page=50, error_out=False)
    return render_template("audit/log.html", page=page, filters=filters, actions=services.actions())
