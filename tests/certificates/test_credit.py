"""Credit per board from minutes, CE settings, and what blocks publishing with credit."""

import pytest

from lms.certificates import credit
from lms.certificates.models import Board
from lms.certificates.services import publish_problems
from lms.errors import DomainError
from tests import factories


@pytest.mark.parametrize(
    ("minutes", "nccaom", "california", "florida"),
    [(60, 1.0, 1.0, 1.0), (120, 2.0, 2.0, 2.0), (180, 3.0, 3.5, 3.5), (240, 4.0, 4.5, 4.5),
     (50, 0.5, 1.0, 1.0), (49, 0.5, 0.5, 0.5), (0, 0.0, 0.0, 0.0)],
)  # fmt: skip
def test_board_hours_from_minutes(minutes, nccaom, california, florida):
    # NCCAOM counts 60-minute hours, California and Florida 50-minute hours; half hours down.
    assert credit.hours_for(Board.NCCAOM, minutes) == nccaom
    assert credit.hours_for(Board.CALIFORNIA, minutes) == california
    assert credit.hours_for(Board.FLORIDA, minutes) == florida


def test_publish_problems_name_the_missing_provider_number(db_session):
    factories.provider_settings(california_cep_number="")
    course = factories.ce_course()
    problems = publish_problems(course)
    assert problems == [
        "California Acupuncture Board credit is claimed, but the provider settings have no "
        "California CEP provider number."
    ]
    factories.provider_settings()
    assert publish_problems(course) == []
    assert credit.ce_ready(course)


def test_publish_problems_for_a_bare_course(db_session):
    course = factories.course(ce_minutes=30)
    problems = publish_problems(course)
    assert "The course has no course code (it is printed on the certificate)." in problems
    assert "Claim credit with at least one board." in problems
    assert "The provider settings have no authorised signatory." in problems


def test_saving_ce_settings_claiming_a_board_without_provider_number_is_refused(
    client, db_session, login
):
    factories.provider_settings(ce_broker_provider_number="")
    teacher = factories.instructor()
    course = factories.course(teacher, code="TPR-900")
    login(teacher)
    form = {
        "ce_minutes": "180", "delivery_format": "online", "nccaom_category": "Core Competency",
        "california_category": "Category 1", "florida_subject": "General",
        "florida_enabled": "y", "florida_course_number": "20-1234", "issuance": "automatic",
        "evaluation_required": "y", "attestation_text": "",
    }  # fmt: skip
    response = client.post(f"/teach/courses/{course.slug}/ce", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "provider settings have no CE Broker provider number" in page
    assert credit.credit_for(course).florida_enabled is False  # nothing saved

    factories.provider_settings()
    response = client.post(f"/teach/courses/{course.slug}/ce", data=form)
    assert response.status_code == 302
    db_session.expire_all()
    saved = credit.credit_for(course)
    assert saved.florida_enabled and saved.florida_course_number == "20-1234"
    assert course.ce_minutes == 180


def test_ce_settings_page_is_for_the_course_editors_only(client, db_session, login):
    course = factories.course(factories.instructor())
    login(factories.instructor())
    assert client.get(f"/teach/courses/{course.slug}/ce").status_code == 403


def test_attestation_is_required_at_enrolment_and_recorded(client, db_session, login):
    factories.provider_settings()
    course = factories.ce_course()
    factories.course_credit(course, attestation_required=True, attestation_text="I attest.")
    learner = factories.learner()
    login(learner)
    page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert "I attest." in page and 'name="attestation"' in page
    client.post(f"/courses/{course.slug}/enrol")
    from lms.enrolments import services as enrolment_services

    assert enrolment_services.enrolment_for(learner, course) is None
    client.post(f"/courses/{course.slug}/enrol", data={"attestation": "accepted"})
    enrolment = enrolment_services.enrolment_for(learner, course)
    assert enrolment.attestation_accepted_at is not None
    assert enrolment.attestation_text == "I attest."


def test_enrolment_without_attestation_is_refused_by_the_service(db_session):
    from lms.enrolments import services as enrolment_services

    factories.provider_settings()
    course = factories.ce_course()
    factories.course_credit(course, attestation_required=True)
    with pytest.raises(DomainError, match="attestation"):
        enrolment_services.enrol(factories.learner(), course)
