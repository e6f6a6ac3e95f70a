"""Reading the catalog."""

from __future__ import annotations

from sqlalchemy import or_, select
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
from lms.extensions import db


def published_courses(region_slug: str | None = None, query: str | None = None) -> list[Course]:
    """Published courses with their muscle group and region, for catalog listings."""
    statement = (
        select(Course)
        .join(Course.muscle_group, isouter=True)
        .join(MuscleGroup.region, isouter=True)
        .where(Course.status == CourseStatus.PUBLISHED)
        .options(
            joinedload(Course.muscle_group).joinedload(MuscleGroup.region),
            selectinload(Course.instructors),
        )
        .order_by(BodyRegion.position, Course.title)
    )
    if region_slug:
        statement = statement.where(BodyRegion.slug == region_slug)
    if query:
        pattern = f"%{query.strip()}%"
        statement = statement.where(
            or_(
                Course.title.ilike(pattern),
                Course.summary.ilike(pattern),
                MuscleGroup.name.ilike(pattern),
            )
        )
    return list(db.session.scalars(statement).unique())


def body_regions() -> list[BodyRegion]:
    return list(db.session.scalars(select(BodyRegion).order_by(BodyRegion.position)))


def course_by_slug(slug: str) -> Course | None:
    """A course with everything its page shows, loaded in a fixed number of queries."""
    return db.session.scalar(
        select(Course)
        .where(Course.slug == slug)
        .options(
            joinedload(Course.muscle_group).joinedload(MuscleGroup.region),
            joinedload(Course.muscle_group).selectinload(MuscleGroup.pain_syndromes),
            selectinload(Course.instructors),
            selectinload(Course.modules).selectinload(Module.lessons),
        )
    )


def zone_by_slug(slug: str) -> ReferralZone | None:
    return db.session.scalar(select(ReferralZone).where(ReferralZone.slug == slug))


def muscles_referring_to(zone: ReferralZone) -> list[MuscleGroup]:
    """Muscles whose trigger points refer pain to a zone, with their published courses."""
    return list(
        db.session.scalars(
            select(MuscleGroup)
            .where(MuscleGroup.referral_zones.any(ReferralZone.id == zone.id))
            .options(selectinload(MuscleGroup.courses), selectinload(MuscleGroup.pain_syndromes))
            .order_by(MuscleGroup.name)
        )
    )


def pain_syndromes() -> list[PainSyndrome]:
    return list(db.session.scalars(select(PainSyndrome).order_by(PainSyndrome.name)))


def lesson_count(course: Course) -> int:
    return sum(len(module.lessons) for module in course.modules)


def total_duration_seconds(course: Course) -> int:
    lessons: list[Lesson] = [lesson for module in course.modules for lesson in module.lessons]
    return sum(lesson.duration_seconds for lesson in lessons)
