"""Demo assessments for the generated learners (lms/demo/activity.py), through the services.

Learners who finished a course's lessons take its final assessment (some pass after a
failed attempt, a few are still stuck), and most then evaluate the course: the completion
engine completes them and certificates are issued as in production. About a third of the
learners who reached a lesson check take it. One certificate is reissued and one revoked,
so the dashboards show every state. Runs after the CE settings exist (issuance needs them).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from fnmatch import fnmatch

from sqlalchemy import func, insert, select
from sqlalchemy.orm import selectinload

from lms.auth.models import User
from lms.catalog.models import Course
from lms.certificates import issuance
from lms.certificates.models import Certificate, CertificateStatus, RevocationReason
from lms.db import utcnow
from lms.demo import activity
from lms.enrolments.models import Enrolment
from lms.evaluations import services as evaluation_services
from lms.evaluations.models import QUESTIONS
from lms.extensions import db
from lms.learning import completion
from lms.learning import services as learning_services
from lms.learning.models import LessonProgress
from lms.mail import discard_unsent
from lms.quizzes import attempts
from lms.quizzes.evidence import course_outline
from lms.quizzes.models import (
    AttemptAnswer,
    QuestionKind,
    Quiz,
    QuizAttempt,
    QuizKind,
    answer_choices,
)

EVALUATES = 0.85  # of the learners who passed everything
TAKES_LESSON_CHECK = 0.3
COMMENTS = (
    "",
    "",
    "Clear palpation demonstrations.",
    "The referral maps were the most useful part.",
    "Would like more needling-angle detail.",
)


GENERATED = "learner%@demo.lms"  # the learners lms/demo/activity.py makes


def seed_assessments(report) -> None:
    """Assessments, evaluations and certificates for the generated learners, once."""
    done_before = db.session.scalar(
        select(QuizAttempt.id).join(User, User.id == QuizAttempt.user_id).where(
            User.email.like(GENERATED)
        ).limit(1)
    )  # fmt: skip
    if done_before is not None:
        return
    rng = random.Random(2027)  # noqa: S311 - demo data
    for slug in activity.COURSES:
        course = learning_services.syllabus(slug)
        if course is not None:
            _assess_course(course, rng, report)
    _reissue_and_revoke_one(report)
    # Generated learners are fictional: their certificate emails are not sent.
    discard_unsent(lambda address: fnmatch(address, GENERATED.replace("%", "*")))


def _assess_course(course: Course, rng: random.Random, report) -> None:
    quizzes = [item.quiz for item in course_outline(course.id, None).items]
    standings = completion.course_standings(course)
    rows = db.session.execute(
        select(Enrolment, func.max(LessonProgress.last_seen_at))
        .join(User, User.id == Enrolment.user_id)
        .join(
            LessonProgress,
            (LessonProgress.user_id == Enrolment.user_id)
            & (LessonProgress.course_id == Enrolment.course_id),
        )
        .where(Enrolment.course_id == course.id, User.email.like(GENERATED))
        .options(selectinload(Enrolment.user))
        .group_by(Enrolment.id)
        .order_by(Enrolment.id)
    ).all()
    now = utcnow()
    for enrolment, last_seen in rows:
        progress = standings[enrolment.user_id].progress
        lessons_done = progress.completed_required_lessons == progress.required_lessons
        skill = 0.5 + 0.45 * rng.random()  # each learner's chance of a right answer
        moment = min(last_seen + timedelta(hours=rng.uniform(1, 30)), now - timedelta(hours=1))
        passed_all = lessons_done
        for quiz in quizzes:
            if quiz.kind == QuizKind.LESSON and not quiz.required:
                reached = quiz.lesson_id in progress.completed_lesson_ids
                if reached and rng.random() < TAKES_LESSON_CHECK:
                    _take(enrolment, course, quiz, skill, moment, rng)
                    report.count("demo quiz attempts")
                continue
            if not (quiz.required and lessons_done):
                continue
            passed = False
            for number in range(quiz.max_attempts or 3):
                if number and rng.random() < 0.25:
                    break  # gave up for now: stuck at the final
                attempt = _take(enrolment, course, quiz, skill + 0.1 * number, moment, rng)
                report.count("demo quiz attempts")
                moment = min(moment + timedelta(hours=rng.uniform(2, 48)), now - timedelta(hours=1))
                if attempt.passed:
                    passed = True
                    break
            passed_all = passed_all and passed
        if passed_all and rng.random() < EVALUATES:
            # The evaluation service asks the completion engine, which completes the
            # enrolment and (automatic issuance) issues the certificate.
            ratings = {name: rng.choice((3, 4, 4, 5, 5)) for name in QUESTIONS}
            evaluation_services.submit(enrolment, course, ratings, rng.choice(COMMENTS))
            # When the learner evaluated; the engine recorded the completion just now.
            evaluation_services.evaluation_for(enrolment).submitted_at = moment
            report.count("demo evaluations")
        elif passed_all:
            completion.refresh(enrolment, course)  # complete if no evaluation is asked
    db.session.flush()


def _take(
    enrolment: Enrolment,
    course: Course,
    quiz: Quiz,
    skill: float,
    moment: datetime,
    rng: random.Random,
) -> QuizAttempt:
    """One attempt answered with the learner's skill: started and graded by the quiz
    service; the answers go in as autosave stores them, in bulk (hundreds of attempts)."""
    from lms.demo.seed import _demo_click

    attempt = attempts.start_attempt(
        enrolment.user, quiz, enrolment=enrolment, course=course, now=moment, rng=rng
    )
    rows, picks = [], []
    for question in attempts.attempt_questions(attempt):
        right = rng.random() < skill
        click, chosen = None, []
        if question.kind == QuestionKind.HOTSPOT:
            click = _demo_click(question.region, right, rng)
        else:
            correct = [c.id for c in question.choices if c.is_correct]
            wrong = [c.id for c in question.choices if not c.is_correct]
            chosen = correct if right or not wrong else [rng.choice(wrong)]
        rows.append(
            {
                "attempt_id": attempt.id,
                "question_id": question.id,
                "click_x": click[0] if click else None,
                "click_y": click[1] if click else None,
                "saved_at": moment + timedelta(minutes=1),
            }
        )
        picks.append(chosen)
    answer_ids = db.session.scalars(
        insert(AttemptAnswer).returning(AttemptAnswer.id, sort_by_parameter_order=True), rows
    ).all()
    chosen_rows = [
        {"answer_id": answer_id, "choice_id": choice_id}
        for answer_id, chosen in zip(answer_ids, picks, strict=True)
        for choice_id in chosen
    ]
    if chosen_rows:
        db.session.execute(insert(answer_choices), chosen_rows)
    minutes = min(12, (quiz.time_limit_minutes or 60) - 1)
    # Without the enrolment: the engine looks once per learner, after their last step.
    return attempts.submit_attempt(
        attempt, enrolment=None, course=None, now=moment + timedelta(minutes=minutes)
    )


def _reissue_and_revoke_one(report) -> None:
    """An administrator corrects one certificate and revokes another (issued in error)."""
    admin = db.session.scalar(select(User).where(User.email == "admin@demo.lms"))
    issued = db.session.scalars(
        select(Certificate)
        .join(User, User.id == Certificate.user_id)
        .where(
            User.email.like(GENERATED),
            Certificate.status == CertificateStatus.VALID,
        )
        .order_by(Certificate.id)
        .limit(2)
    ).all()
    if admin is None or len(issued) < 2:
        return
    issuance.reissue(issued[0], admin, "Licence number corrected at the learner's request")
    issuance.revoke(
        issued[1],
        admin,
        RevocationReason.ISSUED_IN_ERROR,
        "Completed under a colleague's account; certificate withdrawn.",
    )
    report.count("demo certificates reissued")
    report.count("demo certificates revoked")
