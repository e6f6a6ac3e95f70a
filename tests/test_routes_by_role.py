"""Walk every route the app registers, as every role, so no route ships unguarded.

Each endpoint must be listed in ACCESS with who may use it. A new route that is not
listed fails this test until someone decides who may use it.
"""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule

from lms.auth.models import Role
from lms.enrolments import services as enrolment_services
from lms.video.models import Handout, VideoUpload
from tests import factories

PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed-in"  # any signed-in user; anonymous users are sent to sign in
ADMIN = "admin"  # administrators only
COURSE_EDITOR = "course-editor"  # the course's instructors and administrators
# (routes without a course, like the authoring home, follow the same rule: learners get 403)
# The course's editors and its enrolled learners (the sample learner is not enrolled, so the
# walk expects the same answers as for COURSE_EDITOR; tests/video checks enrolled learners).
LESSON_VIEWER = "lesson-viewer"
# Signed in, and the body must carry a lesson page's signed report token: without one every
# signed-in role gets 400 (tests/video checks real reports).
REPORT_TOKEN = "report-token"
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
    "quizzes.manage": COURSE_EDITOR,
    "quizzes.create_bank": COURSE_EDITOR,
    "quizzes.bank": COURSE_EDITOR,
    "quizzes.new_question": COURSE_EDITOR,
    "quizzes.edit_question": COURSE_EDITOR,
    "quizzes.archive_question": COURSE_EDITOR,
    "quizzes.upload_image": COURSE_EDITOR,
    "quizzes.question_image": COURSE_EDITOR,
    "quizzes.export_bank": COURSE_EDITOR,
    "quizzes.import_bank": COURSE_EDITOR,
    "quizzes.new_quiz": COURSE_EDITOR,
    "quizzes.edit_quiz": COURSE_EDITOR,
    "quizzes.publish_quiz": COURSE_EDITOR,
    "quizzes.unpublish_quiz": COURSE_EDITOR,
    "quizzes.analysis": COURSE_EDITOR,
    "quizzes.hotspot_clicks": COURSE_EDITOR,
    "quizzes.export_attempts": COURSE_EDITOR,
    "quizzes.learners": COURSE_EDITOR,
    "quizzes.reset_attempts": COURSE_EDITOR,
    # Learners: enrolment and attempt ownership are checked inside (redirect or 404).
    "quizzes.quiz": SIGNED_IN,
    "quizzes.start": SIGNED_IN,
    "quizzes.attempt": SIGNED_IN,
    "quizzes.save_answer": SIGNED_IN,
    "quizzes.submit": SIGNED_IN,
    "quizzes.result": SIGNED_IN,
    "quizzes.attempt_image": SIGNED_IN,
    "authoring.my_courses": COURSE_EDITOR,
    "authoring.new_course": COURSE_EDITOR,
    "authoring.course": COURSE_EDITOR,
    "authoring.edit_course": COURSE_EDITOR,
    "authoring.publish": COURSE_EDITOR,
    "authoring.unpublish": COURSE_EDITOR,
    "authoring.preview": COURSE_EDITOR,
    "authoring.enrolments": COURSE_EDITOR,
    "authoring.add_module": COURSE_EDITOR,
    "authoring.edit_module": COURSE_EDITOR,
    "authoring.delete_module": COURSE_EDITOR,
    "authoring.move_module": COURSE_EDITOR,
    "authoring.reorder_modules": COURSE_EDITOR,
    "authoring.new_lesson": COURSE_EDITOR,
    "authoring.edit_lesson": COURSE_EDITOR,
    "authoring.delete_lesson": COURSE_EDITOR,
    "authoring.move_lesson": COURSE_EDITOR,
    "authoring.reorder_lessons": COURSE_EDITOR,
    "video.manage": COURSE_EDITOR,
    "video.upload_captions": COURSE_EDITOR,
    "video.upload_handout": COURSE_EDITOR,
    "video.delete_handout": COURSE_EDITOR,
    "video.start_upload": COURSE_EDITOR,
    "video.upload_status": COURSE_EDITOR,
    "video.sign_parts": COURSE_EDITOR,
    "video.complete_upload": COURSE_EDITOR,
    "video.abort_upload": COURSE_EDITOR,
    "video.course_analytics": COURSE_EDITOR,
    "video.playback": LESSON_VIEWER,
    "video.watch_report": REPORT_TOKEN,
    "admin.index": ADMIN,
    "admin.users": ADMIN,
    "admin.user": ADMIN,
    "admin.deactivate_user": ADMIN,
    "admin.reactivate_user": ADMIN,
    "admin.courses": ADMIN,
    "admin.enrolment_list": ADMIN,
    "admin.enrol": ADMIN,
    "admin.withdraw": ADMIN,
    "admin.bulk_upload": ADMIN,
    "admin.bulk_preview": ADMIN,
    "admin.bulk_confirm": ADMIN,
    "dashboards.index": COURSE_EDITOR,  # instructors (their courses) and admins
    "dashboards.course": COURSE_EDITOR,
    "dashboards.learner_table": COURSE_EDITOR,
    "dashboards.learner_export": COURSE_EDITOR,
    "dashboards.learner": COURSE_EDITOR,
    "dashboards.remind": COURSE_EDITOR,
    "dashboards.remind_stalled": COURSE_EDITOR,
    "admin.job_list": ADMIN,
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


