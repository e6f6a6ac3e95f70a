"""Lesson pages, marking complete, resume points and "my learning"."""

from sqlalchemy import event, select

from lms.auth.models import Role, SignedInUser
from lms.enrolments import services as enrolment_services
from lms.enrolments.models import EnrolmentStatus
from lms.extensions import db
from lms.learning import services, snapshot
from lms.learning.models import LessonProgress
from tests import factories
from tests.support.statements import recorded_statements


def first_lesson(course):
    return course.modules[0].lessons[0]


def test_lesson_of_a_course_one_is_not_enrolled_in_redirects_to_the_course(
    client, db_session, login
):
    course = factories.course()
    login(factories.learner())
    response = client.get(f"/courses/{course.slug}/lessons/{first_lesson(course).id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/courses/{course.slug}"


def test_lesson_of_a_draft_is_404_for_learners(client, db_session, login):
    course = factories.course(published=False)
    login(factories.learner())
    assert (
        client.get(f"/courses/{course.slug}/lessons/{first_lesson(course).id}").status_code == 404
    )


def test_lesson_id_from_another_course_is_404(client, db_session, login):
    course, other = factories.course(), factories.course()
    learner = factories.learner()
    enrolment_services.enrol(learner, course)
    login(learner)
    response = client.get(f"/courses/{course.slug}/lessons/{first_lesson(other).id}")
    assert response.status_code == 404


def test_instructor_previews_lessons_without_recording_progress(client, db_session, login):
    teacher = factories.instructor()
    course = factories.course(teacher, published=False)
    login(teacher)
    response = client.get(f"/courses/{course.slug}/lessons/{first_lesson(course).id}")
    assert response.status_code == 200
    assert "Preview as a learner" in response.get_data(as_text=True)
    assert db_session.scalars(select(LessonProgress)).all() == []


def test_lesson_page_renders_sanitised_notes_and_records_the_visit(client, db_session, login):
    course = factories.course()
    lesson = first_lesson(course)
    lesson.notes_markdown = "## Palpation\n<script>alert(1)</script> [x](javascript:alert(1))"
    learner = factories.learner()
    enrolment_services.enrol(learner, course)
    login(learner)
    html = client.get(f"/courses/{course.slug}/lessons/{lesson.id}").get_data(as_text=True)
    assert "<h2>Palpation</h2>" in html
    assert "<script>alert(1)" not in html and "javascript:alert" not in html
    row = db_session.scalar(select(LessonProgress).where(LessonProgress.user_id == learner.id))
    assert row.lesson_id == lesson.id


def test_lesson_page_query_count_does_not_grow_with_the_course(client, db_session, login, app):
    learner = factories.learner()
    small = factories.course(modules=1, lessons_per_module=2)
    large = factories.course(modules=8, lessons_per_module=10)
    for course in (small, large):
        enrolment_services.enrol(learner, course)
    login(learner)

    def count(course) -> int:
        # Savepoints belong to the test's rollback harness, not to the page.
        with recorded_statements(db.engine) as statements:
            page = f"/courses/{course.slug}/lessons/{first_lesson(course).id}"
            assert client.get(page).status_code == 200
        return len(statements)

    # 8 before quizzes; the course's quizzes and the learner's passes are one more query.
    assert count(small) == count(large) <= 8


def test_the_learner_state_query_reads_the_session_user_and_their_roles(db_session):
    teacher = factories.user(Role.LEARNER, Role.INSTRUCTOR, legal_name="Mei Lin")
    course = factories.course(teacher)
    state = snapshot.learner_state(course.slug, teacher.id, teacher.session_token)
    assert state.user == SignedInUser(
        id=teacher.id,
        email=teacher.email,
        legal_name="Mei Lin",
        email_verified_at=teacher.email_verified_at,
        active=True,
        session_token=teacher.session_token,
        roles=frozenset({Role.LEARNER, Role.INSTRUCTOR}),
    )
    assert state.user.get_id() == teacher.get_id() and state.user.is_active
    assert snapshot.learner_state(course.slug, teacher.id, "stale-token").user is None
    assert snapshot.learner_state(course.slug, teacher.id).user is None  # not asked for
    teacher.active = False
    db.session.flush()
    assert snapshot.learner_state(course.slug, teacher.id, teacher.session_token).user is None


def test_the_lesson_page_shows_the_user_its_own_query_read(client, db_session, login):
    teacher = factories.user(Role.LEARNER, Role.INSTRUCTOR, legal_name="Mei Lin")
    course = factories.course(teacher)
    enrolment_services.enrol(teacher, course)
    login(teacher)
    url = f"/courses/{course.slug}/lessons/{first_lesson(course).id}"
    client.get(url)  # the first visit reads the course's snapshot and records the visit
    with recorded_statements(db.engine) as statements:
        page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and len(statements) == 1
    assert "Mei Lin" in html and ">Teach</a>" in html and ">Admin</a>" not in html


def test_marking_every_lesson_complete_completes_the_course(client, db_session, login):
    course = factories.ce_course(modules=1, lessons_per_module=2)
    learner = factories.learner()
    enrolment = enrolment_services.enrol(learner, course)
    login(learner)
    lesson_one, lesson_two = course.modules[0].lessons
    response = client.post(f"/courses/{course.slug}/lessons/{lesson_one.id}/complete")
    assert response.headers["Location"].endswith(f"/lessons/{lesson_two.id}")
    db_session.refresh(enrolment)
    assert enrolment.status == EnrolmentStatus.ACTIVE
    response = client.post(f"/courses/{course.slug}/lessons/{lesson_two.id}/complete")
    # Every course asks for the evaluation (California requires one) before it completes.
    assert response.headers["Location"] == f"/courses/{course.slug}/evaluation"
    db_session.refresh(enrolment)
    assert enrolment.status == EnrolmentStatus.ACTIVE
    ratings = {k: str(v) for k, v in factories.RATINGS.items()}
    response = client.post(f"/courses/{course.slug}/evaluation", data=ratings)
    assert response.status_code == 302
    db_session.refresh(enrolment)
    assert enrolment.status == EnrolmentStatus.COMPLETED and enrolment.completed_at
    page = client.get("/my/learning").get_data(as_text=True)
    assert "2.0 CE hours earned" in page


def test_marking_complete_twice_is_harmless(db_session):
    course = factories.course(modules=1, lessons_per_module=2)
    enrolment = enrolment_services.enrol(factories.learner(), course)
    lesson = first_lesson(course)
    services.mark_complete(enrolment, lesson, course)
    first = db_session.scalar(select(LessonProgress)).marked_complete_at
    progress = services.mark_complete(enrolment, lesson, course)
    assert db_session.scalar(select(LessonProgress)).marked_complete_at == first
    assert progress.completed_required_lessons == 1


def test_not_enrolled_learner_cannot_mark_complete(client, db_session, login):
    course = factories.course()
    login(factories.learner())
    response = client.post(f"/courses/{course.slug}/lessons/{first_lesson(course).id}/complete")
    assert response.status_code == 302
    assert db_session.scalars(select(LessonProgress)).all() == []


def test_my_learning_resumes_at_the_last_lesson_and_position(db_session):
    course = factories.course(modules=2, lessons_per_module=2)
    learner = factories.learner()
    enrolment_services.enrol(learner, course)
    lessons = [lesson for module in course.modules for lesson in module.lessons]
    services.record_visit(learner, lessons[2], course)
    services.save_position(learner, lessons[2], course, 125.0)
    (card,) = services.my_learning(learner)
    assert card.resume_lesson.id == lessons[2].id
    assert card.resume_position == 125.0
    assert card.progress.percent == 0


def test_my_learning_lists_nothing_for_withdrawn_enrolments(db_session):
    learner = factories.learner()
    enrolment = enrolment_services.enrol(learner, factories.course())
    enrolment_services.withdraw(enrolment)
    assert services.my_learning(learner) == []


def test_sequential_course_unlocks_lessons_in_order(client, db_session, login):
    course = factories.course(modules=1, lessons_per_module=3, sequential=True)
    learner = factories.learner()
    enrolment = enrolment_services.enrol(learner, course)
    first, second, third = course.modules[0].lessons
    login(learner)
    response = client.get(f"/courses/{course.slug}/lessons/{third.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/lessons/{first.id}")
    assert "unlock in order" in client.get(response.headers["Location"]).get_data(as_text=True)
    services.mark_complete(enrolment, first, course)
    db_session.flush()
    assert client.get(f"/courses/{course.slug}/lessons/{second.id}").status_code == 200
    response = client.get(f"/courses/{course.slug}/lessons/{third.id}")
    assert response.headers["Location"].endswith(f"/lessons/{second.id}")
    # Without the flag every lesson opens.
    course.sequential = False
    db_session.flush()
    assert client.get(f"/courses/{course.slug}/lessons/{third.id}").status_code == 200


def test_reloading_the_lesson_seen_last_writes_nothing_but_moving_on_does(
    client, db_session, login
):
    course = factories.course(modules=1, lessons_per_module=2)
    learner = factories.learner()
    enrolment_services.enrol(learner, course)
    first, second = course.modules[0].lessons
    login(learner)
    writes = []

    def record(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
            writes.append(statement)

    def visit(lesson):
        writes.clear()
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert client.get(f"/courses/{course.slug}/lessons/{lesson.id}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(writes)

    assert visit(first) == 1  # first visit: the resume point moves here
    assert visit(first) == 0  # a reload within minutes changes nothing worth a write
    assert visit(second) == 1
    assert visit(first) == 1  # back to an earlier lesson: it is the resume point again
    (card,) = services.my_learning(learner)
    assert card.resume_lesson.id == first.id
