"""A lesson page reads the learner's progress rows inside its one query, as JSON
(`completion.progress_facts_column`): the facts must come out as the engine's row query
(`completion.progress_rows`) reads them, timestamps aware and exact to the microsecond, on
PostgreSQL and on SQLite (`make run`)."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, Float, Integer, MetaData, Table, create_engine, literal, select

from lms.db import UTCDateTime, json_rows, utc_from_json
from lms.enrolments import services as enrolment_services
from lms.extensions import db
from lms.learning import completion
from lms.learning.models import LessonProgress
from tests import factories

SEEN = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)


def read_as_json(user_id: int, course_id: int) -> list[completion.ProgressFact]:
    column = completion.progress_facts_column(literal(user_id), literal(course_id))
    return completion.facts_from_json(db.session.scalar(select(column)))


def test_json_facts_match_the_row_query_on_postgresql(db_session):
    course, other = factories.course(lessons_per_module=3), factories.course()
    learner, someone_else = factories.learner(), factories.learner()
    enrolment_services.enrol(learner, course)
    assert read_as_json(learner.id, course.id) == []  # no rows: NULL, read as none
    first, second, third = course.modules[0].lessons
    db.session.add_all(
        [
            LessonProgress(
                user_id=learner.id,
                lesson_id=first.id,
                course_id=course.id,
                last_seen_at=SEEN,
                position_seconds=12.75,
                verified_seconds=0,
                marked_complete_at=SEEN + timedelta(microseconds=1),
            ),
            LessonProgress(
                user_id=learner.id,
                lesson_id=second.id,
                course_id=course.id,
                last_seen_at=SEEN - timedelta(days=40),
                position_seconds=0,
                verified_seconds=541.5,
            ),
            # Somebody else's row in this course and the learner's row elsewhere: not theirs.
            LessonProgress(user_id=someone_else.id, lesson_id=third.id, course_id=course.id),
            LessonProgress(
                user_id=learner.id,
                lesson_id=other.modules[0].lessons[0].id,
                course_id=other.id,
            ),
        ]
    )
    db.session.flush()

    rows = sorted(
        completion.ProgressFact(*(getattr(row, name) for name in completion.ProgressFact._fields))
        for row in completion.progress_rows(learner.id, [course.id])
    )
    facts = sorted(read_as_json(learner.id, course.id))
    assert facts == rows
    assert [fact.lesson_id for fact in facts] == sorted([first.id, second.id])
    by_lesson = {fact.lesson_id: fact for fact in facts}
    assert by_lesson[first.id].last_seen_at == SEEN
    assert by_lesson[first.id].last_seen_at.tzinfo is UTC
    assert by_lesson[first.id].marked_complete_at == SEEN + timedelta(microseconds=1)
    assert by_lesson[second.id].marked_complete_at is None
    assert by_lesson[second.id].verified_seconds == 541.5


def test_json_rows_on_sqlite():
    engine = create_engine("sqlite://")
    table = Table(
        "facts",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("at", UTCDateTime()),
        Column("seconds", Float),
    )
    table.metadata.create_all(engine)
    rows = [(1, SEEN, 1.5), (2, None, 0.0), (3, SEEN - timedelta(hours=5), 600.0)]
    with engine.begin() as conn:
        query = select(json_rows(table.c.id, table.c.at, table.c.seconds))
        assert conn.scalar(query) in (None, [])  # no rows
        conn.execute(table.insert(), [{"id": i, "at": at, "seconds": s} for i, at, s in rows])
        found = [(i, utc_from_json(at), s) for i, at, s in conn.scalar(query)]
    assert sorted(found) == rows
    assert found[0][1].tzinfo is UTC