# Routes that take the sample course out of the catalog or delete its content run after the
# rest, so the walk still finds a published course with lessons.
RUN_LAST = {"authoring.unpublish", "authoring.delete_lesson", "authoring.delete_module"}


def all_rules(app) -> list[Rule]:
    # Signing out last keeps the rest of the walk signed in.
    return sorted(
        app.url_map.iter_rules(),
        key=lambda rule: (
            rule.endpoint == "auth.logout",
            rule.endpoint in RUN_LAST,
            rule.endpoint,
        ),
    )


def test_every_route_has_an_access_rule(app):
    missing = sorted({rule.endpoint for rule in all_rules(app)} - ACCESS.keys())
    assert not missing, f"routes without an access rule in ACCESS: {missing}"


def build_url(app, rule: Rule, sample: dict) -> str:
    from werkzeug.routing import IntegerConverter

    values = {}
    for argument in rule.arguments:
        numeric = isinstance(rule._converters.get(argument), IntegerConverter)
        values[argument] = sample.get(argument, 999999 if numeric else "x")
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_its_rule_says(app, client, db_session, login, role):
    from lms.quizzes import attempts as attempt_services

    teacher = factories.instructor()
    course = factories.course(teacher)
    module = course.modules[0]
    lesson = module.lessons[0]
    upload = VideoUpload(
        lesson_id=lesson.id,
        key=f"videos/course-{course.id}/lesson-{lesson.id}/sample.mp4",
        upload_id="0" * 32,
        filename="sample.mp4",
        size=1000,
        content_type="video/mp4",
        part_size=5 * 1024 * 1024,
    )
    handout = Handout(
        lesson_id=lesson.id, key=f"handouts/{course.id}/h.pdf", filename="h.pdf", size=9
    )
    db_session.add_all([upload, handout])
    db_session.flush()
    factories.provider_settings()
    factories.course_credit(course)
    from lms import jobs
    from lms.certificates import issuance, services

    owner = factories.learner()
    factories.complete_course(owner, course)  # issued automatically on completion
    (certificate,) = services.certificates_of(owner)
    job = jobs.enqueue(issuance.BULK_ISSUE, {"enrolment_ids": []})
    enrolled = factories.learner()
    enrolment = enrolment_services.enrol(enrolled, course)
    bank = factories.bank(course)
    hotspot = factories.question(bank, "hotspot")
    factories.question(bank)
    quiz = factories.quiz(course, bank)
    attempt = attempt_services.start_attempt(enrolled, quiz)
    sample = {
        "slug": course.slug,
        "course_id": course.id,
        "module_id": module.id,
        "lesson_id": module.lessons[0].id,
        "filename": "css/app.css",
        "token": "not-a-token",
        "zone": "temple",
        "upload_id": upload.id,
        "handout_id": handout.id,
        "user_id": enrolled.id,
        "enrolment_id": enrolment.id,
        "batch_id": 2**31 - 1,
        "bank_id": bank.id,
        "question_id": hotspot.id,
        "quiz_id": quiz.id,
        "attempt_id": attempt.id,
        "fmt": "csv",
        "number": certificate.number,
        "job_id": job.id,
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
        elif role == "anonymous" and expected == REPORT_TOKEN:  # a JSON API: no redirect
            ok = status == 401 and response.is_json
        elif role == "anonymous":
            ok = sent_to_login
        elif expected == SIGNED_IN:
            ok = status < 500 and status != 403 and not sent_to_login
        elif expected == REPORT_TOKEN:
            ok = status == 400
        elif expected in (ADMIN, OWNER_OR_ADMIN):  # nobody here owns the sample certificate
            ok = (status == 403) != (role == "admin") and status < 500
        else:  # COURSE_EDITOR, LESSON_VIEWER: our instructor teaches the sample course
            ok = (status == 403) == (role == "learner") and status < 500
        if not ok:
            failures.append(f"{method} {url} [{expected}] -> {status} {location}")
    assert not failures, "\n".join(failures)
