"""Bulk enrolment from a CSV: upload, preview every row, then apply all or nothing.

The uploaded bytes are kept in a BulkEnrolmentBatch between preview and confirm, and the
confirm names the batch and its SHA-256: what is applied is exactly what was previewed,
checked again against the database of the moment.
"""

from __future__ import annotations

import codecs
import csv
import enum
import hashlib
import io
import secrets
from collections import Counter
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask import url_for
from sqlalchemy import func, or_, select
from sqlalchemy.exc import SQLAlchemyError

from lms.admin.events import record_admin_action
from lms.admin.models import BulkEnrolmentBatch
from lms.auth import services as auth_services
from lms.auth.models import User
from lms.catalog.models import Course
from lms.csvsafe import looks_like_formula
from lms.db import utcnow
from lms.enrolments import services as enrolment_services
from lms.enrolments.models import Enrolment, EnrolmentStatus
from lms.errors import DomainError
from lms.extensions import db
from lms.mail import send_email

COLUMNS = ("email", "name", "course")
MAX_ROWS = 5000


class BulkFileError(DomainError):
    """The file as a whole cannot be read (encoding, columns, size)."""


class BulkNotConfirmable(DomainError):
    status_code = 409


class BulkEnrolmentFailed(DomainError):
    """Applying a row failed; the savepoint was rolled back, nothing was written."""

    status_code = 409


class Action(enum.StrEnum):
    CREATE = "will create account and enrol"
    ENROL = "will enrol"
    REENROL = "will enrol again (left before)"
    ALREADY = "already enrolled"
    DUPLICATE = "duplicate row"
    INVALID = "invalid"


WRITES = (Action.CREATE, Action.ENROL, Action.REENROL)


@dataclass(frozen=True)
class PlannedRow:
    line: int
    email: str
    name: str
    course_ref: str
    action: Action
    reason: str = ""
    course: Course | None = None
    user: User | None = None


@dataclass(frozen=True)
class Plan:
    rows: list[PlannedRow]
    encoding: str

    @property
    def counts(self) -> dict[Action, int]:
        counted = Counter(row.action for row in self.rows)
        return {action: counted[action] for action in Action if counted[action]}

    @property
    def invalid(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.action == Action.INVALID]

    @property
    def writes(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.action in WRITES]

    @property
    def can_confirm(self) -> bool:
        return not self.invalid and bool(self.writes)


@dataclass(frozen=True)
class BulkResult:
    created: list[User]
    enrolled: int


