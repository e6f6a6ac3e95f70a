"""The per-process course snapshot: its version moves with every learner-visible change."""

from collections.abc import Callable

import pytest
from sqlalchemy import select

from lms.catalog.models import Course, Lesson, LessonKind, Module
from lms.enrolments import services as enrolment_services
from lms.extensions import db
from lms.learning import services, snapshot
from lms.learning.models import LessonProgress
from lms.video.models import Handout
from tests import factories
from tests.support.statements import recorded_statements


def version(course: Course) -> int:
    return db.session.scalar(select(Course.content_version).where(Course.id == course.id))


def rename_course(course: Course) -> None:
    course.title = "Piriformis, revised"


def retitle_lesson(course: Course) -> None:
    course.modules[0].lessons[0].title = "Palpating the piriformis"


def rewrite_notes(course: Course) -> None:
    course.modules[1].lessons[1].notes_markdown = "New **notes**"


def attach_video(course: Course) -> None:
    lesson = course.modules[0].lessons[1]
    lesson.kind, lesson.video_key = LessonKind.VIDEO, "videos/x/y.mp4"


def add_lesson(course: Course) -> None:
    course.modules[1].lessons.append(Lesson(slug="extra", title="Extra", position=9))


def delete_lesson(course: Course) -> None:
    db.session.delete(course.modules[1].lessons[0])


def add_module(course: Course) -> None:
    course.modules.append(Module(title="Appendix", position=9))


def delete_module(course: Course) -> None:
    db.session.delete(course.modules[1])


def add_handout(course: Course) -> None:
    lesson = course.modules[0].lessons[0]
    db.session.add(
        Handout(lesson_id=lesson.id, key=f"handouts/{lesson.id}.pdf", filename="a.pdf", size=9)
    )


def publish_quiz(course: Course) -> None:
    factories.quiz(course)


def add_instructor(course: Course) -> None:
    course.instructors.append(factories.instructor())


def add_credit(course: Course) -> None:
    factories.course_credit(course)


@pytest.mark.parametrize(
    "change",
    [
        rename_course,
        retitle_lesson,
        rewrite_notes,
        attach_video,
        add_lesson,
        delete_lesson,
        add_module,
        delete_module,
        add_handout,
        publish_quiz,
        add_instructor,
        add_credit,
    ],
)
def test_every_learner_visible_change_moves_the_version(db_session, change: Callable):
    course = factories.course()
    before = version(course)
    change(course)
    db.session.flush()
    assert version(course) > before


def test_a_learners_own_records_leave_the_version_alone(db_session):
    course = factories.course()
    learner = factories.learner()
    before = version(course)
    enrolment_services.enrol(learner, course)
    services.record_visit(learner, course.modules[0].lessons[0], course)
    db.session.add(
        LessonProgress(
            user_id=learner.id, lesson_id=course.modules[0].lessons[1].id, course_id=course.id
        )
    )
    db.session.flush()
    assert version(course) == before


def test_other_courses_keep_their_version(db_session):
    course, other = factories.course(), factories.course()
    before = version(other)
    retitle_lesson(course)
    db.session.flush()
    assert version(other) == before


def test_the_snapshot_is_read_once_per_version(app, client, db_session, login):
    course = factories.course(modules=2, lessons_per_module=3)
    learner = factories.learner()
    enrolment_services.enrol(learner, course)
    login(learner)
    lesson = course.modules[0].lessons[0]
    page = f"/courses/{course.slug}/lessons/{lesson.id}"

    def statements() -> list[str]:
        with recorded_statements(db.engine) as seen:
            assert client.get(page).status_code == 200
        return seen

    cold = statements()
    assert any("FROM modules" in sql or "JOIN modules" in sql for sql in cold)
    warm = statements()
    # One statement: the user with the course's version and the learner's state, lesson rows
    # included.
    assert len(warm) == 1 and "lesson_progress" in warm[0]
    assert not any("JOIN modules" in sql or "FROM handouts" in sql for sql in warm)

    lesson.title = "Renamed while cached"
    db.session.flush()
    after_edit = statements()
    assert len(after_edit) > len(warm)
    assert "Renamed while cached" in client.get(page).get_data(as_text=True)


def test_the_cache_keeps_the_newest_version_and_a_bounded_number_of_courses():
    cache = snapshot.SnapshotCache(size=2)

    def made(course_id: int, version: int) -> snapshot.CourseSnapshot:
        return snapshot.CourseSnapshot(
            id=course_id, version=version, slug="s", title="t", status=None, sequential=False,
            completion_threshold=90, ce_minutes=0, modules=(), instructors=(), quizzes=(),
            evaluation_required=False, lessons_by_id={},
        )  # fmt: skip

    cache.put(made(1, 2))
    cache.put(made(1, 1))  # a slower reader's older copy does not replace the newer one
    assert cache.get(1, 2) is not None and cache.get(1, 1) is None
    cache.put(made(2, 1))
    cache.put(made(3, 1))
    assert cache.get(1, 2) is None  # least recently stored out
    assert cache.get(3, 1) is not None


def test_the_lesson_page_loads_the_user_with_its_state_and_still_checks_the_session(
    client, db_session, login
):
    from lms.auth.models import new_session_token

    course = factories.course()
    learner = factories.learner()
    enrolment_services.enrol(learner, course)
    login(learner)
    page = f"/courses/{course.slug}/lessons/{course.modules[0].lessons[0].id}"
    assert client.get(page).status_code == 200
    learner.session_token = new_session_token()  # "sign out everywhere"
    db.session.flush()
    response = client.get(page)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
