"""Exports for boards and audits: completions, the CE Broker roster, the full record."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from lms.auth.models import User
from lms.certificates.models import Board, Certificate, CertificateStatus
from lms.certificates.transcript import Entry, entry_from
from lms.csvsafe import to_csv
from lms.enrolments.models import Enrolment
from lms.evaluations.models import QUESTIONS, Evaluation
from lms.extensions import db

CE_BROKER_HEADER = [
    "provider_number",
    "course_number",
    "license_number",
    "completion_date",
    "state",
    "profession_code",
]


def _bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    lower = datetime.combine(start, time.min, UTC) if start else None
    upper = datetime.combine(end + timedelta(days=1), time.min, UTC) if end else None
    return lower, upper


def completions_csv(course_id: int | None, start: date | None, end: date | None) -> str:
    """Completed enrolments in a period, with registration, attestation, evaluation and
    certificate: the attendance record boards ask providers to keep."""
    lower, upper = _bounds(start, end)
    statement = (
        select(Enrolment)
        .where(Enrolment.completed_at.is_not(None))
        .options(
            selectinload(Enrolment.user).selectinload(User.licences),
            joinedload(Enrolment.course),
        )
        .order_by(Enrolment.course_id, Enrolment.completed_at)
    )
    if course_id:
        statement = statement.where(Enrolment.course_id == course_id)
    if lower:
        statement = statement.where(Enrolment.completed_at >= lower)
    if upper:
        statement = statement.where(Enrolment.completed_at < upper)
    enrolments = list(db.session.scalars(statement))
    ids = [e.id for e in enrolments]
    evaluated = (
        set(
            db.session.scalars(
                select(Evaluation.enrolment_id).where(Evaluation.enrolment_id.in_(ids))
            )
        )
        if ids
        else set()
    )
    certificates: dict[int, Certificate] = {}
    if ids:
        for cert in db.session.scalars(
            select(Certificate).where(Certificate.enrolment_id.in_(ids)).order_by(Certificate.id)
        ):
            if cert.status == CertificateStatus.VALID or cert.enrolment_id not in certificates:
                certificates[cert.enrolment_id] = cert
    rows = []
    for enrolment in enrolments:
        user, course = enrolment.user, enrolment.course
        cert = certificates.get(enrolment.id)
        rows.append(
            [
                course.code,
                course.title,
                course.ce_minutes,
                user.legal_name,
                user.email,
                "; ".join(f"{lic.state} {lic.number}" for lic in user.licences),
                user.nccaom_id or "",
                enrolment.enrolled_at.isoformat(),
                enrolment.attestation_accepted_at.isoformat()
                if enrolment.attestation_accepted_at
                else "",
                enrolment.completed_at.isoformat(),
                "yes" if enrolment.id in evaluated else "no",
                cert.number if cert else "",
                cert.status.value if cert else "",
            ]
        )
    header = [
        "course_code", "course_title", "contact_minutes", "legal_name", "email", "licences",
        "nccaom_id", "registered_at", "attestation_accepted_at", "completed_at",
        "evaluation_submitted", "certificate_number", "certificate_status",
    ]  # fmt: skip
    return to_csv(header, rows)


def _strip_prefix(value: str, prefix: str) -> str:
    value = value.strip()
    return value[len(prefix) :] if value.startswith(prefix) else value


def ce_broker_rows(certificates: list[Certificate], profession_code: str) -> list[list[str]]:
    """Roster rows for CE Broker: Florida licences only, alphabetised by learner name."""
    rows = []
    for certificate in sorted(
        certificates, key=lambda c: (c.snapshot["learner"]["legal_name"].casefold(), c.number)
    ):
        snapshot = certificate.snapshot
        florida = next((c for c in snapshot["credits"] if c["board"] == Board.FLORIDA.value), None)
        if florida is None:
            continue
        completed = date.fromisoformat(snapshot["completion_date"])
        for licence in snapshot["learner"]["licences"]:
            if licence["state"] != "FL":
                continue
            rows.append(
                [
                    _strip_prefix(florida["provider_number"], "50-"),
                    _strip_prefix(florida["course_number"], "20-"),
                    licence["number"],  # exactly as stored: the state matches it verbatim
                    completed.strftime("%m/%d/%Y"),
                    "FL",
                    profession_code,
                ]
            )
    return rows


def ce_broker_csv(start: date | None, end: date | None) -> str:
    lower, upper = _bounds(start, end)
    statement = select(Certificate).where(Certificate.status == CertificateStatus.VALID)
    if lower:
        statement = statement.where(Certificate.completed_at >= lower)
    if upper:
        statement = statement.where(Certificate.completed_at < upper)
    rows = ce_broker_rows(
        list(db.session.scalars(statement)), current_app.config["CE_BROKER_PROFESSION_CODE"]
    )
    return to_csv(CE_BROKER_HEADER, rows)


def transcript_csv(entries: list[Entry]) -> str:
    header = ["certificate_number", "course_code", "course_title", "completion_date", "format",
              "status", "nccaom_pda", "nccaom_category", "california_hours", "california_category",
              "florida_hours", "florida_subject"]  # fmt: skip
    rows = []
    for entry in entries:
        row = [entry.number, entry.course_code, entry.course_title, entry.completed_on.isoformat(),
               "online/home study" if entry.distance else "live", entry.status.value]  # fmt: skip
        for board in (Board.NCCAOM, Board.CALIFORNIA, Board.FLORIDA):
            line = entry.hours(board)
            row += [f"{line.hours:.1f}", line.category] if line else ["", ""]
        rows.append(row)
    return to_csv(header, rows)


def audit_export_zip() -> bytes:
    """Every certificate ever issued, with its snapshot, plus every evaluation: for audits."""
    certificates = list(
        db.session.scalars(
            select(Certificate)
            .options(selectinload(Certificate.replaces))
            .order_by(Certificate.issued_at, Certificate.id)
        )
    )
    header = ["number", "status", "learner", "course_code", "completed_at", "issued_at",
              "replaces", "reissue_reason", "revoked_at", "revocation_reason", "revocation_note",
              "pdf_key", "pdf_sha256", "snapshot_json"]  # fmt: skip
    rows = [
        [c.number, c.status.value, c.snapshot["learner"]["legal_name"], c.snapshot["course"]["code"],  # noqa: E501
         c.completed_at.isoformat(), c.issued_at.isoformat(),
         c.replaces.number if c.replaces else "", c.reissue_reason or "",
         c.revoked_at.isoformat() if c.revoked_at else "",
         c.revocation_reason.value if c.revocation_reason else "", c.revocation_note or "",
         c.pdf_key, c.pdf_sha256, json.dumps(c.snapshot, sort_keys=True)]
        for c in certificates
    ]  # fmt: skip
    evaluations = list(
        db.session.scalars(
            select(Evaluation)
            .options(joinedload(Evaluation.enrolment).selectinload(Enrolment.user))
            .order_by(Evaluation.id)
        )
    )
    evaluation_rows = [
        [e.enrolment_id, e.enrolment.user.legal_name, e.course_id, e.submitted_at.isoformat(),
         *(getattr(e, name) for name in QUESTIONS), e.comments]
        for e in evaluations
    ]  # fmt: skip
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("certificates.csv", to_csv(header, rows))
        archive.writestr(
            "evaluations.csv",
            to_csv(
                ["enrolment_id", "learner", "course_id", "submitted_at", *QUESTIONS, "comments"],
                evaluation_rows,
            ),  # fmt: skip
        )
        for certificate in certificates:
            archive.writestr(
                f"snapshots/{certificate.number}.json",
                json.dumps(certificate.snapshot, indent=2, sort_keys=True),
            )
    return buffer.getvalue()


def entries_for(certificates: list[Certificate]) -> list[Entry]:
    return [entry_from(c) for c in certificates]
