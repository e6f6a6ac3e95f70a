"""Serve and receive files for LocalStorage through signed, expiring URLs.

In S3 mode these routes answer 404: browsers talk to S3 directly.
"""

from __future__ import annotations

from flask import abort, request, send_file

from lms.extensions import csrf
from lms.files import bp
from lms.storage import LocalStorage, ObjectNotFound, get_storage


def _local() -> LocalStorage:
    storage = get_storage()
    if not isinstance(storage, LocalStorage):
        abort(404)
    return storage


@bp.route("/files/<token>")
def download(token: str):
    storage = _local()
    try:
        payload = storage.verify(token, "get")
    except ObjectNotFound:
        abort(404)
    path = storage.path(payload["k"])
    if not path.is_file():
        abort(404)
    # conditional=True answers Range requests with 206, so video seeking works.
    return send_file(
        path,
        mimetype=payload.get("t") or storage.content_type(payload["k"]),
        as_attachment=bool(payload.get("f")),
        download_name=payload.get("f"),
        conditional=True,
        max_age=0,
    )


@bp.route("/files/parts/<token>", methods=["PUT"])
@csrf.exempt  # the signed token is the authorisation, as with an S3 presigned URL
def upload_part(token: str):
    storage = _local()
    try:
        payload = storage.verify(token, "put")
        etag = storage.write_part(payload["k"], payload["u"], payload["n"], request.stream)
    except ObjectNotFound:
        abort(404)
    return "", 200, {"ETag": f'"{etag}"', "Access-Control-Expose-Headers": "ETag"}
