"""Whole-page caching of the public catalog pages for anonymous visitors.

Those pages are the same for every anonymous visitor, and they are what search engines,
newsletters and first-time visitors hit. The cache key includes a catalog version read
from the database (one small query, reused for CATALOG_VERSION_SECONDS), so a change to
any course shows within seconds on every app server; the timeout bounds staleness for
changes that do not touch a course row (an instructor's name).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps

from flask import current_app, request, session
from flask_login import current_user
from sqlalchemy import func, select

from lms.catalog.models import Course
from lms.extensions import cache, db

_version_memo: dict[str, tuple[float, str]] = {}


def catalog_version() -> str:
    """Changes whenever a course is added, removed or edited."""
    database = str(db.engine.url)
    now = time.monotonic()
    memo = _version_memo.get(database)
    if memo and memo[0] > now:
        return memo[1]
    count, changed = db.session.execute(
        select(func.count(Course.id), func.max(Course.updated_at))
    ).one()
    version = f"{count}:{changed.timestamp() if changed else 0}"
    _version_memo[database] = (now + current_app.config["CATALOG_VERSION_SECONDS"], version)
    return version


def cached_for_anonymous(view: Callable) -> Callable:
    """Serve a view's HTML from the cache to anonymous visitors without pending messages."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        timeout = current_app.config.get("CATALOG_CACHE_SECONDS", 0)
        if (
            not timeout
            or current_user.is_authenticated
            or session.get("_flashes")
            or len(request.query_string) > 200
        ):
            return view(*args, **kwargs)
        key = f"page:{request.path}?{request.query_string.decode('latin-1')}:{catalog_version()}"
        page = cache.get(key)
        if page is None:
            page = view(*args, **kwargs)
            if not isinstance(page, str):
                return page
            cache.set(key, page, timeout=timeout)
        return page

    return wrapper
