"""Bulk enrolment from CSV: preview per line, all or nothing on confirm."""

import hashlib
import re

from sqlalchemy import func, select, text

from lms.admin import bulk
from lms.admin.models import BulkEnrolmentBatch
from lms.auth.models import User
from lms.enrolments import services as enrolment_services
from lms.enrolments.models import Enrolment, EnrolmentStatus
from lms.extensions import db
from tests import factories
from tests.support.smtp import body_text


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def setup_courses():
    course = factories.course(slug="piri-101", code="TPR-900")
    draft = factories.course(slug="draft-1", published=False)
    return course, draft


def test_preview_reports_every_line(db_session):
    course, _ = setup_courses()
    known = factories.learner(email="known@example.com", legal_name="Known Person")
    enrolled = factories.learner(email="enrolled@example.com")
    enrolment_services.enrol(enrolled, course)
    content = (
        b"Email,Name,Course\n"
        b"new@example.com,New Person,piri-101\n"  # 2 create
        b"KNOWN@example.com,Known Person,tpr-900\n"  # 3 enrol (by code, any case)
        b"enrolled@example.com,Someone,piri-101\n"  # 4 already enrolled
        b"new@example.com,New Person,piri-101\n"  # 5 duplicate of 2
        b"not-an-email,X,piri-101\n"  # 6 invalid
        b'a@example.com,=HYPERLINK("http://x"),piri-101\n'  # 7 formula
        b"b@example.com,Bee,nope\n"  # 8 unknown course
        b"c@example.com,Cee,draft-1\n"  # 9 draft
        b"d@example.com,,piri-101\n"  # 10 no name for a new account
        b"new@example.com,Other Name,tpr-900\n"  # 11 conflicting name
        b"\n"
    )
    plan = bulk.plan(content)
    got = {row.line: (row.action, row.reason) for row in plan.rows}
    assert got[2][0] == bulk.Action.CREATE
    assert got[3][0] == bulk.Action.ENROL
    assert got[4][0] == bulk.Action.ALREADY
    assert got[5] == (bulk.Action.DUPLICATE, "same as line 2")
    assert got[6] == (bulk.Action.INVALID, "not a valid email address")
    assert got[7][0] == bulk.Action.INVALID and "formula" in got[7][1]
    assert got[8][0] == bulk.Action.INVALID and "no course" in got[8][1]
    assert got[9][0] == bulk.Action.INVALID and "not published" in got[9][1]
    assert got[10][0] == bulk.Action.INVALID and "name is needed" in got[10][1]
    assert got[11][0] == bulk.Action.INVALID and "line 2" in got[11][1]
    assert len(plan.rows) == 10  # the blank line is ignored
    assert not plan.can_confirm
    del known


def test_encodings(db_session):
    setup_courses()
    utf8 = "email,name,course\nzoe@example.com,Zoë Ångström,piri-101\n"
    for content, label in (
        (utf8.encode("utf-8"), "UTF-8"),
        (b"\xef\xbb\xbf" + utf8.encode("utf-8"), "UTF-8"),
        (utf8.encode("utf-16"), "UTF-16"),
        (utf8.encode("cp1252"), "Windows-1252"),
    ):
        plan = bulk.plan(content)
        assert plan.rows[0].name == "Zoë Ångström", label
        assert plan.encoding.startswith(label)
        assert plan.rows[0].action == bulk.Action.CREATE


def test_unreadable_files_are_refused_with_a_reason(db_session):
    admin = factories.admin()
    for content, message in (
        (b"", "empty"),
        (b"mail,who\nx@y.z,Q\n", "missing: email, name, course"),
        (b"email,name,course\n", "no rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a text file"),
    ):
        try:
            bulk.upload(admin, "f.csv", content)
        except bulk.BulkFileError as error:
            assert message in error.message
        else:
            raise AssertionError(f"accepted {content!r}")
    assert count(BulkEnrolmentBatch) == 0


