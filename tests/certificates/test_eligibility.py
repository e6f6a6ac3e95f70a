"""Eligibility comes from the completion engine's evidence: a table."""

import pytest

from lms.catalog.models import LessonKind
from lms.certificates.issuance import eligibility_problems
from lms.learning.completion import CourseEvidence, LessonEvidence, QuizEvidence, course_progress

READING = LessonKind.READING


def evidence(done=(True, True), quiz=None, evaluation_required=True, evaluated=True):
    return CourseEvidence(
        lessons=tuple(LessonEvidence(i, READING, marked_complete=d) for i, d in enumerate(done)),
        required_quizzes=(QuizEvidence(1, "Final assessment", quiz),) if quiz is not None else (),
        evaluation_required=evaluation_required,
        evaluation_submitted=evaluated,
    )


@pytest.mark.parametrize(
    ("case", "ce_problems", "has_valid", "expected"),
    [
        (evidence(), [], False, []),
        (evidence(evaluation_required=False, evaluated=False), [], False, []),
        (evidence(evaluated=False), [], False, ["submit the course evaluation"]),
        (evidence(done=(True, False)), [], False, ["1 required lesson to complete"]),
        (
            evidence(done=(False, False), evaluated=False),
            [],
            False,
            ["2 required lessons to complete", "submit the course evaluation"],
        ),
        (evidence(quiz=False), [], False, ["pass the quiz “Final assessment”"]),
        (evidence(quiz=True), [], False, []),
        (evidence(), [], True, ["a valid certificate already exists"]),
        (
            evidence(),
            ["Enter the NCCAOM course (approval) number."],
            False,
            ["course CE settings: Enter the NCCAOM course (approval) number."],
        ),
        (evidence(done=()), [], False, ["the course has no required lessons yet"]),
    ],
)
def test_eligibility_from_evidence(case, ce_problems, has_valid, expected):
    progress = course_progress(case)
    assert eligibility_problems(progress, ce_problems, has_valid) == expected
