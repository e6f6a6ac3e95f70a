"""The public verification page: states, no enumeration, rate limit."""

import pytest

from lms.certificates import issuance
from lms.extensions import db
from tests import factories
from tests.conftest import make_app


def test_valid_certificate_verifies_without_login(client, db_session):
    factories.provider_settings()
    course = factories.ce_course(title="Scalenes")
    certificate = issuance.issue_certificate(
        factories.complete_course(factories.learner(legal_name="Hana Sato"), course), None
    )
    page = client.get(f"/verify/{certificate.number}").get_data(as_text=True)
    assert "Valid." in page and "Hana Sato" in page and "Scalenes" in page
    # Typed loosely (lower case, O for 0) it still matches; the form redirects there.
    loose = certificate.number.lower().replace("0", "o")
    assert client.get(f"/verify/{loose}").status_code == 200
    assert client.get(f"/verify?number={certificate.number}").status_code == 302


def test_malformed_and_unknown_numbers_get_the_same_404(client, db_session):
    malformed = client.get("/verify/not-a-number")
    unknown = client.get("/verify/MTP-0000000000AB")
    assert malformed.status_code == unknown.status_code == 404
    assert malformed.get_data(as_text=True) == unknown.get_data(as_text=True)
    assert "No certificate with this number" in unknown.get_data(as_text=True)


@pytest.fixture
def limited_client(fresh_database, smtp_server):
    app = make_app(
        fresh_database(), smtp_server, RATELIMIT_ENABLED=True, VERIFY_RATE_LIMIT="5 per minute"
    )
    yield app.test_client()
    with app.app_context():
        db.engine.dispose()


def test_verification_is_rate_limited(limited_client):
    codes = [limited_client.get(f"/verify/MTP-{i:012d}").status_code for i in range(5)]
    assert codes == [404] * 5
    assert limited_client.get("/verify/MTP-000000000099").status_code == 429
    assert limited_client.get("/verify").status_code == 429  # the form shares the limit
