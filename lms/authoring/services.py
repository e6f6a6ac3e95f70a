"""Creating, editing and publishing courses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from lms.auth.models import Role, User
from lms.catalog.models import (
    Course,
    CourseStatus,
    MuscleGroup,
    course_instructors,
    course_prerequisites,
)
from lms.db import utcnow
from lms.errors import DomainError
from lms.extensions import db


class FieldError(DomainError):
    """A rule about one form field; views show the message beside that field."""

    field = ""


class SlugTaken(FieldError):
    field = "slug"

    def __init__(self, slug: str) -> None:
        super().__init__(f"Another course already uses the address “{slug}”. Choose another.")


class InvalidPrerequisite(FieldError):
    field = "prerequisite_ids"


class CannotPublish(DomainError):
    status_code = 409


@dataclass
class CourseData:
    """What an editor can set on a course."""

    title: str
    slug: str
    summary: str = ""
    muscle_group_id: int | None = None
    ce_minutes: int = 0
    sequential: bool = False
    prerequisite_ids: list[int] = field(default_factory=list)


def slugify(text: str, max_length: int = 80) -> str:
    """Lower-case letters, digits and single hyphens: "Upper Trapezius" -> "upper-trapezius"."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:max_length].strip("-")


def courses_for_author(author: User, everything: bool = False) -> list[Course]:
    """The courses an instructor teaches (every course when `everything`), drafts included."""
    statement = (
        select(Course)
        .options(selectinload(Course.instructors), selectinload(Course.modules))
        .order_by(Course.status, Course.title)
    )
    if not everything:
        statement = statement.where(
            Course.id.in_(
                select(course_instructors.c.course_id).where(
                    course_instructors.c.user_id == author.id
                )
            )
        )
    return list(db.session.scalars(statement))


def muscle_groups() -> list[MuscleGroup]:
    return list(
        db.session.scalars(
            select(MuscleGroup).options(joinedload(MuscleGroup.region)).order_by(MuscleGroup.name)
        )
    )


def all_courses() -> list[Course]:
    """Every course (drafts too), by title: the candidates for prerequisites."""
    return list(db.session.scalars(select(Course).order_by(Course.title)))


def create_course(data: CourseData, author: User) -> Course:
    """A new draft course; an instructor who creates it teaches it."""
    course = Course(status=CourseStatus.DRAFT)
    if author.has_role(Role.INSTRUCTOR):
        course.instructors.append(author)
    _apply(course, data)
    return course


def update_course(course: Course, data: CourseData) -> None:
    """Change a course's details, prerequisites and flags."""
    _apply(course, data)


def _apply(course: Course, data: CourseData) -> None:
    slug = data.slug or slugify(data.title)
    taken = db.session.scalar(select(Course.id).where(Course.slug == slug, Course.id != course.id))
    if taken is not None:
        raise SlugTaken(slug)
    prerequisites = _prerequisites(course, data.prerequisite_ids)
    course.title = data.title.strip()
    course.slug = slug
    course.summary = data.summary.strip()
    course.muscle_group_id = data.muscle_group_id
    course.ce_minutes = data.ce_minutes
    course.sequential = data.sequential
    course.prerequisites = prerequisites
    try:
        with db.session.begin_nested():
            db.session.add(course)
    except IntegrityError as error:
        # Two editors chose the same address at the same moment: the constraint decides.
        if "slug" in str(error.orig):
            raise SlugTaken(slug) from error
        raise


def _prerequisites(course: Course, ids: list[int]) -> list[Course]:
    ids = list(dict.fromkeys(ids))
    if course.id is not None and course.id in ids:
        raise InvalidPrerequisite("A course cannot require itself.")
    required = list(db.session.scalars(select(Course).where(Course.id.in_(ids)))) if ids else []
    if len(required) != len(ids):
        raise InvalidPrerequisite("Choose prerequisites from the list.")
    if course.id is not None:
        loops = [other for other in required if _requires(other.id, course.id)]
        if loops:
            names = ", ".join(f"“{other.title}”" for other in loops)
            raise InvalidPrerequisite(
                f"{names} already requires this course, so it cannot also be its prerequisite."
            )
    return required


def _requires(course_id: int, target_id: int) -> bool:
    """Whether course_id requires target_id, directly or through other prerequisites."""
    edges: dict[int, list[int]] = {}
    for source, required in db.session.execute(select(course_prerequisites)):
        edges.setdefault(source, []).append(required)
    seen, stack = set(), [course_id]
    while stack:
        current = stack.pop()
        for required in edges.get(current, []):
            if required == target_id:
                return True
            if required not in seen:
                seen.add(required)
                stack.append(required)
    return False


def publish(course: Course) -> None:
    """Make a course visible in the catalog; it needs at least one lesson."""
    if not any(module.lessons for module in course.modules):
        raise CannotPublish(
            "Add at least one lesson before publishing: learners would find an empty course."
        )
    from lms.certificates.credit import claimed_credit_problems

    problems = claimed_credit_problems(course)
    if problems:
        raise CannotPublish("This course's CE credit is not ready: " + " ".join(problems))
    if course.status != CourseStatus.PUBLISHED:
        course.status = CourseStatus.PUBLISHED
        course.published_at = utcnow()
        db.session.flush()


def unpublish(course: Course) -> None:
    """Take a course back to draft: it leaves the catalog; enrolments are kept."""
    if course.status != CourseStatus.DRAFT:
        course.status = CourseStatus.DRAFT
        db.session.flush()
