"""Both storage backends through the same interface: local files and S3 over HTTP (moto)."""

from __future__ import annotations

import hashlib
import os
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from lms.storage import (
    LocalStorage,
    ObjectNotFound,
    S3Storage,
    SignedUrls,
    StorageError,
    check_key,
)

PART = 5 * 1024 * 1024  # S3's minimum size for every part but the last


@pytest.fixture(params=["local", "s3"])
def storage(request, tmp_path, s3_endpoint, app):
    if request.param == "local":
        # Its signed part URLs are served by the app, so use the app's own instance
        # pointed at an empty directory.
        local = app.extensions["storage"]
        original = local.root
        local.root = tmp_path / "objects"
        yield local
        local.root = original
        return
    bucket = f"bucket-{os.urandom(4).hex()}"
    s3 = S3Storage(bucket, endpoint_url=s3_endpoint, access_key="testing", secret_key="testing")
    s3.ensure_bucket()
    yield s3


@pytest.fixture
def url_context(app):
    with app.test_request_context():
        yield


def test_put_get_head_range_delete(storage):
    storage.put("courses/1/handout.pdf", b"%PDF-1.7 hello", "application/pdf")
    info = storage.head("courses/1/handout.pdf")
    assert info.size == 14 and info.content_type == "application/pdf"
    assert storage.get("courses/1/handout.pdf") == b"%PDF-1.7 hello"
    assert storage.read_range("courses/1/handout.pdf", 0, 3) == b"%PDF"
    storage.delete("courses/1/handout.pdf")
    assert storage.head("courses/1/handout.pdf") is None
    with pytest.raises(ObjectNotFound):
        storage.get("courses/1/handout.pdf")


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs/path", "a//b", "a/../b", "", "x" * 600])
def test_keys_that_could_escape_are_refused(key):
    with pytest.raises(ValueError):
        check_key(key)


def _put_part(storage, url: str, data: bytes, client=None) -> str:
    if isinstance(storage, LocalStorage):
        response = client.put(url, data=data)
        assert response.status_code == 200
        return response.headers["ETag"].strip('"')
    response = requests.put(url, data=data, timeout=30)
    assert response.status_code == 200, response.text
    return response.headers["ETag"].strip('"')


def test_multipart_upload_resume_and_complete(storage, app, url_context):
    client = app.test_client()
    key = "videos/lesson-1/recording.mp4"
    chunks = [os.urandom(PART), os.urandom(PART), os.urandom(1234)]
    upload_id = storage.create_multipart_upload(key, "video/mp4")

    # The browser sends two parts, then the connection drops.
    etags = {}
    for number in (1, 2):
        url = storage.upload_part_url(key, upload_id, number, expires_in=600)
        etags[number] = _put_part(storage, url, chunks[number - 1], client)
    # After a reload it asks which parts are stored and resumes from there.
    stored = storage.list_parts(key, upload_id)
    assert [(p.number, p.size) for p in stored] == [(1, PART), (2, PART)]
    assert {p.number: p.etag for p in stored} == etags
    url = storage.upload_part_url(key, upload_id, 3, expires_in=600)
    etags[3] = _put_part(storage, url, chunks[2], client)

    assert [u.upload_id for u in storage.pending_uploads("videos/")] == [upload_id]
    storage.complete_multipart_upload(key, upload_id, sorted(etags.items()))
    info = storage.head(key)
    assert info.size == 2 * PART + 1234 and info.content_type == "video/mp4"
    assert hashlib.sha256(storage.get(key)).digest() == hashlib.sha256(b"".join(chunks)).digest()
    assert storage.pending_uploads("videos/") == []


def test_completing_with_a_missing_or_foreign_part_fails(storage, app, url_context):
    client = app.test_client()
    key = "videos/lesson-2/a.mp4"
    upload_id = storage.create_multipart_upload(key, "video/mp4")
    url = storage.upload_part_url(key, upload_id, 1, expires_in=600)
    etag = _put_part(storage, url, os.urandom(PART), client)
    with pytest.raises(StorageError):
        storage.complete_multipart_upload(key, upload_id, [(1, etag), (2, "0" * 32)])
    with pytest.raises(StorageError):
        storage.complete_multipart_upload(key, upload_id, [(1, "f" * 32)])
    assert storage.head(key) is None


