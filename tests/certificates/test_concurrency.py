"""Twenty requests issuing at once for one enrolment: the database lets exactly one through."""

import threading

from sqlalchemy import func, select

from lms.certificates import issuance
from lms.certificates.models import Certificate
from lms.enrolments.models import Enrolment
from lms.extensions import db
from tests import factories
from tests.conftest import make_app


def test_twenty_concurrent_issuances_make_one_certificate(fresh_database, smtp_server):
    # Twenty sessions hold a connection each at the same moment: a pool big enough for them.
    app = make_app(
        fresh_database(),
        smtp_server,
        MAIL_SUPPRESS_SEND=True,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 25, "max_overflow": 5, "pool_pre_ping": True},
    )
    with app.app_context():
        factories.provider_settings()
        course = factories.ce_course()
        enrolment = factories.complete_course(factories.learner(), course)
        db.session.commit()
        enrolment_id = enrolment.id
        db.session.remove()

    barrier = threading.Barrier(20, timeout=60)
    outcomes: list[str] = []

    def issue() -> None:
        with app.app_context():  # its own session and connection
            target = db.session.get(Enrolment, enrolment_id)
            context = issuance.IssueContext.load(target.course_id)
            barrier.wait()
            try:
                issuance.issue_certificate(target, None, context=context)
                db.session.commit()
                outcomes.append("issued")
            except (issuance.AlreadyIssued, issuance.NotEligible):
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("issued") == 1 and outcomes.count("refused") == 19
    with app.app_context():
        count = db.session.scalar(
            select(func.count())
            .select_from(Certificate)
            .where(Certificate.enrolment_id == enrolment_id)
        )
        db.engine.dispose()
    assert count == 1
