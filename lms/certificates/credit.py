"""CE credit: each board's credit derived from contact minutes, and a course's CE settings.

Minutes are stored; hours are derived per board (DOMAIN.md): NCCAOM counts 60-minute hours
(1 PDA point = 1 hour), California 50-minute CE hours, Florida (CE Broker) 50-minute contact
hours. Credit is rounded down to the half hour, so a certificate never claims more than
the minutes support.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from sqlalchemy import select

from lms.audit import services as audit
from lms.auth.models import User
from lms.catalog.models import Course
from lms.certificates.models import (
    Board,
    CaliforniaCategory,
    CourseCredit,
    DeliveryFormat,
    FloridaSubject,
    IssuanceMode,
    NccaomCategory,
)
from lms.errors import DomainError
from lms.extensions import db
from lms.provider import services as provider_services
from lms.provider.models import ProviderSettings

MINUTES_PER_HOUR = {Board.NCCAOM: 60, Board.CALIFORNIA: 50, Board.FLORIDA: 50}
CREDIT_LABEL = {
    Board.NCCAOM: "NCCAOM PDA",
    Board.CALIFORNIA: "California CEU",
    Board.FLORIDA: "Florida CE (CE Broker)",
}
BOARD_NAME = {
    Board.NCCAOM: "NCCAOM",
    Board.CALIFORNIA: "California Acupuncture Board",
    Board.FLORIDA: "Florida (CE Broker)",
}
PROVIDER_NUMBER_LABEL = {
    Board.NCCAOM: "NCCAOM provider number",
    Board.CALIFORNIA: "California CEP provider number",
    Board.FLORIDA: "CE Broker provider number",
}
CALIFORNIA_MINIMUM_MINUTES = 50  # a California course is at least one CE hour


class CreditClaimRefused(DomainError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class BoardCredit:
    board: Board
    label: str
    hours: float
    category: str
    course_number: str
    provider_number: str

    def as_dict(self) -> dict[str, object]:
        return {
            "board": self.board.value,
            "label": self.label,
            "hours": self.hours,
            "category": self.category,
            "course_number": self.course_number,
            "provider_number": self.provider_number,
        }


def hours_for(board: Board, minutes: int) -> float:
    """A board's credit for contact minutes, rounded down to the half hour."""
    return math.floor(2 * minutes / MINUTES_PER_HOUR[board]) / 2


def provider_number(settings: ProviderSettings, board: Board) -> str:
    return {
        Board.NCCAOM: settings.nccaom_provider_number,
        Board.CALIFORNIA: settings.california_cep_number,
        Board.FLORIDA: settings.ce_broker_provider_number,
    }[board] or ""


def claimed_boards(credit: CourseCredit) -> list[Board]:
    enabled = {
        Board.NCCAOM: credit.nccaom_enabled,
        Board.CALIFORNIA: credit.california_enabled,
        Board.FLORIDA: credit.florida_enabled,
    }
    return [board for board in Board if enabled[board]]


def course_number(credit: CourseCredit, board: Board) -> str:
    return {
        Board.NCCAOM: credit.nccaom_course_number,
        Board.CALIFORNIA: credit.california_course_number,
        Board.FLORIDA: credit.florida_course_number,
    }[board] or ""


def category(credit: CourseCredit, board: Board) -> str:
    value = {
        Board.NCCAOM: credit.nccaom_category,
        Board.CALIFORNIA: credit.california_category,
        Board.FLORIDA: credit.florida_subject,
    }[board]
    return value.value if value is not None else ""


def board_credits(
    minutes: int, credit: CourseCredit, settings: ProviderSettings
) -> list[BoardCredit]:
    """The credit a course earns with each board it claims."""
    return [
        BoardCredit(
            board=board,
            label=CREDIT_LABEL[board],
            hours=hours_for(board, minutes),
            category=category(credit, board),
            course_number=course_number(credit, board),
            provider_number=provider_number(settings, board),
        )
        for board in claimed_boards(credit)
    ]


def missing_provider_numbers(credit: CourseCredit, settings: ProviderSettings) -> list[str]:
    return [
        f"{BOARD_NAME[board]} credit is claimed, but the provider settings have no "
        f"{PROVIDER_NUMBER_LABEL[board]}."
        for board in claimed_boards(credit)
        if not provider_number(settings, board).strip()
    ]


