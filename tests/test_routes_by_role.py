"""Walk every route the app registers, as every role, so no route ships unguarded.

Each endpoint must be listed in ACCESS with who may use it. A new route that is not
listed fails this test until someone decides who may use it.
"""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule

from lms.auth.models import Role
from tests import factories

PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed-in"  # any signed-in user; anonymous users are sent to sign in
ADMIN = "admin"  # administrators only
COURSE_EDITOR = "course-editor"  # the course's instructors and administrators
# The record's owner (the sample certificate belongs to another learner) and administrators.
OWNER_OR_ADMIN = "owner-or-admin"

ACCESS: dict[str, str] = {
    "static": PUBLIC,
    "bootstrap.static": PUBLIC,
    "main.index": PUBLIC,
    "main.healthz": PUBLIC,
    "main.favicon": PUBLIC,
    "auth.register": PUBLIC,
    "auth.check_email": PUBLIC,
    "auth.verify_email": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.request_reset": PUBLIC,
    "auth.reset_password": PUBLIC,
    "auth.resend_verification": SIGNED_IN,
    "auth.profile": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "files.download": PUBLIC,  # the signed token is the authorisation
    "files.upload_part": PUBLIC,
    "catalog.catalog": PUBLIC,
    "catalog.course": PUBLIC,
    "catalog.body_map": PUBLIC,
    "enrolments.enrol": SIGNED_IN,
    "enrolments.leave": SIGNED_IN,
    "learning.my_learning": SIGNED_IN,
    "learning.lesson": SIGNED_IN,
    "learning.mark_complete": SIGNED_IN,
    "admin.index": ADMIN,
    "admin.users": ADMIN,
    "admin.job": ADMIN,
    "admin.job_status": ADMIN,
    "provider.settings": ADMIN,
    "audit.log": ADMIN,
    "evaluations.evaluate": SIGNED_IN,
    "evaluations.results": COURSE_EDITOR,
    "certificates.ce_settings": COURSE_EDITOR,
    "certificates.transcript": SIGNED_IN,
    "certificates.transcript_csv": SIGNED_IN,
    "certificates.transcript_pdf": SIGNED_IN,
    "certificates.download": OWNER_OR_ADMIN,
    "certificates.verify_form": PUBLIC,
    "certificates.verify": PUBLIC,
    "certificates.admin_list": ADMIN,
    "certificates.queue": ADMIN,
    "certificates.issue_many": ADMIN,
    "certificates.issue_one": ADMIN,
    "certificates.admin_detail": ADMIN,
    "certificates.revoke": ADMIN,
    "certificates.reissue": ADMIN,
    "certificates.reports_page": ADMIN,
    "certificates.completions_csv": ADMIN,
    "certificates.ce_broker_csv": ADMIN,
    "certificates.audit_export": ADMIN,
}

ROLES = ["anonymous", "learner", "instructor", "admin"]


def all_rules(app) -> list[Rule]:
    # Signing out last keeps the rest of the walk signed in.
    return sorted(
        app.url_map.iter_rules(), key=lambda rule: (rule.endpoint == "auth.logout", rule.endpoint)
    )


def test_every_route_has_an_access_rule(app):
    missing = sorted({rule.endpoint for rule in all_rules(app)} - ACCESS.keys())
    assert not missing, f"routes without an access rule in ACCESS: {missing}"


def build_url(app, rule: Rule, sample: dict) -> str:
    values = {}
    for argument in rule.arguments:
        values[argument] = sample.get(argument, "x")
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_its_rule_says(app, client, db_session, login, role):
    teacher = factories.instructor()
    course = factories.course(teacher)
    factories.provider_settings()
    factories.course_credit(course)
    from lms import jobs
    from lms.certificates import issuance, services

    owner = factories.learner()
    enrolment = factories.complete_course(owner, course)  # issued automatically on completion
    (certificate,) = services.certificates_of(owner)
    job = jobs.enqueue(issuance.BULK_ISSUE, {"enrolment_ids": []})
    sample = {
        "slug": course.slug,
        "filename": "css/app.css",
        "token": "not-a-token",
        "zone": "temple",
        "lesson_id": course.modules[0].lessons[0].id,
        "number": certificate.number,
        "job_id": job.id,
        "enrolment_id": enrolment.id,
    }
    if role != "anonymous":
        user = teacher if role == "instructor" else factories.user(Role(role))
        login(user)

    failures = []
    for rule in all_rules(app):
        expected = ACCESS[rule.endpoint]
        url = build_url(app, rule, sample)
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"OPTIONS"})[0]
        response = client.open(url, method=method)
        status = response.status_code
        location = response.headers.get("Location", "")
        sent_to_login = status == 302 and "/auth/login" in location

        if expected == PUBLIC:
            ok = status < 500 and status not in (401, 403) and not sent_to_login
        elif role == "anonymous":
            ok = sent_to_login
        elif expected == SIGNED_IN:
            ok = status < 500 and status != 403 and not sent_to_login
        elif expected in (ADMIN, OWNER_OR_ADMIN):  # nobody here owns the sample certificate
            ok = (status == 403) != (role == "admin") and status < 500
        else:  # COURSE_EDITOR: our instructor teaches the sample course
            ok = (status == 403) == (role == "learner") and status < 500
        if not ok:
            failures.append(f"{method} {url} [{expected}] -> {status} {location}")
    assert not failures, "\n".join(failures)
