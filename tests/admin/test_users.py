"""Roles, deactivation and the last active administrator."""

import pytest
from sqlalchemy import select

from lms.admin import services
from lms.auth.models import Role
from lms.enrolments import services as enrolment_services
from lms.enrolments.models import Enrolment
from lms.errors import DomainError
from tests import factories


def test_the_last_active_admin_cannot_be_deactivated_or_demoted(db_session):
    # The suite's database may hold admins from other tests' commits: work from a clean count.
    admins = [
        u for u in db_session.scalars(select(factories.User)).unique() if Role.ADMIN in u.roles
    ]
    for other in admins:
        other.active = False
    only = factories.admin()
    with pytest.raises(services.LastAdmin, match="last active administrator"):
        services.deactivate(only, only)
    with pytest.raises(services.LastAdmin, match="Make another account an administrator"):
        services.change_roles(only, only, {Role.LEARNER})
    assert only.active and Role.ADMIN in only.roles

    second = factories.admin()
    services.deactivate(second, only)
    assert not only.active
    # Now `second` is the last one.
    with pytest.raises(services.LastAdmin):
        services.change_roles(second, second, {Role.INSTRUCTOR})


def test_roles_change_and_need_at_least_one(db_session):
    admin, person = factories.admin(), factories.learner()
    services.change_roles(admin, person, {Role.LEARNER, Role.INSTRUCTOR})
    assert person.roles == {Role.LEARNER, Role.INSTRUCTOR}
    with pytest.raises(DomainError):
        services.change_roles(admin, person, set())


def test_deactivated_user_cannot_sign_in_and_keeps_records(client, login, db_session):
    admin = factories.admin()
    learner = factories.learner()
    course = factories.course()
    enrolment_services.enrol(learner, course)
    login(learner)
    assert client.get("/my/learning").status_code == 200

    other = client.application.test_client()
    other.post("/auth/login", data={"email": admin.email, "password": factories.PASSWORD})
    response = other.post(f"/admin/users/{learner.id}/deactivate", follow_redirects=True)
    assert "deactivated and signed out" in response.get_data(as_text=True)

    # The open session is over, and signing in again is refused.
    assert client.get("/my/learning").status_code == 302
    response = client.post(
        "/auth/login", data={"email": learner.email, "password": factories.PASSWORD}
    )
    assert response.status_code != 302  # not signed in
    assert "Email or password is incorrect" in response.get_data(as_text=True)
    # Records stay.
    kept = db_session.scalar(select(Enrolment).where(Enrolment.user_id == learner.id))
    assert kept is not None and kept.course_id == course.id

    other.post(f"/admin/users/{learner.id}/reactivate")
    login(learner)


def test_admins_cannot_deactivate_themselves_through_the_page(client, login, db_session):
    admin = factories.admin()
    login(admin)
    assert client.post(f"/admin/users/{admin.id}/deactivate").status_code == 403


def test_demoting_the_last_admin_shows_the_reason(client, login, db_session):
    for other in db_session.scalars(select(factories.User)).unique():
        if Role.ADMIN in other.roles:
            other.active = False
    admin = factories.admin()
    login(admin)
    response = client.post(f"/admin/users/{admin.id}", data={"roles": ["learner"]})
    assert response.status_code == 200
    assert "last active administrator" in response.get_data(as_text=True)
    assert Role.ADMIN in admin.roles


def test_user_search_by_licence_role_and_status(client, login, db_session):
    login(factories.admin())
    target = factories.instructor(legal_name="Zed Quill", licences=[("NV", "OMD-7781")])
    html = client.get("/admin/users", query_string={"q": "omd-7781"}).get_data(as_text=True)
    assert "Zed Quill" in html
    html = client.get("/admin/users", query_string={"q": "quill", "role": "learner"}).get_data(
        as_text=True
    )
    assert "Zed Quill" not in html
    target.active = False
    db_session.flush()
    html = client.get(
        "/admin/users", query_string={"q": "quill", "status": "deactivated"}
    ).get_data(as_text=True)
    assert "Zed Quill" in html


def test_admin_enrols_and_withdraws(client, login, db_session):
    login(factories.admin())
    learner, course = factories.learner(), factories.course()
    client.post("/admin/enrolments", data={"email": learner.email.upper(), "course": course.slug})
    enrolment = db_session.scalar(select(Enrolment).where(Enrolment.user_id == learner.id))
    assert enrolment.course_id == course.id and enrolment.enrolled_by_id is not None
    client.post(f"/admin/enrolments/{enrolment.id}/withdraw")
    db_session.refresh(enrolment)
    assert enrolment.status.value == "withdrawn"
    response = client.post(
        "/admin/enrolments",
        data={"email": "nobody@example.com", "course": course.slug},
        follow_redirects=True,
    )
    assert "No account uses nobody@example.com" in response.get_data(as_text=True)


def test_admin_course_list_shows_instructors_enrolled_and_completion(client, login, db_session):
    login(factories.admin())
    course = factories.course(
        factories.instructor(legal_name="Ivy Teach"), title="Scalenes Deep Dive"
    )
    for _ in range(3):
        enrolment_services.enrol(factories.learner(), course)
    html = client.get("/admin/courses").get_data(as_text=True)
    row = html[html.index("Scalenes Deep Dive") :]
    row = row[: row.index("</tr>")]
    assert "Ivy Teach" in row and ">3<" in row and "0%" in row
