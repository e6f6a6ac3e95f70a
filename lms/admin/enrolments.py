"""Enrolments across every course, for administrators."""

from __future__ import annotations

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import contains_eager

from lms.admin.events import record_admin_action
from lms.auth import services as auth_services
from lms.auth.models import User
from lms.catalog.models import Course
from lms.enrolments import services as enrolment_services
from lms.enrolments.models import Enrolment, EnrolmentStatus
from lms.errors import DomainError
from lms.extensions import db
from lms.textsearch import ESCAPE, contains_pattern

STATUSES = tuple(status.value for status in EnrolmentStatus)


class NoSuchAccount(DomainError):
    def __init__(self, email: str) -> None:
        super().__init__(
            f"No account uses {email}. Bulk enrolment (CSV) creates accounts for new learners."
        )


def search_enrolments(query: str | None, course_slug: str | None, status: str | None) -> Select:
    """Enrolments with their learner and course, newest first, filtered."""
    statement = (
        select(Enrolment)
        .join(Enrolment.user)
        .join(Enrolment.course)
        .options(contains_eager(Enrolment.user), contains_eager(Enrolment.course))
        .order_by(Enrolment.enrolled_at.desc(), Enrolment.id.desc())
    )
    if query:
        pattern = contains_pattern(query.strip())
        statement = statement.where(
            or_(
                func.lower(User.legal_name).like(pattern, escape=ESCAPE),
                User.email.like(pattern, escape=ESCAPE),
            )
        )
    if course_slug:
        statement = statement.where(Course.slug == course_slug)
    if status in STATUSES:
        statement = statement.where(Enrolment.status == EnrolmentStatus(status))
    return statement


def all_courses() -> list[Course]:
    return list(db.session.scalars(select(Course).order_by(Course.title)))


def enrol_by_email(actor: User, email: str, course: Course) -> Enrolment:
    """Enrol an existing account in a course on an administrator's behalf."""
    learner = auth_services.get_user_by_email(email)
    if learner is None:
        raise NoSuchAccount(email)
    if not learner.active:
        raise DomainError(f"{learner.legal_name}'s account is deactivated; reactivate it first.")
    enrolment = enrolment_services.enrol(learner, course, enrolled_by=actor)
    record_admin_action(actor, "enrolment.created", enrolment, course=course.slug)
    return enrolment


def withdraw(actor: User, enrolment: Enrolment) -> None:
    """Withdraw a learner from a course; their records stay."""
    enrolment_services.withdraw(enrolment)
    record_admin_action(actor, "enrolment.withdrawn", enrolment)
