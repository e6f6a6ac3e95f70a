"""The world the IDOR suite attacks: two instructors, their courses, learners and records.

Instructor 1 teaches course A, instructor 2 teaches course B and the draft course D. Learner 1
studies A (completed, certified, two attempts), learner 2 studies A too (two attempts, not
complete), learner 3 studies B only (completed, certified, two attempts). Every course has
the same kinds of objects (modules, lessons, a video lesson, a bank with a hotspot question,
a published and a draft quiz, a handout, a pending video upload), so any URL can be built
with one course's slug and another course's ids.

The world is committed once per module and described by plain ids: each test reads it in
its own rolled-back transaction.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from lms.auth.models import User
from lms.catalog.models import Course, LessonKind
from lms.extensions import db
from tests import factories

PDF = b"%PDF-1.4\n%%EOF\n"
VTT = b"WEBVTT\n\n00:00.000 --> 00:02.000\nHello\n"


@dataclass(frozen=True)
class Side:
    """One course and the ids of what belongs to it."""

    course_id: int
    slug: str
    module_id: int
    module_ids: tuple[int, ...]
    lesson_id: int  # a reading lesson of the first module
    lesson_ids: tuple[int, ...]  # the first module's lessons, in order
    video_lesson_id: int
    spare_module_id: int  # added after learners finished: no learner records
    spare_lesson_id: int
    bank_id: int
    question_id: int  # single choice
    hotspot_id: int
    quiz_id: int  # published
    draft_quiz_id: int
    handout_id: int
    upload_id: int  # pending


@dataclass(frozen=True)
class Attempt:
    id: int
    slug: str
    question_id: int  # a single-choice question drawn into the attempt
    choice_id: int  # one of its choices
    hotspot_id: int


@dataclass(frozen=True)
class World:
    a: Side
    b: Side
    d: Side
    users: dict[str, int]  # admin, instructor, instructor2, learner, learner2, learner3
    emails: dict[str, str]
    attempts: dict[str, Attempt]  # learner_open, learner_graded, learner2_open ...
    certificates: dict[str, str]  # learner (course A), learner3 (course B): numbers
    enrolments: dict[str, int]  # learner2 in A (active, not complete)
    job_id: int
    batch_id: int
    batch_sha256: str
    bank_export: bytes  # course A's bank as JSON: importing it again adds its questions

    def side(self, name: str) -> Side:
        return {"a": self.a, "b": self.b, "d": self.d}[name]


def _side(teacher: User, published: bool) -> tuple[Course, dict]:
    from lms.certificates.models import IssuanceMode

    course = factories.course(teacher, published=published)
    if published:
        factories.course_credit(course, issuance=IssuanceMode.AUTOMATIC)
    bank = factories.bank(course)
    single = factories.question(bank)
    factories.question(bank)
    hotspot = factories.question(bank, "hotspot")
    quiz = factories.quiz(course, bank, required=False)
    draft_quiz = factories.quiz(course, bank, publish=False, required=False)
    return course, {"bank": bank, "single": single, "hotspot": hotspot, "quiz": quiz,
                    "draft_quiz": draft_quiz}  # fmt: skip


def _finish_side(course: Course, teacher: User, parts: dict) -> Side:
    """Add what must come after the learners' records: media and a record-free module."""
    from lms.authoring import outline
    from lms.video import media, uploads

    first = course.modules[0]
    video_lesson = course.modules[1].lessons[0]
    video_lesson.kind = LessonKind.VIDEO
    video_lesson.duration_seconds = 600
    video_lesson.video_key = f"videos/course-{course.id}/demo.mp4"
    video_lesson.video_content_type = "video/mp4"
    spare = outline.add_module(course, "Spare module")
    spare_lesson = outline.add_lesson(spare, outline.LessonData(title="Spare lesson"))
    handout = media.add_handout(first.lessons[0], course, teacher, "notes.pdf", io.BytesIO(PDF))
    upload = uploads.start_upload(
        first.lessons[0], course, teacher, "clip.mp4", 20 * 1024 * 1024, "video/mp4"
    )
    db.session.flush()
    return Side(
        course_id=course.id,
        slug=course.slug,
        module_id=first.id,
        module_ids=tuple(module.id for module in course.modules),
        lesson_id=first.lessons[0].id,
        lesson_ids=tuple(lesson.id for lesson in first.lessons),
        video_lesson_id=video_lesson.id,
        spare_module_id=spare.id,
        spare_lesson_id=spare_lesson.id,
        bank_id=parts["bank"].id,
        question_id=parts["single"].id,
        hotspot_id=parts["hotspot"].id,
        quiz_id=parts["quiz"].id,
        draft_quiz_id=parts["draft_quiz"].id,
        handout_id=handout.id,
        upload_id=upload.id,
    )


