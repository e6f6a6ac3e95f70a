"""Authoring pages: who may, what the forms say, and what the reorder endpoint accepts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.auth.models import User
from lms.catalog.models import Course, CourseStatus, Lesson
from lms.enrolments.models import Enrolment
from lms.extensions import db
from tests import factories


@pytest.fixture
def teacher(db_session):
    return factories.instructor()


@pytest.fixture
def course(teacher):
    return factories.course(teacher, modules=2, lessons_per_module=3)


def positions(module) -> list[int]:
    db.session.expire_all()
    return [lesson.id for lesson in module.lessons]


def test_instructor_creates_a_course_and_teaches_it(client, login, teacher):
    factories.muscle(name="Piriformis")
    login(teacher)
    response = client.post(
        "/teach/courses/new",
        data={
            "title": "Piriformis and the Sciatic Nerve",
            "slug": "",
            "summary": "S",
            "ce_minutes": "180",
            "sequential": "y",
            "muscle_group_id": "",
        },
    )
    assert response.status_code == 302
    course = db.session.scalar(
        select(Course).where(Course.slug == "piriformis-and-the-sciatic-nerve")
    )
    assert course.instructors == [teacher] and course.sequential and course.ce_minutes == 180
    assert response.headers["Location"].endswith(f"/teach/courses/{course.id}")
    assert "Piriformis and the Sciatic Nerve" in client.get("/teach/").get_data(as_text=True)


def test_slug_collision_and_over_long_fields_are_field_errors(client, login, teacher, course):
    login(teacher)
    factories.course(slug="taken")
    page = client.post(
        "/teach/courses/new", data={"title": "New", "slug": "taken", "ce_minutes": "60"}
    ).get_data(as_text=True)
    assert 'id="slug-error"' in page and "already uses the address “taken”" in page

    page = client.post(
        f"/teach/courses/{course.id}/edit",
        data={"title": "T" * 201, "slug": "Bad Slug!", "ce_minutes": "-5", "summary": "x" * 2001},
    ).get_data(as_text=True)
    for name in ("title", "slug", "ce_minutes", "summary"):
        assert f'id="{name}-error"' in page, name
    db.session.expire_all()
    assert len(course.title) < 200

    page = client.post(
        f"/teach/courses/{course.id}/modules/{course.modules[0].id}/lessons/new",
        data={"title": "L" * 201, "kind": "podcast", "duration_minutes": "9999"},
    ).get_data(as_text=True)
    for name in ("title", "kind", "duration_minutes"):
        assert f'id="{name}-error"' in page, name


def test_another_instructors_course_is_403_and_learners_are_403(client, login, course):
    login(factories.instructor())
    assert client.get(f"/teach/courses/{course.id}").status_code == 403
    assert client.post(f"/teach/courses/{course.id}/unpublish").status_code == 403
    assert course.status == CourseStatus.PUBLISHED
    login(factories.learner())
    assert client.get("/teach/").status_code == 403
    assert client.get(f"/teach/courses/{course.id}/preview").status_code == 403


def test_admin_sees_and_edits_every_course(client, login, course):
    login(factories.admin())
    assert course.title in client.get("/teach/").get_data(as_text=True)
    assert client.get(f"/teach/courses/{course.id}/edit").status_code == 200


def test_module_and_lesson_from_another_course_are_404(client, login, teacher, course):
    other = factories.course(teacher)
    login(teacher)
    foreign_module = other.modules[0]
    foreign_lesson = foreign_module.lessons[0]
    assert (
        client.get(f"/teach/courses/{course.id}/modules/{foreign_module.id}/edit").status_code
        == 404
    )
    assert (
        client.get(f"/teach/courses/{course.id}/lessons/{foreign_lesson.id}/edit").status_code
        == 404
    )


def test_reorder_with_json_saves_the_order(client, login, teacher, course):
    login(teacher)
    module = course.modules[0]
    new_order = list(reversed(positions(module)))
    response = client.post(
        f"/teach/courses/{course.id}/modules/{module.id}/lessons/order", json={"ids": new_order}
    )
    assert response.status_code == 200 and response.get_json() == {"ok": True}
    assert positions(module) == new_order


def test_reorder_with_form_data_saves_the_order(client, login, teacher, course):
    login(teacher)
    new_order = [m.id for m in reversed(course.modules)]
    response = client.post(
        f"/teach/courses/{course.id}/modules/order", data={"ids": ",".join(map(str, new_order))}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [m.id for m in course.modules] == new_order


@pytest.mark.parametrize("payload", ["foreign", "incomplete", "garbage", "empty"])
def test_reorder_with_foreign_or_missing_ids_is_400_and_changes_nothing(
    client, login, teacher, course, payload
):
    other_lesson = factories.course(factories.instructor()).modules[0].lessons[0]
    login(teacher)
    module = course.modules[0]
    before = positions(module)
    ids = {
        "foreign": before[:-1] + [other_lesson.id],
        "incomplete": before[:-1],
        "garbage": ["one", "two"],
        "empty": [],
    }[payload]
    response = client.post(
        f"/teach/courses/{course.id}/modules/{module.id}/lessons/order", json={"ids": ids}
    )
    assert response.status_code == 400
    assert positions(module) == before
    assert db.session.get(Lesson, other_lesson.id).position == 0


def test_move_buttons_work_without_javascript(client, login, teacher, course):
    login(teacher)
    module = course.modules[0]
    first, second, third = positions(module)
    response = client.post(
        f"/teach/courses/{course.id}/lessons/{first}/move", data={"direction": "down"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#lesson-{first}")
    assert positions(module) == [second, first, third]


def test_publish_refuses_a_course_without_lessons_and_says_why(client, login, teacher):
    draft = factories.course(teacher, published=False, modules=1, lessons_per_module=0)
    login(teacher)
    page = client.post(f"/teach/courses/{draft.id}/publish", follow_redirects=True).get_data(
        as_text=True
    )
    assert "Not published: Add at least one lesson" in page
    assert draft.status == CourseStatus.DRAFT


def test_draft_preview_for_editors_and_404_for_learners(client, login, teacher):
    draft = factories.course(teacher, published=False, title="Secret draft")
    login(teacher)
    page = client.get(f"/teach/courses/{draft.id}/preview").get_data(as_text=True)
    assert "Preview</strong>" in page and "Secret draft" in page
    assert "Back to editing" in page and ">Enrol</button>" not in page
    login(factories.learner())
    assert client.get(f"/courses/{draft.slug}").status_code == 404
    assert "Secret draft" not in client.get("/catalog").get_data(as_text=True)


def test_publishing_puts_the_course_in_the_catalog(client, login, teacher):
    draft = factories.course(teacher, published=False, title="Fresh course")
    login(teacher)
    client.post(f"/teach/courses/{draft.id}/publish")
    db.session.expire_all()
    assert draft.is_published
    assert "Fresh course" in client.get("/catalog").get_data(as_text=True)


def test_lesson_preview_renders_sanitised_notes_without_saving(client, login, teacher, course):
    login(teacher)
    lesson_id = positions(course.modules[0])[0]
    page = client.post(
        f"/teach/courses/{course.id}/lessons/{lesson_id}/edit",
        data={
            "title": "Changed",
            "kind": "video",
            "duration_minutes": "5",
            "preview": "y",
            "notes_markdown": "**Bold** <script>alert(1)</script>[x](javascript:alert(1))",
        },
    ).get_data(as_text=True)
    assert "<strong>Bold</strong>" in page
    assert "<script>alert(1)" not in page and 'href="javascript' not in page
    assert db.session.get(Lesson, lesson_id).title != "Changed"


def test_enrolments_page_enrols_by_email_and_lists_learners(client, login, teacher, course):
    learner = factories.learner(email="priya@example.com", legal_name="Priya Raman")
    login(teacher)
    response = client.post(
        f"/teach/courses/{course.id}/enrolments", data={"email": "priya@example.com"}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Enrolment).where(Enrolment.user_id == learner.id))
    page = client.get(f"/teach/courses/{course.id}/enrolments").get_data(as_text=True)
    assert "Priya Raman" in page and "Active" in page
    page = client.post(
        f"/teach/courses/{course.id}/enrolments", data={"email": "ghost@example.com"}
    ).get_data(as_text=True)
    assert 'id="email-error"' in page and "No active account" in page


def test_enrolments_are_paginated(client, login, teacher, course):
    # Built directly: hashing 26 real passwords would only slow the test down.
    users = [
        User(email=f"learner{n}@example.com", legal_name=f"Learner {n}", password_hash="-")
        for n in range(26)
    ]
    db.session.add_all(users)
    db.session.flush()
    db.session.add_all(Enrolment(user_id=user.id, course_id=course.id) for user in users)
    db.session.flush()
    login(teacher)
    first = client.get(f"/teach/courses/{course.id}/enrolments").get_data(as_text=True)
    second = client.get(f"/teach/courses/{course.id}/enrolments?page=2").get_data(as_text=True)
    assert "(26)" in first and first.count("<tr>") == 26  # header + 25 rows
    assert second.count("<tr>") == 2
    assert 'aria-label="Enrolment pages"' in first