def upload_via_page(client, content: bytes):
    import io

    response = client.post(
        "/admin/enrolments/bulk",
        data={"file": (io.BytesIO(content), "people.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def test_confirm_writes_everything_and_emails_new_accounts(client, login, db_session, mailbox):
    course, _ = setup_courses()
    login(factories.admin())
    known = factories.learner(email="known@example.com")
    content = (
        b"email,name,course\n"
        b"fresh@example.com,Fresh Face,piri-101\n"
        b"known@example.com,Known,TPR-900\n"
        b"fresh@example.com,Fresh Face,piri-101\n"
    )
    preview = upload_via_page(client, content)
    html = client.get(preview).get_data(as_text=True)
    assert "will create account and enrol" in html and "duplicate row" in html
    digest = hashlib.sha256(content).hexdigest()
    batch_id = int(preview.rsplit("/", 1)[1])

    # A confirm for other content is refused.
    response = client.post(
        f"/admin/enrolments/bulk/{batch_id}/confirm",
        data={"sha256": "0" * 64},
        follow_redirects=True,
    )
    assert "not the file you previewed" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "fresh@example.com")) is None

    response = client.post(
        f"/admin/enrolments/bulk/{batch_id}/confirm", data={"sha256": digest}, follow_redirects=True
    )
    assert "Enrolled 2 row(s); created 1 account(s)" in response.get_data(as_text=True)
    fresh = db.session.scalar(select(User).where(User.email == "fresh@example.com"))
    assert fresh.legal_name == "Fresh Face"
    enrolled = {
        e.user_id
        for e in db.session.scalars(select(Enrolment).where(Enrolment.course_id == course.id))
    }
    assert enrolled == {fresh.id, known.id}

    message = mailbox.wait_for("fresh@example.com", subject_contains="account is ready")
    link = re.search(r"https?://\S+/auth/reset/\S+", body_text(message)).group(0)
    assert client.get(link.split("localhost", 1)[-1]).status_code == 200
    # A second confirm of the same file is refused.
    response = client.post(
        f"/admin/enrolments/bulk/{batch_id}/confirm", data={"sha256": digest}, follow_redirects=True
    )
    assert "already been applied" in response.get_data(as_text=True)


def test_a_file_with_an_invalid_line_cannot_be_confirmed(client, login, db_session):
    setup_courses()
    login(factories.admin())
    content = b"email,name,course\nok@example.com,Okay,piri-101\nbad,Bad,piri-101\n"
    preview = upload_via_page(client, content)
    html = client.get(preview).get_data(as_text=True)
    assert "Enrol everyone listed" not in html
    assert "not a valid email address" in html
    batch_id = int(preview.rsplit("/", 1)[1])
    response = client.post(
        f"/admin/enrolments/bulk/{batch_id}/confirm",
        data={"sha256": hashlib.sha256(content).hexdigest()},
        follow_redirects=True,
    )
    assert "1 row(s) are invalid" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "ok@example.com")) is None


def test_a_failure_midway_writes_nothing(db_session):
    """The database refuses the third row's enrolment: the accounts and enrolments of
    the rows before it are rolled back too."""
    course, _ = setup_courses()
    admin = factories.admin()
    db.session.execute(
        text(
            """
            CREATE FUNCTION refuse_doomed() RETURNS trigger AS $$
            BEGIN
              IF (SELECT email FROM users WHERE id = NEW.user_id) = 'doomed@example.com' THEN
                RAISE EXCEPTION 'refused for the test';
              END IF;
              RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER refuse_doomed BEFORE INSERT ON enrolments
              FOR EACH ROW EXECUTE FUNCTION refuse_doomed();
            """
        )
    )
    before_users, before_enrolments = count(User), count(Enrolment)
    content = (
        b"email,name,course\n"
        b"one@example.com,One,piri-101\n"
        b"two@example.com,Two,piri-101\n"
        b"doomed@example.com,Doomed,piri-101\n"
        b"four@example.com,Four,piri-101\n"
    )
    batch = bulk.upload(admin, "x.csv", content)
    try:
        bulk.confirm(admin, batch, batch.sha256)
    except bulk.BulkEnrolmentFailed as error:
        assert "Line 4" in error.message and "Nothing was written" in error.message
    else:
        raise AssertionError("the failing row did not stop the batch")
    assert (count(User), count(Enrolment)) == (before_users, before_enrolments)
    assert batch.confirmed_at is None


def test_withdrawn_learners_are_enrolled_again(db_session):
    course, _ = setup_courses()
    learner = factories.learner(email="back@example.com")
    enrolment = enrolment_services.enrol(learner, course)
    enrolment_services.withdraw(enrolment)
    admin = factories.admin()
    batch = bulk.upload(admin, "x.csv", b"email,name,course\nback@example.com,Back,piri-101\n")
    assert bulk.plan(batch.content).rows[0].action == bulk.Action.REENROL
    bulk.confirm(admin, batch, batch.sha256)
    assert enrolment.status == EnrolmentStatus.ACTIVE
