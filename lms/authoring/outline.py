"""A course's outline: modules and lessons, added, edited, removed and put in order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.exc import IntegrityError

from lms.authoring.services import slugify
from lms.catalog.models import Course, Lesson, LessonKind, Module
from lms.errors import DomainError
from lms.extensions import db


class InvalidOrder(DomainError):
    """A reorder request that does not list exactly the items it reorders."""

    def __init__(self) -> None:
        super().__init__(
            "The new order must list every item of this list exactly once, and nothing else. "
            "Reload the page and try again."
        )


class Positioned(Protocol):
    id: int
    position: int


@dataclass
class LessonData:
    title: str
    kind: LessonKind = LessonKind.READING
    duration_minutes: int = 0
    notes_markdown: str = ""
    required: bool = True


def add_module(course: Course, title: str) -> Module:
    """Append a module to a course."""
    module = Module(title=title.strip(), position=_next_position(course.modules))
    course.modules.append(module)
    db.session.flush()
    return module


def rename_module(module: Module, title: str) -> None:
    module.title = title.strip()
    db.session.flush()


class HasLearnerRecords(DomainError):
    status_code = 409

    def __init__(self, what: str) -> None:
        super().__init__(
            f"This {what} has learner records (progress, watch time or quiz answers), which are "
            "kept for CE audits, so it cannot be deleted. Rename it or mark it optional instead."
        )


def delete_module(module: Module) -> None:
    """Remove a module and its lessons, unless learners have records in them."""
    course = module.course
    try:
        with db.session.begin_nested():
            course.modules.remove(module)
            db.session.flush()
    except IntegrityError as error:
        db.session.expire(course)
        raise HasLearnerRecords("module") from error
    _renumber(_in_order(course.modules))


def add_lesson(module: Module, data: LessonData) -> Lesson:
    """Append a lesson to a module."""
    lesson = Lesson(position=_next_position(module.lessons))
    _apply_lesson(lesson, data, module)
    module.lessons.append(lesson)
    db.session.flush()
    return lesson


def update_lesson(lesson: Lesson, data: LessonData) -> None:
    _apply_lesson(lesson, data, lesson.module)
    db.session.flush()


def delete_lesson(lesson: Lesson) -> None:
    """Remove a lesson, unless learners have records in it (the database refuses)."""
    module = lesson.module
    try:
        with db.session.begin_nested():
            module.lessons.remove(lesson)
            db.session.flush()
    except IntegrityError as error:
        db.session.expire(module)
        raise HasLearnerRecords("lesson") from error
    _renumber(_in_order(module.lessons))


def _apply_lesson(lesson: Lesson, data: LessonData, module: Module) -> None:
    lesson.title = data.title.strip()
    lesson.kind = data.kind
    lesson.duration_seconds = data.duration_minutes * 60
    lesson.notes_markdown = data.notes_markdown
    lesson.required = data.required
    if not lesson.slug:
        lesson.slug = _unique_slug(data.title, [other.slug for other in module.lessons])


def _unique_slug(title: str, taken: list[str]) -> str:
    base = slugify(title, max_length=110) or "lesson"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def move_module(module: Module, offset: int) -> None:
    """Move a module one place up (-1) or down (+1) within its course."""
    _move(module.course.modules, module, offset)


def move_lesson(lesson: Lesson, offset: int) -> None:
    """Move a lesson one place up (-1) or down (+1) within its module."""
    _move(lesson.module.lessons, lesson, offset)


def reorder_modules(course: Course, ids: Sequence[int]) -> None:
    """Put a course's modules in the given order; the ids must be exactly its modules."""
    _reorder(course.modules, ids)


def reorder_lessons(module: Module, ids: Sequence[int]) -> None:
    """Put a module's lessons in the given order; the ids must be exactly its lessons."""
    _reorder(module.lessons, ids)


def _next_position(siblings: Sequence[Positioned]) -> int:
    return max((sibling.position for sibling in siblings), default=-1) + 1


def _in_order(siblings: Sequence[Positioned]) -> list[Positioned]:
    # By stored position, not list order: the loaded list goes stale once positions change.
    return sorted(siblings, key=lambda sibling: (sibling.position, sibling.id))


def _move(siblings: Sequence[Positioned], item: Positioned, offset: int) -> None:
    ordered = _in_order(siblings)
    index = ordered.index(item)
    target = min(max(index + offset, 0), len(ordered) - 1)
    ordered.insert(target, ordered.pop(index))
    _renumber(ordered)


def _reorder(siblings: Sequence[Positioned], ids: Sequence[int]) -> None:
    by_id = {sibling.id: sibling for sibling in siblings}
    if len(ids) != len(by_id) or set(ids) != set(by_id):
        raise InvalidOrder()
    _renumber([by_id[item_id] for item_id in ids])


def _renumber(ordered: Sequence[Positioned]) -> None:
    for position, item in enumerate(ordered):
        item.position = position
    db.session.flush()
