"""Finding courses: full-text search on PostgreSQL, filters, and the SQLite fallback."""

from __future__ import annotations

import pytest
from sqlalchemy import func, literal_column, select, text

from config import TestingConfig
from lms import create_app
from lms.catalog.models import COURSE_SEARCH_VECTOR, Course, CourseStatus, PainSyndrome
from lms.catalog.search import CatalogFilters, published_courses
from lms.demo.seed import seed_demo
from lms.extensions import db
from tests import factories
from tests.conftest import make_app


@pytest.fixture(scope="module")
def demo_app(fresh_database, smtp_server):
    """The demo catalog, seeded once into its own database (seeding hashes 27 passwords)."""
    app = make_app(fresh_database(), smtp_server)
    with app.app_context():
        seed_demo()
        db.session.commit()
        db.session.remove()
    return app


@pytest.fixture
def demo(demo_app):
    with demo_app.app_context():
        yield
        db.session.rollback()  # what a test changed without committing
        db.session.remove()


def slugs(**filters) -> list[str]:
    return [course.slug for course in published_courses(CatalogFilters(**filters))]


def test_sciatica_finds_the_piriformis_and_gluteus_minimus_courses(demo):
    # "Sciatica" is a syndrome of piriformis; gluteus minimus causes "pseudo-sciatica".
    assert set(slugs(query="sciatica")) == {"piriformis", "gluteus-minimus"}


def test_search_is_stemmed_headaches_finds_headache(demo):
    found = slugs(query="headaches")
    assert {"upper-trapezius", "sternocleidomastoid", "masseter-temporalis"} <= set(found)
    assert "piriformis" not in found


def test_results_are_ranked_title_and_muscle_first(demo):
    # Piriformis is named in its own title; gluteus minimus only mentions it elsewhere.
    found = slugs(query="piriformis")
    assert found[0] == "piriformis"


def test_search_matches_pain_syndrome_names_only_known_there(demo):
    # "torticollis" appears only as a pain syndrome of levator scapulae.
    assert slugs(query="torticollis") == ["levator-scapulae"]


def test_nonsense_and_stop_words_find_nothing(demo):
    assert slugs(query="zebra xylophone") == []
    assert slugs(query="the") == []


def test_filters_by_region_muscle_and_syndrome_combine_with_search(demo):
    assert set(slugs(region="hip-buttock")) == {"gluteus-medius", "gluteus-minimus", "piriformis"}
    assert slugs(muscle="piriformis") == ["piriformis"]
    assert set(slugs(syndrome="low-back-pain")) == {
        "quadratus-lumborum",
        "iliopsoas",
        "gluteus-medius",
    }
    assert slugs(syndrome="low-back-pain", query="iliopsoas") == ["iliopsoas"]
    assert slugs(region="neck", query="sciatica") == []


def test_drafts_are_never_found(demo):
    course = db.session.scalar(select(Course).where(Course.slug == "piriformis"))
    course.status = CourseStatus.DRAFT
    db.session.flush()
    assert slugs(query="sciatica") == ["gluteus-minimus"]
    assert "piriformis" not in slugs()


def test_the_course_search_expression_can_use_its_gin_index(db_session):
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    query = func.websearch_to_tsquery(literal_column("'english'::regconfig"), "sciatica")
    statement = select(Course.id).where(COURSE_SEARCH_VECTOR.bool_op("@@")(query))
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = "\n".join(db.session.scalars(text(f"EXPLAIN {compiled}")))
    assert "ix_courses_search" in plan


def test_sqlite_falls_back_to_matching_every_word():
    app = create_app(
        type("SqliteConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    )
    with app.app_context():
        db.create_all()  # the GIN indexes are PostgreSQL-only and skipped here
        muscle = factories.muscle(name="Piriformis")
        muscle.pain_syndromes.append(PainSyndrome(slug="sciatica", name="Sciatica"))
        factories.course(muscle_group=muscle, title="Deep rotators", summary="Hip pain.")
        factories.course(title="Upper trapezius", summary="Tension headache 100% relief")
        factories.course(title="Sciatica draft", published=False)
        db.session.commit()

        def titles(query: str) -> list[str]:
            return [c.title for c in published_courses(CatalogFilters(query=query))]

        assert titles("SCIATICA") == ["Deep rotators"]  # via the pain syndrome
        assert titles("piriformis hip") == ["Deep rotators"]  # every word, anywhere
        assert titles("piriformis headache") == []
        assert titles("100%") == ["Upper trapezius"]  # % is a literal, not a wildcard
        assert titles("ten%ache") == []
        db.session.remove()
