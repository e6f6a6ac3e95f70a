"""What a stored file really is: container signatures, and the duration from ffprobe."""

from __future__ import annotations

import json
import shutil
import subprocess

# Extension -> (declared content types accepted, canonical type stored).
VIDEO_TYPES: dict[str, tuple[frozenset[str], str]] = {
    "mp4": (frozenset({"video/mp4"}), "video/mp4"),
    "m4v": (frozenset({"video/mp4", "video/x-m4v"}), "video/mp4"),
    "webm": (frozenset({"video/webm"}), "video/webm"),
    "mov": (frozenset({"video/quicktime"}), "video/quicktime"),
}
# QuickTime files may open with other top-level atoms than ftyp.
_QUICKTIME_ATOMS = {b"ftyp", b"moov", b"wide", b"free", b"mdat", b"skip", b"pnot"}
EBML_MAGIC = bytes.fromhex("1A45DFA3")
MAX_DURATION_SECONDS = 12 * 3600
SNIFF_BYTES = 64


def container_matches(extension: str, head: bytes) -> bool:
    """Whether the first bytes carry the signature of the container the extension names."""
    if extension == "webm":
        return head[:4] == EBML_MAGIC
    if extension == "mov":
        return head[4:8] in _QUICKTIME_ATOMS
    return head[4:8] == b"ftyp"  # ISO base media (mp4, m4v): the ftyp box comes first


def ffprobe_available() -> bool:
    return shutil.which("ffprobe") is not None


class ProbeFailed(Exception):
    pass


def ffprobe_duration(location: str, timeout: float = 60) -> float:
    """The container's duration in seconds, read by ffprobe from a path or an HTTP(S) URL."""
    command = [
        "ffprobe",
        "-v", "error",
        "-show_entries", "format=duration:stream=codec_type",
        "-of", "json",
        location,
    ]  # fmt: skip
    try:
        result = subprocess.run(  # noqa: S603  (fixed program, no shell)
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ProbeFailed("ffprobe could not read the file") from error
    if result.returncode != 0:
        raise ProbeFailed("not a readable media file")
    try:
        data = json.loads(result.stdout)
        streams = {stream.get("codec_type") for stream in data.get("streams", [])}
        duration = float(data["format"]["duration"])
    except (ValueError, KeyError, TypeError) as error:
        raise ProbeFailed("the file has no duration") from error
    if "video" not in streams:
        raise ProbeFailed("the file has no video stream")
    return duration


def duration_is_sane(seconds: float | None) -> bool:
    return seconds is not None and 0 < seconds < MAX_DURATION_SECONDS
