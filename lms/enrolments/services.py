"""Enrolling, leaving, and the learner's list of courses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from lms.auth import services as auth_services
from lms.auth.models import User
from lms.catalog.models import Course
from lms.certificates.credit import required_attestation
from lms.db import utcnow
from lms.enrolments.models import Enrolment, EnrolmentStatus
from lms.errors import DomainError
from lms.extensions import db


class EnrolmentClosed(DomainError):
    def __init__(self) -> None:
        super().__init__("This course is not open for enrolment.")


class EmailNotVerified(DomainError):
    status_code = 403

    def __init__(self) -> None:
        super().__init__("Confirm your email address before enrolling: use the link we sent you.")


class PrerequisitesMissing(DomainError):
    def __init__(self, missing: list[Course]) -> None:
        self.missing = missing
        names = ", ".join(f"“{course.title}”" for course in missing)
        super().__init__(f"Complete {names} before enrolling in this course.")


class NoSuchLearner(DomainError):
    def __init__(self, email: str) -> None:
        super().__init__(f"No active account uses the address {email}.")


class AttestationRequired(DomainError):
    def __init__(self) -> None:
        super().__init__("Accept the participant attestation to enrol in this course.")


def enrolment_for(user: Any, course: Course) -> Enrolment | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id)
    )


def enrol(
    learner: User,
    course: Course,
    enrolled_by: User | None = None,
    attestation_accepted: bool = False,
) -> Enrolment:
    """Enrol a learner; enrolling twice returns the existing enrolment (also under a race).

    When the course requires a participant attestation, the learner enrolling themselves
    must accept it; the acceptance, its time and the exact text are recorded.
    """
    if not course.is_published:
        raise EnrolmentClosed()
    if enrolled_by is None and not learner.email_verified:
        raise EmailNotVerified()
    attestation = required_attestation(course)
    existing = enrolment_for(learner, course)
    if existing is not None and existing.is_active:
        return existing
    missing = missing_prerequisites(learner, course)
    if missing:
        raise PrerequisitesMissing(missing)
    needs_acceptance = (
        attestation is not None
        and enrolled_by is None
        and (existing is None or existing.attestation_accepted_at is None)
    )
    if needs_acceptance and not attestation_accepted:
        raise AttestationRequired()
    if needs_acceptance and existing is not None:
        existing.attestation_accepted_at = utcnow()
        existing.attestation_text = attestation
    if existing is None:
        enrolment = Enrolment(
            user_id=learner.id,
            course_id=course.id,
            enrolled_by_id=enrolled_by.id if enrolled_by else None,
            attestation_accepted_at=utcnow() if needs_acceptance else None,
            attestation_text=attestation if needs_acceptance else None,
        )
        try:
            with db.session.begin_nested():
                db.session.add(enrolment)
            return enrolment
        except IntegrityError:
            # Another request (a second tab, a double click) enrolled first.
            existing = enrolment_for(learner, course)
            if existing is None:
                raise
    if existing.status == EnrolmentStatus.WITHDRAWN:
        existing.status = EnrolmentStatus.ACTIVE
        existing.status_changed_at = utcnow()
        db.session.flush()
    return existing


def withdraw(enrolment: Enrolment) -> None:
    """Leave a course: the status changes, every record stays."""
    if enrolment.status != EnrolmentStatus.WITHDRAWN:
        enrolment.status = EnrolmentStatus.WITHDRAWN
        enrolment.status_changed_at = utcnow()
        db.session.flush()


def enrolments_of(learner: User) -> list[Enrolment]:
    return list(
        db.session.scalars(
            select(Enrolment)
            .where(Enrolment.user_id == learner.id)
            .options(joinedload(Enrolment.course))
            .order_by(Enrolment.enrolled_at.desc())
        )
    )


def statuses_in(user: Any, courses: list[Course]) -> dict[int, EnrolmentStatus]:
    """The user's enrolment status in each of these courses that they ever joined."""
    if not getattr(user, "is_authenticated", False) or not courses:
        return {}
    rows = db.session.execute(
        select(Enrolment.course_id, Enrolment.status).where(
            Enrolment.user_id == user.id,
            Enrolment.course_id.in_([course.id for course in courses]),
        )
    )
    return {course_id: status for course_id, status in rows}


def missing_prerequisites(learner: Any, course: Course) -> list[Course]:
    """Courses this course requires that the learner has not completed."""
    if not course.prerequisites:
        return []
    statuses = statuses_in(learner, course.prerequisites)
    return [
        required
        for required in course.prerequisites
        if statuses.get(required.id) != EnrolmentStatus.COMPLETED
    ]


def enrol_by_email(course: Course, email: str, enrolled_by: User) -> Enrolment:
    """An instructor or administrator enrols the learner who owns this email address."""
    learner = auth_services.get_user_by_email(email)
    if learner is None or not learner.is_active:
        raise NoSuchLearner(email.strip().lower())
    return enrol(learner, course, enrolled_by=enrolled_by)


def course_enrolments(course: Course) -> Select[tuple[Enrolment]]:
    """Everyone ever enrolled in a course, newest first (a statement, for paginating)."""
    return (
        select(Enrolment)
        .where(Enrolment.course_id == course.id)
        .options(joinedload(Enrolment.user), joinedload(Enrolment.enrolled_by))
        .order_by(Enrolment.enrolled_at.desc(), Enrolment.id.desc())
    )
