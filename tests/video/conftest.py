"""Video test helpers: a real small clip made by ffmpeg, lessons with videos, an S3-mode app."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from lms.catalog.models import LessonKind
from lms.enrolments import services as enrolment_services
from lms.extensions import db
from tests import factories
from tests.conftest import make_app, s3_settings

MIB = 1024 * 1024


def make_clip(path: Path, seconds: int = 12) -> Path:
    if shutil.which("ffmpeg") is None:
        pytest.fail("ffmpeg is not installed: run `make system-deps`")
    subprocess.run(
        [
            "ffmpeg", "-y", "-loglevel", "error",
            "-f", "lavfi", "-i", f"testsrc2=size=320x180:rate=10:duration={seconds}",
            "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-movflags", "+faststart", "-shortest", str(path),
        ],
        check=True,
    )  # fmt: skip
    return path


@pytest.fixture(scope="session")
def clip(tmp_path_factory) -> bytes:
    """A 12 s H.264 MP4 (about 0.6 MB)."""
    return make_clip(tmp_path_factory.mktemp("clips") / "clip.mp4").read_bytes()


@pytest.fixture(scope="session")
def big_clip(clip) -> bytes:
    """The clip padded to three S3 parts (ffprobe ignores the trailing bytes)."""
    return clip + os.urandom(11 * MIB)


def video_course(teacher=None, duration: int = 600, key: str | None = "videos/demo.mp4"):
    """A published course whose first lesson has a (pretend) stored video."""
    teacher = teacher or factories.instructor()
    course = factories.course(teacher)
    lesson = course.modules[0].lessons[0]
    lesson.kind = LessonKind.VIDEO
    lesson.duration_seconds = duration
    lesson.video_key = key
    lesson.video_content_type = "video/mp4"
    db.session.flush()
    return teacher, course, lesson


@pytest.fixture
def watcher(client, db_session, login):
    """A signed-in learner enrolled in a course with a 60 s lesson video: (course, lesson,
    learner)."""
    teacher, course, lesson = video_course(duration=60)
    learner = enrolled_learner(course)
    login(learner)
    return course, lesson, learner


def enrolled_learner(course):
    learner = factories.learner()
    enrolment_services.enrol(learner, course)
    db.session.flush()
    return learner


def page_data(html: str, name: str) -> str:
    match = re.search(rf'data-{name}="([^"]*)"', html)
    assert match, f"data-{name} not on the page"
    return match.group(1).replace("&amp;", "&")


def sign_in(client, user, password: str = factories.PASSWORD) -> None:
    response = client.post("/auth/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@pytest.fixture(scope="module")
def s3_app(fresh_database, smtp_server, s3_endpoint):
    """An app in S3 mode on moto's server (over HTTP) with its own database and bucket."""
    bucket = f"lms-video-{os.urandom(4).hex()}"
    app = make_app(
        fresh_database(),
        smtp_server,
        **s3_settings(s3_endpoint, bucket),
        VIDEO_PART_SIZE=5 * MIB,
        VIDEO_MAX_BYTES=100 * MIB,
    )
    app.extensions["storage"].ensure_bucket()
    return app
