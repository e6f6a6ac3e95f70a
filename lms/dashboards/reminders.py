"""Reminder emails to learners who stalled, never more often than the cool-down allows."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, url_for
from sqlalchemy import func, select

from lms.auth.models import User
from lms.catalog.models import Course
from lms.dashboards.learners import LearnerQuery, learner_statement
from lms.dashboards.models import ReminderLog
from lms.db import utcnow
from lms.enrolments.models import Enrolment, EnrolmentStatus
from lms.errors import DomainError
from lms.extensions import db
from lms.learning import completion
from lms.mail import send_email

log = logging.getLogger(__name__)


class ReminderTooSoon(DomainError):
    status_code = 409

    def __init__(self, learner: User, next_at: datetime) -> None:
        super().__init__(
            f"{learner.legal_name} was reminded recently; the next reminder can be sent "
            f"after {next_at:%d %b %Y %H:%M} UTC."
        )


class NothingToRemind(DomainError):
    status_code = 409

    def __init__(self, learner: User) -> None:
        super().__init__(f"{learner.legal_name} has completed or left this course.")


def cooldown() -> timedelta:
    """The least time between two reminders to one learner about one course."""
    return timedelta(days=current_app.config.get("REMINDER_COOLDOWN_DAYS", 3))


@dataclass(frozen=True)
class BulkReminderResult:
    sent: int
    skipped_recently_reminded: int


def last_reminded(course: Course, user_ids: list[int]) -> dict[int, datetime]:
    """When each learner was last reminded about the course."""
    if not user_ids:
        return {}
    return dict(
        db.session.execute(
            select(ReminderLog.user_id, func.max(ReminderLog.sent_at))
            .where(ReminderLog.course_id == course.id, ReminderLog.user_id.in_(user_ids))
            .group_by(ReminderLog.user_id)
        ).all()
    )


def can_be_reminded_at(course: Course, learner: User) -> datetime | None:
    """When the next reminder may go (None: now)."""
    last = last_reminded(course, [learner.id]).get(learner.id)
    if last is None or last + cooldown() <= utcnow():
        return None
    return last + cooldown()


def _send(course: Course, learner: User, sent_by: User, now: datetime) -> ReminderLog:
    entry = ReminderLog(course_id=course.id, user_id=learner.id, sent_by_id=sent_by.id, sent_at=now)
    db.session.add(entry)
    db.session.flush()
    send_email(
        learner.email,
        f"Continue {course.title}",
        "course_reminder",
        learner=learner,
        course=course,
        link=url_for("catalog.course", slug=course.slug, _external=True),
    )
    return entry


def remind(course: Course, enrolment: Enrolment, sent_by: User) -> ReminderLog:
    """Email one learner who has not finished, unless reminded within the cool-down."""
    # Lock the enrolment: two instructors clicking at once send one email, not two.
    db.session.execute(select(Enrolment.id).where(Enrolment.id == enrolment.id).with_for_update())
    learner = enrolment.user
    progress = completion.progress_for(learner.id, course)
    if enrolment.status != EnrolmentStatus.ACTIVE or progress.is_complete:
        raise NothingToRemind(learner)
    next_at = can_be_reminded_at(course, learner)
    if next_at is not None:
        raise ReminderTooSoon(learner, next_at)
    return _send(course, learner, sent_by, utcnow())


def remind_stalled(course: Course, sent_by: User) -> BulkReminderResult:
    """Email every stalled learner not reminded within the cool-down."""
    now = utcnow()
    rules = completion.course_rules(course)
    statement, _ = learner_statement(course, LearnerQuery(status="stalled"), rules, now)
    stalled = [
        (enrolment, enrolment.user)
        for enrolment in db.session.scalars(statement.with_for_update(of=Enrolment)).unique()
    ]
    recent = last_reminded(course, [learner.id for _, learner in stalled])
    sent = skipped = 0
    for _, learner in stalled:
        last = recent.get(learner.id)
        if last is not None and last + cooldown() > now:
            skipped += 1
            continue
        _send(course, learner, sent_by, now)
        sent += 1
    log.info("reminded %d stalled learners of %s (%d skipped)", sent, course.slug, skipped)
    return BulkReminderResult(sent, skipped)
