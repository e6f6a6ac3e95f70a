"""Finding certificates: by number (verification), per learner, for admins; downloads.

Issuing, revoking and reissuing live in `issuance.py`; CE settings in `credit.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import ColumnElement, ScalarSelect, Select, and_, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from lms.audit import services as audit
from lms.auth.models import User
from lms.catalog.models import Course
from lms.certificates.credit import ce_ready, publish_problems  # noqa: F401  (public API)
from lms.certificates.issuance import CROCKFORD, NUMBER_LENGTH
from lms.certificates.models import Certificate, CertificateStatus, CourseCredit
from lms.enrolments.models import Enrolment, EnrolmentStatus
from lms.extensions import db
from lms.storage import get_storage

DOWNLOAD_LINK_SECONDS = 300
# Crockford base32 reads I and L as 1 and O as 0, so a number typed from paper still matches.
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})


def normalise_number(text: str) -> str | None:
    """The canonical form of a typed certificate number, or None if it cannot be one."""
    prefix = current_app.config["CERT_NUMBER_PREFIX"].upper()
    cleaned = re.sub(r"[\s\-]", "", (text or "").upper())[:64]
    if not cleaned.startswith(prefix):
        return None
    body = cleaned[len(prefix) :].translate(_READ_AS)
    if len(body) != NUMBER_LENGTH or any(char not in CROCKFORD for char in body):
        return None
    return f"{prefix}-{body}"


def _by_number(number: str) -> Certificate | None:
    return db.session.scalar(
        select(Certificate)
        .where(Certificate.number == number)
        .options(joinedload(Certificate.replaced_by))
    )


def find_for_verification(text: str) -> Certificate | None:
    """The certificate a typed number names, or None.

    A malformed number still costs one indexed lookup, so response times do not tell a
    well-formed guess from a malformed one.
    """
    number = normalise_number(text)
    found = _by_number(number or f"{current_app.config['CERT_NUMBER_PREFIX']}-INVALID")
    return found if number else None


def by_number(number: str) -> Certificate | None:
    normalised = normalise_number(number)
    return _by_number(normalised) if normalised else None


def certificates_of(user: User) -> list[Certificate]:
    """A learner's certificates (all states), newest completion first."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.user_id == user.id)
            .options(joinedload(Certificate.replaced_by))
            .order_by(Certificate.completed_at.desc(), Certificate.id.desc())
        )
    )


def valid_certificate_numbers(user: User, course_ids: list[int]) -> dict[int, str]:
    """course id -> number of the learner's valid certificate (for "my learning")."""
    if not course_ids:
        return {}
    rows = db.session.execute(
        select(Certificate.course_id, Certificate.number).where(
            Certificate.user_id == user.id,
            Certificate.course_id.in_(course_ids),
            Certificate.status == CertificateStatus.VALID,
        )
    )
    return {course_id: number for course_id, number in rows}


def search(query: str | None, status: CertificateStatus | None) -> Select:
    """Certificates for the admin list, newest first."""
    statement = (
        select(Certificate)
        .join(Certificate.user)
        .options(selectinload(Certificate.user), joinedload(Certificate.course))
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    )
    if status:
        statement = statement.where(Certificate.status == status)
    if query:
        pattern = f"%{query.strip().lower()}%"
        statement = statement.where(
            or_(
                func.lower(Certificate.number).like(pattern),
                func.lower(User.legal_name).like(pattern),
                User.email.like(pattern),
            )
        )
    return statement


def _awaiting() -> ColumnElement[bool]:
    """SQL: a completed enrolment with no valid certificate and none revoked."""
    held = exists().where(
        Certificate.enrolment_id == Enrolment.id,
        Certificate.status.in_([CertificateStatus.VALID, CertificateStatus.REVOKED]),
    )
    return and_(Enrolment.completed_at.is_not(None), ~held)


