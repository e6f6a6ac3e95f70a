"""Local storage mode end to end, captions, handouts, the lesson page and analytics."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.video import analytics
from lms.video.models import Handout, UploadStatus, VideoUpload, WatchCoverage
from tests.video.conftest import enrolled_learner, video_course


def test_local_mode_upload_through_signed_part_urls_then_play_with_ranges(
    client, db_session, login, clip
):
    teacher, course, lesson = video_course(key=None)
    login(teacher)
    start = client.post(
        f"/courses/{course.slug}/lessons/{lesson.id}/video/uploads",
        json={"filename": "palpation.mp4", "size": len(clip), "type": "video/mp4"},
    )
    assert start.status_code == 201
    upload = start.get_json()
    urls = client.post(upload["urls"]["parts"], json={"parts": [1]}).get_json()["urls"]
    put = client.put(urls["1"], data=clip)  # the files route stands in for S3
    assert put.status_code == 200
    etag = put.headers["ETag"].strip('"')
    status = client.get(upload["urls"]["status"]).get_json()
    assert status["parts"] == [{"number": 1, "etag": etag, "size": len(clip)}]
    done = client.post(upload["urls"]["complete"], json={"parts": [[1, etag]]})
    assert done.status_code == 200, done.get_json()
    db_session.expire_all()
    assert lesson.video_key == db_session.get(VideoUpload, upload["id"]).key

    learner = enrolled_learner(course)
    login(learner)
    play = client.get(f"/courses/{course.slug}/lessons/{lesson.id}/playback").get_json()
    ranged = client.get(play["url"], headers={"Range": "bytes=100-199"})
    assert ranged.status_code == 206 and ranged.data == clip[100:200]


def test_replacing_a_video_keeps_the_old_one_until_the_new_one_is_verified(
    client, db_session, login, clip
):
    teacher, course, lesson = video_course(key=None)
    login(teacher)

    def upload(data: bytes, name: str):
        started = client.post(
            f"/courses/{course.slug}/lessons/{lesson.id}/video/uploads",
            json={"filename": name, "size": len(data), "type": "video/mp4"},
        ).get_json()
        url = client.post(started["urls"]["parts"], json={"parts": [1]}).get_json()["urls"]["1"]
        etag = client.put(url, data=data).headers["ETag"].strip('"')
        done = client.post(started["urls"]["complete"], json={"parts": [[1, etag]]})
        db_session.expire_all()
        return started, done

    first, ok = upload(clip, "one.mp4")
    assert ok.status_code == 200
    first_key = lesson.video_key
    _, bad = upload(b"\x00" * 8 + b"not a video at all" * 50, "two.mp4")
    assert bad.status_code == 422 and lesson.video_key == first_key  # unchanged
    second, ok = upload(clip, "three.mp4")
    assert ok.status_code == 200 and lesson.video_key != first_key
    old = db_session.get(VideoUpload, first["id"])
    assert old.superseded_at is not None
    storage = client.application.extensions["storage"]
    assert storage.head(first_key) is not None  # kept for players still open


def test_captions_and_handouts_are_validated_stored_and_shown(client, db_session, login):
    teacher, course, lesson = video_course(key=None)
    login(teacher)
    base = f"/courses/{course.slug}/lessons/{lesson.id}"

    def post(kind, name, data):
        page = client.post(
            f"{base}/{kind}",
            data={"file": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
            follow_redirects=True,
        ).get_data(as_text=True)
        db_session.expire_all()
        return page

    assert "not a WebVTT file" in post("captions", "c.vtt", b"1\n00:00.000 --> 00:01.000\nhi")
    assert lesson.captions_key is None
    assert "Captions saved" in post("captions", "c.vtt", b"WEBVTT\n\n00:00.000 --> 00:01.000\nhi")
    assert lesson.captions_key.startswith(f"captions/course-{course.id}/")
    assert "not a PDF" in post("handouts", "notes.pdf", b"<html>not a pdf</html>")
    assert "added" in post("handouts", "Referral map.pdf", b"%PDF-1.4\n%%EOF\n")
    handout = db_session.scalar(select(Handout).where(Handout.lesson_id == lesson.id))
    assert handout.filename == "Referral map.pdf"

    lesson.video_key = "videos/any.mp4"
    db_session.flush()
    learner = enrolled_learner(course)
    login(learner)
    html = client.get(base).get_data(as_text=True)
    assert '<track kind="captions"' in html and 'srclang="en"' in html
    assert "Referral map.pdf" in html
    assert "Mark complete" not in html


def test_handouts_over_the_limit_are_refused(client, db_session, login, app):
    teacher, course, lesson = video_course(key=None)
    login(teacher)
    big = b"%PDF-1.4\n" + b"0" * (app.config["HANDOUT_MAX_BYTES"] + 10)
    response = client.post(
        f"/courses/{course.slug}/lessons/{lesson.id}/handouts",
        data={"file": (io.BytesIO(big), "big.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code in (302, 413)
    assert db_session.scalar(select(Handout).where(Handout.lesson_id == lesson.id)) is None


def test_pending_uploads_are_offered_for_resume_on_the_media_page(client, db_session, login):
    teacher, course, lesson = video_course(key=None)
    login(teacher)
    client.post(
        f"/courses/{course.slug}/lessons/{lesson.id}/video/uploads",
        json={"filename": "seminar.mov", "size": 1234, "type": "video/quicktime"},
    )
    html = client.get(f"/courses/{course.slug}/lessons/{lesson.id}/media").get_data(as_text=True)
    assert "An upload was interrupted" in html and "seminar.mov" in html
    assert 'role="progressbar"' in html
    row = db_session.scalar(select(VideoUpload).where(VideoUpload.lesson_id == lesson.id))
    assert row.status == UploadStatus.PENDING


def test_coverage_histogram_counts_viewers_per_bucket():
    buckets = analytics.coverage_histogram([[[0, 50]], [[0, 100]], [[75, 100]]], 100, buckets=4)
    assert buckets == pytest.approx((2 / 3, 2 / 3, 1 / 3, 2 / 3), abs=0.001)
    assert analytics.coverage_histogram([], 100, buckets=2) == (0.0, 0.0)


def test_analytics_page_shows_an_accessible_chart_with_numbers(client, db_session, login):
    teacher, course, lesson = video_course(duration=100)
    for share in (1.0, 0.5):
        learner = enrolled_learner(course)
        db.session.add(
            WatchCoverage(
                user_id=learner.id,
                lesson_id=lesson.id,
                intervals=[[0, 100 * share]],
                verified_seconds=100 * share,
            )
        )
    db.session.flush()
    login(teacher)
    html = client.get(f"/courses/{course.slug}/video-analytics").get_data(as_text=True)
    assert 'role="img"' in html and "<title id=" in html and "<desc id=" in html
    assert "75%" in html  # average coverage
    assert '<td class="text-end">100%</td>' in html and '<td class="text-end">50%</td>' in html
    assert 'style="' not in html
