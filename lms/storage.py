"""Object storage: one interface, an S3 implementation and a local-filesystem one.

The only module that imports boto3. The database stores object keys, never URLs; URLs are
made on demand, signed and expiring. In S3 mode browsers upload and download straight from
S3 (presigned URLs), so no video byte passes through the app. The local implementation is
the embedded default for `make run`: the app itself serves its signed URLs (Range included).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Protocol

import boto3
from botocore.client import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError
from flask import Flask, current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer

KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,500}$")


class StorageError(Exception):
    """The storage backend failed or is unreachable; the message is safe to show."""


class ObjectNotFound(StorageError):
    pass


class StorageUnavailable(StorageError):
    """The storage endpoint could not be reached or did not answer in time (answered 503)."""


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    content_type: str
    etag: str


@dataclass(frozen=True)
class UploadedPart:
    number: int
    etag: str
    size: int


@dataclass(frozen=True)
class PendingUpload:
    key: str
    upload_id: str
    initiated: datetime


def check_key(key: str) -> str:
    """Keys are made by the server; refuse anything that could escape its prefix."""
    if not KEY_PATTERN.match(key) or ".." in key.split("/") or "//" in key:
        raise ValueError(f"invalid object key: {key!r}")
    return key


class Storage(Protocol):
    def put(self, key: str, data: bytes | BinaryIO, content_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...
    def read_range(self, key: str, start: int, end: int) -> bytes: ...
    def head(self, key: str) -> ObjectInfo | None: ...
    def delete(self, key: str) -> None: ...
    def download_url(
        self,
        key: str,
        expires_in: int,
        filename: str | None = None,
        content_type: str | None = None,
    ) -> str: ...
    def create_multipart_upload(self, key: str, content_type: str) -> str: ...
    def upload_part_url(
        self, key: str, upload_id: str, part_number: int, expires_in: int
    ) -> str: ...
    def list_parts(self, key: str, upload_id: str) -> list[UploadedPart]: ...
    def complete_multipart_upload(
        self, key: str, upload_id: str, parts: list[tuple[int, str]]
    ) -> None: ...
    def abort_multipart_upload(self, key: str, upload_id: str) -> None: ...
    def pending_uploads(self, prefix: str = "") -> list[PendingUpload]: ...
    def probe_location(self, key: str, expires_in: int) -> str: ...


# --- S3 ---------------------------------------------------------------------------------


class S3Storage:
    """Any S3 API: AWS S3, MinIO, or a local test server (endpoint URL configurable)."""

    def __init__(
        self,
        bucket: str,
        region: str | None = None,
        endpoint_url: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        public_endpoint_url: str | None = None,
    ):
        self.bucket = bucket
        options = {
            "region_name": region or "us-east-1",
            "config": BotoConfig(
                signature_version="s3v4",
                s3={"addressing_style": "path" if endpoint_url else "auto"},
                # Three tries with jittered backoff, and bounded waits: an unreachable
                # endpoint costs a request a few seconds, never a hang.
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=5,
                read_timeout=30,
            ),
        }
        if access_key:
            options.update(aws_access_key_id=access_key, aws_secret_access_key=secret_key)
        self.client = boto3.client("s3", endpoint_url=endpoint_url, **options)
        # Browsers may reach S3 under another name than the app servers do.
        self.signing_client = (
            boto3.client("s3", endpoint_url=public_endpoint_url, **options)
            if public_endpoint_url
            else self.client
        )

    def _call(self, method: str, **params):
        try:
            return getattr(self.client, method)(Bucket=self.bucket, **params)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in {"404", "NoSuchKey", "NoSuchUpload", "NotFound"}:
                raise ObjectNotFound(f"{method}: not found") from error
            raise StorageError(f"File storage refused the request ({code}).") from error
        except BotoCoreError as error:
            # Connection refused or reset, timeouts: what is left after botocore's retries.
            message = "File storage is unavailable; please retry shortly."
            raise StorageUnavailable(message) from error

    def ensure_bucket(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.bucket)

    def put(self, key: str, data: bytes | BinaryIO, content_type: str) -> None:
        self._call("put_object", Key=check_key(key), Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        return self._call("get_object", Key=check_key(key))["Body"].read()

    def read_range(self, key: str, start: int, end: int) -> bytes:
        response = self._call("get_object", Key=check_key(key), Range=f"bytes={start}-{end}")
        return response["Body"].read()

    def head(self, key: str) -> ObjectInfo | None:
        try:
            response = self._call("head_object", Key=check_key(key))
        except ObjectNotFound:
            return None
        return ObjectInfo(
            key,
            response["ContentLength"],
            response.get("ContentType", "application/octet-stream"),
            response.get("ETag", "").strip('"'),
        )

    def delete(self, key: str) -> None:
        self._call("delete_object", Key=check_key(key))

    def download_url(
        self,
        key: str,
        expires_in: int,
        filename: str | None = None,
        content_type: str | None = None,
    ) -> str:
        params = {"Bucket": self.bucket, "Key": check_key(key)}
        if filename:
            params["ResponseContentDisposition"] = f'attachment; filename="{filename}"'
        if content_type:
            params["ResponseContentType"] = content_type
        return self.signing_client.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=expires_in
        )

    def create_multipart_upload(self, key: str, content_type: str) -> str:
        response = self._call(
            "create_multipart_upload", Key=check_key(key), ContentType=content_type
        )
        return response["UploadId"]

    def upload_part_url(self, key: str, upload_id: str, part_number: int, expires_in: int) -> str:
        return self.signing_client.generate_presigned_url(
            "upload_part",
            Params={
                "Bucket": self.bucket,
                "Key": check_key(key),
                "UploadId": upload_id,
                "PartNumber": part_number,
            },
            ExpiresIn=expires_in,
        )

    def list_parts(self, key: str, upload_id: str) -> list[UploadedPart]:
        parts: list[UploadedPart] = []
        marker = 0
        while True:
            response = self._call(
                "list_parts", Key=check_key(key), UploadId=upload_id, PartNumberMarker=marker
            )
            parts += [
                UploadedPart(p["PartNumber"], p["ETag"].strip('"'), p["Size"])
                for p in response.get("Parts", [])
            ]
            if not response.get("IsTruncated"):
                return parts
            marker = response["NextPartNumberMarker"]

    def complete_multipart_upload(
        self, key: str, upload_id: str, parts: list[tuple[int, str]]
    ) -> None:
        self._call(
            "complete_multipart_upload",
            Key=check_key(key),
            UploadId=upload_id,
            MultipartUpload={
                "Parts": [{"PartNumber": n, "ETag": f'"{etag}"'} for n, etag in sorted(parts)]
            },
        )

    def abort_multipart_upload(self, key: str, upload_id: str) -> None:
        with contextlib.suppress(ObjectNotFound):  # already gone: aborting is idempotent
            self._call("abort_multipart_upload", Key=check_key(key), UploadId=upload_id)

    def pending_uploads(self, prefix: str = "") -> list[PendingUpload]:
        response = self._call("list_multipart_uploads", Prefix=prefix)
        return [
            PendingUpload(u["Key"], u["UploadId"], u["Initiated"])
            for u in response.get("Uploads", [])
        ]

    def probe_location(self, key: str, expires_in: int) -> str:
        """A URL the app servers (not browsers) can read the object from, e.g. for ffprobe."""
        return self.client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": check_key(key)},
            ExpiresIn=expires_in,
        )


# --- local filesystem ---------------------------------------------------------------------


class LocalStorage:
    """Files under a directory; signed, expiring URLs served by the app's `files` blueprint."""

    def __init__(self, root: str | os.PathLike[str], secret_key: str):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._signer = URLSafeSerializer(secret_key, salt="lms.storage")

    # paths
    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    def _meta_path(self, key: str) -> Path:
        return self.root / ".meta" / (check_key(key) + ".json")

    def _upload_dir(self, upload_id: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{32}", upload_id):
            raise ObjectNotFound("no such upload")
        return self.root / ".uploads" / upload_id

    # signed tokens
    def sign(self, payload: dict, expires_in: int) -> str:
        return self._signer.dumps({**payload, "exp": int(time.time()) + expires_in})

    def verify(self, token: str, op: str) -> dict:
        try:
            payload = self._signer.loads(token)
        except BadSignature as error:
            raise ObjectNotFound("invalid link") from error
        if payload.get("op") != op or payload.get("exp", 0) < time.time():
            raise ObjectNotFound("expired link")
        return payload

    # objects
    def put(self, key: str, data: bytes | BinaryIO, content_type: str) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + f".{uuid.uuid4().hex}.tmp")
        with open(temporary, "wb") as out:
            if isinstance(data, bytes):
                out.write(data)
            else:
                shutil.copyfileobj(data, out, 1024 * 1024)
        os.replace(temporary, path)
        self._write_meta(key, content_type)

    def _write_meta(self, key: str, content_type: str) -> None:
        meta = self._meta_path(key)
        meta.parent.mkdir(parents=True, exist_ok=True)
        meta.write_text(json.dumps({"content_type": content_type}))

    def content_type(self, key: str) -> str:
        try:
            return json.loads(self._meta_path(key).read_text())["content_type"]
        except (OSError, ValueError, KeyError):
            return "application/octet-stream"

    def get(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError as error:
            raise ObjectNotFound(key) from error

    def read_range(self, key: str, start: int, end: int) -> bytes:
        try:
            with open(self.path(key), "rb") as handle:
                handle.seek(start)
                return handle.read(end - start + 1)
        except FileNotFoundError as error:
            raise ObjectNotFound(key) from error

    def head(self, key: str) -> ObjectInfo | None:
        path = self.path(key)
        if not path.is_file():
            return None
        stat = path.stat()
        etag = hashlib.md5(f"{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()  # noqa: S324
        return ObjectInfo(key, stat.st_size, self.content_type(key), etag)

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)
        self._meta_path(key).unlink(missing_ok=True)

    def download_url(
        self,
        key: str,
        expires_in: int,
        filename: str | None = None,
        content_type: str | None = None,
    ) -> str:
        token = self.sign(
            {"op": "get", "k": check_key(key), "f": filename, "t": content_type}, expires_in
        )
        return url_for("files.download", token=token)

    # multipart uploads
    def create_multipart_upload(self, key: str, content_type: str) -> str:
        upload_id = uuid.uuid4().hex
        folder = self._upload_dir(upload_id)
        folder.mkdir(parents=True)
        (folder / "upload.json").write_text(
            json.dumps(
                {
                    "key": check_key(key),
                    "content_type": content_type,
                    "initiated": datetime.now(UTC).isoformat(),
                }
            )
        )
        return upload_id

    def _upload_meta(self, key: str, upload_id: str) -> dict:
        try:
            meta = json.loads((self._upload_dir(upload_id) / "upload.json").read_text())
        except (OSError, ValueError) as error:
            raise ObjectNotFound("no such upload") from error
        if meta["key"] != key:
            raise ObjectNotFound("no such upload")
        return meta

    def upload_part_url(self, key: str, upload_id: str, part_number: int, expires_in: int) -> str:
        self._upload_meta(key, upload_id)
        token = self.sign({"op": "put", "k": key, "u": upload_id, "n": part_number}, expires_in)
        return url_for("files.upload_part", token=token, _external=False)

    def write_part(self, key: str, upload_id: str, part_number: int, stream: BinaryIO) -> str:
        """Store one part (local mode only; in S3 mode the browser sends parts to S3)."""
        self._upload_meta(key, upload_id)
        folder = self._upload_dir(upload_id)
        digest = hashlib.md5()  # noqa: S324  (S3-compatible ETag, not security)
        temporary = folder / f"{part_number}.{uuid.uuid4().hex}.tmp"
        with open(temporary, "wb") as out:
            while chunk := stream.read(1024 * 1024):
                digest.update(chunk)
                out.write(chunk)
        os.replace(temporary, folder / f"{part_number}.part")
        etag = digest.hexdigest()
        (folder / f"{part_number}.etag").write_text(etag)
        return etag

    def list_parts(self, key: str, upload_id: str) -> list[UploadedPart]:
        self._upload_meta(key, upload_id)
        folder = self._upload_dir(upload_id)
        parts = []
        for part in folder.glob("*.part"):
            number = int(part.stem)
            etag_file = folder / f"{number}.etag"
            if etag_file.exists():
                parts.append(UploadedPart(number, etag_file.read_text(), part.stat().st_size))
        return sorted(parts, key=lambda p: p.number)

    def complete_multipart_upload(
        self, key: str, upload_id: str, parts: list[tuple[int, str]]
    ) -> None:
        meta = self._upload_meta(key, upload_id)
        stored = {part.number: part for part in self.list_parts(key, upload_id)}
        for number, etag in parts:
            if number not in stored or stored[number].etag != etag.strip('"'):
                raise StorageError(f"Part {number} is missing or does not match what was sent.")
        folder = self._upload_dir(upload_id)
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(target.name + f".{uuid.uuid4().hex}.tmp")
        with open(temporary, "wb") as out:
            for number, _ in sorted(parts):
                with open(folder / f"{number}.part", "rb") as part:
                    shutil.copyfileobj(part, out, 1024 * 1024)
        os.replace(temporary, target)
        self._write_meta(key, meta["content_type"])
        shutil.rmtree(folder, ignore_errors=True)

    def abort_multipart_upload(self, key: str, upload_id: str) -> None:
        try:
            self._upload_meta(key, upload_id)
        except ObjectNotFound:
            return
        shutil.rmtree(self._upload_dir(upload_id), ignore_errors=True)

    def pending_uploads(self, prefix: str = "") -> list[PendingUpload]:
        uploads = []
        for meta_file in (self.root / ".uploads").glob("*/upload.json"):
            meta = json.loads(meta_file.read_text())
            if meta["key"].startswith(prefix):
                uploads.append(
                    PendingUpload(
                        meta["key"],
                        meta_file.parent.name,
                        datetime.fromisoformat(meta["initiated"]),
                    )
                )
        return uploads

    def probe_location(self, key: str, expires_in: int) -> str:
        """The file's path, for tools such as ffprobe running beside the app."""
        return str(self.path(key))


# --- wiring -------------------------------------------------------------------------------


def create_storage(config: dict) -> Storage:
    backend = config.get("STORAGE_BACKEND", "local")
    if backend == "s3":
        if not config.get("S3_BUCKET"):
            raise RuntimeError("STORAGE_BACKEND=s3 needs S3_BUCKET (and credentials).")
        return S3Storage(
            bucket=config["S3_BUCKET"],
            region=config.get("S3_REGION"),
            endpoint_url=config.get("S3_ENDPOINT_URL"),
            access_key=config.get("S3_ACCESS_KEY_ID"),
            secret_key=config.get("S3_SECRET_ACCESS_KEY"),
            public_endpoint_url=config.get("S3_PUBLIC_ENDPOINT_URL"),
        )
    if backend == "local":
        return LocalStorage(config["LOCAL_STORAGE_PATH"], config["SECRET_KEY"])
    raise RuntimeError(f"STORAGE_BACKEND must be 'local' or 's3', not {backend!r}")


def init_app(app: Flask) -> None:
    app.extensions["storage"] = create_storage(app.config)


def get_storage() -> Storage:
    return current_app.extensions["storage"]


# --- signed URLs worth keeping ----------------------------------------------------------


class SignedUrls:
    """A process's recently signed download URLs, reused while most of their life is left.

    A lesson's playback URL is the same for every learner allowed to see the lesson (the
    page that hands it out checks who may), so a busy lesson does not need a new signature
    per page view. A URL is reused for at most a tenth of its lifetime (and 5 minutes), so
    whoever receives it still has at least 90% of the configured expiry, and is told the
    seconds actually left, which is when the player asks for a new one.
    """

    MAX_REUSE_SECONDS = 300
    MAX_ENTRIES = 4096

    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._urls: dict[tuple, tuple[str, float]] = {}

    def download_url(
        self,
        storage: Storage,
        key: str,
        expires_in: int,
        content_type: str | None = None,
        scope: str = "",
    ) -> tuple[str, int]:
        """(URL, seconds it stays valid). `scope` separates URLs that depend on the request
        (the local backend's URLs start with the app's script root)."""
        now = self._clock()
        entry = (storage, key, expires_in, content_type, scope)
        found = self._urls.get(entry)
        if found is not None:
            url, expires_at = found
            left = int(expires_at - now)
            if expires_in - left <= min(expires_in // 10, self.MAX_REUSE_SECONDS):
                return url, left
        url = storage.download_url(key, expires_in, content_type=content_type)
        if len(self._urls) >= self.MAX_ENTRIES:
            self._urls.clear()
        self._urls[entry] = (url, now + expires_in)
        return url, expires_in


def signed_urls(app: Flask | None = None) -> SignedUrls:
    app = app or current_app
    return app.extensions.setdefault("signed_urls", SignedUrls())
