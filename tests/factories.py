"""Plain functions that build model objects with sensible defaults."""

from __future__ import annotations

import itertools

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
    db.session.add(made)
    for zone_slug in zones:
        zone = db.session.scalar(select(ReferralZone).filter_by(slug=zone_slug))
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


# --- quizzes ------------------------------------------------------------------------------


def png_bytes(width: int = 400, height: int = 300) -> bytes:
    """A small real PNG (for hotspot images)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (230, 220, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def bank(course_: Course, title: str | None = None):
    from lms.quizzes import authoring

    return authoring.create_bank(course_, title or f"Bank {next(_sequence)}")


def question(bank_, kind: str = "single", **kwargs):
    """A question: single/multiple have choices A (correct), B, C (and D correct if multiple)."""
    from lms.quizzes import authoring
    from lms.quizzes.models import QuestionKind

    kind_ = QuestionKind(kind)
    choices = kwargs.pop("choices", None)
    if choices is None:
        choices = {
            QuestionKind.SINGLE: [("A", True), ("B", False), ("C", False)],
            QuestionKind.MULTIPLE: [("A", True), ("B", False), ("C", False), ("D", True)],
            QuestionKind.TRUE_FALSE: authoring.true_false_choices(True),
            QuestionKind.HOTSPOT: [],
        }[kind_]
    region = kwargs.pop("region", None)
    if kind_ == QuestionKind.HOTSPOT and region is None:
        region = {"shape": "circle", "cx": 0.5, "cy": 0.5, "r": 0.1}
    data = authoring.QuestionData(
        kind=kind_,
        prompt=kwargs.pop("prompt", f"Question {next(_sequence)}?"),
        explanation=kwargs.pop("explanation", "Because."),
        choices=choices,
        region=region,
        **kwargs,
    )
    made = authoring.create_question(bank_, data, authoring.course_module_ids(bank_.course))
    if kind_ == QuestionKind.HOTSPOT:
        # An image without storage: tests of grading need only its size.
        made.image_key = f"quizzes/{bank_.course_id}/images/test-{made.id}.png"
        made.image_width, made.image_height = 400, 400
        db.session.flush()
    return made


def quiz(course_: Course, bank_=None, questions: int = 3, publish: bool = True, **kwargs):
    """A quiz over a bank (made with `questions` single-choice questions if not given)."""
    from lms.quizzes import authoring
    from lms.quizzes.models import QuizKind

    if bank_ is None:
        bank_ = bank(course_)
        for _ in range(questions):
            question(bank_)
    kind = kwargs.pop("kind", QuizKind.MODULE)
    if kind == QuizKind.MODULE:
        kwargs.setdefault("module_id", course_.modules[0].id)
    if kind == QuizKind.LESSON:
        kwargs.setdefault("lesson_id", course_.modules[0].lessons[0].id)
    data = authoring.QuizData(
        title=kwargs.pop("title", f"Quiz {next(_sequence)}"),
        kind=kind,
        bank_id=bank_.id,
        **kwargs,
    )
    made = authoring.create_quiz(course_, data)
    if publish:
        authoring.publish_quiz(made)
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