def _attempts(learner: User, course: Course, quiz, prefix: str) -> dict[str, Attempt]:
    """A graded attempt and an open one, of the learner in the course's published quiz."""
    from lms.enrolments import services as enrolment_services
    from lms.quizzes import attempts as attempt_services
    from lms.quizzes.models import Question, QuestionKind

    enrolment = enrolment_services.enrolment_for(learner, course)
    graded = attempt_services.start_attempt(learner, quiz, enrolment=enrolment, course=course)
    attempt_services.submit_attempt(graded, enrolment=enrolment, course=course)
    opened = attempt_services.start_attempt(learner, quiz, enrolment=enrolment, course=course)
    found = {}
    for name, attempt in (("graded", graded), ("open", opened)):
        questions = [db.session.get(Question, qid) for qid in attempt.question_ids]
        single = next(q for q in questions if q.kind == QuestionKind.SINGLE)
        hotspot = next(q for q in questions if q.kind == QuestionKind.HOTSPOT)
        found[f"{prefix}_{name}"] = Attempt(
            attempt.id, course.slug, single.id, single.choices[0].id, hotspot.id
        )
    return found


def seed() -> World:
    """Build and commit the world (inside an app context); return its ids."""
    from lms import jobs
    from lms.admin import bulk
    from lms.certificates import issuance, services
    from lms.enrolments import services as enrolment_services
    from lms.quizzes import transfer

    people = {
        "admin": factories.admin(),
        "instructor": factories.instructor(),
        "instructor2": factories.instructor(),
        "learner": factories.learner(),
        "learner2": factories.learner(),
        "learner3": factories.learner(),
    }
    factories.provider_settings()
    course_a, parts_a = _side(people["instructor"], published=True)
    course_b, parts_b = _side(people["instructor2"], published=True)
    course_d, parts_d = _side(people["instructor2"], published=False)

    factories.complete_course(people["learner"], course_a)  # certificate issued on completion
    factories.complete_course(people["learner3"], course_b)
    enrolment2 = enrolment_services.enrol(people["learner2"], course_a, attestation_accepted=True)
    attempts = {
        **_attempts(people["learner"], course_a, parts_a["quiz"], "learner"),
        **_attempts(people["learner2"], course_a, parts_a["quiz"], "learner2"),
        **_attempts(people["learner3"], course_b, parts_b["quiz"], "learner3"),
    }
    sides = {
        name: _finish_side(course, teacher, parts)
        for name, course, teacher, parts in (
            ("a", course_a, people["instructor"], parts_a),
            ("b", course_b, people["instructor2"], parts_b),
            ("d", course_d, people["instructor2"], parts_d),
        )
    }
    job = jobs.enqueue(issuance.BULK_ISSUE, {"enrolment_ids": []}, created_by=people["admin"])
    csv = f"email,name,course\nnew.person@example.com,New Person,{course_a.slug}\n".encode()
    batch = bulk.upload(people["admin"], "learners.csv", csv)
    certificates = {
        name: services.certificates_of(people[name])[0].number for name in ("learner", "learner3")
    }
    world = World(
        a=sides["a"],
        b=sides["b"],
        d=sides["d"],
        users={name: person.id for name, person in people.items()},
        emails={name: person.email for name, person in people.items()},
        attempts=attempts,
        certificates=certificates,
        enrolments={"learner2": enrolment2.id},
        job_id=job.id,
        batch_id=batch.id,
        batch_sha256=batch.sha256,
        bank_export=transfer.export_json(parts_a["bank"]).encode(),
    )
    db.session.commit()
    return world