def decode(content: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was read in: UTF-8 (BOM or not), UTF-16 with a
    BOM, else Windows-1252/Latin-1 as spreadsheets on Windows save "CSV"."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as error:
            raise BulkFileError(
                "The file says it is UTF-16 but is not. Save it as CSV UTF-8."
            ) from error
    if b"\x00" in content:
        raise BulkFileError("This is not a text file. Save the spreadsheet as “CSV UTF-8”.")
    try:
        return content.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252"), "Windows-1252 (not UTF-8: check accented names)"
    except UnicodeDecodeError:
        return content.decode("latin-1"), "Latin-1 (not UTF-8: check accented names)"


def _read(content: bytes) -> tuple[list[tuple[int, dict[str, str]]], str]:
    text, encoding = decode(content)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration as error:
        raise BulkFileError("The file is empty.") from error
    except csv.Error as error:
        raise BulkFileError(f"The file is not a readable CSV: {error}.") from error
    names = [cell.strip().lower() for cell in header]
    missing = [column for column in COLUMNS if column not in names]
    if missing:
        raise BulkFileError(
            f"The first line must name the columns email, name, course; missing: "
            f"{', '.join(missing)}."
        )
    index = {column: names.index(column) for column in COLUMNS}
    rows = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # blank lines are ignored
            values = {
                column: cells[position].strip() if position < len(cells) else ""
                for column, position in index.items()
            }
            rows.append((reader.line_num, values))
            if len(rows) > MAX_ROWS:
                raise BulkFileError(f"At most {MAX_ROWS} rows per file; split the file.")
    except csv.Error as error:
        raise BulkFileError(f"Line {reader.line_num} is not valid CSV: {error}.") from error
    if not rows:
        raise BulkFileError("The file has a header line but no rows.")
    return rows, encoding


def _normal_email(text: str) -> str | None:
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def plan(content: bytes) -> Plan:
    """What applying the file would do, row by row, read against the database now."""
    raw_rows, encoding = _read(content)
    emails = {_normal_email(values["email"]) for _, values in raw_rows} - {None}
    refs = {values["course"].lower() for _, values in raw_rows if values["course"]}
    users = {
        user.email: user
        for user in db.session.scalars(select(User).where(User.email.in_(emails))).unique()
    }
    courses: dict[str, Course] = {}
    for course in db.session.scalars(
        select(Course).where(or_(Course.slug.in_(refs), func.lower(Course.code).in_(refs)))
    ):
        courses[course.slug.lower()] = course
        if course.code:
            courses[course.code.lower()] = course
    enrolments = {
        (item.user_id, item.course_id): item
        for item in db.session.scalars(
            select(Enrolment).where(
                Enrolment.user_id.in_([user.id for user in users.values()]),
                Enrolment.course_id.in_([course.id for course in courses.values()]),
            )
        )
    }

    state = _PlanState(users, courses, enrolments)
    return Plan([state.decide(line, values) for line, values in raw_rows], encoding)


@dataclass
class _PlanState:
    """The lookups of one plan, and what earlier rows of the file already claimed."""

    users: dict[str, User]
    courses: dict[str, Course]
    enrolments: dict[tuple[int, int], Enrolment]
    seen: dict[tuple[str, int], int] = field(default_factory=dict)
    new_accounts: dict[str, tuple[str, int]] = field(default_factory=dict)

    def decide(self, line: int, values: dict[str, str]) -> PlannedRow:
        name, ref = values["name"], values["course"]
        email = _normal_email(values["email"])

        def row(action: Action, reason: str = "", course=None, user=None) -> PlannedRow:
            return PlannedRow(
                line, email or values["email"], name, ref, action, reason, course, user
            )

        if email is None:
            return row(Action.INVALID, "not a valid email address")
        if looks_like_formula(name):
            return row(Action.INVALID, "the name starts with = + - @ or a tab, like a formula")
        if len(name) > 200:
            return row(Action.INVALID, "the name is longer than 200 characters")
        course = self.courses.get(ref.lower())
        if course is None:
            return row(Action.INVALID, f"no course with slug or code “{ref}”")
        if not course.is_published:
            return row(Action.INVALID, f"{course.title} is not published")
        user = self.users.get(email)
        if user is None:
            if not name:
                return row(Action.INVALID, "a name is needed to create the account")
            first = self.new_accounts.get(email)
            if first is not None and first[0] != name:
                return row(Action.INVALID, f"line {first[1]} names this person “{first[0]}”")
        if (email, course.id) in self.seen:
            return row(
                Action.DUPLICATE, f"same as line {self.seen[email, course.id]}", course, user
            )
        self.seen[email, course.id] = line
        if user is None:
            if email in self.new_accounts:
                return row(Action.ENROL, "account created by an earlier line", course)
            self.new_accounts[email] = (name, line)
            return row(Action.CREATE, "", course)
        if not user.active:
            return row(Action.INVALID, "the account is deactivated", course, user)
        enrolment = self.enrolments.get((user.id, course.id))
        if enrolment is None:
            return row(Action.ENROL, "", course, user)
        if enrolment.status == EnrolmentStatus.WITHDRAWN:
            return row(Action.REENROL, "", course, user)
        return row(Action.ALREADY, enrolment.status.value, course, user)


def upload(actor: User, filename: str, content: bytes) -> BulkEnrolmentBatch:
    """Keep an uploaded file for preview; refuses files that cannot be read at all."""
    _read(content)
    batch = BulkEnrolmentBatch(
        created_by_id=actor.id,
        filename=(filename or "upload.csv")[:255],
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def confirm(actor: User, batch: BulkEnrolmentBatch, sha256: str) -> BulkResult:
    """Apply every row of a previewed batch in one savepoint: all rows or none."""
    if batch.confirmed_at is not None:
        raise BulkNotConfirmable("This file has already been applied.")
    if not secrets.compare_digest(sha256, batch.sha256) or (
        hashlib.sha256(batch.content).hexdigest() != batch.sha256
    ):
        raise BulkNotConfirmable("This is not the file you previewed. Upload it again.")
    current = plan(batch.content)
    if current.invalid:
        raise BulkNotConfirmable(
            f"{len(current.invalid)} row(s) are invalid. Fix them in the file and upload it "
            "again; nothing was written."
        )
    created: dict[str, User] = {}
    line = 0
    try:
        with db.session.begin_nested():
            for row in current.writes:
                line = row.line
                learner = row.user or created.get(row.email)
                if learner is None:
                    learner = auth_services.create_user(
                        email=row.email,
                        legal_name=row.name,
                        # Unguessable and never sent: the learner sets a password by email.
                        password=secrets.token_urlsafe(32),
                    )
                    created[row.email] = learner
                enrolment_services.enrol(learner, row.course, enrolled_by=actor)
            batch.confirmed_at = utcnow()
            batch.confirmed_by_id = actor.id
            db.session.flush()
    except (DomainError, SQLAlchemyError) as error:
        detail = error.message if isinstance(error, DomainError) else "the database refused it"
        raise BulkEnrolmentFailed(
            f"Line {line} could not be applied ({detail}). Nothing was written."
        ) from error
    record_admin_action(
        actor,
        "enrolments.bulk_applied",
        batch,
        enrolled=len(current.writes),
        accounts_created=len(created),
    )
    return BulkResult(list(created.values()), len(current.writes))


def send_account_emails(users: list[User]) -> None:
    """Tell new learners their account exists, with a link to choose a password."""
    for user in users:
        token = auth_services.password_reset_token(user)
        send_email(
            user.email,
            "Your account is ready",
            "account_created",
            user=user,
            link=url_for("auth.reset_password", token=token, _external=True),
            reset_link=url_for("auth.request_reset", _external=True),
        )
