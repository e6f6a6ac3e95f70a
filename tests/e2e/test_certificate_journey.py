"""A learner completes a course, evaluates it and downloads the certificate; an admin
revokes it and the public verification page says so."""

import re

import pytest

pytestmark = pytest.mark.e2e

PASSWORD = "demo-password-2026"


def sign_in(page, email: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture(scope="module")
def short_course(live_app):
    """A short reading course with CE credit issued on completion (demo courses have videos
    and quizzes, which the video and quiz journeys cover)."""
    from sqlalchemy import select

    from lms.auth.models import User
    from lms.certificates.models import IssuanceMode
    from lms.extensions import db
    from tests import factories

    with live_app.app_context():
        teacher = db.session.scalar(select(User).where(User.email == "mei.chen@demo.lms"))
        course = factories.course(
            teacher, modules=1, lessons_per_module=2, slug="levator-review",
            title="Levator Scapulae Review", ce_minutes=60,
        )  # fmt: skip
        factories.course_credit(course, issuance=IssuanceMode.AUTOMATIC)
        db.session.commit()
        db.session.remove()
    return "levator-review"


def test_certificate_from_completion_to_revocation(page, browser, live_server, short_course):
    sign_in(page, "marcus.johnson@demo.lms")
    page.goto(f"/courses/{short_course}")
    if page.get_by_role("button", name="Enrol").count():
        page.get_by_role("button", name="Enrol").click()
    page.get_by_role("link", name=re.compile("Start the first lesson|Continue")).click()
    for _ in range(40):
        if page.get_by_role("heading", name="Course evaluation").count():
            break
        page.get_by_role("button", name=re.compile("Mark complete")).click()
    assert page.get_by_role("heading", name="Course evaluation").is_visible()

    for group in page.get_by_role("group").all():
        group.get_by_label(re.compile("^5")).check()
    page.get_by_label("Comments (optional)").fill("Clear and practical.")
    page.get_by_role("button", name="Submit evaluation").click()

    # Issued automatically on completion: straight to the transcript.
    assert page.get_by_role("heading", name="My CE transcript").is_visible()
    row = page.locator("tr", has_text="Levator Scapulae Review")
    number = row.locator(".verify-number").inner_text().strip()
    assert re.fullmatch(r"MTP-[0-9A-Z]{12}", number)
    with page.expect_download() as download_info:
        row.get_by_role("link", name=re.compile("^Download")).click()
    download = download_info.value
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert download.suggested_filename == f"{number}.pdf"

    admin = browser.new_context(base_url=live_server.url)
    admin_page = admin.new_page()
    admin_page.on("dialog", lambda dialog: dialog.accept())
    sign_in(admin_page, "admin@demo.lms")
    admin_page.goto(f"/admin/certificates/{number}")
    admin_page.get_by_label("Reason", exact=True).select_option("issued_in_error")
    admin_page.get_by_label("Details").fill("Test enrolment, not a real completion.")
    admin_page.get_by_role("button", name="Revoke certificate").click()
    assert admin_page.get_by_text(f"Certificate {number} is revoked.").is_visible()
    admin.close()

    public = browser.new_context(base_url=live_server.url)
    verify = public.new_page()
    verify.goto("/verify")
    verify.get_by_label("Certificate number").fill(number)
    verify.get_by_role("button", name="Verify").click()
    status = verify.get_by_role("status")
    assert "Revoked" in status.inner_text() and "Issued in error" in status.inner_text()
    public.close()
