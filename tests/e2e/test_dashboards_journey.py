"""Instructor finds a stalled learner; admin bulk-enrols from a CSV with a bad line."""

import re

import pytest

pytestmark = pytest.mark.e2e


def sign_in(page, email):
    page.goto("/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("demo-password-2026")
    page.get_by_role("button", name="Sign in").click()


def test_instructor_finds_a_stalled_learner_and_opens_their_timeline(page):
    sign_in(page, "mei.chen@demo.lms")
    page.goto("/dashboards/")
    page.get_by_role("link", name=re.compile("Upper Trapezius")).first.click()
    assert page.get_by_role("img", name="Learners by progress").is_visible()
    # The quiz and certificate sections, their figures also as tables.
    assert page.get_by_role("img", name="Quizzes: graded and passed attempts").is_visible()
    assert page.get_by_role("table", name=re.compile("Per quiz: graded attempts")).is_visible()
    assert page.get_by_role("table", name=re.compile("Certificates of this course")).is_visible()
    page.get_by_role("link", name=re.compile("stalled learners: show them")).click()
    assert page.get_by_label("Status").input_value() == "stalled"
    first = page.locator("table tbody tr th a").first
    name = first.inner_text()
    first.click()
    assert page.get_by_role("heading", level=1).inner_text() == name
    assert page.get_by_role("heading", name="Lessons").is_visible()
    assert page.get_by_role("table", name=re.compile("Each lesson in course order")).is_visible()
    assert page.get_by_role("heading", name="Quiz attempts").is_visible()
    page.get_by_role("button", name="Send a reminder email").click()
    assert page.get_by_text(f"Reminder sent to {name}.").is_visible()
    assert page.get_by_text("next reminder can be sent after").is_visible()


def upload(page, text: str):
    page.goto("/admin/enrolments/bulk")
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": text.encode()}]
    )
    page.get_by_role("button", name="Preview").click()


def test_admin_bulk_enrols_only_after_fixing_the_bad_line(page):
    sign_in(page, "admin@demo.lms")
    bad = (
        "email,name,course\n"
        "ren.ishikawa@example.com,Ren Ishikawa,upper-trapezius\n"
        "broken-address,Nobody,upper-trapezius\n"
        "priya.raman@demo.lms,Priya Raman,TPR-112\n"
    )
    upload(page, bad)
    row = page.get_by_role("row", name=re.compile("broken-address"))
    assert "not a valid email address" in row.inner_text()
    assert page.get_by_role("alert").filter(has_text="cannot be applied").is_visible()
    assert page.get_by_role("button", name=re.compile("Enrol everyone")).count() == 0
    # Nothing was written: the good line's account does not exist.
    page.goto("/admin/users?q=ren.ishikawa")
    assert page.get_by_text("No user matches.").is_visible()

    upload(page, bad.replace("broken-address", "nobody@example.com"))
    assert page.get_by_text("will create account and enrol").first.is_visible()
    page.get_by_role("button", name=re.compile("Enrol everyone")).click()
    assert page.get_by_text(
        re.compile(r"Enrolled \d row\(s\); created 2 account\(s\)")
    ).is_visible()
    page.goto("/admin/enrolments?q=ren.ishikawa")
    assert page.get_by_role("row", name=re.compile("Ren Ishikawa")).is_visible()
