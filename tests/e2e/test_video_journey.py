"""An instructor uploads a lesson video in parts; a learner watches, seeks, resumes, completes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from sqlalchemy import select

from lms.catalog.models import Course
from lms.extensions import db

pytestmark = pytest.mark.e2e

COURSE = "scalenes"  # taught by mei.chen; its first lesson is a video lesson


def wait_until(page, expression: str, timeout: int = 10_000) -> None:
    """Poll a page expression. (page.wait_for_function evaluates strings with eval(),
    which the site's Content-Security-Policy rightly forbids.)"""
    import time

    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        page.wait_for_timeout(100)


@pytest.fixture(scope="module")
def webm(tmp_path_factory):
    if shutil.which("ffmpeg") is None:
        pytest.fail("ffmpeg is not installed: run `make system-deps`")
    path = tmp_path_factory.mktemp("e2e") / "scalenes-anatomy.webm"
    subprocess.run(
        [
            "ffmpeg", "-y", "-loglevel", "error",
            "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=15:duration=12",
            "-f", "lavfi", "-i", "sine=frequency=440:duration=12",
            "-c:v", "libvpx", "-b:v", "150k", "-c:a", "libopus", "-b:a", "32k",
            "-shortest", str(path),
        ],
        check=True,
    )  # fmt: skip
    return path


def sign_in(page, email):
    page.goto("/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("demo-password-2026")
    page.get_by_role("button", name="Sign in").click()


def video_time(page) -> float:
    return page.evaluate("document.getElementById('lesson-video').currentTime")


def play_at_double_speed(page):
    page.evaluate(
        """() => { const v = document.getElementById('lesson-video');
                   v.muted = true; v.playbackRate = 2; return v.play(); }"""
    )


def test_upload_in_parts_then_watch_seek_resume_and_complete(page, live_server, live_app, webm):
    with live_app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == COURSE))
        lesson_id = course.modules[0].lessons[0].id
        db.session.remove()
    size = webm.stat().st_size
    assert size > 3 * 64 * 1024  # several parts

    sign_in(page, "mei.chen@demo.lms")
    page.goto(f"/courses/{COURSE}/lessons/{lesson_id}/media")
    page.get_by_label(re.compile("^Video file")).set_input_files(str(webm))
    page.get_by_role("button", name="Upload video").click()
    bar = page.get_by_role("progressbar", name="Upload progress")
    page.get_by_text("Upload complete").wait_for(timeout=30_000)
    assert bar.get_attribute("aria-valuenow") == "100"
    page.context.clear_cookies()

    sign_in(page, "priya.raman@demo.lms")
    reports: list[dict] = []  # the bodies the player sends
    page.on(
        "request",
        lambda request: (
            reports.append(json.loads(request.post_data))
            if request.url.endswith("/watch")
            else None
        ),
    )
    page.goto(f"/courses/{COURSE}")
    if page.get_by_role("button", name="Enrol").count():
        page.get_by_role("button", name="Enrol").click()
    lesson_url = f"/courses/{COURSE}/lessons/{lesson_id}"
    page.goto(lesson_url)
    assert page.get_by_role("button", name=re.compile("Mark complete")).count() == 0
    wait_until(page, "document.getElementById('lesson-video').readyState >= 1")

    # Play a few seconds at 2x, pause (a report is sent), seek back a little (another one).
    play_at_double_speed(page)
    wait_until(page, "document.getElementById('lesson-video').currentTime > 5", timeout=15_000)
    page.evaluate("document.getElementById('lesson-video').pause()")
    page.wait_for_timeout(500)
    page.evaluate("document.getElementById('lesson-video').currentTime = 4")
    page.wait_for_timeout(1000)
    assert "Completed" not in page.locator("h1 + p").inner_text()

    # Reload: the player starts where the learner stopped (the seek's report saved 4 s).
    page.reload()
    wait_until(page, "document.getElementById('lesson-video').readyState >= 1")
    wait_until(page, "document.getElementById('lesson-video').currentTime > 3")
    assert 3.5 <= video_time(page) <= 4.5

    # Watch the rest (seek back to the start first: verified coverage must reach 90%).
    page.evaluate("document.getElementById('lesson-video').currentTime = 0")
    page.wait_for_timeout(300)
    play_at_double_speed(page)
    wait_until(page, "document.getElementById('lesson-video').ended", timeout=20_000)
    page.get_by_text("Lesson complete").wait_for(timeout=10_000)
    page.reload()
    assert "Completed" in page.locator("h1 + p").inner_text()
    # After a page's first answer the player sends back the state it was given (so the
    # server need not read the coverage row: lms.video.watching).
    assert reports and "state" not in reports[0]
    sent_back = [body["state"] for body in reports if "state" in body]
    assert sent_back and all(state["v"] >= 1 and state["i"] for state in sent_back)
