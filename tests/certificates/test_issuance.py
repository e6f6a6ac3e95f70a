"""Issuing certificates: refusal with reasons, the PDF's content, signature and QR code,
revocation, reissue, downloads and emails."""

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.certificates import issuance, signing
from lms.certificates.models import Certificate, CertificateStatus, RevocationReason
from lms.enrolments import services as enrolment_services
from lms.enrolments.models import EnrolmentStatus
from lms.storage import get_storage
from tests import factories
from tests.certificates.helpers import pdf_text, qr_codes, signature_status
from tests.support.smtp import body_text


@pytest.fixture
def setup(db_session):
    factories.provider_settings()
    teacher = factories.instructor(legal_name="Jordan Rivera, L.Ac.")
    course = factories.ce_course(teacher, title="Piriformis Release", ce_minutes=240)
    learner = factories.learner(
        legal_name="Priya Raman",
        licences=[("CA", "AC 18342"), ("FL", "AP3190")],
        nccaom_id="72301",
    )
    return course, learner


def test_ineligible_enrolment_is_refused_with_the_missing_requirement(setup):
    course, learner = setup
    enrolment = factories.complete_course(learner, course, evaluate=False)
    with pytest.raises(issuance.NotEligible) as refused:
        issuance.issue_certificate(enrolment, None)
    assert "submit the course evaluation" in refused.value.message

    other = factories.learner()
    started = enrolment_services.enrol(other, course)
    with pytest.raises(issuance.NotEligible, match="4 required lessons to complete"):
        issuance.issue_certificate(started, None)


def test_issued_pdf_shows_every_required_field_is_signed_and_has_a_qr_code(setup, app):
    course, learner = setup
    enrolment = factories.complete_course(learner, course)
    certificate = issuance.issue_certificate(enrolment, None, base_url="https://ce.example.org")
    document = get_storage().get(certificate.pdf_key)
    import hashlib

    assert hashlib.sha256(document).hexdigest() == certificate.pdf_sha256
    text = " ".join(pdf_text(document).split())
    for expected in [
        "Meridian Trigger Point Institute".upper(),
        "1200 Harbor Way, Suite 310",
        "San Francisco, CA 94107",
        "NCCAOM Provider # 1234",
        "California CEP # 1011",
        "CE Broker Provider # 50-12345",
        "Piriformis Release",
        f"Course code {course.code}",
        "Online / home study",
        "240 contact minutes",
        f"Completed {enrolment.completed_at:%B} {enrolment.completed_at.day}, {enrolment.completed_at.year}",  # noqa: E501
        "NCCAOM PDA 4.0 Core Competency",
        "California CEU 4.5 Category 1",
        "Florida CE (CE Broker) 4.5 General",
        f"PDA-{course.id}",
        f"1011-{course.id}",
        f"20-{700000 + course.id}",
        "Instructor: Jordan Rivera, L.Ac.",
        "Priya Raman",
        "CA licence AC 18342",
        "FL licence AP3190",
        "NCCAOM ID 72301",
        "Dr. Ada Signer, DAOM",
        "Director of Education",
        certificate.number,
        f"https://ce.example.org/verify/{certificate.number}",
        "Issued",
    ]:
        assert expected in text, expected

    assert qr_codes(document) == [f"https://ce.example.org/verify/{certificate.number}"]

    status = signature_status(document, signing.signing_certificate_pem())
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert "/ETSI.CAdES.detached" in document.decode("latin-1")  # PAdES

    # A changed byte breaks the signature.
    tampered = document.replace(b"[0 0 792.00 612.00]", b"[0 0 793.00 612.00]", 1)
    assert tampered != document
    assert not signature_status(tampered, signing.signing_certificate_pem()).intact


