"""From the body map to an enrolment; an instructor builds, orders, previews and publishes."""

import re

import pytest

from lms.extensions import db
from tests import factories

pytestmark = pytest.mark.e2e


def sign_in(page, email: str, password: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"^(?!.*/auth/login)"))


def test_learner_finds_a_course_from_the_body_map_and_enrols(page, live_app):
    with live_app.app_context():
        factories.learner(email="sam.okafor@example.com", legal_name="Sam Okafor")
        db.session.commit()
        db.session.remove()
    sign_in(page, "sam.okafor@example.com", factories.PASSWORD)

    page.goto("/body-map")
    # The zones are SVG links on the back figure; tap the buttock.
    page.locator('a.bm-zone[data-zone="buttock"]').click()
    results = page.get_by_role("heading", name="Pain in the buttock")
    assert results.is_visible()
    assert page.get_by_role("heading", name=re.compile("^Piriformis")).is_visible()
    # The text list of areas offers the same choice for small screens and keyboards.
    assert (
        page.get_by_role("navigation", name="Areas of pain")
        .get_by_role("link", name="Posterior thigh")
        .is_visible()
    )

    page.get_by_role("link", name=re.compile("^Piriformis: Trigger-Point Release")).click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Piriformis")
    assert page.get_by_text("NCCAOM PDA points").is_visible()
    page.get_by_role("button", name="Enrol").click()
    assert page.get_by_text("You are enrolled in").is_visible()


def test_instructor_builds_orders_previews_and_publishes_a_course(page):
    sign_in(page, "mei.chen@demo.lms", "demo-password-2026")
    page.goto("/teach/")
    page.get_by_role("link", name="New course").click()
    page.get_by_label("Title").fill("Rhomboid Release Intensive")
    page.get_by_label("Muscle group").select_option(label="Levator scapulae (Neck)")
    page.get_by_label("Summary").fill("Interscapular pain from rhomboid trigger points.")
    page.get_by_label("CE minutes").fill("120")
    page.get_by_role("button", name="Save course").click()
    assert page.get_by_text("created as a draft").is_visible()

    # Publishing an empty course is refused, with the reason.
    page.get_by_role("button", name="Publish").click()
    assert page.get_by_text("Not published: Add at least one lesson").is_visible()

    page.get_by_label("Module title").fill("Palpation and needling")
    page.get_by_role("button", name="Add module").click()
    for title, kind in (("Needling the rhomboids", "Video"), ("Rhomboid anatomy", "Reading")):
        page.get_by_role("link", name=re.compile("^Add lesson")).click()
        page.get_by_label("Lesson title").fill(title)
        page.get_by_label("Kind").select_option(label=kind)
        page.get_by_label("Duration (minutes)").fill("15")
        page.get_by_label("Notes", exact=True).fill(
            "**Prone**, arm off the table. <script>x()</script>"
        )
        page.get_by_role("button", name="Preview notes").click()
        assert page.locator("#notes-preview strong").inner_text() == "Prone"
        page.get_by_role("button", name="Save lesson").click()

    lessons = page.locator(".outline-lessons > li")

    def order() -> list[str]:
        return [lesson.get_attribute("data-title") for lesson in lessons.all()]

    assert order() == ["Needling the rhomboids", "Rhomboid anatomy"]
    # The keyboard way: Move up is an ordinary button in a form.
    page.get_by_role("button", name="Move up lesson “Rhomboid anatomy”").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert order() == ["Rhomboid anatomy", "Needling the rhomboids"]

    # And by drag and drop: drag anatomy below needling again; the order is saved.
    handle = lessons.nth(0).locator(".drag-handle")
    handle.scroll_into_view_if_needed()
    box = lessons.nth(1).bounding_box()
    with page.expect_response(re.compile(r"/lessons/order$")) as saved:
        handle.hover()
        page.mouse.down()
        # Several small moves: Chromium starts an HTML5 drag only after the pointer travels.
        page.mouse.move(box["x"] + 20, box["y"] + 5, steps=5)
        page.mouse.move(box["x"] + 20, box["y"] + box["height"] - 5, steps=10)
        page.mouse.up()
    assert saved.value.ok
    page.reload()
    assert order() == ["Needling the rhomboids", "Rhomboid anatomy"]

    page.get_by_role("link", name="Preview as a learner").click()
    assert page.get_by_text("This is how learners see").is_visible()
    assert page.get_by_role("heading", name="Rhomboid Release Intensive").is_visible()
    page.get_by_role("link", name="Back to editing").click()
    page.get_by_role("button", name="Publish").click()
    assert page.get_by_text("is published and listed in the catalog").is_visible()

    page.goto("/catalog?q=rhomboid")
    assert page.get_by_role("link", name="Rhomboid Release Intensive").is_visible()
