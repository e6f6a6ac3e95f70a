"""The engine's SQL form of its lesson rules (`completed_clause`) against `LessonRule.met`,
on a table of cases: every kind of rule (marked, watched at two different thresholds, never)
with evidence below, on and above each threshold, and the per-lesson and per-learner counts
of `progress_tallies` against the per-learner engine."""

from collections import Counter

import pytest
from sqlalchemy import select

from lms.catalog.models import LessonKind
from lms.db import utcnow
from lms.enrolments import services as enrolment_services
from lms.extensions import db
from lms.learning import completion
from lms.learning.completion import Needs
from lms.learning.models import LessonProgress
from tests import factories

# (kind, duration, has a video, required) per lesson of the course.
LESSONS = [
    ("reading", 600, False, True),  # marked
    ("video", 600, True, True),  # watched: 540 s at 90 %
    ("video", 100, True, True),  # watched: 90 s, a second threshold
    ("video", 0, True, True),  # never: a video of unknown length
    ("video", 300, False, True),  # marked: no video yet, studied from its notes
    ("reading", 600, False, False),  # marked, optional
]
# (marked complete, verified seconds as a share of the lesson's length, minus seconds)
EVIDENCE = [
    (False, 0.0, 0),
    (True, 0.0, 0),
    (False, 0.9, 0.001),  # just under the threshold
    (False, 0.9, 0),  # exactly on it
    (True, 0.9, -1),  # above it, and marked
    (False, 1.0, 0),
]


@pytest.fixture
def course_with_every_rule(db_session):
    course = factories.course(modules=1, lessons_per_module=len(LESSONS), completion_threshold=90)
    lessons = completion.course_lessons(course)
    for lesson, (kind, duration, has_video, required) in zip(lessons, LESSONS, strict=True):
        lesson.kind = LessonKind(kind)
        lesson.duration_seconds = duration
        lesson.video_key = f"videos/{lesson.id}.mp4" if has_video else None
        lesson.required = required
    db.session.flush()
    rows = {}
    for marked, share, minus in EVIDENCE:
        learner = factories.learner()
        enrolment_services.enrol(learner, course)
        for lesson in lessons:
            row = LessonProgress(
                user_id=learner.id,
                lesson_id=lesson.id,
                course_id=course.id,
                marked_complete_at=utcnow() if marked else None,
                verified_seconds=max(0.0, share * lesson.duration_seconds - minus),
            )
            db.session.add(row)
            rows[row] = lesson
    db.session.flush()
    return course, rows


def test_every_kind_of_rule_is_in_the_table(course_with_every_rule):
    course, _ = course_with_every_rule
    rules = completion.course_rules(course)
    needs = Counter(rule.needs for rule in rules.lessons)
    assert needs == {Needs.MARKED: 3, Needs.WATCHED: 2, Needs.NEVER: 1}
    thresholds = {rule.min_verified_seconds for rule in rules.lessons if rule.needs == "watched"}
    assert thresholds == {540.0, 90.0}


def test_sql_rule_agrees_with_the_engine_on_every_case(course_with_every_rule):
    course, rows = course_with_every_rule
    rules = completion.course_rules(course)
    by_lesson = {rule.lesson_id: rule for rule in rules.lessons}
    statement = select(LessonProgress.id, completion.completed_clause(rules)).where(
        LessonProgress.course_id == course.id
    )
    in_sql = dict(db.session.execute(statement).all())
    assert len(in_sql) == len(LESSONS) * len(EVIDENCE)
    complete = 0
    for row, lesson in rows.items():
        marked = row.marked_complete_at is not None
        expected = by_lesson[lesson.id].met(marked, row.verified_seconds)
        case = f"{lesson.kind} {lesson.duration_seconds}s, marked {marked}, {row.verified_seconds}s"
        assert bool(in_sql[row.id]) is expected, case
        complete += expected
    assert 0 < complete < len(rows)  # both outcomes are in the table


def test_tallies_count_what_the_per_learner_engine_decides(course_with_every_rule):
    course, rows = course_with_every_rule
    rules = completion.course_rules(course)
    tallies = completion.progress_tallies(rules)
    per_learner = {
        user_id: done for user_id, done, _ in db.session.execute(select(tallies.per_learner()))
    }
    per_lesson = {
        lesson_id: (learners, completed)
        for lesson_id, learners, completed in db.session.execute(tallies.per_lesson())
    }
    engine = {user_id: completion.progress_for(user_id, course) for user_id in per_learner}
    assert per_learner == {
        user_id: progress.completed_required_lessons for user_id, progress in engine.items()
    }
    for lesson in completion.course_lessons(course):
        done = sum(lesson.id in progress.completed_lesson_ids for progress in engine.values())
        assert per_lesson[lesson.id] == (len(EVIDENCE), done)
    assert len(rows) == sum(learners for learners, _ in per_lesson.values())
