"""Register, verify the email, sign in, browse the catalog and enrol — on a phone-sized screen."""

import re

import pytest

from tests.support.smtp import body_text

pytestmark = pytest.mark.e2e


def test_new_acupuncturist_registers_verifies_signs_in_and_enrols(page, smtp_server):
    email = "lin.park@example.com"
    page.goto("/")
    page.get_by_role("button", name="Open the menu").click()
    page.locator("#nav.show").wait_for()  # the menu has finished opening
    page.get_by_role("link", name="Create account").click()
    page.wait_for_url("**/auth/register")

    page.get_by_label("Legal name").fill("Lin Park")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill("meridian-flow-77")
    page.get_by_label("Repeat password").fill("meridian-flow-77")
    page.get_by_label("Licence 1 state").select_option("CA")
    page.get_by_label("Licence 1 number").fill("AC 27182")
    page.get_by_role("button", name="Add another licence").click()
    page.get_by_label("Licence 3 state").select_option("NV")
    page.get_by_label("Licence 3 number").fill("OMD-0099")
    page.get_by_label("NCCAOM ID (optional)").fill("02718")
    page.get_by_role("button", name="Create account").click()

    # A bad NCCAOM ID is shown beside its field; nothing else is lost.
    error = page.locator("#nccaom_id-error")
    assert "does not start with 0" in error.inner_text()
    assert page.get_by_label("Legal name").input_value() == "Lin Park"
    page.get_by_label("NCCAOM ID (optional)").fill("27182")
    page.get_by_label("Password", exact=True).fill("meridian-flow-77")
    page.get_by_label("Repeat password").fill("meridian-flow-77")
    page.get_by_role("button", name="Create account").click()
    assert page.get_by_role("heading", name="Check your email").is_visible()

    message = smtp_server.wait_for(email, subject_contains="Confirm")
    link = re.search(r"https?://\S+/auth/verify/\S+", body_text(message)).group(0)
    page.goto(link)
    assert "Your email address is confirmed" in page.content()

    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("meridian-flow-77")
    page.get_by_label("Remember me on this device").check()
    page.get_by_role("button", name="Sign in").click()
    assert "Welcome back, Lin Park" in page.content()

    page.goto("/catalog")
    page.get_by_role("searchbox", name="Search").fill("piriformis")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name=re.compile("Piriformis")).first.click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Piriformis")
    page.get_by_role("button", name="Enrol").click()
    assert page.get_by_text("You are enrolled in").is_visible()
    page.goto("/my/learning")
    assert page.get_by_role("link", name=re.compile("^Piriformis")).is_visible()


def test_learner_opens_a_lesson_marks_it_complete_and_continues_later(page):
    page.goto("/auth/login")
    page.get_by_label("Email").fill("priya.raman@demo.lms")
    page.get_by_label("Password").fill("demo-password-2026")
    page.get_by_role("button", name="Sign in").click()
    page.goto("/courses/quadratus-lumborum")
    if page.get_by_role("button", name="Enrol").count():
        page.get_by_role("button", name="Enrol").click()
    page.get_by_role("link", name=re.compile("Start the first lesson|Continue")).click()
    bar = page.get_by_role("progressbar")
    before = int(bar.get_attribute("aria-valuenow"))
    first_title = page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("button", name=re.compile("Mark complete")).click()
    # Marking complete moves on to the next lesson and the bar moves.
    assert page.get_by_role("heading", level=1).inner_text() != first_title
    after = int(page.get_by_role("progressbar").get_attribute("aria-valuenow"))
    assert after > before
    second_title = page.get_by_role("heading", level=1).inner_text()

    # Leave, come back later: "continue" leads to where the learner stopped.
    page.goto("/")
    page.goto("/my/learning")
    card = page.locator("article", has_text="Quadratus Lumborum")
    assert f"Next: {second_title}" in card.inner_text()
    card.get_by_role("link", name=re.compile("^Continue")).click()
    assert page.get_by_role("heading", level=1).inner_text() == second_title
