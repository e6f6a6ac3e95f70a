"""Playback URLs, captions and handouts of a lesson."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import BinaryIO

from flask import current_app, request
from sqlalchemy import select

from lms.auth.models import User
from lms.catalog.models import Course, Lesson
from lms.errors import DomainError
from lms.extensions import db
from lms.storage import get_storage, signed_urls
from lms.video.models import Handout


class NoVideo(DomainError):
    status_code = 404

    def __init__(self) -> None:
        super().__init__("This lesson has no video yet.")


class FileRefused(DomainError):
    pass


@dataclass(frozen=True)
class Playback:
    url: str
    content_type: str
    expires_in: int
    captions_url: str | None


def playback(lesson: Lesson) -> Playback:
    """Short-lived signed URLs for the lesson's video (and captions).

    Signed URLs are reused for a short while (`lms.storage.SignedUrls`): `expires_in` is
    the time the URLs have left."""
    if not lesson.video_key:
        raise NoVideo()
    storage = get_storage()
    urls = signed_urls()
    expiry = current_app.config["PLAYBACK_URL_EXPIRY"]
    scope = request.script_root
    url, left = urls.download_url(storage, lesson.video_key, expiry, scope=scope)
    captions = None
    if lesson.captions_key:
        captions, captions_left = urls.download_url(
            storage, lesson.captions_key, expiry, "text/vtt", scope
        )
        left = min(left, captions_left)
    return Playback(
        url=url,
        content_type=lesson.video_content_type or "video/mp4",
        expires_in=left,
        captions_url=captions,
    )


def _read_limited(stream: BinaryIO, limit: int, what: str) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise FileRefused(f"The {what} is larger than {limit // (1024 * 1024)} MB.")
    if not data:
        raise FileRefused(f"The {what} is empty.")
    return data


def save_captions(lesson: Lesson, course: Course, filename: str, stream: BinaryIO) -> Lesson:
    """Store a WebVTT caption file for the lesson's video (replacing the previous one)."""
    if not filename.lower().endswith(".vtt"):
        raise FileRefused("Captions must be a WebVTT file (.vtt).")
    data = _read_limited(stream, current_app.config["CAPTIONS_MAX_BYTES"], "caption file")
    text = data.removeprefix(b"\xef\xbb\xbf")
    if not (text.startswith(b"WEBVTT") and text[6:7] in (b"", b"\n", b"\r", b" ", b"\t")):
        raise FileRefused("This is not a WebVTT file: its first line must be “WEBVTT”.")
    try:
        text.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FileRefused("WebVTT files must be UTF-8 text.") from error
    key = f"captions/course-{course.id}/lesson-{lesson.id}/{uuid.uuid4().hex}.vtt"
    storage = get_storage()
    storage.put(key, data, "text/vtt")
    previous = lesson.captions_key
    lesson.captions_key = key
    db.session.flush()
    if previous:
        storage.delete(previous)  # captions are small and re-uploadable: no need to keep
    return lesson


def add_handout(
    lesson: Lesson, course: Course, editor: User, filename: str, stream: BinaryIO
) -> Handout:
    """Store a PDF handout for the lesson."""
    if not filename.lower().endswith(".pdf"):
        raise FileRefused("Handouts must be PDF files.")
    data = _read_limited(stream, current_app.config["HANDOUT_MAX_BYTES"], "handout")
    if not data.startswith(b"%PDF-"):
        raise FileRefused("This is not a PDF file (it does not start with “%PDF-”).")
    key = f"handouts/course-{course.id}/lesson-{lesson.id}/{uuid.uuid4().hex}.pdf"
    get_storage().put(key, data, "application/pdf")
    safe_name = "".join(c for c in filename if c.isalnum() or c in " ._-()")[:200] or "handout.pdf"
    handout = Handout(
        lesson_id=lesson.id, key=key, filename=safe_name, size=len(data), created_by_id=editor.id
    )
    db.session.add(handout)
    db.session.flush()
    return handout


def delete_handout(handout: Handout) -> None:
    get_storage().delete(handout.key)
    db.session.delete(handout)
    db.session.flush()


def handouts(lesson: Lesson) -> list[Handout]:
    return list(
        db.session.scalars(
            select(Handout).where(Handout.lesson_id == lesson.id).order_by(Handout.id)
        )
    )


def handout_url(handout: Handout) -> str:
    return get_storage().download_url(
        handout.key,
        current_app.config["SIGNED_URL_EXPIRY"],
        filename=handout.filename,
        content_type="application/pdf",
    )
