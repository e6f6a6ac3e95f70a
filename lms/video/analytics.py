"""What instructors see of their videos: viewers, coverage, and where learners stop.

Two views of "where learners stop", both over the same twentieths of a video (`BUCKETS`):
the video analytics page draws, per lesson, the share of viewers whose verified coverage
includes each twentieth (`coverage_histogram`); the course dashboard's lesson funnel counts
viewers by the twentieth holding their resume position, where the player stood at their
last accepted report (`stop_slice`), in the one statement it runs over the course's progress.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, func, select

from lms.catalog.models import Course, Lesson
from lms.db import inline_ids
from lms.extensions import db
from lms.learning.models import LessonProgress
from lms.video.models import WatchCoverage

BUCKETS = 20


def is_viewer(verified_seconds: float) -> bool:
    """A learner is a viewer of a video once the server verified any of their watching."""
    return verified_seconds > 0


@dataclass(frozen=True)
class LessonVideoStats:
    lesson: Lesson
    viewers: int
    average_coverage: float  # 0..1
    completed_share: float  # 0..1: viewers at or above the course's threshold
    buckets: tuple[float, ...]  # share of viewers (0..1) whose coverage includes each bucket

    @property
    def bucket_seconds(self) -> float:
        return self.lesson.duration_seconds / BUCKETS


def coverage_histogram(
    coverages: Sequence[Sequence[Sequence[float]]], duration: float, buckets: int = BUCKETS
) -> tuple[float, ...]:
    """Share of viewers covering at least half of each of `buckets` equal slices."""
    if not coverages or duration <= 0:
        return tuple(0.0 for _ in range(buckets))
    width = duration / buckets
    counts = [0] * buckets
    for intervals in coverages:
        for index in range(buckets):
            low, high = index * width, (index + 1) * width
            covered = sum(max(0.0, min(end, high) - max(start, low)) for start, end in intervals)
            if covered >= width / 2:
                counts[index] += 1
    return tuple(round(count / len(coverages), 3) for count in counts)


def _stats(lesson: Lesson, rows: Iterable[WatchCoverage], threshold: float) -> LessonVideoStats:
    viewers = [row for row in rows if is_viewer(row.verified_seconds)]
    duration = float(lesson.duration_seconds)
    shares = [min(row.verified_seconds / duration, 1.0) for row in viewers] if duration else []
    return LessonVideoStats(
        lesson=lesson,
        viewers=len(viewers),
        average_coverage=round(sum(shares) / len(shares), 3) if shares else 0.0,
        completed_share=(
            round(sum(1 for s in shares if s >= threshold) / len(shares), 3) if shares else 0.0
        ),
        buckets=coverage_histogram([row.intervals for row in viewers], duration),
    )


def course_video_stats(course: Course) -> list[LessonVideoStats]:
    """Per video lesson of the course (syllabus loaded), in one query for all coverage."""
    lessons = [lesson for module in course.modules for lesson in module.lessons if lesson.video_key]
    rows_by_lesson: dict[int, list[WatchCoverage]] = {lesson.id: [] for lesson in lessons}
    if lessons:
        for row in db.session.scalars(
            select(WatchCoverage).where(WatchCoverage.lesson_id.in_(rows_by_lesson))
        ):
            rows_by_lesson[row.lesson_id].append(row)
    threshold = course.completion_threshold / 100
    return [_stats(lesson, rows_by_lesson[lesson.id], threshold) for lesson in lessons]


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    percent: int


def chart_bars(stats: LessonVideoStats, width: float = 600, height: float = 160) -> list[Bar]:
    """Bar geometry for the server-side SVG histogram (no JavaScript, no inline styles)."""
    slot = width / BUCKETS
    bars = []
    for index, share in enumerate(stats.buckets):
        start = index * stats.bucket_seconds
        end = start + stats.bucket_seconds
        bar_height = share * height
        bars.append(
            Bar(
                x=round(index * slot + 1, 1),
                y=round(height - bar_height, 1),
                width=round(slot - 2, 1),
                height=round(bar_height, 1),
                label=f"{_clock(start)}–{_clock(end)}",
                percent=round(share * 100),
            )
        )
    return bars


def _clock(seconds: float) -> str:
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes}:{rest:02d}"


# --- where viewers stopped (the course dashboard's lesson funnel) --------------------------


def stop_slice(position_seconds: float, duration_seconds: float) -> int:
    """The twentieth (0 .. BUCKETS - 1) of a video that holds a viewer's resume position."""
    return _clamped(math.floor(BUCKETS * position_seconds / duration_seconds))


