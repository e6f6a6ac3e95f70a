"""Mail queued by a service waits for the commit that makes its change real."""

from lms.extensions import db
from lms.mail import discard_unsent, send_email_after_commit
from tests import factories


def queue(user, to: str) -> None:
    send_email_after_commit(
        to, "Welcome", "account_created", user=user, link="https://x/1", reset_link="https://x/2"
    )


def test_a_released_savepoint_is_not_the_commit(app, db_session, mailbox):
    user = factories.learner()
    with app.test_request_context():
        with db.session.begin_nested():  # e.g. issuance inside a request's transaction
            queue(user, "nested@example.com")
        assert mailbox.find("nested@example.com") == []
        db.session.commit()
    assert mailbox.wait_for("nested@example.com", subject_contains="Welcome")


def test_discarded_messages_are_never_sent(app, db_session, mailbox):
    user = factories.learner()
    with app.test_request_context():
        queue(user, "kept@example.com")
        queue(user, "generated@example.com")
        assert discard_unsent(lambda address: address.startswith("generated")) == 1
        db.session.commit()
    assert mailbox.wait_for("kept@example.com")
    assert mailbox.find("generated@example.com") == []
