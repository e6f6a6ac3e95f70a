"""Reading the catalog: browsing, the course page and the body map."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from lms.catalog.models import (
    BodyRegion,
    Course,
    CourseStatus,
    Lesson,
    Module,
    MuscleGroup,
    PainSyndrome,
    ReferralZone,
)
from lms.catalog.search import CatalogFilters, published_courses
from lms.extensions import db

__all__ = ["CatalogFilters", "published_courses"]  # searching lives in lms.catalog.search

_PUBLISHED = Course.status == CourseStatus.PUBLISHED


def body_regions() -> list[BodyRegion]:
    """Regions with the muscle groups that have published courses, in one query.

    What the catalog offers to browse and filter by: a muscle without a course would only
    lead to an empty page.
    """
    with_courses = MuscleGroup.courses.any(_PUBLISHED)
    return list(
        db.session.scalars(
            select(BodyRegion)
            .options(joinedload(BodyRegion.muscle_groups.and_(with_courses)))
            .order_by(BodyRegion.position)
        ).unique()
    )


def pain_syndromes() -> list[PainSyndrome]:
    return list(db.session.scalars(select(PainSyndrome).order_by(PainSyndrome.name)))


def related_muscles(
    filters: CatalogFilters, regions: list[BodyRegion], limit: int = 6
) -> list[MuscleGroup]:
    """Muscles with courses near what was asked for, to suggest when nothing matched.

    Works on the regions already loaded by body_regions(), so it costs no query.
    """
    for region in regions:
        slugs = {muscle.slug for muscle in region.muscle_groups}
        if filters.muscle in slugs or (filters.region and region.slug == filters.region):
            return [m for m in region.muscle_groups if m.slug != filters.muscle][:limit]
    return []


def _course_page_options() -> tuple[Any, ...]:
    return (
        joinedload(Course.muscle_group).joinedload(MuscleGroup.region),
        joinedload(Course.muscle_group).selectinload(MuscleGroup.pain_syndromes),
        selectinload(Course.instructors),
        selectinload(Course.prerequisites),
        selectinload(Course.modules).selectinload(Module.lessons),
    )


def course_by_slug(slug: str) -> Course | None:
    """A course with everything its page shows, loaded in a fixed number of queries."""
    return db.session.scalar(
        select(Course).where(Course.slug == slug).options(*_course_page_options())
    )


def course_by_id(course_id: int) -> Course | None:
    """Like course_by_slug, by id (authoring URLs keep working when the slug changes)."""
    return db.session.scalar(
        select(Course).where(Course.id == course_id).options(*_course_page_options())
    )


def zone_by_slug(slug: str) -> ReferralZone | None:
    return db.session.scalar(select(ReferralZone).where(ReferralZone.slug == slug))


def zones_by_view() -> dict[str, list[ReferralZone]]:
    """The body map's zones as text lists per figure view (a zone may be on both)."""
    zones = db.session.scalars(select(ReferralZone).order_by(ReferralZone.label))
    grouped: dict[str, list[ReferralZone]] = {"front": [], "back": []}
    for zone in zones:
        for view in zone.views.split():
            grouped.setdefault(view, []).append(zone)
    return grouped


def muscles_referring_to(zone: ReferralZone) -> list[MuscleGroup]:
    """Muscles whose trigger points refer pain to a zone, with their published courses only."""
    return list(
        db.session.scalars(
            select(MuscleGroup)
            .where(MuscleGroup.referral_zones.any(ReferralZone.id == zone.id))
            .options(
                selectinload(MuscleGroup.courses.and_(_PUBLISHED)),
                selectinload(MuscleGroup.pain_syndromes),
                selectinload(MuscleGroup.referral_zones),
                joinedload(MuscleGroup.region),
            )
            .order_by(MuscleGroup.name)
        )
    )


@dataclass(frozen=True)
class Credit:
    board: str
    unit: str
    amount: float
    basis: str


def ce_credits(minutes: int) -> list[Credit]:
    """Credit per board derived from instruction minutes (never rounded up)."""
    return [
        Credit("NCCAOM", "PDA points", int(minutes * 10 / 60) / 10, "1 point per 60 minutes"),
        Credit("California", "CE hours", int(minutes * 10 / 50) / 10, "1 hour per 50 minutes"),
    ]


def lesson_count(course: Course) -> int:
    return sum(len(module.lessons) for module in course.modules)


def total_duration_seconds(course: Course) -> int:
    lessons: list[Lesson] = [lesson for module in course.modules for lesson in module.lessons]
    return sum(lesson.duration_seconds for lesson in lessons)
