"""Demo CE data: provider settings, CE credit on every demo course, and one learner with a
completed course, a submitted evaluation and an issued certificate."""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw
from sqlalchemy import select

from lms.auth.models import User
from lms.catalog.models import Course
from lms.certificates import credit as credit_rules
from lms.certificates.models import (
    CaliforniaCategory,
    Certificate,
    CertificateStatus,
    CourseCredit,
    DeliveryFormat,
    FloridaSubject,
    IssuanceMode,
    NccaomCategory,
)
from lms.enrolments.models import Enrolment
from lms.evaluations import services as evaluation_services
from lms.extensions import db
from lms.learning import completion
from lms.learning import services as learning_services
from lms.provider import services as provider_services
from lms.provider.models import SETTINGS_ID, ProviderSettings

PROVIDER = provider_services.ProviderDetails(
    name="Meridian Trigger Point Institute",
    address="1200 Harbor Way, Suite 310\nSan Francisco, CA 94107",
    website="https://meridian-tpi.example.org",
    signatory_name="Dr. Mei Lin Chen, DAOM, L.Ac.",
    signatory_title="Director of Education",
    nccaom_provider_number="1234",
    california_cep_number="1011",
    ce_broker_provider_number="50-12345",
)
# Courses whose certificates an administrator issues (to show the queue).
ADMIN_ISSUED = {"iliopsoas"}
# Advanced hands-on content: learners accept an attestation when enrolling.
ATTESTATION = {"scalenes"}
SAFETY = {"scalenes", "sternocleidomastoid", "quadratus-lumborum"}
COMPLETED = ("priya.raman@demo.lms", "upper-trapezius")
DEMO_RATINGS = {
    "objectives_met": 5,
    "instructor_knowledge": 5,
    "teaching_methods": 4,
    "usefulness": 5,
}


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def demo_logo() -> bytes:
    """A simple mark: a teal disc with a meridian line and three points."""
    image = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 232, 232), fill=(31, 95, 91, 255))
    draw.ellipse((22, 22, 218, 218), outline=(224, 164, 88, 255), width=6)
    points = [(120 + 60 * math.sin(t / 10), 40 + t * 1.6) for t in range(0, 101)]
    draw.line(points, fill=(255, 255, 255, 255), width=8)
    for t in (15, 50, 85):
        x, y = 120 + 60 * math.sin(t / 10), 40 + t * 1.6
        draw.ellipse((x - 11, y - 11, x + 11, y + 11), fill=(224, 164, 88, 255))
    return _png(image)


def demo_signature() -> bytes:
    """A handwritten-looking stroke on a transparent background."""
    image = Image.new("RGBA", (600, 150), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    stroke = [
        (20 + x, 90 - 35 * math.sin(x / 22) * math.exp(-x / 420) - (x / 40) ** 1.2)
        for x in range(0, 540, 3)
    ]
    draw.line(stroke, fill=(20, 40, 90, 255), width=5, joint="curve")
    draw.line([(60, 120), (520, 105)], fill=(20, 40, 90, 255), width=3)
    return _png(image)


def seed_provider(report) -> None:
    if db.session.get(ProviderSettings, SETTINGS_ID) is not None:
        return
    provider_services.update_settings(PROVIDER, None, logo=demo_logo(), signature=demo_signature())
    report.count("provider settings")


def seed_course_credit(courses: dict[str, Course], report) -> None:
    for index, (slug, course) in enumerate(sorted(courses.items())):
        if db.session.get(CourseCredit, course.id) is not None:
            continue
        number = course.code.split("-")[-1] if course.code else str(100 + index)
        credit = credit_rules.new_credit(course)
        credit.delivery_format = DeliveryFormat.HOME_STUDY
        credit.nccaom_enabled = True
        credit.nccaom_course_number = f"PDA-{number}"
        credit.nccaom_category = (
            NccaomCategory.SAFETY_AND_ETHICS if slug in SAFETY else NccaomCategory.CORE_COMPETENCY
        )
        credit.california_enabled = True
        credit.california_course_number = f"1011-{number}"
        credit.california_category = CaliforniaCategory.CATEGORY_1
        credit.florida_enabled = True
        credit.florida_course_number = f"20-{700000 + int(number) if number.isdigit() else 700000}"
        credit.florida_subject = FloridaSubject.GENERAL
        credit.attestation_required = slug in ATTESTATION
        credit.issuance = IssuanceMode.ADMIN if slug in ADMIN_ISSUED else IssuanceMode.AUTOMATIC
        db.session.add(credit)
        report.count("CE settings")
    db.session.flush()


def seed_completion(users: dict[str, User], report) -> None:
    """The demo learner completes a course, evaluates it, and gets her certificate."""
    email, slug = COMPLETED
    learner = users[email]
    course = learning_services.syllabus(slug)
    enrolment = db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == learner.id, Enrolment.course_id == course.id)
    )
    if enrolment is None:
        return
    has_certificate = db.session.scalar(
        select(Certificate.id).where(
            Certificate.enrolment_id == enrolment.id,
            Certificate.status == CertificateStatus.VALID,
        )
    )
    if has_certificate:
        return
    for lesson in completion.course_lessons(course):
        if completion.lesson_has_video(lesson):
            _demo_watch(enrolment, lesson, course)
        else:
            learning_services.mark_complete(enrolment, lesson, course)
    _demo_pass_required_quizzes(learner, enrolment, course)
    if evaluation_services.evaluation_for(enrolment) is None:
        evaluation_services.submit(
            enrolment, course, DEMO_RATINGS, "Clear palpation demonstrations; very practical."
        )
    db.session.flush()
    report.count("certificates")


def _demo_watch(enrolment: Enrolment, lesson, course) -> None:
    """Demo evidence: the whole video verified as watched (real learners earn it by playing)."""
    from lms.learning.models import LessonProgress

    row = db.session.scalar(
        select(LessonProgress).where(
            LessonProgress.user_id == enrolment.user_id, LessonProgress.lesson_id == lesson.id
        )
    )
    if row is None:
        row = LessonProgress(user_id=enrolment.user_id, lesson_id=lesson.id, course_id=course.id)
        db.session.add(row)
    row.verified_seconds = float(lesson.duration_seconds)
    row.position_seconds = float(lesson.duration_seconds)
    db.session.flush()


def _demo_pass_required_quizzes(learner: User, enrolment: Enrolment, course) -> None:
    """Demo evidence: a graded, passing attempt at each required quiz not yet passed."""
    import random

    from lms.demo.seed import _demo_click
    from lms.quizzes import attempts
    from lms.quizzes.models import QuestionKind

    rng = random.Random(f"{course.slug}-certificate-demo")  # noqa: S311 - demo data
    for quiz in completion.quiz_evidence(learner.id, [course.id]).get(course.id, ()):
        if quiz.passed:
            continue
        from lms.quizzes.models import Quiz

        attempt = attempts.start_attempt(
            learner, db.session.get(Quiz, quiz.quiz_id), enrolment=enrolment, course=course,
            rng=rng,
        )  # fmt: skip
        for question in attempts.attempt_questions(attempt):
            if question.kind == QuestionKind.HOTSPOT:
                answer = attempts.AnswerInput(
                    question.id, click=_demo_click(question.region, True, rng)
                )
            else:
                correct = tuple(c.id for c in question.choices if c.is_correct)
                answer = attempts.AnswerInput(question.id, correct)
            attempts.save_answer(attempt, answer)
        attempts.submit_attempt(attempt, enrolment=None, course=None)
