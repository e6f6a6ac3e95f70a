"""Object-level authorization (IDOR): every route that names an object, tried by every role
with objects that belong to other users or other courses.

The world (tests/security/idor_world.py) has two instructors with their courses, learners
with attempts and certificates, and a draft course. The registry (idor_registry.py) says,
for each endpoint whose URL takes an id or a slug, how to build its URL from that world and
which owner rule it follows; the rule decides the foreign cases: another learner's attempt,
another instructor's course, course 2's lesson under course 1's slug ... Each case must be
refused (403 or 404, the sign-in page for anonymous users, or whatever the registry says
that route does instead) and must leave the database and the file storage as they were.
Each endpoint's rightful user is tried too, with the same URLs and bodies, so a refusal
always comes from the owner check and not from a wrong URL or an invalid form.

A new route that names an object fails test_every_route_naming_an_object_is_registered
until it is added to the registry (or to OPEN, with the reason it is open).
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import Text, cast, func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from config import TestingConfig
from lms import create_app
from lms.extensions import db
from tests import factories
from tests.conftest import make_app
from tests.security import idor_world
from tests.security.idor_registry import (
    ALLOWED,
    BAD_TOKEN,
    COURSE_PAGE,
    DENIED,
    LOGIN,
    OPEN,
    REFUSED,
    REGISTRY,
    ROLES,
    SIGNED_OUT,
    Case,
    control_cases,
    foreign_cases,
    url_args,
)
from tests.security.idor_world import World


def rule_arguments() -> dict[str, set[str]]:
    """Each endpoint's URL arguments, from an app built only to read its url_map."""
    rules = create_app(TestingConfig).url_map.iter_rules()
    return {rule.endpoint: set(rule.arguments) for rule in rules}


FOREIGN = foreign_cases(rule_arguments())
CONTROLS = control_cases()
TRIED: Counter[str] = Counter()  # foreign cases that ran, by "endpoint role"
CONTROLS_TRIED: list[str] = []


class CountSummary:
    """Prints the number of cases at the end of the run (pytest's terminal summary)."""

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if not TRIED:
            return
        endpoints = {key.split()[0] for key in TRIED}
        roles = {key.split()[1] for key in TRIED}
        terminalreporter.write_line(
            f"IDOR: {sum(TRIED.values())} cases across {len(endpoints)} endpoints x "
            f"{len(roles)} roles, plus {len(CONTROLS_TRIED)} rightful-user controls "
            f"({len(OPEN)} endpoints open by design, with their reasons)"
        )


@pytest.fixture(scope="module", autouse=True)
def count_summary(request):
    if not request.config.pluginmanager.has_plugin("idor-count-summary"):
        request.config.pluginmanager.register(CountSummary(), "idor-count-summary")


@pytest.fixture(scope="module")
def app(fresh_database, smtp_server) -> Flask:
    """This module's own app and database: the world is committed once; each case is rolled
    back by the usual db_session fixture."""
    return make_app(fresh_database(), smtp_server)


@pytest.fixture(scope="module")
def world(app: Flask) -> World:
    with app.app_context():
        seeded = idor_world.seed()
        db.session.remove()
    return seeded


