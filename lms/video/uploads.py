"""Lesson video uploads: the browser sends the bytes straight to storage in parts.

The app only decides the object key, signs part URLs, and verifies the assembled object
(size, content type, container signature, duration) before a lesson points at it.
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from lms.auth.models import User
from lms.catalog.models import Course, Lesson, LessonKind
from lms.db import utcnow
from lms.errors import DomainError
from lms.extensions import db
from lms.storage import StorageError, StorageUnavailable, UploadedPart, get_storage
from lms.video import probe
from lms.video.models import UploadStatus, VideoUpload

MAX_PARTS = 10_000  # S3's limit per multipart upload
MAX_URLS_PER_REQUEST = 100
VIDEO_PREFIX = "videos/"


class UploadRefused(DomainError):
    """The upload cannot start or complete as asked; nothing changed."""


class UploadNotPending(DomainError):
    status_code = 409

    def __init__(self, status: UploadStatus) -> None:
        super().__init__(f"This upload is {status.value}; start a new one.")


class UploadRejected(DomainError):
    """The assembled file is not an acceptable video; it was deleted."""

    status_code = 422


def _human(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return str(size)


def extension_of(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def check_video_file(filename: Any, size: Any, content_type: Any) -> tuple[str, int, str]:
    """Validate what the browser declares, before any byte is sent."""
    if not isinstance(filename, str) or not filename.strip() or len(filename) > 255:
        raise UploadRefused("Choose a video file to upload.")
    extension = extension_of(filename)
    if extension not in probe.VIDEO_TYPES:
        raise UploadRefused("Only MP4, WebM and MOV videos can be uploaded.")
    accepted, _canonical = probe.VIDEO_TYPES[extension]
    if not isinstance(content_type, str) or content_type.split(";")[0].strip() not in accepted:
        raise UploadRefused(
            f"The file is named .{extension} but the browser says it is "
            f"“{content_type or 'unknown'}”: only MP4, WebM and MOV videos can be uploaded."
        )
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise UploadRefused("The file is empty.")
    limit = current_app.config["VIDEO_MAX_BYTES"]
    if size > limit:
        raise UploadRefused(
            f"This file is {_human(size)}; the largest video accepted is {_human(limit)}."
        )
    return filename.strip(), size, content_type.split(";")[0].strip()


def part_size_for(size: int) -> int:
    configured = max(
        current_app.config["VIDEO_PART_SIZE"], current_app.config["VIDEO_MIN_PART_SIZE"]
    )
    return max(configured, math.ceil(size / MAX_PARTS))


def start_upload(
    lesson: Lesson, course: Course, editor: User, filename: Any, size: Any, content_type: Any
) -> VideoUpload:
    """Open a multipart upload under a key the server makes; refuse bad files up front."""
    filename, size, content_type = check_video_file(filename, size, content_type)
    extension = extension_of(filename)
    key = f"{VIDEO_PREFIX}course-{course.id}/lesson-{lesson.id}/{uuid.uuid4().hex}.{extension}"
    try:
        upload_id = get_storage().create_multipart_upload(key, content_type)
    except StorageUnavailable:
        raise  # a 503: the uploader may retry, nothing is wrong with the upload
    except StorageError as error:
        raise UploadRefused(str(error)) from error
    upload = VideoUpload(
        lesson_id=lesson.id,
        key=key,
        upload_id=upload_id,
        filename=filename,
        size=size,
        content_type=content_type,
        part_size=part_size_for(size),
        created_by_id=editor.id,
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def pending_uploads(lesson: Lesson) -> list[VideoUpload]:
    return list(
        db.session.scalars(
            select(VideoUpload)
            .where(VideoUpload.lesson_id == lesson.id, VideoUpload.status == UploadStatus.PENDING)
            .order_by(VideoUpload.created_at.desc())
        )
    )


def _require_pending(upload: VideoUpload) -> None:
    if upload.status != UploadStatus.PENDING:
        raise UploadNotPending(upload.status)


def sign_parts(upload: VideoUpload, numbers: Any) -> dict[int, str]:
    """Presigned URLs for the given part numbers (the browser PUTs each part there)."""
    _require_pending(upload)
    if (
        not isinstance(numbers, list)
        or not numbers
        or len(numbers) > MAX_URLS_PER_REQUEST
        or any(isinstance(n, bool) or not isinstance(n, int) for n in numbers)
        or not all(1 <= n <= upload.parts_total for n in numbers)
    ):
        raise UploadRefused(
            f"Ask for 1 to {MAX_URLS_PER_REQUEST} part numbers between 1 and {upload.parts_total}."
        )
    storage = get_storage()
    expiry = current_app.config["SIGNED_URL_EXPIRY"]
    return {
        n: storage.upload_part_url(upload.key, upload.upload_id, n, expiry) for n in set(numbers)
    }


def stored_parts(upload: VideoUpload) -> list[UploadedPart]:
    """The parts storage already holds, so an interrupted upload resumes from there."""
    _require_pending(upload)
    try:
        return get_storage().list_parts(upload.key, upload.upload_id)
    except StorageUnavailable:
        raise  # a 503: the uploader may retry, nothing is wrong with the upload
    except StorageError as error:
        raise UploadRefused(
            "Storage no longer knows this upload; start it again. " + str(error)
        ) from error


_ETAG = re.compile(r'^"?[A-Za-z0-9\-]{1,100}"?$')


def _check_parts(upload: VideoUpload, parts: Any) -> list[tuple[int, str]]:
    if not isinstance(parts, list) or len(parts) > MAX_PARTS:
        raise UploadRefused("parts must be a list of [number, etag].")
    checked: dict[int, str] = {}
    for item in parts:
        if (
            not isinstance(item, list)
            or len(item) != 2
            or isinstance(item[0], bool)
            or not isinstance(item[0], int)
            or not isinstance(item[1], str)
            or not _ETAG.match(item[1])
        ):
            raise UploadRefused("parts must be a list of [number, etag].")
        checked[item[0]] = item[1].strip('"')
    expected = set(range(1, upload.parts_total + 1))
    missing = sorted(expected - checked.keys())
    if missing:
        raise UploadRefused(
            f"Part {missing[0]} of {upload.parts_total} is missing: upload it, then complete."
        )
    if checked.keys() - expected:
        raise UploadRefused(f"This upload has only {upload.parts_total} parts.")
    return sorted(checked.items())


def complete_upload(upload: VideoUpload, parts: Any, browser_duration: Any) -> VideoUpload:
    """Assemble the parts, verify the object, and make it the lesson's video.

    The lesson keeps its previous video until the new one passes every check; the previous
    object is then kept (marked superseded) until `flask lms cleanup-uploads` deletes it, so
    players already open keep working until their URL expires.
    """
    _require_pending(upload)
    checked = _check_parts(upload, parts)
    storage = get_storage()
    try:
        storage.complete_multipart_upload(upload.key, upload.upload_id, checked)
    except StorageUnavailable:
        raise  # a 503: the uploader may retry, nothing is wrong with the upload
    except StorageError as error:
        raise UploadRefused(
            f"Storage could not assemble the parts ({error}). Check the parts and retry."
        ) from error
    now = utcnow()
    try:
        duration = _verify(upload, browser_duration)
    except UploadRejected as error:
        storage.delete(upload.key)
        upload.status = UploadStatus.FAILED
        upload.failure_reason = error.message
        upload.finished_at = now
        upload.object_deleted_at = now
        db.session.flush()
        raise
    _attach(upload, duration, now)
    return upload


def _verify(upload: VideoUpload, browser_duration: Any) -> float:
    storage = get_storage()
    info = storage.head(upload.key)
    if info is None:
        raise UploadRejected("The video is not in storage after the upload. Upload it again.")
    if info.size != upload.size:
        raise UploadRejected(
            f"Storage holds {info.size} bytes but the file has {upload.size}. Upload it again."
        )
    if info.content_type != upload.content_type:
        raise UploadRejected("The stored file's type does not match the upload.")
    extension = extension_of(upload.filename)
    head = storage.read_range(upload.key, 0, probe.SNIFF_BYTES - 1)
    if not probe.container_matches(extension, head):
        raise UploadRejected(
            f"“{upload.filename}” is not a {extension.upper()} video (its first bytes are "
            "not a video header). It was deleted; the lesson is unchanged."
        )
    if probe.ffprobe_available():
        try:
            duration = probe.ffprobe_duration(storage.probe_location(upload.key, 600))
        except probe.ProbeFailed as error:
            raise UploadRejected(
                f"“{upload.filename}” could not be read as a video ({error}). It was deleted."
            ) from error
    else:
        duration = browser_duration
        if isinstance(duration, bool) or not isinstance(duration, int | float):
            duration = None
    if not probe.duration_is_sane(duration):
        raise UploadRejected("The video's duration is missing or longer than 12 hours.")
    return float(duration)


def _attach(upload: VideoUpload, duration: float, now: datetime) -> None:
    lesson = upload.lesson
    previous = db.session.scalars(
        select(VideoUpload).where(
            VideoUpload.lesson_id == lesson.id,
            VideoUpload.status == UploadStatus.COMPLETED,
            VideoUpload.superseded_at.is_(None),
            VideoUpload.id != upload.id,
        )
    )
    for older in previous:
        older.superseded_at = now
    lesson.video_key = upload.key
    lesson.video_content_type = upload.content_type
    lesson.duration_seconds = max(1, round(duration))
    lesson.kind = LessonKind.VIDEO
    upload.status = UploadStatus.COMPLETED
    upload.duration_seconds = duration
    upload.finished_at = now
    db.session.flush()


def abort_upload(upload: VideoUpload) -> VideoUpload:
    """Cancel: storage drops the parts. Aborting an aborted upload changes nothing."""
    if upload.status == UploadStatus.ABORTED:
        return upload
    _require_pending(upload)
    get_storage().abort_multipart_upload(upload.key, upload.upload_id)
    upload.status = UploadStatus.ABORTED
    upload.finished_at = utcnow()
    db.session.flush()
    return upload


@dataclass
class CleanupReport:
    aborted_recorded: list[str] = field(default_factory=list)
    aborted_unrecorded: list[str] = field(default_factory=list)
    deleted_superseded: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"Aborted {len(self.aborted_recorded)} abandoned upload(s) recorded in the database.",
            *(f"  {key}" for key in self.aborted_recorded),
            f"Aborted {len(self.aborted_unrecorded)} multipart upload(s) storage held "
            "without a database record.",
            *(f"  {key}" for key in self.aborted_unrecorded),
            f"Deleted {len(self.deleted_superseded)} superseded video(s).",
            *(f"  {key}" for key in self.deleted_superseded),
        ]


def cleanup(older_than: timedelta, now: datetime | None = None) -> CleanupReport:
    """Abort uploads abandoned for longer than `older_than`; delete superseded videos."""
    now = now or utcnow()
    cutoff = now - older_than
    storage = get_storage()
    report = CleanupReport()
    stale = db.session.scalars(
        select(VideoUpload).where(
            VideoUpload.status == UploadStatus.PENDING, VideoUpload.created_at < cutoff
        )
    )
    recorded: set[str] = set()
    for upload in stale:
        storage.abort_multipart_upload(upload.key, upload.upload_id)
        upload.status = UploadStatus.ABORTED
        upload.finished_at = now
        upload.failure_reason = "abandoned: aborted by cleanup"
        recorded.add(upload.upload_id)
        report.aborted_recorded.append(upload.key)
    live = set(
        db.session.scalars(
            select(VideoUpload.upload_id).where(VideoUpload.status == UploadStatus.PENDING)
        )
    )
    for pending in storage.pending_uploads(VIDEO_PREFIX):
        if pending.upload_id in recorded or pending.upload_id in live:
            continue
        if pending.initiated < cutoff:
            storage.abort_multipart_upload(pending.key, pending.upload_id)
            report.aborted_unrecorded.append(pending.key)
    in_use = select(Lesson.id).where(Lesson.video_key == VideoUpload.key).exists()
    superseded = db.session.scalars(
        select(VideoUpload).where(
            VideoUpload.superseded_at < cutoff,
            VideoUpload.object_deleted_at.is_(None),
            ~in_use,
        )
    )
    for upload in superseded:
        storage.delete(upload.key)
        upload.object_deleted_at = now
        report.deleted_superseded.append(upload.key)
    db.session.flush()
    return report
