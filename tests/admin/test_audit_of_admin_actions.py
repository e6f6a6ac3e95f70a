"""User management writes to the audit log that admins read."""

from sqlalchemy import select

from lms.audit.models import AuditEvent
from tests import factories


def test_deactivating_a_user_is_in_the_audit_log(client, db_session, login):
    admin = factories.admin()
    other_admin = factories.admin()
    person = factories.learner(legal_name="Casey Quinn")
    login(admin)
    response = client.post(f"/admin/users/{person.id}/deactivate")
    assert response.status_code == 302
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action.like("admin.%deactivat%")))
    assert event is not None and event.actor_id == admin.id
    assert (event.target_type, event.target_id) == ("users", str(person.id))
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert event.action in page
    assert other_admin.id != admin.id
