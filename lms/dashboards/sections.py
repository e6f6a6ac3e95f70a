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
(lms/certificates/dashboard.py), each on the course dashboard and the learner's page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
class LessonDetail:
    """Extra columns of the lesson funnel (e.g. where learners stopped in a video).

    `load(course)` returns {lesson_id: text}; lessons without an entry show nothing.
    """

    key: str
    title: str
    load: Callable[[Course], dict[int, str]]


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


def lesson_columns(course: Course) -> list[tuple[str, dict[int, str]]]:
    """(column title, {lesson_id: text}) for each registered lesson detail."""
    return [(detail.title, detail.load(course)) for detail in lesson_details]
