"""Emails to the learner when a certificate is issued, revoked or reissued."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lms.mail import send_email_after_commit

if TYPE_CHECKING:
    from lms.auth.models import User
    from lms.certificates.models import Certificate

SUBJECTS = {
    "issued": "Your CE certificate is ready",
    "reissued": "Your corrected CE certificate",
    "revoked": "Your CE certificate has been revoked",
}


def certificate_event(certificate: Certificate, kind: str, learner: User) -> None:
    """Tell the learner, once the change is committed."""
    snapshot = certificate.snapshot
    base = snapshot["verification_url"].rsplit("/verify/", 1)[0]
    send_email_after_commit(
        learner.email,
        SUBJECTS[kind],
        f"certificate_{kind}",
        learner=learner,
        certificate=certificate,
        snapshot=snapshot,
        transcript_url=f"{base}/my/transcript",
    )
