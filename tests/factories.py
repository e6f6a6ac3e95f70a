"""Plain functions that build model objects with sensible defaults."""

from __future__ import annotations

import itertools

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
    ReferralZone,
)
from lms.db import utcnow
from lms.extensions import db

PASSWORD = "correct-horse-battery"
_sequence = itertools.count(1)


def user(
    *roles: Role,
    email: str | None = None,
    legal_name: str = "Test Person",
    password: str = PASSWORD,
    verified: bool = True,
    licences: list[tuple[str, str]] | None = None,
    nccaom_id: str | None = None,
) -> User:
    n = next(_sequence)
    created = auth_services.create_user(
        email=email or f"person{n}@example.com",
        legal_name=legal_name,
        password=password,
        roles=set(roles) or {Role.LEARNER},
        licences=[
            auth_services.LicenceData(s, num) for s, num in (licences or [("CA", f"AC {n}")])
        ],
        nccaom_id=nccaom_id,
        verified=verified,
    )
    db.session.flush()
    return created


def learner(**kwargs) -> User:
    return user(Role.LEARNER, **kwargs)


def instructor(**kwargs) -> User:
    return user(Role.INSTRUCTOR, **kwargs)


def admin(**kwargs) -> User:
    return user(Role.ADMIN, **kwargs)


def region(slug: str | None = None) -> BodyRegion:
    n = next(_sequence)
    made = BodyRegion(slug=slug or f"region-{n}", name=f"Region {n}")
    db.session.add(made)
    db.session.flush()
    return made


def muscle(region_: BodyRegion | None = None, zones: list[str] = (), **kwargs) -> MuscleGroup:
    n = next(_sequence)
    made = MuscleGroup(
        slug=kwargs.pop("slug", f"muscle-{n}"),
        name=kwargs.pop("name", f"Muscle {n}"),
        region=region_ or region(),
        **kwargs,
    )
    for zone_slug in zones:
        zone = db.session.query(ReferralZone).filter_by(slug=zone_slug).one_or_none()
        made.referral_zones.append(zone or ReferralZone(slug=zone_slug, label=zone_slug.title()))
    db.session.add(made)
    db.session.flush()
    return made


def course(
    *instructors: User,
    published: bool = True,
    modules: int = 2,
    lessons_per_module: int = 2,
    muscle_group: MuscleGroup | None = None,
    **kwargs,
) -> Course:
    n = next(_sequence)
    made = Course(
        slug=kwargs.pop("slug", f"course-{n}"),
        title=kwargs.pop("title", f"Course {n}"),
        summary=kwargs.pop("summary", "A course."),
        ce_minutes=kwargs.pop("ce_minutes", 120),
        status=CourseStatus.PUBLISHED if published else CourseStatus.DRAFT,
        published_at=utcnow() if published else None,
        muscle_group=muscle_group,
        instructors=list(instructors),
        **kwargs,
    )
    for m in range(modules):
        module = Module(title=f"Module {m + 1}", position=m)
        module.lessons = [
            Lesson(
                slug=f"lesson-{m + 1}-{i + 1}",
                title=f"Lesson {m + 1}.{i + 1}",
                kind=LessonKind.READING,
                position=i,
                duration_seconds=600,
                notes_markdown="Some **notes**.",
            )
            for i in range(lessons_per_module)
        ]
        made.modules.append(module)
    db.session.add(made)
    db.session.flush()
    return made


# --- CE credit, evaluations, certificates -------------------------------------------------

PROVIDER_DETAILS = dict(
    name="Meridian Trigger Point Institute",
    address="1200 Harbor Way, Suite 310\nSan Francisco, CA 94107",
    website="",
    signatory_name="Dr. Ada Signer, DAOM",
    signatory_title="Director of Education",
    nccaom_provider_number="1234",
    california_cep_number="1011",
    ce_broker_provider_number="50-12345",
)


def provider_settings(**overrides):
    from lms.provider import services as provider_services

    details = provider_services.ProviderDetails(**{**PROVIDER_DETAILS, **overrides})
    settings = provider_services.update_settings(details, None)
    db.session.flush()
    return settings


def course_credit(course: Course, **overrides):
    """CE settings claiming all three boards (numbers derived from the course id)."""
    from lms.certificates import credit as credit_rules

    credit = credit_rules.credit_for(course)
    values = dict(
        nccaom_enabled=True,
        nccaom_course_number=f"PDA-{course.id}",
        california_enabled=True,
        california_course_number=f"1011-{course.id}",
        florida_enabled=True,
        florida_course_number=f"20-{700000 + course.id}",
    )
    values.update(overrides)
    for name, value in values.items():
        setattr(credit, name, value)
    if course.code is None:
        course.code = f"TPR-{course.id}"
    db.session.add(credit)
    db.session.flush()
    return credit


RATINGS = {"objectives_met": 5, "instructor_knowledge": 4, "teaching_methods": 4, "usefulness": 5}


def complete_course(learner: User, course: Course, evaluate: bool = True):
    """Enrol, mark every lesson complete and (by default) submit the evaluation."""
    from lms.enrolments import services as enrolment_services
    from lms.evaluations import services as evaluation_services
    from lms.learning import completion
    from lms.learning import services as learning_services

    enrolment = enrolment_services.enrol(learner, course, attestation_accepted=True)
    for lesson in completion.course_lessons(course):
        learning_services.mark_complete(enrolment, lesson, course)
    if evaluate:
        evaluation_services.submit(enrolment, course, dict(RATINGS), "Useful.")
    db.session.flush()
    return enrolment


def ce_course(*instructors: User, issuance: str = "admin", **kwargs) -> Course:
    """A published course with CE settings on all boards (certificates queued by default)."""
    from lms.certificates.models import IssuanceMode

    made = course(*instructors, **kwargs)
    course_credit(made, issuance=IssuanceMode(issuance))
    return made
