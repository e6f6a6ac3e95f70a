"""A learner takes a final assessment with hotspot questions: fails, retries, passes."""

import re

import pytest
from playwright.sync_api import expect

from lms.demo.quizzes import UPPER_TRAPEZIUS_FINAL

pytestmark = pytest.mark.e2e

QUESTIONS = {q.prompt: q for q in UPPER_TRAPEZIUS_FINAL.questions}


def target_point(region):
    if region["shape"] == "circle":
        return region["cx"], region["cy"]
    xs = [x for x, _ in region["points"]]
    ys = [y for _, y in region["points"]]
    return sum(xs) / len(xs), sum(ys) / len(ys)


def answer_every_question(page, right: bool) -> None:
    fieldsets = page.locator("fieldset.quiz-question")
    assert fieldsets.count() == len(QUESTIONS)
    for index in range(fieldsets.count()):
        fieldset = fieldsets.nth(index)
        prompt = fieldset.locator("p").first.inner_text()
        question = QUESTIONS[prompt]
        if question.kind == "hotspot":
            stage = fieldset.locator(".hotspot-stage")
            stage.scroll_into_view_if_needed()
            box = stage.bounding_box()
            x, y = target_point(question.region) if right else (0.05, 0.95)
            stage.click(position={"x": box["width"] * x, "y": box["height"] * y})
            assert fieldset.locator(".hotspot-marker").count() == 1
        else:
            wanted = [text for text, correct in question.choices if correct == right]
            if question.kind != "multiple" or not right:
                wanted = wanted[:1]
            for text in wanted:
                fieldset.get_by_label(text, exact=True).check()
        # Autosave confirms each answer.
        status = fieldset.locator(".js-question-status")
        status.filter(has_text="Answer saved.").wait_for()


def test_learner_fails_retries_and_passes_a_final_assessment_with_hotspots(page):
    page.goto("/auth/login")
    page.get_by_label("Email").fill("ana.kowalski@demo.lms")
    page.get_by_label("Password").fill("demo-password-2026")
    page.get_by_role("button", name="Sign in").click()
    page.goto("/courses/upper-trapezius")
    if page.get_by_role("button", name="Enrol").count():
        page.get_by_role("button", name="Enrol").click()
    page.get_by_role("link", name=UPPER_TRAPEZIUS_FINAL.title).click()

    # Before starting: the pass mark, the attempts left and the time limit.
    facts = page.locator(".quiz-facts").inner_text()
    assert "80%" in facts and "3 of 3" in facts and "30 minutes" in facts
    page.get_by_role("button", name="Start the quiz").click()
    expect(page.locator(".js-remaining")).to_contain_text("s left")

    answer_every_question(page, right=False)
    page.get_by_role("button", name="Submit answers").click()
    assert "Not passed" in page.locator(".quiz-score").inner_text()
    assert "Attempts left: 2 of 3" in page.content()
    # Feedback policy "after passing": no answers or explanations yet.
    assert "shown once you pass" in page.content()
    assert page.locator(".quiz-explanation").count() == 0

    page.get_by_role("button", name="Try again").click()
    answer_every_question(page, right=True)
    # Reloading shows the same attempt, the same order, the answers kept.
    order = page.locator("fieldset.quiz-question > p").all_inner_texts()
    page.reload()
    assert page.locator("fieldset.quiz-question > p").all_inner_texts() == order
    assert page.locator("input[type=radio]:checked").count() >= 1
    page.get_by_role("button", name="Submit answers").click()

    assert "Passed" in page.locator(".quiz-score").inner_text()
    assert "100%" in page.locator(".quiz-score").inner_text()
    assert page.locator(".quiz-explanation").count() == len(QUESTIONS)
    assert page.locator(".quiz-feedback .hotspot-target").count() == 2
    assert page.get_by_role("button", name="Try again").count() == 0
    page.get_by_role("link", name="Back to the course").click()
    final = page.locator(".quiz-outline-item", has_text=UPPER_TRAPEZIUS_FINAL.title)
    assert re.search(r"Passed", final.inner_text())
