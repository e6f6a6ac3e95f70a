"""Load the demo content into the database. Idempotent: existing rows are left as they are."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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

    from lms.demo import certificates as demo_certificates

    demo_certificates.seed_provider(report)
    demo_certificates.seed_course_credit(courses, report)
    demo_certificates.seed_completion(users, report)
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
