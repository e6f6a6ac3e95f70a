"""Board exports: the CE Broker roster's columns and formats, completions, the audit ZIP."""

import csv
import io
import zipfile

from lms.certificates import issuance
from lms.certificates.reports import CE_BROKER_HEADER
from lms.csvsafe import neutralise
from tests import factories


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_ce_broker_roster_columns_formats_and_florida_only(client, db_session, login):
    factories.provider_settings(ce_broker_provider_number="50-12345")
    course = factories.ce_course()
    factories.course_credit(course, florida_course_number="20-654321")
    zed = factories.learner(legal_name="Zed Young", licences=[("FL", "AP 0042")])
    ann = factories.learner(legal_name="Ann Able", licences=[("CA", "AC 1"), ("FL", "AP3190")])
    cal = factories.learner(legal_name="Cal Only", licences=[("CA", "AC 2")])
    certificates = [
        issuance.issue_certificate(factories.complete_course(person, course), None)
        for person in (zed, ann, cal)
    ]
    login(factories.admin())
    response = client.get("/admin/reports/ce-broker.csv")
    assert response.mimetype == "text/csv"
    table = rows(response.get_data(as_text=True))
    assert table[0] == CE_BROKER_HEADER
    day = certificates[0].completed_at.strftime("%m/%d/%Y")
    # Alphabetised by name; Florida licences only, exactly as stored; no 50- / 20- prefixes.
    assert table[1:] == [
        ["12345", "654321", "AP3190", day, "FL", "AP"],
        ["12345", "654321", "AP 0042", day, "FL", "AP"],
    ]


def test_completions_csv_and_audit_export(client, db_session, login):
    factories.provider_settings()
    course = factories.ce_course()
    learner = factories.learner(legal_name='=HYPERLINK("x")')
    certificate = issuance.issue_certificate(factories.complete_course(learner, course), None)
    login(factories.admin())
    table = rows(
        client.get(f"/admin/reports/completions.csv?course={course.id}").get_data(as_text=True)
    )
    assert table[0][:4] == ["course_code", "course_title", "contact_minutes", "legal_name"]
    assert table[1][3] == '\'=HYPERLINK("x")'  # neutralised
    assert table[1][10] == "yes" and table[1][11] == certificate.number

    archive = zipfile.ZipFile(io.BytesIO(client.get("/admin/reports/audit-export.zip").data))
    assert f"snapshots/{certificate.number}.json" in archive.namelist()
    assert certificate.number in archive.read("certificates.csv").decode()
    assert "Useful." in archive.read("evaluations.csv").decode()


def test_neutralise():
    assert [neutralise(v) for v in ["=1+1", "+1", "-2", "@x", "ok", None, 3]] == [
        "'=1+1", "'+1", "'-2", "'@x", "ok", "", "3",
    ]  # fmt: skip
