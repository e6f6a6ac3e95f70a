"""Authoring services: courses, prerequisites, publishing, the outline and its order."""

from __future__ import annotations

import pytest

from lms.authoring import outline, services
from lms.authoring.outline import InvalidOrder, LessonData
from lms.authoring.services import CourseData
from lms.catalog.models import CourseStatus, LessonKind
from lms.extensions import db
from tests import factories


def test_an_instructor_who_creates_a_course_teaches_it_and_it_starts_as_a_draft(db_session):
    teacher = factories.instructor()
    course = services.create_course(
        CourseData(title="Scalenes and the Thoracic Outlet", slug="", ce_minutes=180), teacher
    )
    assert course.slug == "scalenes-and-the-thoracic-outlet"
    assert course.instructors == [teacher]
    assert course.status == CourseStatus.DRAFT
    assert services.courses_for_author(teacher) == [course]
    assert services.courses_for_author(factories.instructor()) == []


def test_an_admin_who_creates_a_course_is_not_printed_as_its_instructor(db_session):
    course = services.create_course(CourseData(title="Audit", slug="audit"), factories.admin())
    assert course.instructors == []


def test_slug_collision_is_a_field_error(db_session):
    factories.course(slug="piriformis")
    with pytest.raises(services.SlugTaken) as refused:
        services.create_course(CourseData(title="X", slug="piriformis"), factories.instructor())
    assert refused.value.field == "slug"


def test_prerequisites_refuse_loops(db_session):
    a, b, c = factories.course(), factories.course(), factories.course()
    services.update_course(b, CourseData(title=b.title, slug=b.slug, prerequisite_ids=[a.id]))
    services.update_course(c, CourseData(title=c.title, slug=c.slug, prerequisite_ids=[b.id]))
    assert c.prerequisites == [b]
    with pytest.raises(services.InvalidPrerequisite, match="already requires"):
        services.update_course(a, CourseData(title=a.title, slug=a.slug, prerequisite_ids=[c.id]))
    with pytest.raises(services.InvalidPrerequisite, match="cannot require itself"):
        services.update_course(a, CourseData(title=a.title, slug=a.slug, prerequisite_ids=[a.id]))


def test_publishing_needs_a_lesson(db_session):
    course = factories.course(published=False, modules=1, lessons_per_module=0)
    with pytest.raises(services.CannotPublish, match="at least one lesson"):
        services.publish(course)
    assert course.status == CourseStatus.DRAFT
    outline.add_lesson(course.modules[0], LessonData(title="Anatomy"))
    services.publish(course)
    assert course.is_published and course.published_at is not None
    services.unpublish(course)
    assert course.status == CourseStatus.DRAFT


def test_lessons_get_unique_slugs_and_store_seconds(db_session):
    module = factories.course(modules=1, lessons_per_module=0).modules[0]
    first = outline.add_lesson(module, LessonData(title="Palpation", duration_minutes=12))
    second = outline.add_lesson(
        module, LessonData(title="Palpation", kind=LessonKind.VIDEO, required=False)
    )
    assert (first.slug, second.slug) == ("palpation", "palpation-2")
    assert first.duration_seconds == 720 and (first.position, second.position) == (0, 1)


def _titles(items) -> list[str]:
    return [item.title for item in sorted(items, key=lambda item: item.position)]


def test_move_up_and_down_and_reorder(db_session):
    course = factories.course(modules=3, lessons_per_module=3)
    first, second, third = course.modules
    outline.move_module(third, -1)
    assert _titles(course.modules) == ["Module 1", "Module 3", "Module 2"]
    outline.move_module(first, -1)  # already first: stays
    assert _titles(course.modules) == ["Module 1", "Module 3", "Module 2"]

    outline.reorder_modules(course, [second.id, first.id, third.id])
    assert _titles(course.modules) == ["Module 2", "Module 1", "Module 3"]

    lessons = first.lessons
    outline.move_lesson(lessons[0], +1)
    assert _titles(first.lessons) == ["Lesson 1.2", "Lesson 1.1", "Lesson 1.3"]


@pytest.mark.parametrize("change", ["foreign", "missing", "duplicate", "extra"])
def test_reorder_refuses_any_list_that_is_not_exactly_the_items(db_session, change):
    course = factories.course(modules=1, lessons_per_module=3)
    other = factories.course(modules=1, lessons_per_module=1)
    module = course.modules[0]
    ids = [lesson.id for lesson in reversed(module.lessons)]
    before = [(lesson.id, lesson.position) for lesson in module.lessons]
    bad = {
        "foreign": ids[:-1] + [other.modules[0].lessons[0].id],
        "missing": ids[:-1],
        "duplicate": ids[:-1] + [ids[0]],
        "extra": ids + [other.modules[0].lessons[0].id],
    }[change]
    with pytest.raises(InvalidOrder):
        outline.reorder_lessons(module, bad)
    db.session.expire_all()
    assert [(lesson.id, lesson.position) for lesson in module.lessons] == before


def test_deleting_renumbers_what_is_left(db_session):
    course = factories.course(modules=3, lessons_per_module=1)
    outline.delete_module(course.modules[0])
    assert [m.position for m in course.modules] == [0, 1]
    assert _titles(course.modules) == ["Module 2", "Module 3"]


def test_publish_refuses_a_course_claiming_credit_the_provider_cannot_give(db_session):
    from lms.authoring import services as authoring_services
    from lms.provider.models import ProviderSettings

    course = factories.course(published=False)
    factories.provider_settings()
    factories.course_credit(course)  # claims NCCAOM, California and Florida
    settings = db_session.get(ProviderSettings, 1)
    settings.ce_broker_provider_number = ""
    db_session.flush()
    with pytest.raises(authoring_services.CannotPublish, match="CE Broker"):
        authoring_services.publish(course)
    settings.ce_broker_provider_number = "50-12345"
    db_session.flush()
    authoring_services.publish(course)
    assert course.is_published
