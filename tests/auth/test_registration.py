"""Registration: what gets created, what is refused, and the verification email."""

import pytest
from sqlalchemy import func, select

from lms.auth.models import Licence, Role, User
from tests import factories
from tests.support.smtp import body_text


def form(**overrides):
    data = {
        "legal_name": "Mei-Ling Ortega",
        "email": "mei.ortega@example.com",
        "password": "trigger-points-42",
        "confirm": "trigger-points-42",
        "licences-0-state": "CA",
        "licences-0-number": "AC 31415",
        "licences-1-state": "FL",
        "licences-1-number": "AP9265",
        "nccaom_id": "35897",
    }
    data.update(overrides)
    return data


def user_count(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(User))


def test_registration_creates_learner_with_licences_and_sends_verification(
    client, db_session, mailbox
):
    response = client.post("/auth/register", data=form())
    assert response.status_code == 302
    user = db_session.scalar(select(User).where(User.email == "mei.ortega@example.com"))
    assert user.roles == {Role.LEARNER}
    assert user.legal_name == "Mei-Ling Ortega"
    assert [(lic.state, lic.number) for lic in user.licences] == [
        ("CA", "AC 31415"),
        ("FL", "AP9265"),
    ]
    assert user.nccaom_id == "35897"
    assert not user.email_verified
    assert user.password_hash.startswith("$argon2id$")

    message = mailbox.wait_for("mei.ortega@example.com", subject_contains="Confirm")
    link = next(line for line in body_text(message).splitlines() if "/auth/verify/" in line)
    path = link.strip().split("localhost", 1)[-1]
    response = client.get(path)
    assert response.status_code == 302
    db_session.refresh(user)
    assert user.email_verified


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Invalid email address"),
        ({"password": "short", "confirm": "short"}, "password", "at least 10 characters"),
        ({"password": "password123", "confirm": "password123"}, "password", "too easy"),
        ({"confirm": "something-else-1"}, "confirm", "do not match"),
        ({"nccaom_id": "01234"}, "nccaom_id", "does not start with 0"),
        ({"nccaom_id": "12"}, "nccaom_id", "3 to 6 digits"),
        ({"nccaom_id": "12a45"}, "nccaom_id", "3 to 6 digits"),
        ({"legal_name": ""}, "legal_name", "This field is required"),
        ({"legal_name": "x" * 201}, "legal_name", "200"),
        (
            {
                "licences-0-state": "",
                "licences-0-number": "",
                "licences-1-state": "",
                "licences-1-number": "",
            },
            "licences",
            "at least one",
        ),
        ({"licences-0-number": ""}, "licences-0-number", "both the state"),
        ({"licences-1-state": "CA", "licences-1-number": "AC 2"}, "licences", "only once"),
    ],
)
def test_invalid_registration_shows_field_error_and_creates_nothing(
    client, db_session, overrides, field, message
):
    before = user_count(db_session)
    response = client.post("/auth/register", data=form(**overrides))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert 'aria-invalid="true"' in html or "text-danger" in html
    assert user_count(db_session) == before


@pytest.mark.parametrize("email", ["Taken@Example.com", "taken@example.com", "TAKEN@EXAMPLE.COM"])
def test_duplicate_email_in_any_case_is_refused(client, db_session, email):
    factories.learner(email="taken@example.com")
    before = user_count(db_session)
    response = client.post("/auth/register", data=form(email=email))
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)
    assert user_count(db_session) == before


def test_duplicate_nccaom_id_is_a_field_error(client, db_session):
    factories.learner(nccaom_id="35897")
    response = client.post("/auth/register", data=form())
    assert response.status_code == 422
    assert "NCCAOM ID is already registered" in response.get_data(as_text=True)


def test_licences_are_stored_per_state_once(db_session):
    user = factories.learner(licences=[("CA", "AC 1"), ("NY", "0042")])
    states = db_session.scalars(select(Licence.state).where(Licence.user_id == user.id)).all()
    assert sorted(states) == ["CA", "NY"]


def test_verification_link_that_was_tampered_with_is_refused(client, db_session):
    response = client.get("/auth/verify/not-a-real-token")
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)
