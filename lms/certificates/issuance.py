"""Issuing, revoking and reissuing certificates.

Eligibility comes from the completion engine; the database guarantees at most one valid
certificate per enrolment (a partial unique index), so concurrent requests cannot issue two.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app, has_request_context, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lms import jobs
from lms.audit import services as audit
from lms.auth.models import User
from lms.catalog.models import Course, Module
from lms.certificates import credit as credit_rules
from lms.certificates import notifications
from lms.certificates.models import (
    Board,
    Certificate,
    CertificateStatus,
    CourseCredit,
    IssuanceMode,
    RevocationReason,
)
from lms.db import utcnow
from lms.enrolments.models import Enrolment
from lms.errors import DomainError
from lms.extensions import db
from lms.learning import completion
from lms.provider import services as provider_services
from lms.provider.models import ProviderSettings
from lms.storage import StorageError, get_storage

log = logging.getLogger(__name__)

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
NUMBER_LENGTH = 12
BULK_ISSUE = "certificates.issue"


class NotEligible(DomainError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("No certificate yet: " + "; ".join(problems) + ".")
        self.problems = problems


class AlreadyIssued(DomainError):
    status_code = 409

    def __init__(self) -> None:
        super().__init__("This enrolment already has a valid certificate.")


class NotValid(DomainError):
    status_code = 409

    def __init__(self, status: CertificateStatus) -> None:
        super().__init__(f"Only a valid certificate can be changed; this one is {status.value}.")


class ReasonRequired(DomainError):
    def __init__(self) -> None:
        super().__init__("Give the reason.")


def new_number() -> str:
    """An unguessable certificate number: prefix + 12 Crockford base32 characters (60 bits)."""
    body = "".join(secrets.choice(CROCKFORD) for _ in range(NUMBER_LENGTH))
    return f"{current_app.config['CERT_NUMBER_PREFIX']}-{body}"


def verification_base_url() -> str:
    configured = current_app.config.get("CERT_VERIFY_BASE_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.url_root.rstrip("/")
    return "http://127.0.0.1:5000"


def eligibility_problems(
    progress: completion.CourseProgress, ce_problems: list[str], has_valid_certificate: bool
) -> list[str]:
    """Why an enrolment cannot have a certificate now (empty: it can). Pure, for tables."""
    problems: list[str] = []
    if has_valid_certificate:
        problems.append("a valid certificate already exists")
    if not progress.is_complete:
        problems += list(progress.missing) or ["the course has no required lessons yet"]
    problems += [f"course CE settings: {problem}" for problem in ce_problems]
    return problems


@dataclass
class IssueContext:
    """What every certificate of a course shares, loaded once (bulk issuance reuses it)."""

    course: Course
    credit: CourseCredit
    settings: ProviderSettings
    logo: bytes | None
    signature: bytes | None

    @classmethod
    def load(cls, course_id: int) -> IssueContext:
        course = db.session.scalar(
            select(Course)
            .where(Course.id == course_id)
            .options(
                selectinload(Course.modules).selectinload(Module.lessons),
                selectinload(Course.instructors),
            )
        )
        assert course is not None
        settings = provider_services.current_settings()
        return cls(
            course=course,
            credit=credit_rules.credit_for(course),
            settings=settings,
            logo=provider_services.image_bytes(settings.logo_key),
            signature=provider_services.image_bytes(settings.signature_key),
        )


def _valid_certificate(enrolment: Enrolment) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(
            Certificate.enrolment_id == enrolment.id,
            Certificate.status == CertificateStatus.VALID,
        )
    )


def build_snapshot(
    number: str,
    learner: User,
    context: IssueContext,
    completed_at: datetime,
    issued_at: datetime,
    base_url: str,
    replaces: Certificate | None = None,
) -> dict[str, Any]:
    """Everything the certificate prints, frozen at issue."""
    course, settings = context.course, context.settings
    labels = {
        Board.NCCAOM: "NCCAOM Provider #",
        Board.CALIFORNIA: "California CEP #",
        Board.FLORIDA: "CE Broker Provider #",
    }
    numbers = [
        {
            "board": board.value,
            "label": label,
            "number": credit_rules.provider_number(settings, board),
        }
        for board, label in labels.items()
    ]
    return {
        "version": 1,
        "number": number,
        "verification_url": f"{base_url}/verify/{number}",
        "issued_at": issued_at.isoformat(),
        "issue_date": issued_at.date().isoformat(),
        "completion_date": completed_at.date().isoformat(),
        "provider": {
            "name": settings.name,
            "address": settings.address,
            "website": settings.website,
            "numbers": numbers,
            "logo_key": settings.logo_key,
        },
        "course": {
            "title": course.title,
            "code": course.code or "",
            "format": context.credit.delivery_format.value,
            "format_label": context.credit.delivery_format.label,
            "minutes": course.ce_minutes,
        },
        "credits": [
            item.as_dict()
            for item in credit_rules.board_credits(course.ce_minutes, context.credit, settings)
        ],
        "instructors": [person.legal_name for person in course.instructors],
        "learner": {
            "legal_name": learner.legal_name,
            "nccaom_id": learner.nccaom_id,
            "licences": [{"state": lic.state, "number": lic.number} for lic in learner.licences],
        },
        "signatory": {
            "name": settings.signatory_name,
            "title": settings.signatory_title,
            "signature_key": settings.signature_key,
        },
        "replaces": replaces.number if replaces else None,
    }


def issue_certificate(
    enrolment: Enrolment,
    issued_by: User | None,
    *,
    context: IssueContext | None = None,
    base_url: str | None = None,
    replaces: Certificate | None = None,
    reason: str | None = None,
) -> Certificate:
    """Issue the certificate of a completed enrolment: snapshot, signed PDF, storage, audit."""
    context = context or IssueContext.load(enrolment.course_id)
    course = context.course
    learner = enrolment.user
    ce_problems = credit_rules.problems_for(course, context.credit, context.settings)
    if replaces is None:
        progress = completion.progress_for(enrolment.user_id, course)
        problems = eligibility_problems(
            progress, ce_problems, _valid_certificate(enrolment) is not None
        )
        completed_at = enrolment.completed_at or utcnow()
    else:  # a correction: the completion stands as first certified
        problems = [f"course CE settings: {problem}" for problem in ce_problems]
        completed_at = replaces.completed_at
    if problems:
        raise NotEligible(problems)

    # fpdf2 and pyHanko load on first use: they add about a second to every process start.
    from lms.certificates import pdf, signing

    issued_at = utcnow()
    number = new_number()
    snapshot = build_snapshot(
        number,
        learner,
        context,
        completed_at,
        issued_at,
        base_url or verification_base_url(),
        replaces,
    )
    document = signing.sign_pdf(
        pdf.render_certificate(snapshot, context.logo, context.signature),
        signing.current_signer(),
        reason=f"CE certificate {number}",
        location=context.settings.name,
    )
    certificate = Certificate(
        number=number,
        enrolment_id=enrolment.id,
        user_id=enrolment.user_id,
        course_id=course.id,
        status=CertificateStatus.VALID,
        completed_at=completed_at,
        issued_at=issued_at,
        issued_by_id=issued_by.id if issued_by else None,
        snapshot=snapshot,
        pdf_key=f"certificates/{issued_at:%Y}/{number}.pdf",
        pdf_sha256=hashlib.sha256(document).hexdigest(),
        replaces_id=replaces.id if replaces else None,
        reissue_reason=reason,
    )
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
    except IntegrityError as error:
        # Another request issued first: the partial unique index decided.
        raise AlreadyIssued() from error
    # Stored only once the row is ours; a storage failure rolls the row back with it.
    get_storage().put(certificate.pdf_key, document, "application/pdf")
    audit.record(
        issued_by,
        "certificate.reissue" if replaces else "certificate.issue",
        certificate,
        number=number,
        enrolment_id=enrolment.id,
        learner=learner.email,
        course=course.code,
        replaces=replaces.number if replaces else None,
        reason=reason,
    )
    notifications.certificate_event(certificate, "reissued" if replaces else "issued", learner)
    return certificate


def _lock(certificate: Certificate) -> None:
    """Re-read the certificate under a row lock, so two admins cannot both change it."""
    status = db.session.scalar(
        select(Certificate.status).where(Certificate.id == certificate.id).with_for_update()
    )
    if status != CertificateStatus.VALID:
        raise NotValid(status)


def revoke(
    certificate: Certificate, actor: User, reason: RevocationReason, note: str
) -> Certificate:
    """Revoke a valid certificate; the verification page says so from now on."""
    if not note.strip():
        raise ReasonRequired()
    _lock(certificate)
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at = utcnow()
    certificate.revoked_by_id = actor.id
    certificate.revocation_reason = reason
    certificate.revocation_note = note.strip()
    db.session.flush()
    audit.record(
        actor,
        "certificate.revoke",
        certificate,
        number=certificate.number,
        reason=reason.value,
        note=note.strip(),
    )
    notifications.certificate_event(certificate, "revoked", certificate.user)
    return certificate


def reissue(certificate: Certificate, actor: User, reason: str) -> Certificate:
    """Replace a valid certificate (e.g. a corrected name or licence) by a new one."""
    if not reason.strip():
        raise ReasonRequired()
    _lock(certificate)
    certificate.status = CertificateStatus.SUPERSEDED
    certificate.superseded_at = utcnow()
    db.session.flush()
    db.session.refresh(certificate.user)  # the profile as it is now
    return issue_certificate(
        certificate.enrolment, actor, replaces=certificate, reason=reason.strip()
    )


# --- automatic and bulk issuance ---------------------------------------------------------


def _issue_on_completion(enrolment: Enrolment, course: Course, **_: Any) -> None:
    """Completion engine hook: issue now when the course says so; else the admin queue."""
    if credit_rules.credit_for(course).issuance != IssuanceMode.AUTOMATIC:
        return
    try:
        with db.session.begin_nested():
            issue_certificate(enrolment, None)
    except (DomainError, StorageError) as error:
        # The learner's completion stands; the certificate waits in the admin queue.
        log.warning(
            "certificate not issued automatically for enrolment %s: %s", enrolment.id, error
        )


def connect_completion_signal() -> None:
    completion.course_completed.connect(_issue_on_completion, weak=False)


def enqueue_bulk_issue(enrolment_ids: list[int], actor: User) -> jobs.Job:
    """Queue issuance for many enrolments; runs outside the request."""
    if not enrolment_ids:
        raise DomainError("Select at least one completed enrolment.")
    return jobs.enqueue(
        BULK_ISSUE,
        {"enrolment_ids": sorted(set(enrolment_ids)), "base_url": verification_base_url()},
        created_by=actor,
        total=len(set(enrolment_ids)),
    )


@jobs.handler(BULK_ISSUE, title="Issuing certificates")
def run_bulk_issue(job: jobs.Job) -> None:
    """Issue one certificate per enrolment, each in its own transaction.

    Each certificate commits together with the job's progress, so a retried job resumes
    after the last enrolment it finished instead of reporting it as already certified.
    """
    actor = db.session.get(User, job.created_by_id) if job.created_by_id else None
    contexts: dict[int, IssueContext] = {}
    for enrolment_id in job.payload["enrolment_ids"][job.done_count :]:
        enrolment = db.session.get(Enrolment, enrolment_id)
        try:
            if enrolment is None:
                raise DomainError("no such enrolment")
            if enrolment.course_id not in contexts:
                contexts[enrolment.course_id] = IssueContext.load(enrolment.course_id)
            issue_certificate(
                enrolment,
                actor,
                context=contexts[enrolment.course_id],
                base_url=job.payload.get("base_url"),
            )
            job.done_count += 1
            db.session.commit()
        except (DomainError, StorageError) as error:
            db.session.rollback()
            job.failed_count += 1
            job.done_count += 1
            if len(job.notes or []) < 50:
                who = enrolment.user.legal_name if enrolment else f"#{enrolment_id}"
                job.notes = [*(job.notes or []), f"{who}: {getattr(error, 'message', str(error))}"]
            db.session.commit()
