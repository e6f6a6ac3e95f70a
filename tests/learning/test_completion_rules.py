"""The completion engine's rules, as a table of evidence -> decision."""

import pytest

from lms.catalog.models import LessonKind
from lms.learning.completion import (
    CourseEvidence,
    LessonEvidence,
    QuizEvidence,
    course_progress,
    lesson_is_complete,
)

READING, VIDEO = LessonKind.READING, LessonKind.VIDEO


@pytest.mark.parametrize(
    ("evidence", "threshold", "complete"),
    [
        (LessonEvidence(1, READING), 0.9, False),
        (LessonEvidence(1, READING, marked_complete=True), 0.9, True),
        # A reading cannot be completed by watch time.
        (LessonEvidence(1, READING, verified_seconds=999), 0.9, False),
        # A video lesson without a stored video is studied from its notes.
        (LessonEvidence(1, VIDEO, marked_complete=True), 0.9, True),
        # With a video, only verified time counts, never the button.
        (
            LessonEvidence(1, VIDEO, has_video=True, duration_seconds=600, marked_complete=True),
            0.9,
            False,
        ),
        (
            LessonEvidence(1, VIDEO, has_video=True, duration_seconds=600, verified_seconds=539),
            0.9,
            False,
        ),
        (
            LessonEvidence(1, VIDEO, has_video=True, duration_seconds=600, verified_seconds=540),
            0.9,
            True,
        ),
        (
            LessonEvidence(1, VIDEO, has_video=True, duration_seconds=600, verified_seconds=480),
            0.8,
            True,
        ),
        (
            LessonEvidence(1, VIDEO, has_video=True, duration_seconds=0, verified_seconds=10),
            0.9,
            False,
        ),
    ],
)
def test_lesson_completion(evidence, threshold, complete):
    assert lesson_is_complete(evidence, threshold) is complete


def lessons(*done: bool, required: tuple[bool, ...] | None = None):
    required = required or (True,) * len(done)
    return tuple(
        LessonEvidence(i, READING, required=req, marked_complete=d)
        for i, (d, req) in enumerate(zip(done, required, strict=True), start=1)
    )


@pytest.mark.parametrize(
    ("evidence", "complete", "percent", "missing"),
    [
        (CourseEvidence(lessons()), False, 0, ()),  # an empty course is never complete
        (CourseEvidence(lessons(False, False)), False, 0, ("2 required lessons to complete",)),
        (CourseEvidence(lessons(True, False)), False, 50, ("1 required lesson to complete",)),
        (CourseEvidence(lessons(True, True)), True, 100, ()),
        # Optional lessons do not hold completion back.
        (CourseEvidence(lessons(True, False, required=(True, False))), True, 100, ()),
        (
            CourseEvidence(
                lessons(True, True), required_quizzes=(QuizEvidence(7, "Final", False),)
            ),
            False,
            66,
            ("pass the quiz “Final”",),
        ),
        (
            CourseEvidence(lessons(True, True), required_quizzes=(QuizEvidence(7, "Final", True),)),
            True,
            100,
            (),
        ),
        (
            CourseEvidence(lessons(True, True), evaluation_required=True),
            False,
            66,
            ("submit the course evaluation",),
        ),
        (
            CourseEvidence(
                lessons(True, True), evaluation_required=True, evaluation_submitted=True
            ),
            True,
            100,
            (),
        ),
        (
            CourseEvidence(
                lessons(False, True),
                required_quizzes=(QuizEvidence(1, "Q", False),),
                evaluation_required=True,
            ),
            False,
            25,
            ("1 required lesson to complete", "pass the quiz “Q”", "submit the course evaluation"),
        ),
    ],
)
def test_course_completion(evidence, complete, percent, missing):
    progress = course_progress(evidence)
    assert progress.is_complete is complete
    assert progress.percent == percent
    assert progress.missing == missing
