"""The one place that sends email: over SMTP, or to the console in development."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, render_template
from flask_mail import Message
from sqlalchemy import event
from sqlalchemy.orm import Session

from lms.extensions import db, mail


def send_email(to: str, subject: str, template: str, **context) -> None:
    """Render `mail/<template>.txt` and send it to one recipient."""
    body = render_template(f"mail/{template}.txt", **context)
    provider = current_app.config["PROVIDER_NAME"]
    message = Message(subject=f"{subject} — {provider}", recipients=[to], body=body)
    if current_app.config.get("MAIL_CONSOLE"):
        print(f"\n--- email to {to}: {message.subject}\n{body}\n--- end of email\n", flush=True)
        return
    mail.send(message)


def send_email_after_commit(to: str, subject: str, template: str, **context) -> None:
    """Send once the current transaction commits; nothing is sent if it rolls back.

    Services flush but never commit, so a message about a change must wait until the
    change is real. The body is rendered now, while the objects it mentions are at hand.
    """
    body = render_template(f"mail/{template}.txt", **context)
    db.session.info.setdefault(_OUTBOX, []).append((to, subject, body))


_OUTBOX = "lms_mail_outbox"


def discard_unsent(recipient: Callable[[str], bool]) -> int:
    """Forget messages waiting for the commit to these recipients; returns how many.

    For generated demo data, whose fictional learners should not fill the console with mail.
    """
    waiting = db.session.info.get(_OUTBOX, [])
    kept = [item for item in waiting if not recipient(item[0])]
    db.session.info[_OUTBOX] = kept
    return len(waiting) - len(kept)


def _deliver(to: str, subject: str, body: str) -> None:
    provider = current_app.config["PROVIDER_NAME"]
    message = Message(subject=f"{subject} — {provider}", recipients=[to], body=body)
    if current_app.config.get("MAIL_CONSOLE"):
        print(f"\n--- email to {to}: {message.subject}\n{body}\n--- end of email\n", flush=True)
        return
    mail.send(message)


@event.listens_for(Session, "after_commit")
def _send_outbox(session: Session) -> None:
    # SQLAlchemy also reports a released SAVEPOINT (begin_nested) as a commit; the change
    # is real only when the outermost transaction commits.
    if session.in_nested_transaction():
        return
    for to, subject, body in session.info.pop(_OUTBOX, []):
        try:
            _deliver(to, subject, body)
        except Exception:  # the change is committed; a mail failure must not undo the page
            current_app.logger.exception("could not send %r to %s", subject, to)


@event.listens_for(Session, "after_soft_rollback")
def _drop_outbox(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_OUTBOX, None)