def problems_for(course: Course, credit: CourseCredit, settings: ProviderSettings) -> list[str]:
    """Everything that stops this course's certificates from being issued (pure)."""
    problems: list[str] = []
    if not (course.code or "").strip():
        problems.append("The course has no course code (it is printed on the certificate).")
    if course.ce_minutes <= 0:
        problems.append("Set the course's contact minutes.")
    boards = claimed_boards(credit)
    if not boards:
        problems.append("Claim credit with at least one board.")
    problems += missing_provider_numbers(credit, settings)
    for board in boards:
        if not course_number(credit, board).strip():
            problems.append(f"Enter the {BOARD_NAME[board]} course (approval) number.")
    if Board.CALIFORNIA in boards and course.ce_minutes < CALIFORNIA_MINIMUM_MINUTES:
        problems.append("A California course must be at least one CE hour (50 minutes).")
    if not settings.signatory_name.strip():
        problems.append("The provider settings have no authorised signatory.")
    if not settings.address.strip():
        problems.append("The provider settings have no address.")
    return problems


# --- loading and saving ------------------------------------------------------------------


def credit_for(course: Course) -> CourseCredit:
    """The course's CE settings, or unsaved defaults."""
    credit = db.session.get(CourseCredit, course.id)
    if credit is None:
        credit = new_credit(course)
    return credit


def new_credit(course: Course) -> CourseCredit:
    return CourseCredit(
        course_id=course.id,
        delivery_format=DeliveryFormat.HOME_STUDY,
        nccaom_enabled=False,
        nccaom_course_number="",
        nccaom_category=NccaomCategory.CORE_COMPETENCY,
        california_enabled=False,
        california_course_number="",
        california_category=CaliforniaCategory.CATEGORY_1,
        florida_enabled=False,
        florida_course_number="",
        florida_subject=FloridaSubject.GENERAL,
        attestation_required=False,
        attestation_text=CourseCredit.attestation_text.default.arg,
        evaluation_required=True,
        issuance=IssuanceMode.AUTOMATIC,
    )


def publish_problems(course: Course) -> list[str]:
    """Why this course cannot be published with CE credit yet; empty when it is ready.

    For the publish step of course authoring, and shown on the course's CE page.
    """
    return problems_for(course, credit_for(course), provider_services.current_settings())


def claimed_credit_problems(course: Course) -> list[str]:
    """At publish: a course that claims a board's credit needs the provider's number for that
    board and its own course number. A course without CE settings claims nothing."""
    credit = db.session.get(CourseCredit, course.id)
    if credit is None:
        return []
    problems = missing_provider_numbers(credit, provider_services.current_settings())
    for board in claimed_boards(credit):
        if not course_number(credit, board).strip():
            problems.append(f"Enter the {BOARD_NAME[board]} course (approval) number.")
    return problems


def ce_ready(course: Course) -> bool:
    return not publish_problems(course)


@dataclass(frozen=True)
class CreditSettings:
    ce_minutes: int
    delivery_format: DeliveryFormat
    nccaom_enabled: bool
    nccaom_course_number: str
    nccaom_category: NccaomCategory
    california_enabled: bool
    california_course_number: str
    california_category: CaliforniaCategory
    florida_enabled: bool
    florida_course_number: str
    florida_subject: FloridaSubject
    attestation_required: bool
    attestation_text: str
    evaluation_required: bool
    issuance: IssuanceMode


def update_credit(course: Course, values: CreditSettings, actor: User) -> CourseCredit:
    """Save a course's CE settings; refuse to claim a board the provider has no number for."""
    fields = {
        name: value.strip() if isinstance(value, str) else value
        for name, value in asdict(values).items()
        if name != "ce_minutes"
    }
    refused = missing_provider_numbers(CourseCredit(**fields), provider_services.current_settings())
    if refused:
        raise CreditClaimRefused(refused)
    if values.attestation_required and not values.attestation_text.strip():
        raise DomainError("Write the attestation text learners accept when enrolling.")
    credit = db.session.get(CourseCredit, course.id)
    if credit is None:
        credit = new_credit(course)
        db.session.add(credit)
    for name, value in fields.items():
        setattr(credit, name, value)
    course.ce_minutes = values.ce_minutes
    db.session.flush()
    audit.record(actor, "course.ce_settings", course, minutes=values.ce_minutes)
    return credit


def required_attestation(course: Course) -> str | None:
    """The attestation text a learner must accept to enrol, or None."""
    row = db.session.execute(
        select(CourseCredit.attestation_required, CourseCredit.attestation_text).where(
            CourseCredit.course_id == course.id
        )
    ).first()
    if row is None or not row.attestation_required:
        return None
    return row.attestation_text