def test_snapshot_is_immutable_and_number_is_unguessable(setup):
    course, learner = setup
    certificate = issuance.issue_certificate(factories.complete_course(learner, course), None)
    assert certificate.number.startswith("MTP-") and len(certificate.number) == 16
    assert set(certificate.number[4:]) <= set(issuance.CROCKFORD)
    # The learner's later profile changes do not touch what was issued.
    learner.legal_name = "Priya R. Changed"
    assert certificate.snapshot["learner"]["legal_name"] == "Priya Raman"
    from lms.certificates.models import CertificateIsImmutable
    from lms.extensions import db

    certificate.snapshot = {**certificate.snapshot, "learner": {}}
    with pytest.raises(CertificateIsImmutable):
        db.session.flush()
    db.session.rollback()


def test_issue_twice_is_refused(setup):
    course, learner = setup
    enrolment = factories.complete_course(learner, course)
    issuance.issue_certificate(enrolment, None)
    with pytest.raises(issuance.NotEligible, match="a valid certificate already exists"):
        issuance.issue_certificate(enrolment, None)


def test_automatic_issuance_on_completion_and_email(setup, mailbox, client, login):
    course, learner = setup
    factories.course_credit(course, issuance=issuance.IssuanceMode.AUTOMATIC)
    enrolment = factories.complete_course(learner, course, evaluate=False)
    login(learner)
    response = client.post(
        f"/courses/{course.slug}/evaluation",
        data={**{k: str(v) for k, v in factories.RATINGS.items()}, "comments": "Great."},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/my/transcript"
    from lms.extensions import db

    db.session.expire_all()
    assert enrolment.status == EnrolmentStatus.COMPLETED

    certificate = db.session.scalar(
        select(Certificate).where(Certificate.enrolment_id == enrolment.id)
    )
    assert certificate is not None and certificate.is_valid
    message = mailbox.wait_for(learner.email, subject_contains="certificate is ready")
    assert certificate.number in body_text(message)
    page = client.get("/my/transcript").get_data(as_text=True)
    assert certificate.number in page and "NCCAOM PDA: 4.0, Core Competency" in page


def test_revoke_and_reissue_then_verification_says_so(setup, client, login, mailbox):
    course, learner = setup
    admin = factories.admin()
    enrolment = factories.complete_course(learner, course)
    first = issuance.issue_certificate(enrolment, admin)
    learner.legal_name = "Priya Raman-Iyer"  # the profile is corrected first
    from lms.extensions import db

    db.session.flush()
    login(admin)

    response = client.post(
        f"/admin/certificates/{first.number}/reissue", data={"reissue-reason": ""}
    )
    assert response.status_code == 400
    assert "Give the reason for reissuing" in response.get_data(as_text=True)
    assert first.status == CertificateStatus.VALID

    response = client.post(
        f"/admin/certificates/{first.number}/reissue",
        data={"reissue-reason": "Legal name corrected"},
    )
    assert response.status_code == 302
    from lms.extensions import db

    db.session.expire_all()
    second = db.session.scalar(select(Certificate).where(Certificate.replaces_id == first.id))
    assert db.session.get(Certificate, first.id).status == CertificateStatus.SUPERSEDED
    assert second.is_valid and second.number != first.number
    assert second.snapshot["learner"]["legal_name"] == "Priya Raman-Iyer"
    assert second.completed_at == first.completed_at
    mailbox.wait_for(learner.email, subject_contains="corrected")

    page = client.get(f"/verify/{first.number}").get_data(as_text=True)
    assert "Superseded" in page and second.number in page

    response = client.post(
        f"/admin/certificates/{second.number}/revoke",
        data={"revoke-reason": "issued_in_error", "revoke-note": ""},
    )
    assert response.status_code == 400 and "Explain why" in response.get_data(as_text=True)
    client.post(
        f"/admin/certificates/{second.number}/revoke",
        data={"revoke-reason": "issued_in_error", "revoke-note": "Wrong course"},
    )
    page = client.get(f"/verify/{second.number}").get_data(as_text=True)
    assert "Revoked" in page and RevocationReason.ISSUED_IN_ERROR.label in page
    mailbox.wait_for(learner.email, subject_contains="revoked")

    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert {"certificate.issue", "certificate.reissue", "certificate.revoke"} <= set(actions)
    log = client.get("/admin/audit/?action=certificate.revoke").get_data(as_text=True)
    assert "certificate.revoke" in log and "certificate.reissue</code>" not in log


def test_learner_downloads_own_certificate_but_not_someone_elses(setup, client, login):
    course, learner = setup
    certificate = issuance.issue_certificate(factories.complete_course(learner, course), None)
    login(learner)
    response = client.get(f"/certificates/{certificate.number}/download")
    assert response.status_code == 302
    download = client.get(response.headers["Location"])
    assert download.data.startswith(b"%PDF") and download.mimetype == "application/pdf"

    login(factories.learner())
    assert client.get(f"/certificates/{certificate.number}/download").status_code == 403

    admin = factories.admin()
    login(admin)
    assert client.get(f"/certificates/{certificate.number}/download").status_code == 302
    from lms.extensions import db

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.download"))
    assert event.actor_id == admin.id and event.details["number"] == certificate.number


def test_withdrawn_enrolment_keeps_its_certificate(setup):
    course, learner = setup
    enrolment = factories.complete_course(learner, course)
    certificate = issuance.issue_certificate(enrolment, None)
    enrolment_services.withdraw(enrolment)
    from lms.certificates import services
    from lms.extensions import db

    db.session.flush()
    assert services.certificates_of(learner) == [certificate]
    assert certificate.is_valid
    with pytest.raises(Exception, match="kept"):
        db.session.delete(certificate)
        db.session.flush()
    db.session.rollback()


def test_bulk_issuance_job_reports_progress_and_refusals(setup, client, login):
    from lms import jobs
    from lms.extensions import db

    course, learner = setup
    done = [factories.complete_course(factories.learner(), course) for _ in range(3)]
    half = enrolment_services.enrol(factories.learner(), course)
    admin = factories.admin()
    login(admin)
    page = client.get("/admin/certificates/queue").get_data(as_text=True)
    assert all(f'value="{e.id}"' in page for e in done)
    response = client.post(
        "/admin/certificates/queue/issue",
        data={"scope": "selected", "enrolment_id": [str(e.id) for e in done] + [str(half.id)]},
    )
    assert response.status_code == 302
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert client.get(f"/admin/jobs/{job_id}/status").json["status"] == "queued"
    jobs.run_job(job_id)
    status = client.get(f"/admin/jobs/{job_id}/status").json
    assert status["status"] == "done" and status["done"] == 4 and status["failed"] == 1
    assert "4 required lessons to complete" in status["notes"][0]
    issued = db.session.scalars(select(Certificate).where(Certificate.course_id == course.id)).all()
    assert sorted(c.enrolment_id for c in issued) == sorted(e.id for e in done)


def test_retried_bulk_issuance_resumes_after_the_last_finished_enrolment(setup):
    from lms import jobs
    from lms.extensions import db

    course, _ = setup
    first, second = (factories.complete_course(factories.learner(), course) for _ in range(2))
    admin = factories.admin()
    job = issuance.enqueue_bulk_issue([first.id, second.id], admin)
    # As an attempt leaves it when it dies after committing the first certificate (each
    # certificate commits together with the job's progress).
    issuance.issue_certificate(first, admin)
    job.done_count, job.attempts = 1, 1
    job.error = "OperationalError: server closed the connection unexpectedly"
    db.session.commit()

    job = jobs.run_job(job.id)

    assert (job.status, job.attempts, job.done_count, job.failed_count) == (
        jobs.JobStatus.DONE,
        2,
        2,
        0,
    )
    assert job.notes == [] and job.error is None  # the first enrolment was not tried again
    issued = db.session.scalars(select(Certificate).where(Certificate.course_id == course.id))
    assert sorted(c.enrolment_id for c in issued) == sorted([first.id, second.id])
