"""The lesson funnel's "where viewers stopped" column (registered by lms/video/dashboard.py),
on a hand-built course whose figures are worked out by hand.

Lesson 1: a 600 s video. Learners' resume positions and verified seconds:
A 600 s, 580 s verified (slice 19, completed)   B 150 s, 150 s (slice 5)
C opened it, never played (not a viewer)         D 290 s, 290 s (slice 9)
E 600.6 s, 600 s (past the end: slice 19, completed)
G 30 s, 30 s (exactly 1/20: slice 1)             F withdrew at 30 s (not counted)
Viewers A B D E G stopped in slices 1, 5, 9, 19, 19: two of five (40 %) at the end; those who
left early stopped in 1, 5, 9, a median of slice 5 (25–30%, 2:30–3:00).
Lesson 2: a reading (no figure). Lesson 3: a 300 s video nobody watched.
"""

import pytest

from lms.catalog.models import LessonKind
from lms.dashboards import services
from lms.enrolments import services as enrolment_services
from lms.enrolments.models import EnrolmentStatus
from lms.extensions import db
from lms.learning.models import LessonProgress
from tests import factories
from tests.support.statements import recorded_statements

WATCHING = {
    "A": (600.0, 580.0),
    "B": (150.0, 150.0),
    "C": (0.0, 0.0),
    "D": (290.0, 290.0),
    "E": (600.6, 600.0),
    "G": (30.0, 30.0),
}


def make_video(lesson, duration):
    lesson.kind = LessonKind.VIDEO
    lesson.duration_seconds = duration
    lesson.video_key = f"videos/{lesson.id}.mp4"


def watch(course, lesson, position, verified, status=EnrolmentStatus.ACTIVE):
    learner = factories.learner()
    enrolment = enrolment_services.enrol(learner, course)
    enrolment.status = status
    db.session.add(
        LessonProgress(
            user_id=learner.id,
            lesson_id=lesson.id,
            course_id=course.id,
            position_seconds=position,
            verified_seconds=verified,
        )
    )
    db.session.flush()
    return learner


@pytest.fixture
def watched(db_session):
    teacher = factories.instructor()
    course = factories.course(teacher, modules=1, lessons_per_module=3)
    video, reading, unwatched = course.modules[0].lessons
    make_video(video, 600)
    make_video(unwatched, 300)
    db.session.flush()
    for position, verified in WATCHING.values():
        watch(course, video, position, verified)
    watch(course, video, 30.0, 30.0, status=EnrolmentStatus.WITHDRAWN)
    return teacher, course


def figures(course):
    summary = services.course_summary(course)
    assert [detail.key for detail in summary.lesson_details] == ["video-stops"]
    return summary, [step.details.get("video-stops") for step in summary.funnel]


def test_where_viewers_stopped_on_a_hand_built_course(watched):
    _, course = watched
    summary, (video, reading, unwatched) = figures(course)
    assert (summary.funnel[0].reached, summary.funnel[0].completed) == (6, 2)  # F left
    assert video.text == (
        "40% to the end · others stopped at a median of 25–30% (2:30–3:00) · 5 viewers"
    )
    # The chart's strip: how the three who left early spread over the video.
    expected = [0.0] * 20
    expected[1] = expected[5] = expected[9] = 1 / 3
    assert video.timeline == pytest.approx(expected)
    assert video.marker == pytest.approx(5.5 / 20)
    assert video.marker_label == "▼ 25–30%, 40% at end"
    assert reading is None  # not a video: the cell shows a dash
    assert unwatched.text == "No viewer yet" and unwatched.timeline == ()


def test_the_column_and_the_chart_on_the_page(client, login, watched):
    teacher, course = watched
    login(teacher)
    html = client.get(f"/dashboards/courses/{course.slug}").get_data(as_text=True)
    assert '<th scope="col">Where viewers stopped</th>' in html
    assert "40% to the end · others stopped at a median of 25–30% (2:30–3:00) · 5 viewers" in html
    assert "No viewer yet" in html
    # In the funnel chart: one strip of small columns with a triangle at the median, its
    # value in words, and the same in the chart's text alternative.
    assert html.count('class="chart-marker"') == 2  # the legend's and the video's
    assert "▼ 25–30%, 40% at end" in html
    assert "Lesson 1.1: of 5 viewers, 40% to the end; the others stopped at a median of" in html
    assert 'style="' not in html


def test_no_column_on_a_course_without_videos(client, login, db_session):
    teacher = factories.instructor()
    course = factories.course(teacher)
    learner = factories.learner()
    enrolment_services.enrol(learner, course)
    summary = services.course_summary(course)
    assert summary.lesson_details == [] and all(not step.details for step in summary.funnel)
    login(teacher)
    html = client.get(f"/dashboards/courses/{course.slug}").get_data(as_text=True)
    assert "Where viewers stopped" not in html


def test_query_count_does_not_grow_with_viewers(client, login, db_session):
    teacher = factories.instructor()
    small, large = (factories.course(teacher, modules=1, lessons_per_module=3) for _ in "ab")
    for course, viewers in ((small, 2), (large, 12)):
        for lesson in course.modules[0].lessons[:2]:
            make_video(lesson, 600)
        db.session.flush()
        for index in range(viewers):
            for lesson in course.modules[0].lessons[:2]:
                watch(course, lesson, 50.0 * index, 50.0 * index)
    login(teacher)

    def count(course):
        with recorded_statements(db.engine, skip=("SAVEPOINT", "RELEASE")) as statements:
            html = client.get(f"/dashboards/courses/{course.slug}").get_data(as_text=True)
        assert "Where viewers stopped" in html
        return len(statements)

    assert count(small) == count(large)
