"""The one place that sends email: over SMTP, or to the console in development."""

from __future__ import annotations

from flask import current_app, render_template
from flask_mail import Message

from lms.extensions import mail


def send_email(to: str, subject: str, template: str, **context) -> None:
    """Render `mail/<template>.txt` and send it to one recipient."""
    body = render_template(f"mail/{template}.txt", **context)
    provider = current_app.config["PROVIDER_NAME"]
    message = Message(subject=f"{subject} — {provider}", recipients=[to], body=body)
    if current_app.config.get("MAIL_CONSOLE"):
        print(f"\n--- email to {to}: {message.subject}\n{body}\n--- end of email\n", flush=True)
        return
    mail.send(message)