def test_abort_removes_the_upload(storage, app, url_context):
    key = "videos/lesson-3/a.mp4"
    upload_id = storage.create_multipart_upload(key, "video/mp4")
    storage.abort_multipart_upload(key, upload_id)
    assert storage.pending_uploads("videos/lesson-3") == []
    storage.abort_multipart_upload(key, upload_id)  # aborting twice is harmless


def test_s3_presigned_urls_carry_signature_and_expiry(s3_endpoint):
    # moto does not check signatures or expiry, so check what our code generates.
    s3 = S3Storage("signed", endpoint_url=s3_endpoint, access_key="testing", secret_key="testing")
    url = s3.download_url("videos/x.mp4", expires_in=3600)
    query = parse_qs(urlparse(url).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["3600"]
    assert "X-Amz-Signature" in query and urlparse(url).path == "/signed/videos/x.mp4"
    part = s3.upload_part_url("videos/x.mp4", "upload-1", 7, expires_in=900)
    query = parse_qs(urlparse(part).query)
    assert query["partNumber"] == ["7"] and query["uploadId"] == ["upload-1"]
    assert query["X-Amz-Expires"] == ["900"]


def test_local_signed_url_serves_ranges_and_expires(app):
    storage = app.extensions["storage"]
    storage.put("videos/clip.mp4", bytes(range(256)) * 40, "video/mp4")
    client = app.test_client()
    with app.test_request_context():
        url = storage.download_url("videos/clip.mp4", expires_in=60)
        short = storage.download_url("videos/clip.mp4", expires_in=-1)
    whole = client.get(url)
    assert whole.status_code == 200 and len(whole.data) == 10240
    assert whole.headers["Accept-Ranges"] == "bytes"
    part = client.get(url, headers={"Range": "bytes=256-511"})
    assert part.status_code == 206 and part.data == bytes(range(256))
    assert client.get(short).status_code == 404
    assert client.get(url[:-3] + "abc").status_code == 404


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_signed_urls_are_reused_for_a_tenth_of_their_life(storage, url_context):
    storage.put("videos/a.mp4", b"x" * 10, "video/mp4")
    clock = Clock()
    urls = SignedUrls(clock=clock)
    url, left = urls.download_url(storage, "videos/a.mp4", 3600)
    assert left == 3600
    clock.now += 299  # under both limits (360 s, 300 s): the same URL, and its true life left
    assert urls.download_url(storage, "videos/a.mp4", 3600) == (url, 3301)
    # Another type, key, lifetime or script root is another URL.
    assert urls.download_url(storage, "videos/a.mp4", 3600, "text/vtt")[1] == 3600
    assert urls.download_url(storage, "videos/a.mp4", 3600, scope="/lms")[1] == 3600
    assert urls.download_url(storage, "videos/a.mp4", 600)[1] == 600
    clock.now += 2  # past 5 minutes: signed again, valid for the whole hour
    assert urls.download_url(storage, "videos/a.mp4", 3600)[1] == 3600
    clock.now += 61  # a short lifetime is reused for a tenth of it (60 s), no longer
    assert urls.download_url(storage, "videos/a.mp4", 600)[1] == 600


def test_a_reused_url_still_opens_the_object(app, url_context):
    storage = app.extensions["storage"]
    storage.put("videos/b.mp4", b"0123456789", "video/mp4")
    urls = SignedUrls()
    first, _ = urls.download_url(storage, "videos/b.mp4", 3600)
    assert urls.download_url(storage, "videos/b.mp4", 3600)[0] == first
    response = app.test_client().get(first, headers={"Range": "bytes=2-4"})
    assert response.status_code == 206 and response.data == b"234"
