"""A learner's transcript: certificates, credit per board and category, renewal totals.

Board rules applied to a renewal period (DOMAIN.md):
- California: 50 CE hours per 2 years; Category 2 counts up to 5 hours; of the hours that
  count, at most 25 may be distance learning (online / home study).
- NCCAOM: 60 PDA points per 4-year cycle.
- Florida (CE Broker): 30 hours per 2 years, at least 5 biomedical, 2 laws and rules and
  2 medical errors (the rest, 21, general).
Only valid certificates count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from lms.certificates.models import (
    Board,
    CaliforniaCategory,
    Certificate,
    CertificateStatus,
    DeliveryFormat,
    FloridaSubject,
)

CALIFORNIA_REQUIRED, CALIFORNIA_CATEGORY_2_CAP, CALIFORNIA_DISTANCE_CAP = 50.0, 5.0, 25.0
NCCAOM_REQUIRED = 60.0
FLORIDA_REQUIRED = 30.0
FLORIDA_MINIMUMS = {
    FloridaSubject.BIOMEDICAL.value: 5.0,
    FloridaSubject.LAWS_AND_RULES.value: 2.0,
    FloridaSubject.MEDICAL_ERRORS.value: 2.0,
}
PRESETS = {
    "california": ("California (2 years)", 2),
    "florida": ("Florida (2 years)", 2),
    "nccaom": ("NCCAOM (4 years)", 4),
}


@dataclass(frozen=True)
class CreditLine:
    board: Board
    label: str
    hours: float
    category: str


@dataclass(frozen=True)
class Entry:
    number: str
    course_title: str
    course_code: str
    completed_on: date
    distance: bool
    status: CertificateStatus
    credits: tuple[CreditLine, ...]

    def hours(self, board: Board) -> CreditLine | None:
        return next((line for line in self.credits if line.board == board), None)


@dataclass
class BoardTotal:
    board: Board
    label: str
    required: float
    earned: float = 0.0  # every hour of valid certificates in the period
    counted: float = 0.0  # after the board's caps
    by_category: dict[str, float] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)

    @property
    def remaining(self) -> float:
        return max(0.0, self.required - self.counted)


def entry_from(certificate: Certificate) -> Entry:
    snapshot = certificate.snapshot
    return Entry(
        number=certificate.number,
        course_title=snapshot["course"]["title"],
        course_code=snapshot["course"]["code"],
        completed_on=date.fromisoformat(snapshot["completion_date"]),
        distance=snapshot["course"]["format"] == DeliveryFormat.HOME_STUDY.value,
        status=certificate.status,
        credits=tuple(
            CreditLine(Board(item["board"]), item["label"], float(item["hours"]), item["category"])
            for item in snapshot["credits"]
        ),
    )


def preset_period(name: str, today: date) -> tuple[date, date]:
    """The renewal period ending today for a board's cycle length."""
    years = PRESETS[name][1]
    try:
        start = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - years, day=28)
    return start + timedelta(days=1), today


def _add(total: BoardTotal, category: str, hours: float) -> None:
    total.by_category[category] = total.by_category.get(category, 0.0) + hours
    total.earned += hours


def totals(entries: list[Entry], start: date, end: date) -> dict[Board, BoardTotal]:
    """Per board: hours earned in [start, end], hours that count after caps, and flags."""
    counted = [
        e for e in entries if e.status == CertificateStatus.VALID and start <= e.completed_on <= end
    ]
    result = {
        Board.NCCAOM: BoardTotal(Board.NCCAOM, "NCCAOM PDA", NCCAOM_REQUIRED),
        Board.CALIFORNIA: BoardTotal(Board.CALIFORNIA, "California CEU", CALIFORNIA_REQUIRED),
        Board.FLORIDA: BoardTotal(Board.FLORIDA, "Florida CE", FLORIDA_REQUIRED),
    }
    california = {(cat, dist): 0.0 for cat in CaliforniaCategory for dist in (False, True)}
    for entry in counted:
        for line in entry.credits:
            _add(result[line.board], line.category, line.hours)
            if line.board == Board.CALIFORNIA:
                california[(CaliforniaCategory(line.category), entry.distance)] += line.hours

    nccaom = result[Board.NCCAOM]
    nccaom.counted = nccaom.earned

    ca = result[Board.CALIFORNIA]
    cat2_live = california[(CaliforniaCategory.CATEGORY_2, False)]
    cat2_distance = california[(CaliforniaCategory.CATEGORY_2, True)]
    # Count the Category 2 hours that leave the most hours counting: live ones first.
    cat2_live_counted = min(cat2_live, CALIFORNIA_CATEGORY_2_CAP)
    cat2_distance_counted = min(cat2_distance, CALIFORNIA_CATEGORY_2_CAP - cat2_live_counted)
    distance = california[(CaliforniaCategory.CATEGORY_1, True)] + cat2_distance_counted
    ca.counted = (
        california[(CaliforniaCategory.CATEGORY_1, False)]
        + cat2_live_counted
        + min(distance, CALIFORNIA_DISTANCE_CAP)
    )
    if cat2_live + cat2_distance > CALIFORNIA_CATEGORY_2_CAP:
        ca.flags.append(
            f"Category 2: {cat2_live + cat2_distance:.1f} h earned, at most "
            f"{CALIFORNIA_CATEGORY_2_CAP:.0f} h count per renewal."
        )
    if distance > CALIFORNIA_DISTANCE_CAP:
        ca.flags.append(
            f"Distance learning: {distance:.1f} h, at most {CALIFORNIA_DISTANCE_CAP:.0f} h count "
            "per renewal (online / home study courses)."
        )

    florida = result[Board.FLORIDA]
    florida.counted = florida.earned
    for subject, minimum in FLORIDA_MINIMUMS.items():
        have = florida.by_category.get(subject, 0.0)
        if have < minimum:
            florida.flags.append(f"{subject}: {have:.1f} of the {minimum:.0f} h required.")

    for total in result.values():
        if total.counted < total.required:
            total.flags.append(
                f"{total.counted:.1f} of {total.required:.0f} h counted; "
                f"{total.remaining:.1f} h still needed for this period."
            )
    return result
