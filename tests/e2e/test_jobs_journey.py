"""An admin watches a background job fail, wait for its retry, and end failed."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PASSWORD = "demo-password-2026"


def test_job_page_follows_retries_and_failure_without_reloading(page, live_app, register_handler):
    from lms import jobs
    from lms.extensions import db

    def fails(job):
        raise RuntimeError(f"signing service unavailable (attempt {job.attempts})")

    register_handler("tests.e2e-fails", fails)
    with live_app.app_context():
        job = jobs.enqueue("tests.e2e-fails", {})
        job.max_attempts = 2
        db.session.commit()
        job_id = job.id
        db.session.remove()

    page.goto("/auth/login")
    page.get_by_label("Email").fill("admin@demo.lms")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/admin/jobs")
    page.get_by_role("link", name=f"#{job_id} tests.e2e-fails").click()
    status = page.locator(".js-job-status")
    expect(status).to_have_text("queued")
    expect(page.get_by_role("alert")).to_be_hidden()

    with live_app.app_context():
        jobs.run_job(job_id)  # what a worker does; the page polls the status
        db.session.remove()
    expect(page.get_by_text("the last one failed, it will be retried")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text(
        "RuntimeError: signing service unavailable (attempt 1)"
    )
    expect(page.locator(".js-job-attempts")).to_have_text("1")

    with live_app.app_context():
        jobs.run_job(job_id)
        db.session.remove()
    expect(status).to_have_text("failed")
    expect(page.get_by_role("alert")).to_have_text(
        "RuntimeError: signing service unavailable (attempt 2)"
    )
    expect(page.get_by_text("the last one failed, it will be retried")).to_be_hidden()
    expect(page.locator(".js-job-attempts")).to_have_text("2")