def awaiting_issue(course_id: int | None = None) -> Select:
    """Completed enrolments with no valid certificate and none revoked (the admin queue)."""
    statement = (
        select(Enrolment)
        .join(Enrolment.course)
        .where(_awaiting())
        .options(
            selectinload(Enrolment.user).selectinload(User.licences),
            joinedload(Enrolment.course),
        )
        .order_by(Enrolment.completed_at, Enrolment.id)
    )
    if course_id:
        statement = statement.where(Enrolment.course_id == course_id)
    return statement


def awaiting_issue_ids(course_id: int | None = None) -> list[int]:
    return [row.id for row in db.session.scalars(awaiting_issue(course_id))]


@dataclass(frozen=True)
class CourseCertificates:
    """A course's certificates in figures (its dashboard)."""

    valid: int
    revoked: int
    superseded: int  # replaced by a reissued certificate
    awaiting: int  # completed enrolments waiting for a certificate (the admin queue)
    latest: Certificate | None  # the most recently issued, any status

    @property
    def issued(self) -> int:
        """Certificates ever issued (a reissue is a new certificate)."""
        return self.valid + self.revoked + self.superseded


def course_certificates(course: Course) -> CourseCertificates | None:
    """Counts by status, the admin queue and the latest issue, in two queries; None for a
    course that awards no CE certificate and never did."""

    def count(*where) -> ScalarSelect:
        return select(func.count()).where(*where).scalar_subquery()

    of_course = Certificate.course_id == course.id
    valid, revoked, superseded, awaiting, has_credit = db.session.execute(
        select(
            count(of_course, Certificate.status == CertificateStatus.VALID),
            count(of_course, Certificate.status == CertificateStatus.REVOKED),
            count(of_course, Certificate.status == CertificateStatus.SUPERSEDED),
            count(Enrolment.course_id == course.id, _awaiting()),
            exists().where(CourseCredit.course_id == course.id),
        )
    ).one()
    if not has_credit and not (valid or revoked or superseded):
        return None
    latest = db.session.scalar(
        select(Certificate)
        .where(of_course)
        .options(joinedload(Certificate.user))
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        .limit(1)
    )
    return CourseCertificates(valid, revoked, superseded, awaiting, latest)


def learner_certificates(course: Course, learner: User) -> list[Certificate] | None:
    """A learner's certificates for a course, newest first (two queries); None for a course
    that awards no CE certificate and never issued them one."""
    found = list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.course_id == course.id, Certificate.user_id == learner.id)
            .options(joinedload(Certificate.replaced_by))
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        )
    )
    if not found and db.session.get(CourseCredit, course.id) is None:
        return None
    return found


def courses_with_completions() -> list[Course]:
    return list(
        db.session.scalars(
            select(Course)
            .where(
                exists().where(
                    Enrolment.course_id == Course.id, Enrolment.completed_at.is_not(None)
                )
            )
            .order_by(Course.title)
        )
    )


def download_url(certificate: Certificate, actor: User) -> str:
    """A short-lived link to the stored PDF; downloads by anyone but the learner are audited."""
    if actor.id != certificate.user_id:
        audit.record(actor, "certificate.download", certificate, number=certificate.number)
    return get_storage().download_url(
        certificate.pdf_key,
        expires_in=DOWNLOAD_LINK_SECONDS,
        filename=f"{certificate.number}.pdf",
        content_type="application/pdf",
    )


def certificate_for_admin(number: str) -> Certificate | None:
    normalised = normalise_number(number)
    if normalised is None:
        return None
    return db.session.scalar(
        select(Certificate)
        .where(Certificate.number == normalised)
        .options(
            selectinload(Certificate.user).selectinload(User.licences),
            joinedload(Certificate.course),
            joinedload(Certificate.replaces),
            joinedload(Certificate.replaced_by),
            selectinload(Certificate.enrolment),
        )
    )


def is_withdrawn(enrolment: Enrolment) -> bool:
    return enrolment.status == EnrolmentStatus.WITHDRAWN