def _clamped(slice_index: float) -> int:
    # A position a little past the end (containers and metadata disagree by a fraction of a
    # second) is in the last twentieth.
    return min(BUCKETS - 1, max(0, int(slice_index)))


def stop_slice_clause(lessons: Iterable[Lesson]) -> ColumnElement | None:
    """SQL over lesson_progress: `stop_slice` of a viewer's row of one of `lessons` with a
    video (before `slices_of` clamps it), NULL for every other row; None when no lesson has
    a video.

    The same arithmetic in the same order as `stop_slice`, so both agree to the last bit
    (tests/video/test_stop_points.py); lessons of equal length share one test.
    """
    by_duration: dict[int, list[int]] = {}
    for lesson in lessons:
        if lesson.video_key and lesson.duration_seconds > 0:
            by_duration.setdefault(lesson.duration_seconds, []).append(lesson.id)
    if not by_duration:
        return None
    # Floats, as in Python: an integer bound here would be cast for every row.
    scaled = float(BUCKETS) * LessonProgress.position_seconds
    slices = [
        (LessonProgress.lesson_id.in_(inline_ids(ids)), func.floor(scaled / float(duration)))
        for duration, ids in sorted(by_duration.items())
    ]
    viewer = LessonProgress.verified_seconds > 0.0  # is_viewer
    return case((viewer, case(*slices)))


@dataclass(frozen=True)
class StopPoints:
    """Where a video's viewers stopped: how many have their resume position in each
    twentieth of it (`stop_slice`)."""

    lesson: Lesson
    per_slice: tuple[int, ...]

    @property
    def viewers(self) -> int:
        return sum(self.per_slice)

    @property
    def shares(self) -> tuple[float, ...]:
        """Share of the viewers (0..1) who stopped in each twentieth."""
        total = self.viewers
        return tuple(count / total if total else 0.0 for count in self.per_slice)

    @property
    def median_slice(self) -> int | None:
        """The twentieth by whose end at least half of the viewers had stopped."""
        return _median(self.per_slice)

    @property
    def at_the_end(self) -> float:
        """Share of the viewers who stopped in the last twentieth: they watched to the end."""
        return self.shares[-1] if self.viewers else 0.0

    @property
    def median_early_slice(self) -> int | None:
        """Where the viewers who left before the end stopped: their median twentieth."""
        return _median(self.per_slice[:-1])

    @property
    def early_shares(self) -> tuple[float, ...]:
        """How the viewers who left before the end spread over the video: their share (0..1)
        in each twentieth, none in the last."""
        early = self.per_slice[:-1]
        total = sum(early)
        return tuple(count / total if total else 0.0 for count in early) + (0.0,)

    def slice_percent(self, index: int) -> str:
        """A twentieth as a share of the video, e.g. "55–60%"."""
        return f"{100 * index // BUCKETS}–{100 * (index + 1) // BUCKETS}%"

    def slice_clock(self, index: int) -> str:
        """A twentieth as times in the video, e.g. "5:30–6:00"."""
        width = self.lesson.duration_seconds / BUCKETS
        return f"{_clock(index * width)}–{_clock((index + 1) * width)}"


def _median(counts: Sequence[int]) -> int | None:
    total, so_far = sum(counts), 0
    for index, count in enumerate(counts):
        so_far += count
        if total and 2 * so_far >= total:
            return index
    return None


def slices_of(lesson: Lesson, viewers_by_slice: Mapping[object, int]) -> StopPoints:
    """`StopPoints` from counts of viewers by the value of `stop_slice_clause` (None: rows
    that are not a viewer's, ignored)."""
    per_slice = [0] * BUCKETS
    for value, viewers in viewers_by_slice.items():
        if value is not None:
            per_slice[_clamped(value)] += viewers
    return StopPoints(lesson, tuple(per_slice))
