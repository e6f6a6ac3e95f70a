"""Load the demo content into the database. Idempotent: existing rows are left as they are."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from lms.auth import services as auth_services
from lms.auth.models import Role, User
from lms.catalog.models import (
    BodyRegion,
    Course,
    CourseStatus,
    Lesson,
    LessonKind,
    Module,
    MuscleGroup,
    PainSyndrome,
    ReferralZone,
)
from lms.db import utcnow
from lms.demo import content
from lms.demo import quizzes as demo_quizzes
from lms.enrolments.models import Enrolment
from lms.extensions import db


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> None:
        self.created[kind] = self.created.get(kind, 0) + 1

    def summary(self) -> str:
        made = (
            ", ".join(f"{n} {kind}" for kind, n in self.created.items()) or "nothing (up to date)"
        )
        lines = [
            f"Demo data: created {made}.",
            "",
            f"Demo logins (password for all: {content.DEMO_PASSWORD}):",
        ]
        for user in content.DEMO_USERS[:5]:
            lines.append(f"  {user.role:<10} {user.email:<28} {user.name}")
        lines.append(f"  ... and {len(content.DEMO_USERS) - 5} more learners (@demo.lms)")
        return "\n".join(lines)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _get_or_create(model, report: SeedReport, kind: str, lookup: dict, **values):
    instance = db.session.scalar(select(model).filter_by(**lookup))
    if instance is None:
        instance = model(**lookup, **values)
        db.session.add(instance)
        report.count(kind)
    return instance


def seed_demo() -> SeedReport:
    """Create the demo regions, muscles, courses, accounts and enrolments that are missing."""
    report = SeedReport()
    regions = {
        item.slug: _get_or_create(
            BodyRegion,
            report,
            "regions",
            {"slug": item.slug},
            name=item.name,
            description=item.description,
            position=index,
        )
        for index, item in enumerate(content.BODY_REGIONS)
    }
    zones = {
        item.slug: _get_or_create(
            ReferralZone,
            report,
            "referral zones",
            {"slug": item.slug},
            label=item.label,
            views=" ".join(item.views),
        )
        for item in content.REFERRAL_ZONES
    }
    syndromes: dict[str, PainSyndrome] = {}
    muscles: dict[str, MuscleGroup] = {}
    for item in content.MUSCLE_GROUPS:
        muscle = db.session.scalar(select(MuscleGroup).filter_by(slug=item.slug))
        if muscle is None:
            muscle = MuscleGroup(
                slug=item.slug,
                name=item.name,
                region=regions[item.region],
                description=item.description,
                acupoints=list(item.acupoints),
                needling_caution=item.needling_caution,
                referral_zones=[zones[slug] for slug in item.referral_zones],
            )
            db.session.add(muscle)
            for name in item.pain_syndromes:
                slug = slugify(name)
                if slug not in syndromes:
                    syndromes[slug] = _get_or_create(
                        PainSyndrome, report, "pain syndromes", {"slug": slug}, name=name
                    )
                muscle.pain_syndromes.append(syndromes[slug])
            report.count("muscle groups")
        muscles[item.slug] = muscle

    users = {item.email: _seed_user(item, report) for item in content.DEMO_USERS}
    db.session.flush()

    courses: dict[str, Course] = {}
    for item in content.COURSES:
        course = db.session.scalar(select(Course).filter_by(slug=item.slug))
        if course is None:
            course = _build_course(item, muscles[item.muscle], users[item.instructor_email])
            db.session.add(course)
            report.count("courses")
        courses[item.slug] = course
    db.session.flush()

    for email, slug in content.ENROLMENTS:
        _get_or_create(
            Enrolment,
            report,
            "enrolments",
            {"user_id": users[email].id, "course_id": courses[slug].id},
        )
    db.session.flush()
    _seed_quizzes(courses, users, report)
    db.session.flush()

    # Videos first: the named learners' watch history is seeded with them, and the generated
    # cohort then watches each video for the length it really has.
    from lms.demo.media_seed import seed_media

    seed_media(courses, report)

    from lms.demo.activity import seed_activity

    added = seed_activity()
    if added:
        report.created["demo learners with progress"] = added

    from lms.demo import certificates as demo_certificates

    demo_certificates.seed_provider(report)
    demo_certificates.seed_course_credit(courses, report)
    demo_certificates.seed_completion(users, report)

    from lms.demo.assessments import seed_assessments

    seed_assessments(report)
    return report


def _seed_user(item: content.DemoUser, report: SeedReport) -> User:
    user = auth_services.get_user_by_email(item.email)
    if user is not None:
        return user
    roles = {Role(item.role)}
    if item.role == "instructor":
        roles.add(Role.LEARNER)
    report.count("accounts")
    return auth_services.create_user(
        email=item.email,
        legal_name=item.name,
        password=content.DEMO_PASSWORD,
        roles=roles,
        licences=[auth_services.LicenceData(lic.board, lic.number) for lic in item.licences],
        nccaom_id=item.nccaom_id,
        verified=True,
    )


def _build_course(item: content.Course, muscle: MuscleGroup, instructor: User) -> Course:
    course = Course(
        slug=item.slug,
        code=item.code,
        title=item.title,
        summary=item.summary,
        muscle_group=muscle,
        ce_minutes=item.ce_minutes,
        status=CourseStatus.PUBLISHED,
        published_at=utcnow(),
        instructors=[instructor],
    )
    for module_index, module_item in enumerate(item.modules):
        module = Module(title=module_item.title, position=module_index)
        module.lessons = [
            Lesson(
                slug=lesson.slug,
                title=lesson.title,
                kind=LessonKind(lesson.kind),
                position=lesson_index,
                duration_seconds=lesson.duration_minutes * 60,
                notes_markdown=lesson.notes,
            )
            for lesson_index, lesson in enumerate(module_item.lessons)
        ]
        course.modules.append(module)
    return course


# --- quizzes --------------------------------------------------------------------------------

MEDIA = Path(__file__).with_name("media")


def _seed_quizzes(courses: dict[str, Course], users: dict[str, User], report: SeedReport) -> None:
    """Final assessments with anatomy hotspots, lesson checks, and demo learners' attempts."""
    from lms.quizzes import authoring
    from lms.quizzes.models import FeedbackPolicy, QuestionBank, QuestionKind, QuizKind
    from lms.storage import get_storage

    images = {image.name: image for image in demo_quizzes.IMAGES}
    for item in (*demo_quizzes.FINALS, *demo_quizzes.LESSON_CHECKS):
        course = courses[item.course]
        exists = db.session.scalar(
            select(QuestionBank).filter_by(course_id=course.id, title=item.title)
        )
        if exists is not None:
            continue
        bank = authoring.create_bank(course, item.title)
        module_ids = {module.id for module in course.modules}
        for question_item in item.questions:
            question = authoring.create_question(
                bank,
                authoring.QuestionData(
                    kind=QuestionKind(question_item.kind),
                    prompt=question_item.prompt,
                    explanation=question_item.explanation,
                    choices=list(question_item.choices),
                    partial_credit=question_item.partial_credit,
                    region=question_item.region,
                    image_alt=images[question_item.image].alt if question_item.image else "",
                ),
                module_ids,
            )
            if question_item.image:
                data = (MEDIA / f"{question_item.image}.png").read_bytes()
                key = f"quizzes/{course.id}/images/demo-{question_item.image}.png"
                _, _, width, height = authoring.inspect_image(data)
                if get_storage().head(key) is None:
                    get_storage().put(key, data, "image/png")
                question.image_key, question.image_width, question.image_height = (
                    key,
                    width,
                    height,
                )
        db.session.flush()
        lesson_id = None
        if item.lesson_slug:
            lesson_id = next(
                lesson.id
                for module in course.modules
                for lesson in module.lessons
                if lesson.slug == item.lesson_slug
            )
        quiz = authoring.create_quiz(
            course,
            authoring.QuizData(
                title=item.title,
                kind=QuizKind(item.kind),
                bank_id=bank.id,
                lesson_id=lesson_id,
                pass_mark=item.pass_mark,
                max_attempts=item.max_attempts,
                time_limit_minutes=item.time_limit_minutes,
                feedback_policy=FeedbackPolicy(item.feedback),
                required=item.required,
            ),
        )
        authoring.publish_quiz(quiz)
        report.count("quizzes")
        if item.kind == "course":
            _seed_attempts(quiz, course, users, report)


