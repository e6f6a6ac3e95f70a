"""Profile editing records changes to what certificates print."""

from lms.auth import services
from lms.auth.models import ProfileChange
from tests import factories


def test_changing_name_and_licence_is_recorded_with_who_and_when(client, db_session, login):
    user = factories.learner(legal_name="Jon Smith", licences=[("CA", "AC 100")])
    login(user)
    response = client.post(
        "/auth/account",
        data={
            "legal_name": "Jonathan Smith",
            "licences-0-state": "CA",
            "licences-0-number": "AC 1001",
            "licences-1-state": "NY",
            "licences-1-number": "009999",
            "nccaom_id": "",
        },
    )
    assert response.status_code == 302
    changes = db_session.query(ProfileChange).filter_by(user_id=user.id).all()
    recorded = {(c.field, c.old_value, c.new_value) for c in changes}
    assert recorded == {
        ("legal_name", "Jon Smith", "Jonathan Smith"),
        ("licence:CA", "AC 100", "AC 1001"),
        ("licence:NY", None, "009999"),
    }
    assert all(c.changed_by_id == user.id and c.changed_at is not None for c in changes)
    page = client.get("/auth/account").get_data(as_text=True)
    assert "Jon Smith → Jonathan Smith" in page


def test_admin_change_records_the_admin(db_session):
    learner = factories.learner(legal_name="Ann Lee")
    admin = factories.admin()
    changes = services.update_profile(
        learner,
        changed_by=admin,
        legal_name="Anne Lee",
        nccaom_id=None,
        licences=[services.LicenceData("CA", "AC 7")],
    )
    assert {c.changed_by_id for c in changes} == {admin.id}


def test_unchanged_profile_records_nothing(db_session):
    user = factories.learner(legal_name="Ann Lee", licences=[("CA", "AC 7")])
    changes = services.update_profile(
        user,
        changed_by=user,
        legal_name="Ann Lee",
        nccaom_id=None,
        licences=[services.LicenceData("CA", "AC 7")],
    )
    assert changes == []


def test_invalid_profile_edit_shows_errors(client, db_session, login):
    login(factories.learner())
    response = client.post(
        "/auth/account",
        data={
            "legal_name": "",
            "nccaom_id": "0999",
            "licences-0-state": "CA",
            "licences-0-number": "AC 1",
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "This field is required" in html and "does not start with 0" in html
