"""Finding published courses: filters by region, muscle and pain syndrome, and text search.

On PostgreSQL the text search is English full-text search (stemmed, ranked), matched with
the same expressions as the GIN indexes in models.py; on SQLite (the embedded demo database)
every word must appear, case-insensitively, in a course's title, summary, muscle or syndromes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, and_, func, literal_column, or_, select, union
from sqlalchemy.orm import contains_eager, joinedload

from lms.auth.models import User
from lms.catalog.models import (
    COURSE_SEARCH_VECTOR,
    MUSCLE_SEARCH_VECTOR,
    SYNDROME_SEARCH_VECTOR,
    BodyRegion,
    Course,
    CourseStatus,
    MuscleGroup,
    PainSyndrome,
    muscle_pain_syndromes,
)
from lms.extensions import db

MAX_QUERY_LENGTH = 100
_ENGLISH = literal_column("'english'::regconfig")


@dataclass(frozen=True)
class CatalogFilters:
    """What the learner asked the catalog for; every part optional."""

    region: str | None = None
    muscle: str | None = None
    syndrome: str | None = None
    query: str | None = None

    @property
    def active(self) -> bool:
        return any((self.region, self.muscle, self.syndrome, self.query))


def published_courses(filters: CatalogFilters | None = None) -> list[Course]:
    """Published courses matching the filters, best match first, in one SQL query."""
    filters = filters or CatalogFilters()
    statement = (
        select(Course)
        .outerjoin(Course.muscle_group)
        .outerjoin(MuscleGroup.region)
        .where(Course.status == CourseStatus.PUBLISHED)
        .options(
            contains_eager(Course.muscle_group).contains_eager(MuscleGroup.region),
            # Listings show instructors' names only; their roles are not needed here.
            joinedload(Course.instructors).lazyload(User.role_links),
        )
    )
    if filters.region:
        statement = statement.where(BodyRegion.slug == filters.region)
    if filters.muscle:
        statement = statement.where(MuscleGroup.slug == filters.muscle)
    if filters.syndrome:
        statement = statement.where(
            MuscleGroup.pain_syndromes.any(PainSyndrome.slug == filters.syndrome)
        )
    query = (filters.query or "").strip()[:MAX_QUERY_LENGTH]
    if query and _dialect() == "postgresql":
        statement = _full_text(statement, query)
    else:
        if query:
            statement = _words_anywhere(statement, query)
        statement = statement.order_by(BodyRegion.position, Course.title)
    return list(db.session.scalars(statement).unique())


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _full_text(statement: Select, query: str) -> Select:
    """Match with the indexed expressions; rank on one weighted document per course."""
    tsquery = func.websearch_to_tsquery(_ENGLISH, query)
    matching = union(
        select(Course.id).where(COURSE_SEARCH_VECTOR.bool_op("@@")(tsquery)),
        select(Course.id)
        .join(MuscleGroup, MuscleGroup.id == Course.muscle_group_id)
        .where(MUSCLE_SEARCH_VECTOR.bool_op("@@")(tsquery)),
        select(Course.id)
        .join(
            muscle_pain_syndromes,
            muscle_pain_syndromes.c.muscle_group_id == Course.muscle_group_id,
        )
        .join(PainSyndrome, PainSyndrome.id == muscle_pain_syndromes.c.syndrome_id)
        .where(SYNDROME_SEARCH_VECTOR.bool_op("@@")(tsquery)),
    )
    syndrome_names = (
        select(func.string_agg(PainSyndrome.name, literal_column("' '")))
        .join(muscle_pain_syndromes, muscle_pain_syndromes.c.syndrome_id == PainSyndrome.id)
        .where(muscle_pain_syndromes.c.muscle_group_id == Course.muscle_group_id)
        .correlate(Course)
        .scalar_subquery()
    )

    def weighted(text, weight: str):
        vector = func.to_tsvector(_ENGLISH, func.coalesce(text, ""))
        return func.setweight(vector, literal_column(f"'{weight}'"))

    document = (
        weighted(Course.title, "A")
        .op("||")(weighted(MuscleGroup.name, "A"))
        .op("||")(weighted(syndrome_names, "B"))
        .op("||")(weighted(Course.summary, "C"))
    )
    rank = func.ts_rank(document, tsquery)
    return statement.where(Course.id.in_(matching)).order_by(rank.desc(), Course.title)


def _words_anywhere(statement: Select, query: str) -> Select:
    conditions = []
    for word in query.split()[:10]:
        conditions.append(
            or_(
                Course.title.icontains(word, autoescape=True),
                Course.summary.icontains(word, autoescape=True),
                MuscleGroup.name.icontains(word, autoescape=True),
                MuscleGroup.pain_syndromes.any(PainSyndrome.name.icontains(word, autoescape=True)),
            )
        )
    return statement.where(and_(*conditions))
