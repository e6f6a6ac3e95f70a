"""Landing page and service routes."""

from __future__ import annotations

from flask import current_app, render_template, send_from_directory

from lms.catalog import services as catalog_services
from lms.catalog.pagecache import cached_for_anonymous
from lms.main import bp


@bp.route("/")
@cached_for_anonymous
def index():
    courses = catalog_services.published_courses()
    return render_template("main/index.html", courses=courses)


@bp.route("/healthz")
def healthz():
    """Liveness for load balancers; also the benchmarks' floor route (no database)."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.route("/favicon.ico")
def favicon():
    return send_from_directory(
        current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400
    )
