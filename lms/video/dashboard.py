"""What the course dashboard shows about videos: a column of the lesson funnel, where each
video's viewers stopped: how many watched to the end, and where the others stopped (their
median twentieth, and in the funnel chart their spread over the video). The definitions are
`analytics`'; the counting is done by the dashboard's one query over the course's lesson
progress."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import ColumnElement

from lms.catalog.models import Course, Lesson
from lms.dashboards.sections import LessonDetail, LessonFigure, lesson_details
from lms.video import analytics


def _video_lessons(course: Course) -> list[Lesson]:
    return [
        lesson
        for module in course.modules
        for lesson in module.lessons
        if lesson.video_key and lesson.duration_seconds > 0
    ]


def stop_slices(course: Course) -> ColumnElement | None:
    """The funnel's grouping: each viewer's twentieth of the video (None: no video)."""
    return analytics.stop_slice_clause(_video_lessons(course))


def stop_figure(stops: analytics.StopPoints) -> LessonFigure:
    """The table cell and the chart's strip for one video: how many watched to the end, and
    where the others stopped (their spread over the video, and its median)."""
    viewers = stops.viewers
    if not viewers:
        return LessonFigure("No viewer yet")
    plural = "viewer" if viewers == 1 else "viewers"
    to_the_end = f"{stops.at_the_end:.0%} to the end"
    early = stops.median_early_slice
    if early is None:
        return LessonFigure(f"{to_the_end} · {viewers:,} {plural}")
    where = f"{stops.slice_percent(early)} ({stops.slice_clock(early)})"
    return LessonFigure(
        text=f"{to_the_end} · others stopped at a median of {where} · {viewers:,} {plural}",
        timeline=stops.early_shares,
        marker=(early + 0.5) / analytics.BUCKETS,
        marker_label=f"▼ {stops.slice_percent(early)}, {stops.at_the_end:.0%} at end",
        summary=(
            f"of {viewers:,} {plural}, {to_the_end}; the others stopped at a median of {where}"
        ),
    )


def stop_figures(
    course: Course, counts: Mapping[int, Mapping[object, int]]
) -> dict[int, LessonFigure]:
    """A figure for every video lesson of the course, watched or not."""
    return {
        lesson.id: stop_figure(analytics.slices_of(lesson, counts.get(lesson.id, {})))
        for lesson in _video_lessons(course)
    }


lesson_details.append(
    LessonDetail(
        "video-stops",
        "Where viewers stopped",
        stop_slices,
        stop_figures,
        legend="Where viewers who left early stopped, 0–100% (▼ median)",
        strip_label="left early at",
    )
)
