"""What instructors see of their videos: viewers, coverage, and where learners stop."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from lms.catalog.models import Course, Lesson
from lms.extensions import db
from lms.video.models import WatchCoverage

BUCKETS = 20


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
    viewers = [row for row in rows if row.verified_seconds > 0]
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
