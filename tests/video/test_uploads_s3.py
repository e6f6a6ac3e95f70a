"""Uploads and playback in S3 mode: the app signs, the browser (here: requests) talks to S3.

moto's server speaks the S3 API over HTTP, so every byte really goes browser -> S3 and
S3 -> browser; the app only ever sees the JSON calls, which the tests count.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from sqlalchemy import select

from lms.catalog.models import Lesson
from lms.extensions import db
from lms.storage import S3Storage
from lms.video.models import UploadStatus, VideoUpload
from tests import factories
from tests.video.conftest import MIB, enrolled_learner, sign_in, video_course


@pytest.fixture
def world(s3_app):
    """A course with a video lesson (no video yet), its teacher and an enrolled learner."""
    with s3_app.app_context():
        teacher, course, lesson = video_course(key=None)
        learner = enrolled_learner(course)
        outsider = factories.learner()
        db.session.commit()
        ids = {
            "slug": course.slug,
            "lesson": lesson.id,
            "teacher": teacher,
            "learner": learner,
            "outsider": outsider,
        }
    yield ids


class CountingClient:
    """Counts the requests the app serves (the upload's overhead on the app)."""

    def __init__(self, client):
        self.client, self.requests = client, 0

    def __getattr__(self, name):
        method = getattr(self.client, name)
        if name in {"get", "post"}:

            def counted(*args, **kwargs):
                self.requests += 1
                return method(*args, **kwargs)

            return counted
        return method


def start(client, world, data: bytes | int, name="seminar.mp4", kind="video/mp4"):
    size = data if isinstance(data, int) else len(data)
    return client.post(
        f"/courses/{world['slug']}/lessons/{world['lesson']}/video/uploads",
        json={"filename": name, "size": size, "type": kind},
    )


def put_parts(client, upload, data: bytes, numbers) -> dict[int, str]:
    urls = client.post(upload["urls"]["parts"], json={"parts": list(numbers)}).get_json()["urls"]
    etags = {}
    for number in numbers:
        size = upload["part_size"]
        chunk = data[(number - 1) * size : number * size]
        response = requests.put(urls[str(number)], data=chunk, timeout=30)
        assert response.status_code == 200, response.text
        etags[number] = response.headers["ETag"].strip('"')
    return etags


def test_upload_in_parts_resume_complete_and_play_with_ranges(s3_app, world, big_clip):
    client = CountingClient(s3_app.test_client())
    sign_in(client, world["teacher"])
    client.requests = 0
    response = start(client, world, big_clip)
    assert response.status_code == 201, response.get_json()
    upload = response.get_json()
    assert upload["parts_total"] == 3 and upload["part_size"] == 5 * MIB

    # Part 1 reaches S3, then the connection drops. After a reload the page asks what is
    # stored (list_parts) and sends only the rest.
    etags = put_parts(client, upload, big_clip, [1])
    status = client.get(upload["urls"]["status"]).get_json()
    assert [(p["number"], p["size"]) for p in status["parts"]] == [(1, 5 * MIB)]
    etags |= put_parts(client, upload, big_clip, [2, 3])
    done = client.post(
        upload["urls"]["complete"],
        json={"parts": [[n, e] for n, e in etags.items()], "duration": 999},
    )
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["duration_seconds"] == pytest.approx(12, abs=0.2)  # ffprobe's, not 999
    # initiate, 2 x sign parts, 1 x status (the resume), complete: the bytes never came here
    assert client.requests == 5

    with s3_app.app_context():
        row = db.session.get(VideoUpload, upload["id"])
        assert row.status == UploadStatus.COMPLETED
        lesson = row.lesson
        assert lesson.video_key == row.key and lesson.duration_seconds == 12
        assert row.key.startswith(f"videos/course-{lesson.module.course_id}/lesson-{lesson.id}/")
        info = s3_app.extensions["storage"].head(row.key)
        assert info.size == len(big_clip) and info.content_type == "video/mp4"
        assert s3_app.extensions["storage"].pending_uploads("videos/") == []

    learner = s3_app.test_client()
    sign_in(learner, world["learner"])
    play = learner.get(f"/courses/{world['slug']}/lessons/{world['lesson']}/playback").get_json()
    query = parse_qs(urlparse(play["url"]).query)
    assert query["X-Amz-Expires"] == [str(s3_app.config["PLAYBACK_URL_EXPIRY"])]
    assert "X-Amz-Signature" in query and query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    # Seeking: the player asks S3 for byte ranges; S3 answers 206 with exactly those bytes.
    ranged = requests.get(play["url"], headers={"Range": "bytes=1000-1999"}, timeout=30)
    assert ranged.status_code == 206 and ranged.content == big_clip[1000:2000]
    assert ranged.headers["Content-Range"] == f"bytes 1000-1999/{len(big_clip)}"

    # The lesson page carries the same kind of short-lived URL; the app never streams bytes.
    page = learner.get(f"/courses/{world['slug']}/lessons/{world['lesson']}")
    assert urlparse(play["url"]).netloc in page.get_data(as_text=True)


def test_part_urls_are_signed_and_expire(s3_app, world):
    client = s3_app.test_client()
    sign_in(client, world["teacher"])
    upload = start(client, world, 12 * MIB).get_json()
    urls = client.post(upload["urls"]["parts"], json={"parts": [1, 3]}).get_json()["urls"]
    query = parse_qs(urlparse(urls["3"]).query)
    assert query["partNumber"] == ["3"] and query["X-Amz-Expires"] == [
        str(s3_app.config["SIGNED_URL_EXPIRY"])
    ]
    assert "X-Amz-Signature" in query
    refused = client.post(upload["urls"]["parts"], json={"parts": [4]})
    assert refused.status_code == 400 and "between 1 and 3" in refused.get_json()["message"]


def test_a_non_video_renamed_mp4_is_rejected_deleted_and_the_lesson_unchanged(s3_app, world):
    client = s3_app.test_client()
    sign_in(client, world["teacher"])
    with s3_app.app_context():
        before = db.session.get(Lesson, world["lesson"]).video_key
    fake = b"%PDF-1.4 this is a handout, not a video" + os.urandom(2000)
    upload = start(client, world, fake, name="lecture.mp4").get_json()
    etags = put_parts(client, upload, fake, [1])
    response = client.post(upload["urls"]["complete"], json={"parts": [[1, etags[1]]]})
    assert response.status_code == 422
    assert "not a MP4 video" in response.get_json()["message"]
    with s3_app.app_context():
        row = db.session.get(VideoUpload, upload["id"])
        assert row.status == UploadStatus.FAILED and row.failure_reason
        assert s3_app.extensions["storage"].head(row.key) is None  # deleted
        assert row.lesson.video_key == before


def test_oversized_or_wrong_type_files_are_refused_before_any_upload(s3_app, world):
    client = s3_app.test_client()
    sign_in(client, world["teacher"])
    too_big = start(client, world, s3_app.config["VIDEO_MAX_BYTES"] + 1)
    assert too_big.status_code == 400
    assert "largest video accepted is 104.9 MB" in too_big.get_json()["message"]
    for name, kind in [("notes.pdf", "application/pdf"), ("clip.mp4", "text/html")]:
        response = start(client, world, 1000, name=name, kind=kind)
        assert response.status_code == 400 and response.get_json()["message"]
    with s3_app.app_context():
        keys = {u.key for u in s3_app.extensions["storage"].pending_uploads("videos/")}
        recorded = set(db.session.scalars(select(VideoUpload.key)))
        assert keys <= recorded  # nothing was started for the refused files


def test_completing_with_a_missing_or_foreign_part_fails_and_the_upload_stays(
    s3_app, world, big_clip
):
    client = s3_app.test_client()
    sign_in(client, world["teacher"])
    upload = start(client, world, big_clip).get_json()
    etags = put_parts(client, upload, big_clip, [1, 2])
    missing = client.post(
        upload["urls"]["complete"], json={"parts": [[1, etags[1]], [2, etags[2]]]}
    )
    assert missing.status_code == 400 and "Part 3 of 3 is missing" in missing.get_json()["message"]
    foreign = client.post(
        upload["urls"]["complete"],
        json={"parts": [[1, etags[1]], [2, etags[2]], [3, "0" * 32]]},
    )
    assert foreign.status_code == 400 and "could not assemble" in foreign.get_json()["message"]
    with s3_app.app_context():
        assert db.session.get(VideoUpload, upload["id"]).status == UploadStatus.PENDING
    # Cancel: the multipart upload is aborted in S3 too.
    aborted = client.post(upload["urls"]["abort"], json={})
    assert aborted.status_code == 200 and aborted.get_json()["status"] == "aborted"
    with s3_app.app_context():
        pending = s3_app.extensions["storage"].pending_uploads("videos/")
        assert upload["id"] not in {u.upload_id for u in pending}
        row = db.session.get(VideoUpload, upload["id"])
        assert row.upload_id not in {u.upload_id for u in pending}
    assert client.post(upload["urls"]["parts"], json={"parts": [3]}).status_code == 409


def test_learners_get_no_upload_urls_and_no_playback_of_lessons_they_may_not_see(s3_app, world):
    learner = s3_app.test_client()
    sign_in(learner, world["learner"])
    assert start(learner, world, 1000).status_code == 403
    outsider = s3_app.test_client()
    sign_in(outsider, world["outsider"])
    response = outsider.get(f"/courses/{world['slug']}/lessons/{world['lesson']}/playback")
    assert response.status_code == 403 and response.is_json


def test_cleanup_aborts_abandoned_uploads_in_the_database_and_in_storage(s3_app, world):
    client = s3_app.test_client()
    sign_in(client, world["teacher"])
    upload = start(client, world, 12 * MIB).get_json()
    storage: S3Storage = s3_app.extensions["storage"]
    orphan_key = "videos/course-0/lesson-0/orphan.mp4"
    orphan = storage.create_multipart_upload(orphan_key, "video/mp4")
    result = s3_app.test_cli_runner().invoke(
        args=["lms", "cleanup-uploads", "--older-than-hours", "0"]
    )
    assert result.exit_code == 0, result.output
    assert "Aborted" in result.output and orphan_key in result.output
    with s3_app.app_context():
        row = db.session.get(VideoUpload, upload["id"])
        assert row.status == UploadStatus.ABORTED
        left = {u.upload_id for u in storage.pending_uploads("videos/")}
        assert orphan not in left and row.upload_id not in left
