"""Login helpers for benchmarked pages: each returns extra HTTP headers (usually a Cookie)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urljoin

import requests

from bench.wrkrun import USER_AGENT

# (base_url, login spec from the page entry) -> headers to send with every benchmark request
LoginFn = Callable[[str, Mapping[str, Any]], dict[str, str]]

_CSRF_RES = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"""<input[^>]*name=["']csrf_token["'][^>]*value=["']([^"']+)["']""",
        r"""<input[^>]*value=["']([^"']+)["'][^>]*name=["']csrf_token["']""",
        r"""<meta[^>]*name=["']csrf-token["'][^>]*content=["']([^"']+)["']""",
        r"""<meta[^>]*content=["']([^"']+)["'][^>]*name=["']csrf-token["']""",
    )
]


def _find_csrf(html: str) -> str | None:
    """CSRF token from a hidden ``csrf_token`` input or a ``<meta name="csrf-token">`` tag."""
    for pattern in _CSRF_RES:
        if match := pattern.search(html):
            return match.group(1)
    return None


def _cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def form_login(base_url: str, spec: Mapping[str, Any]) -> dict[str, str]:
    """Log in through the HTML form (CSRF-protected) and return ``{"Cookie": ...}``.

    ``spec`` keys: ``email``, ``password``, optional ``path`` (default ``/auth/login``),
    ``fields`` (extra form fields) and ``csrf_from`` (a page to fetch after login whose CSRF
    token is returned as ``X-CSRFToken``, for JSON POST endpoints). Cookies are tracked by
    hand because the production config may mark them Secure, which ``requests`` would refuse
    to send back over plain HTTP.
    """
    path = spec.get("path", "/auth/login")
    url = urljoin(base_url + "/", path.lstrip("/"))
    jar: dict[str, str] = {}

    browser = {"User-Agent": USER_AGENT}
    resp = requests.get(url, headers=browser, timeout=10, allow_redirects=False)
    if resp.status_code != 200:
        raise RuntimeError(f"GET {path} returned {resp.status_code}, expected the login form")
    jar.update(resp.cookies.get_dict())
    token = _find_csrf(resp.text)
    if not token:
        raise RuntimeError(f"no csrf_token field found in the form at {path}")
    form = {
        "csrf_token": token,
        "email": spec["email"],
        "password": spec["password"],
        **spec.get("fields", {}),
    }
    resp = requests.post(
        url,
        data=form,
        headers={"Cookie": _cookie_header(jar), "Referer": url, **browser},
        timeout=10,
        allow_redirects=False,
    )
    jar.update(resp.cookies.get_dict())
    location = resp.headers.get("Location", "")
    if resp.status_code not in (302, 303) or path in location:
        raise RuntimeError(
            f"login as {spec['email']} failed: POST {path} -> {resp.status_code} "
            f"(Location: {location or '-'})"
        )
    headers = {"Cookie": _cookie_header(jar), **browser}
    # Open a first page as a browser does after signing in, and keep the cookie it sets: the
    # session then holds its CSRF secret, as a browser's does from its first page on. (wrk
    # never stores cookies: without this, every measured request would be a first page.)
    first = spec.get("csrf_from") or "/"
    page = urljoin(base_url + "/", first.lstrip("/"))
    resp = requests.get(page, headers=headers, timeout=10, allow_redirects=False)
    jar.update(resp.cookies.get_dict())
    headers = {"Cookie": _cookie_header(jar), **browser}
    if spec.get("csrf_from"):
        token = _find_csrf(resp.text)
        if not token:
            raise RuntimeError(f"no CSRF token found at {spec['csrf_from']}")
        headers["X-CSRFToken"] = token
    return headers


DEFAULT_LOGIN: LoginFn = form_login