@pytest.fixture(scope="module")
def clients(app: Flask, world: World) -> dict[str, FlaskClient]:
    """One client per role, signed in once through the login form."""
    signed_in = {"anonymous": app.test_client()}
    for role in ("learner", "instructor", "admin"):
        client = app.test_client()
        response = client.post(
            "/auth/login", data={"email": world.emails[role], "password": factories.PASSWORD}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        signed_in[role] = client
    return signed_in


# --- what a request changed ----------------------------------------------------------------


def table_digests() -> dict[str, str]:
    """An md5 of every table's rows, in one query: any insert, update or delete shows."""
    digests = []
    for table in db.metadata.sorted_tables:
        row = cast(table.table_valued(), Text)
        rows = func.string_agg(row, aggregate_order_by(literal("\n"), row))
        digest = select(func.md5(func.coalesce(rows, ""))).select_from(table).scalar_subquery()
        digests.append(digest.label(table.name))
    return dict(db.session.execute(select(*digests)).one()._mapping)


def stored_files(app: Flask) -> set[tuple[str, int]]:
    root = Path(app.config["LOCAL_STORAGE_PATH"])
    return {
        (str(Path(folder, name).relative_to(root)), Path(folder, name).stat().st_size)
        for folder, _, names in os.walk(root)
        for name in names
    }


def changes(app: Flask, before: tuple[dict, set]) -> list[str]:
    tables, files = before
    now_tables, now_files = table_digests(), stored_files(app)
    changed = [f"table {name}" for name, digest in now_tables.items() if tables[name] != digest]
    return changed + [f"file {path}" for path, _ in sorted(now_files ^ files)]


# --- sending a case -------------------------------------------------------------------------


def send(app: Flask, clients: dict[str, FlaskClient], world: World, case: Case):
    spec = REGISTRY[case.endpoint]
    pick = case.pick(world)
    (rule,) = app.url_map.iter_rules(case.endpoint)
    args = url_args(spec, case, rule.arguments, pick)
    with app.test_request_context():
        url = url_for(case.endpoint, **args)
        course_page = url_for("catalog.course", slug=pick.course.slug)
    body = {}
    if case.method != "GET":
        build = case.body or spec.post
        body = build(pick) if build else {}
    response = clients[case.role].open(url, method=case.method, **body)
    return response, f"{case.method} {url} as {case.role}", course_page


def unexpected(case: Case, response, course_page: str) -> str | None:
    """None when the response is what the case expects, else what happened instead."""
    status = response.status_code
    location = response.headers.get("Location", "")
    if case.expect == LOGIN:
        ok = status == 302 and urlparse(location).path == "/auth/login"
    elif case.expect == SIGNED_OUT:
        ok = status == 401 and response.is_json
    elif case.expect == DENIED:
        ok = status in (403, 404)
    elif case.expect == COURSE_PAGE:
        ok = status == 302 and urlparse(location).path == course_page
    elif case.expect == BAD_TOKEN:
        ok = status == 400
    elif case.expect == REFUSED:
        ok = status in (200, 400, 404, 409, 422)
    else:
        assert case.expect == ALLOWED
        # A page that is shown (GET) is not a detour to sign in or to the course page; a POST
        # may end on the course page (enrolled, or already evaluated).
        detours = {"/auth/login", course_page} if case.method == "GET" else {"/auth/login"}
        reached = REGISTRY[case.endpoint].reached
        ok = status < 400 and urlparse(location).path not in detours
        ok = ok or (reached is not None and reached in response.get_data(as_text=True))
    if ok:
        return None
    return f"expected {case.expect}, got {status} {location}".rstrip()


# --- the tests ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", FOREIGN, ids=lambda case: case.id)
def test_foreign_object_is_refused_and_nothing_is_written(app, world, clients, db_session, case):
    before = table_digests(), stored_files(app)
    response, request_line, course_page = send(app, clients, world, case)
    problem = unexpected(case, response, course_page)
    assert problem is None, f"{request_line} ({case.why}): {problem}"
    written = changes(app, before)
    assert not written, f"{request_line} ({case.why}) was refused but changed {written}"
    TRIED[f"{case.endpoint} {case.role}"] += 1


@pytest.mark.parametrize("case", CONTROLS, ids=lambda case: case.id)
def test_the_rightful_user_gets_through(app, world, clients, db_session, case):
    """The same URLs and bodies work for their owner: the refusals above are the owner check."""
    before = table_digests(), stored_files(app)
    response, request_line, course_page = send(app, clients, world, case)
    problem = unexpected(case, response, course_page)
    assert problem is None, f"{request_line}: {problem}"
    if case.method != "GET" and REGISTRY[case.endpoint].writes:
        assert changes(app, before), f"{request_line} changed nothing: is the body right?"
    CONTROLS_TRIED.append(case.id)


def rules_naming_objects(app: Flask) -> dict[str, set[str]]:
    """Endpoint -> methods, for every route whose URL takes an argument."""
    found: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.arguments:
            found.setdefault(rule.endpoint, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    return found


def test_every_route_naming_an_object_is_registered(app):
    named = rules_naming_objects(app)
    missing = sorted(named.keys() - REGISTRY.keys() - OPEN.keys())
    assert not missing, f"routes naming an object, missing from REGISTRY (or OPEN): {missing}"
    stale = sorted((REGISTRY.keys() | OPEN.keys()) - named.keys())
    assert not stale, f"registered endpoints that no route names an object with: {stale}"
    assert not REGISTRY.keys() & OPEN.keys()


def test_every_method_of_every_registered_route_is_tried_by_every_role(app):
    named = rules_naming_objects(app)
    gaps = []
    for endpoint, spec in REGISTRY.items():
        if set(spec.methods) != named[endpoint]:
            gaps.append(f"{endpoint}: registry tries {spec.methods}, route takes {named[endpoint]}")
        for method in named[endpoint]:
            tried = {c.role for c in FOREIGN if c.endpoint == endpoint and c.method == method}
            if not {"anonymous", "learner", "instructor"} <= tried:
                gaps.append(f"{endpoint} {method}: only {sorted(tried)} try foreign objects")
            if not any(c.endpoint == endpoint and c.method == method for c in CONTROLS):
                gaps.append(f"{endpoint} {method}: no rightful-user control")
    assert not gaps, "\n".join(gaps)
    assert {case.role for case in FOREIGN} == set(ROLES)
