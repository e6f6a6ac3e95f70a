"""The lesson page's course outline, rendered once per course snapshot.

The outline is the same on every lesson page of a course version but for three things:
which lesson is open, which lessons the learner has completed and which quizzes they have
passed. `learning/_sidebar.html` is rendered once with a mark in each of those places (an
HTML comment, which no escaped title can contain), and each page fills the marks in: a
page pays for one substitution instead of rendering the outline again.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from flask import render_template, request
from markupsafe import Markup

from lms.learning.snapshot import CourseSnapshot

_MARK = re.compile(r"<!--lms:(open-class|open-attr|done|passed):(\d+)-->")

# What each mark becomes: (when it applies, when it does not).
_FILL = {
    "open-class": (" active", ""),
    "open-attr": (' aria-current="page"', ""),
    "done": (
        '<span aria-hidden="true">✓</span><span class="visually-hidden">(completed)</span>',
        '<span aria-hidden="true"></span>',
    ),
    "passed": (
        '<span aria-hidden="true">✓</span><span class="visually-hidden">(passed)</span>',
        '<span aria-hidden="true"></span>',
    ),
}


def mark(kind: str, item_id: int) -> Markup:
    """In `_sidebar.html`: the place of a learner's state (see `_FILL`)."""
    if kind not in _FILL:
        raise ValueError(f"no such sidebar mark: {kind}")
    return Markup(f"<!--lms:{kind}:{int(item_id)}-->")  # noqa: S704 - a known word, an int


def _outline_html(course: CourseSnapshot) -> str:
    # URLs depend on where the app is mounted; the snapshot is per course version.
    key = ("sidebar", request.script_root)
    found = course.rendered.get(key)
    if found is None:
        found = render_template(
            "learning/_sidebar.html", course=course, outline=course.outline(), mark=mark
        )
        course.rendered[key] = found
    return found


def lesson_sidebar(
    course: CourseSnapshot,
    open_lesson_id: int,
    completed_lesson_ids: Collection[int],
    passed_quiz_ids: Collection[int],
) -> Markup:
    """The outline for one learner on one lesson page."""

    def fill(found: re.Match) -> str:
        kind, item_id = found.group(1), int(found.group(2))
        if kind == "done":
            applies = item_id in completed_lesson_ids
        elif kind == "passed":
            applies = item_id in passed_quiz_ids
        else:
            applies = item_id == open_lesson_id
        return _FILL[kind][0 if applies else 1]

    # The template's autoescaped output, its marks replaced by the constants of _FILL.
    return Markup(_MARK.sub(fill, _outline_html(course)))  # noqa: S704
