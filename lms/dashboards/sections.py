"""Extension points: other domains add their own parts to the dashboards.

A domain (video, quizzes, certificates ...) registers a section when its blueprint is
imported; the dashboards show the sections that exist and nothing else:

    from lms.dashboards.sections import CourseSection, course_sections
    course_sections.append(
        CourseSection("quizzes", "Quizzes", "quizzes/_dashboard_course.html", course_quizzes)
    )

`load` returns what the section template receives as `data`, or None to hide the section
(e.g. a course without quizzes). Loaders take whole courses or learners, so each section
costs a fixed number of queries however many learners there are.

Registered now: quizzes (lms/quizzes/dashboard.py) and certificates
(lms/certificates/dashboard.py), each on the course dashboard and the learner's page; and a
column of the lesson funnel, where viewers stopped in each video (lms/video/dashboard.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement

from lms.auth.models import User
from lms.catalog.models import Course


@dataclass(frozen=True)
class CourseSection:
    """A part of a course dashboard (quiz summaries, certificates issued ...)."""

    key: str
    title: str
    template: str
    load: Callable[[Course], Any | None]


@dataclass(frozen=True)
class LearnerSection:
    """A part of a learner's page in a course (quiz attempts, certificates ...)."""

    key: str
    title: str
    template: str
    load: Callable[[Course, User], Any | None]


@dataclass(frozen=True)
class LessonFigure:
    """What a lesson detail shows for one lesson.

    `text` fills the funnel table's cell. `timeline`, if given, is a distribution over the
    lesson from its start to its end (shares of learners, 0..1, in equal slices) that the
    funnel chart draws under the lesson's bars, with a triangle at `marker` (0..1 of the way
    through) and `marker_label` printed beside it; `summary` says the same in words for the
    chart's text alternative.
    """

    text: str
    timeline: tuple[float, ...] = ()
    marker: float | None = None
    marker_label: str = ""
    summary: str = ""


@dataclass(frozen=True)
class LessonDetail:
    """Extra columns of the lesson funnel (e.g. where learners stopped in a video).

    The funnel counts each lesson's learners (those it counts: enrolled, not left) per value
    of `group_by(course)`, SQL over lesson_progress columns (None: nothing to show for this
    course), in the same statement that counts learners who reached and completed each
    lesson. `present(course, {lesson_id: {value: learners}})` turns those counts into a
    `LessonFigure` per lesson; lessons without one show a dash.
    """

    key: str
    title: str
    group_by: Callable[[Course], ColumnElement | None]
    present: Callable[[Course, Mapping[int, Mapping[Any, int]]], Mapping[int, LessonFigure]]
    legend: str = ""  # how the funnel chart's legend names the figures' timelines
    strip_label: str = ""  # left of a timeline in the chart (default: the title)


course_sections: list[CourseSection] = []
learner_sections: list[LearnerSection] = []
lesson_details: list[LessonDetail] = []


@dataclass(frozen=True)
class Rendered:
    """A section with its data, ready for the template."""

    key: str
    title: str
    template: str
    data: Any


def for_course(course: Course) -> list[Rendered]:
    shown = ((section, section.load(course)) for section in course_sections)
    return [Rendered(s.key, s.title, s.template, data) for s, data in shown if data is not None]


def for_learner(course: Course, learner: User) -> list[Rendered]:
    shown = ((section, section.load(course, learner)) for section in learner_sections)
    return [Rendered(s.key, s.title, s.template, data) for s, data in shown if data is not None]