def _seed_attempts(quiz, course: Course, users: dict[str, User], report: SeedReport) -> None:
    """Demo learners' graded attempts, some passed, some failed (deterministic)."""
    from lms.quizzes import attempts
    from lms.quizzes.models import QuestionKind

    enrolled = [
        email
        for email, slug in content.ENROLMENTS
        if slug == course.slug and email not in demo_quizzes.NO_DEMO_ATTEMPTS
    ]
    rng = random.Random(f"{course.slug}-attempts")  # noqa: S311 - demo data
    started = utcnow() - timedelta(days=20)
    for index, email in enumerate(enrolled):
        learner = users[email]
        enrolment = db.session.scalar(
            select(Enrolment).filter_by(user_id=learner.id, course_id=course.id)
        )
        skill = 0.45 + 0.5 * rng.random()  # each learner's chance of a right answer
        for attempt_number in range(2):
            now = started + timedelta(days=index, hours=attempt_number * 5)
            attempt = attempts.start_attempt(
                learner, quiz, enrolment=enrolment, course=course, now=now, rng=rng
            )
            for question in attempts.attempt_questions(attempt):
                right = rng.random() < skill + 0.15 * attempt_number
                if question.kind == QuestionKind.HOTSPOT:
                    click = _demo_click(question.region, right, rng)
                    answer = attempts.AnswerInput(question.id, click=click)
                else:
                    correct = [c.id for c in question.choices if c.is_correct]
                    wrong = [c.id for c in question.choices if not c.is_correct]
                    picked = correct if right else [rng.choice(wrong)]
                    answer = attempts.AnswerInput(question.id, tuple(picked))
                attempts.save_answer(attempt, answer, now=now + timedelta(minutes=1))
            attempts.submit_attempt(
                attempt, enrolment=None, course=None, now=now + timedelta(minutes=12)
            )
            report.count("quiz attempts")
            if attempt.passed:
                break


def _demo_click(region: dict, right: bool, rng: random.Random) -> tuple[float, float]:
    if region["shape"] == "circle":
        cx, cy, r = region["cx"], region["cy"], region["r"]
    else:
        xs = [x for x, _ in region["points"]]
        ys = [y for _, y in region["points"]]
        cx, cy, r = sum(xs) / len(xs), sum(ys) / len(ys), 0.04
    if right:
        return (cx + rng.uniform(-r, r) * 0.5, cy + rng.uniform(-r, r) * 0.5)
    return (
        min(1.0, max(0.0, cx + rng.choice([-1, 1]) * rng.uniform(0.12, 0.25))),
        min(1.0, max(0.0, cy + rng.uniform(-0.2, 0.2))),
    )
