"""Where viewers stopped: the SQL the dashboard's funnel groups by (`stop_slice_clause`)
agrees with `stop_slice` on a table of positions, boundaries and lengths included; and the
summary of a video's stops (median twentieth, share at the end)."""

import pytest
from sqlalchemy import select

from lms.catalog.models import LessonKind
from lms.enrolments import services as enrolment_services
from lms.extensions import db
from lms.learning.models import LessonProgress
from lms.video import analytics
from tests import factories

DURATIONS = (600, 7, 3599)
# Shares of the length, and positions in seconds near the slices' edges.
POSITIONS = (0.0, 0.0001, 0.049999, 0.05, 0.3, 0.5, 0.95, 0.999999, 1.0)


def positions(duration: int) -> list[float]:
    edges = [duration * share for share in POSITIONS]
    return edges + [duration / 20 * 3, duration / 20 * 3 - 1e-9, duration + 0.6]  # past the end


@pytest.fixture
def videos(db_session):
    course = factories.course(modules=1, lessons_per_module=len(DURATIONS) + 1)
    lessons = [lesson for module in course.modules for lesson in module.lessons]
    for lesson, duration in zip(lessons, DURATIONS, strict=False):
        lesson.kind = LessonKind.VIDEO
        lesson.duration_seconds = duration
        lesson.video_key = f"videos/{lesson.id}.mp4"
    db.session.flush()
    return course, lessons


def test_sql_slice_agrees_with_the_python_rule(videos):
    course, lessons = videos
    expected = {}
    for lesson in lessons[: len(DURATIONS)]:
        for position in positions(lesson.duration_seconds):
            learner = factories.learner()
            row = LessonProgress(
                user_id=learner.id,
                lesson_id=lesson.id,
                course_id=course.id,
                position_seconds=position,
                verified_seconds=1.0,
            )
            db.session.add(row)
            expected[row] = analytics.stop_slice(position, lesson.duration_seconds)
    db.session.flush()
    clause = analytics.stop_slice_clause(lessons)
    in_sql = dict(db.session.execute(select(LessonProgress.id, clause)).all())
    for row, slice_index in expected.items():
        # slices_of reads the SQL value as the funnel does (clamping a position past the end).
        counted = analytics.slices_of(row.lesson, {in_sql[row.id]: 1}).per_slice
        case = f"{row.position_seconds} s of {row.lesson.duration_seconds} s"
        assert counted.index(1) == slice_index, case
    # The edges land where the rule says: the end (and a little past it) is the last slice.
    assert analytics.stop_slice(600 * 0.05, 600) == 1
    assert analytics.stop_slice(600 * 0.049999, 600) == 0
    assert analytics.stop_slice(600, 600) == analytics.stop_slice(600.6, 600) == 19


def test_rows_that_are_not_a_viewers_have_no_slice(videos):
    course, lessons = videos
    reading = lessons[-1]
    learner = factories.learner()
    enrolment_services.enrol(learner, course)
    never_played = LessonProgress(
        user_id=learner.id, lesson_id=lessons[0].id, course_id=course.id, position_seconds=40
    )
    not_a_video = LessonProgress(
        user_id=learner.id,
        lesson_id=reading.id,
        course_id=course.id,
        position_seconds=40,
        verified_seconds=40,
    )
    db.session.add_all([never_played, not_a_video])
    db.session.flush()
    clause = analytics.stop_slice_clause(lessons)
    in_sql = dict(db.session.execute(select(LessonProgress.id, clause)).all())
    assert in_sql[never_played.id] is None and in_sql[not_a_video.id] is None
    assert analytics.stop_slice_clause([reading]) is None  # no video: nothing to group by


def test_summary_of_stops(videos):
    _, lessons = videos
    lesson = lessons[0]  # 600 s
    stops = analytics.slices_of(lesson, {1.0: 1, 5.0: 1, 9.0: 1, 19.0: 1, 20.0: 1, None: 7})
    assert stops.viewers == 5
    assert stops.median_slice == 9
    assert (stops.slice_percent(9), stops.slice_clock(9)) == ("45–50%", "4:30–5:00")
    assert stops.at_the_end == pytest.approx(0.4)
    assert stops.median_early_slice == 5  # of 1, 5, 9: those who left before the end
    assert stops.early_shares[1] == stops.early_shares[9] == pytest.approx(1 / 3)
    assert stops.early_shares[19] == 0.0
    assert sum(stops.shares) == pytest.approx(1.0)
    nobody = analytics.slices_of(lesson, {})
    assert (nobody.viewers, nobody.median_slice, nobody.at_the_end) == (0, None, 0.0)
    everyone_finished = analytics.slices_of(lesson, {19.0: 3})
    assert (everyone_finished.at_the_end, everyone_finished.median_early_slice) == (1.0, None)
