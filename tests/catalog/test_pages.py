"""Catalog pages: query budget, empty results, the body map, the course page."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from lms.catalog.models import PainSyndrome
from lms.enrolments.models import Enrolment, EnrolmentStatus
from lms.extensions import db
from tests import factories
from tests.support.statements import recorded_statements

QUERY_BUDGET = 5


@pytest.fixture
def catalog_content(db_session):
    """Enough courses, muscles, regions and syndromes that N+1 queries would show."""
    teachers = [factories.instructor(legal_name="Dr. Mei Chen"), factories.instructor()]
    for n in range(3):
        region = factories.region()
        for m in range(3):
            muscle = factories.muscle(region, name=f"Muscle {n}.{m}")
            muscle.pain_syndromes.append(PainSyndrome(slug=f"pain-{n}-{m}", name=f"Pain {n}.{m}"))
            factories.course(*teachers, muscle_group=muscle)
    db.session.flush()


@pytest.mark.parametrize(
    "url", ["/", "/catalog", "/catalog?q=course&syndrome=pain-1-1", "/catalog?q=zebra&region=x"]
)
@pytest.mark.parametrize("signed_in", [False, True])
def test_landing_and_catalog_pages_stay_within_the_query_budget(
    client, login, catalog_content, url, signed_in
):
    if signed_in:
        login(factories.learner())
    with recorded_statements(Engine) as statements:
        response = client.get(url)
    assert response.status_code == 200
    assert len(statements) <= QUERY_BUDGET, "\n\n".join(statements)


def test_catalog_page_lists_filters_and_browse_links(client, catalog_content):
    factories.muscle(name="Muscle without course")
    page = client.get("/catalog").get_data(as_text=True)
    assert 'id="syndrome"' in page and "Pain 1.2" in page
    assert "Muscle without course" not in page
    assert 'href="/catalog?muscle=' in page and "Muscle 2.1" in page
    assert "9 courses" in page


def test_empty_results_say_so_and_suggest_a_way_on(client, db_session):
    region = factories.region(slug="neck")
    factories.course(muscle_group=factories.muscle(region, name="Upper trapezius"))
    factories.course(muscle_group=factories.muscle(region, name="Scalenes"))
    page = client.get("/catalog?q=zebra&region=neck").get_data(as_text=True)
    assert "No course matches “zebra”" in page
    assert "Clear the filters" in page
    assert 'href="/body-map"' in page
    assert "Related muscles with courses" in page
    assert "Upper trapezius</a>" in page and "Scalenes</a>" in page


def test_body_map_lists_muscles_and_only_their_published_courses(client, db_session):
    muscle = factories.muscle(name="Piriformis", zones=["buttock", "posterior-thigh"])
    factories.course(muscle_group=muscle, title="Piriformis release")
    factories.course(muscle_group=muscle, title="Secret draft", published=False)
    page = client.get("/body-map?zone=buttock").get_data(as_text=True)
    assert "Pain in the buttock" in page
    assert "Piriformis" in page and "Piriformis release" in page
    assert "Secret draft" not in page
    # The text list of zones, grouped by view, for small screens and keyboards.
    assert 'aria-labelledby="bm-list-title"' in page
    assert 'href="/body-map?zone=posterior-thigh#results"' in page


def test_body_map_unknown_zone_is_404(client, db_session):
    assert client.get("/body-map?zone=nowhere").status_code == 404


def test_course_page_shows_credit_instructors_and_prerequisites_with_the_learners_state(
    client, login, db_session
):
    basics = factories.course(title="Palpation basics")
    advanced_anatomy = factories.course(title="Advanced anatomy")
    teacher = factories.instructor(legal_name="Jordan Rivera")
    course = factories.course(teacher, title="Needling the neck", ce_minutes=240)
    course.prerequisites = [basics, advanced_anatomy]
    learner = factories.learner()
    db.session.add(
        Enrolment(user_id=learner.id, course_id=basics.id, status=EnrolmentStatus.COMPLETED)
    )
    db.session.flush()
    login(learner)

    page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert "NCCAOM</strong> PDA points: 4.0" in page
    assert "California</strong> CE hours: 4.8" in page
    assert "Jordan Rivera" in page
    assert "Requires: <a" in page and "Palpation basics" in page
    assert "Completed</span>" in page and "Not started</span>" in page
    # The learner cannot enrol yet and is told which course is missing.
    assert "Complete <a" in page and "Advanced anatomy</a> before enrolling" in page
    assert ">Enrol</button>" not in page


def test_draft_course_is_404_for_learners(client, login, db_session):
    draft = factories.course(published=False)
    login(factories.learner())
    assert client.get(f"/courses/{draft.slug}").status_code == 404
