"""Transcript totals and caps on hand-computed cases."""

from datetime import date

import pytest

from lms.certificates.models import Board, CertificateStatus
from lms.certificates.transcript import CreditLine, Entry, preset_period, totals

START, END = date(2025, 1, 1), date(2026, 12, 31)


def entry(day, *credits, distance=True, status=CertificateStatus.VALID, n=[0]):  # noqa: B006
    n[0] += 1
    lines = tuple(
        CreditLine(board, board.value, hours, category) for board, hours, category in credits
    )
    return Entry(f"MTP-{n[0]:012d}", "Course", "TPR", day, distance, status, lines)


def ca(hours, category="Category 1"):
    return (Board.CALIFORNIA, hours, category)


def test_california_category_2_and_distance_caps():
    entries = [
        entry(date(2025, 3, 1), ca(20)),  # distance, cat 1
        entry(date(2025, 6, 1), ca(10)),  # distance, cat 1
        entry(date(2025, 9, 1), ca(4, "Category 2")),  # distance, cat 2
        entry(date(2026, 1, 1), ca(4, "Category 2"), distance=False),  # live, cat 2
        entry(date(2026, 2, 1), ca(12), distance=False),  # live, cat 1
    ]
    result = totals(entries, START, END)[Board.CALIFORNIA]
    # earned 50; cat 2: 8 earned, 5 count (4 live + 1 distance); distance: 30 cat 1 + 1 = 31 -> 25
    # counted = 12 live cat 1 + 4 live cat 2 + 25 distance = 41
    assert result.earned == 50.0
    assert result.counted == 41.0
    assert result.by_category == {"Category 1": 42.0, "Category 2": 8.0}
    assert any("Category 2: 8.0 h earned" in flag for flag in result.flags)
    assert any("Distance learning: 31.0 h" in flag for flag in result.flags)
    assert any("9.0 h still needed" in flag for flag in result.flags)


def test_only_valid_certificates_in_the_period_count():
    entries = [
        entry(date(2024, 12, 31), ca(10)),  # before the period
        entry(date(2025, 5, 5), ca(3), status=CertificateStatus.REVOKED),
        entry(date(2025, 5, 6), ca(3), status=CertificateStatus.SUPERSEDED),
        entry(date(2025, 5, 7), ca(3), (Board.NCCAOM, 2.5, "Core Competency")),
    ]
    result = totals(entries, START, END)
    assert result[Board.CALIFORNIA].counted == 3.0
    assert result[Board.NCCAOM].counted == 2.5
    assert result[Board.NCCAOM].flags == [
        "2.5 of 60 h counted; 57.5 h still needed for this period."
    ]


def test_nccaom_met_has_no_flag():
    entries = [
        entry(date(2025, 1, 1 + i), (Board.NCCAOM, 4.0, "Core Competency")) for i in range(15)
    ]
    result = totals(entries, START, END)[Board.NCCAOM]
    assert result.counted == 60.0 and result.flags == []


def test_florida_subject_minimums():
    fl = Board.FLORIDA
    entries = [
        entry(date(2025, 2, 1), (fl, 24.0, "General")),
        entry(date(2025, 3, 1), (fl, 3.0, "Biomedical")),
        entry(date(2025, 4, 1), (fl, 2.0, "Laws and Rules")),
        entry(date(2025, 5, 1), (fl, 1.0, "Medical Errors")),
    ]
    result = totals(entries, START, END)[fl]
    assert result.counted == 30.0
    assert result.flags == [
        "Biomedical: 3.0 of the 5 h required.",
        "Medical Errors: 1.0 of the 2 h required.",
    ]


@pytest.mark.parametrize(
    ("preset", "today", "expected"),
    [("california", date(2026, 6, 30), (date(2024, 7, 1), date(2026, 6, 30))),
     ("nccaom", date(2026, 6, 30), (date(2022, 7, 1), date(2026, 6, 30))),
     ("florida", date(2028, 2, 29), (date(2026, 3, 1), date(2028, 2, 29)))],
)  # fmt: skip
def test_presets(preset, today, expected):
    assert preset_period(preset, today) == expected


def test_transcript_page_csv_and_pdf(client, db_session, login):
    from lms.certificates import issuance
    from tests import factories

    factories.provider_settings()
    course = factories.ce_course(ce_minutes=240)
    learner = factories.learner()
    certificate = issuance.issue_certificate(factories.complete_course(learner, course), None)
    login(learner)
    page = client.get("/my/transcript?preset=california").get_data(as_text=True)
    assert "4.5" in page and "of 50 h counted" in page
    csv_text = client.get("/my/transcript.csv").get_data(as_text=True)
    assert certificate.number in csv_text and "4.0,Core Competency" in csv_text
    document = client.get("/my/transcript.pdf").data
    from tests.certificates.helpers import pdf_text

    assert document.startswith(b"%PDF") and certificate.number in pdf_text(document)
