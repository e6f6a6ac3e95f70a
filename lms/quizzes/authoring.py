"""Authoring: question banks, questions (with hotspot images) and quiz settings."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from lms.catalog.models import Course, Lesson, Module
from lms.db import utcnow
from lms.errors import DomainError
from lms.extensions import db
from lms.quizzes import grading
from lms.quizzes.models import (
    Choice,
    FeedbackPolicy,
    Question,
    QuestionBank,
    QuestionKind,
    Quiz,
    QuizKind,
    QuizStatus,
    answer_choices,
)

# NCCAOM: an online course's final assessment has at least 10 questions.
FINAL_ASSESSMENT_MIN_QUESTIONS = 10
MAX_CHOICES = 8
MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_FORMATS = {
    "PNG": ("image/png", "png"),
    "JPEG": ("image/jpeg", "jpg"),
    "WEBP": ("image/webp", "webp"),
}


class InvalidQuestion(DomainError):
    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


class QuizNotReady(DomainError):
    def __init__(self, problems: list[str]):
        super().__init__("This quiz cannot be published yet: " + " ".join(problems))
        self.problems = problems


class InvalidImage(DomainError):
    pass


class BankTitleTaken(DomainError):
    def __init__(self) -> None:
        super().__init__("This course already has a question bank with that title.")


@dataclass
class QuestionData:
    """A question as the author (or an import file) describes it."""

    kind: QuestionKind
    prompt: str
    explanation: str = ""
    module_id: int | None = None
    partial_credit: bool = False
    # (text, correct) pairs; for true/false, the two fixed choices.
    choices: list[tuple[str, bool]] = field(default_factory=list)
    region: dict[str, Any] | None = None
    image_alt: str = ""


def true_false_choices(answer_is_true: bool) -> list[tuple[str, bool]]:
    return [("True", answer_is_true), ("False", not answer_is_true)]


def question_problems(data: QuestionData, module_ids: set[int]) -> list[str]:
    """Everything wrong with a question, as sentences (empty when it is fine)."""
    problems: list[str] = []
    if not data.prompt.strip():
        problems.append("The question text is empty.")
    if data.module_id is not None and data.module_id not in module_ids:
        problems.append("The module is not part of this course.")
    if data.kind == QuestionKind.HOTSPOT:
        if data.choices:
            problems.append("A hotspot question has no choices.")
        try:
            data.region = grading.clean_region(data.region)
        except grading.RegionError as error:
            problems.append(str(error))
        return problems
    texts = [text.strip() for text, _ in data.choices]
    correct = sum(1 for _, is_correct in data.choices if is_correct)
    if any(not text for text in texts):
        problems.append("Every choice needs text.")
    if len({text.lower() for text in texts}) != len(texts):
        problems.append("Two choices have the same text.")
    if data.kind == QuestionKind.TRUE_FALSE:
        if [text for text in texts] != ["True", "False"] or correct != 1:
            problems.append("A true/false question has the choices True and False, one correct.")
    elif not 2 <= len(texts) <= MAX_CHOICES:
        problems.append(f"Give 2 to {MAX_CHOICES} choices.")
    elif data.kind == QuestionKind.SINGLE and correct != 1:
        problems.append("Mark exactly one choice as correct.")
    elif data.kind == QuestionKind.MULTIPLE and correct < 1:
        problems.append("Mark at least one choice as correct.")
    if data.region is not None:
        problems.append("Only hotspot questions have a target region.")
    return problems


def course_module_ids(course: Course) -> set[int]:
    return set(db.session.scalars(select(Module.id).where(Module.course_id == course.id)))


def create_bank(course: Course, title: str) -> QuestionBank:
    """A new, empty question bank for the course."""
    title = title.strip()
    taken = db.session.scalar(
        select(exists().where(QuestionBank.course_id == course.id, QuestionBank.title == title))
    )
    if taken:
        raise BankTitleTaken()
    bank = QuestionBank(course_id=course.id, title=title)
    db.session.add(bank)
    db.session.flush()
    return bank


def banks_of(course: Course) -> list[QuestionBank]:
    return list(
        db.session.scalars(
            select(QuestionBank)
            .where(QuestionBank.course_id == course.id)
            .order_by(QuestionBank.id)
        )
    )


def bank_questions(bank: QuestionBank, include_archived: bool = False) -> list[Question]:
    statement = (
        select(Question)
        .where(Question.bank_id == bank.id)
        .options(selectinload(Question.choices), selectinload(Question.module))
        .order_by(Question.position, Question.id)
    )
    if not include_archived:
        statement = statement.where(Question.archived.is_(False))
    return list(db.session.scalars(statement))


def create_question(bank: QuestionBank, data: QuestionData, module_ids: set[int]) -> Question:
    """Add a question to a bank; raises InvalidQuestion with every problem found."""
    problems = question_problems(data, module_ids)
    if problems:
        raise InvalidQuestion(problems)
    position = db.session.scalar(
        select(func.coalesce(func.max(Question.position), 0)).where(Question.bank_id == bank.id)
    )
    question = Question(
        bank_id=bank.id,
        kind=data.kind,
        prompt=data.prompt.strip(),
        explanation=data.explanation.strip(),
        module_id=data.module_id,
        partial_credit=data.partial_credit and data.kind == QuestionKind.MULTIPLE,
        region=data.region,
        image_alt=data.image_alt.strip(),
        position=position + 1,
        choices=[
            Choice(text=text.strip(), is_correct=correct, position=index)
            for index, (text, correct) in enumerate(data.choices)
        ],
    )
    db.session.add(question)
    db.session.flush()
    return question


def update_question(question: Question, data: QuestionData, module_ids: set[int]) -> Question:
    """Edit a question. Choices are edited in place, so past answers keep their meaning."""
    if data.kind != question.kind:
        raise InvalidQuestion(["A question's type cannot change; create a new question."])
    problems = question_problems(data, module_ids)
    if problems:
        raise InvalidQuestion(problems)
    question.prompt = data.prompt.strip()
    question.explanation = data.explanation.strip()
    question.module_id = data.module_id
    question.partial_credit = data.partial_credit and data.kind == QuestionKind.MULTIPLE
    question.region = data.region
    question.image_alt = data.image_alt.strip()
    existing = list(question.choices)
    for index, (text, correct) in enumerate(data.choices):
        if index < len(existing):
            existing[index].text, existing[index].is_correct = text.strip(), correct
            existing[index].position = index
        else:
            question.choices.append(Choice(text=text.strip(), is_correct=correct, position=index))
    surplus = existing[len(data.choices) :]
    if surplus:
        used = db.session.scalar(
            select(exists().where(answer_choices.c.choice_id.in_([c.id for c in surplus])))
        )
        if used:
            raise InvalidQuestion(["Learners have picked the choices you removed; keep them."])
        for choice in surplus:
            question.choices.remove(choice)
    db.session.flush()
    return question


def archive_question(question: Question) -> None:
    """Take a question out of future attempts; past attempts keep it."""
    question.archived = True
    db.session.flush()


def inspect_image(data: bytes) -> tuple[str, str, int, int]:
    """(content type, extension, width, height) of a PNG/JPEG/WebP, judged by its bytes."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise InvalidImage("The file is empty.")
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidImage(f"The image is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise InvalidImage("The file is not a PNG, JPEG or WebP image.") from error
    if image_format not in IMAGE_FORMATS:
        raise InvalidImage("The file is not a PNG, JPEG or WebP image.")
    if not (16 <= width <= 8000 and 16 <= height <= 8000):
        raise InvalidImage("The image must be between 16 and 8000 pixels on each side.")
    content_type, extension = IMAGE_FORMATS[image_format]
    return content_type, extension, width, height


def attach_image(question: Question, data: bytes, course: Course) -> Question:
    """Store a hotspot question's anatomy image; the key is decided here, never by the client."""
    from lms.storage import StorageError, get_storage

    if question.kind != QuestionKind.HOTSPOT:
        raise InvalidImage("Only hotspot questions have an image.")
    content_type, extension, width, height = inspect_image(data)
    key = f"quizzes/{course.id}/images/{uuid.uuid4().hex}.{extension}"
    try:
        get_storage().put(key, data, content_type)
    except StorageError as error:
        raise InvalidImage(str(error)) from error
    # The old object stays: graded attempts showed it, and keys are cheap.
    question.image_key, question.image_width, question.image_height = key, width, height
    db.session.flush()
    return question


# --- quizzes ------------------------------------------------------------------------------


@dataclass
class QuizData:
    title: str
    kind: QuizKind
    bank_id: int
    lesson_id: int | None = None
    module_id: int | None = None
    draw_count: int | None = None
    draw_module_id: int | None = None
    shuffle_questions: bool = True
    shuffle_choices: bool = True
    pass_mark: int = 70
    max_attempts: int | None = None
    time_limit_minutes: int | None = None
    feedback_policy: FeedbackPolicy = FeedbackPolicy.AFTER_ATTEMPT
    required: bool = True


def quiz_problems(course: Course, data: QuizData) -> list[str]:
    problems = []
    lesson_ids = {lesson.id for module in course.modules for lesson in module.lessons}
    module_ids = {module.id for module in course.modules}
    bank = db.session.get(QuestionBank, data.bank_id)
    if bank is None or bank.course_id != course.id:
        problems.append("Choose a question bank of this course.")
    if data.kind == QuizKind.LESSON and data.lesson_id not in lesson_ids:
        problems.append("A lesson check needs a lesson of this course.")
    if data.kind == QuizKind.MODULE and data.module_id not in module_ids:
        problems.append("A module assessment needs a module of this course.")
    if data.draw_module_id is not None and data.draw_module_id not in module_ids:
        problems.append("Draw questions from a module of this course.")
    if not 1 <= data.pass_mark <= 100:
        problems.append("The pass mark is a percentage from 1 to 100.")
    return problems


def _apply(quiz: Quiz, data: QuizData) -> None:
    quiz.title = data.title.strip()
    quiz.kind = data.kind
    quiz.bank_id = data.bank_id
    quiz.lesson_id = data.lesson_id if data.kind == QuizKind.LESSON else None
    quiz.module_id = data.module_id if data.kind == QuizKind.MODULE else None
    quiz.draw_count = data.draw_count
    quiz.draw_module_id = data.draw_module_id
    quiz.shuffle_questions = data.shuffle_questions
    quiz.shuffle_choices = data.shuffle_choices
    quiz.pass_mark = data.pass_mark
    quiz.max_attempts = data.max_attempts
    quiz.time_limit_minutes = data.time_limit_minutes
    quiz.feedback_policy = data.feedback_policy
    quiz.required = data.required


def create_quiz(course: Course, data: QuizData) -> Quiz:
    """A new draft quiz."""
    problems = quiz_problems(course, data)
    if problems:
        raise DomainError(" ".join(problems))
    quiz = Quiz(course_id=course.id, status=QuizStatus.DRAFT)
    _apply(quiz, data)
    db.session.add(quiz)
    db.session.flush()
    return quiz


def update_quiz(quiz: Quiz, course: Course, data: QuizData) -> Quiz:
    """Change a quiz's settings; a published quiz is checked again and stays publishable."""
    problems = quiz_problems(course, data)
    if problems:
        raise DomainError(" ".join(problems))
    _apply(quiz, data)
    db.session.flush()
    if quiz.is_published:
        problems = publish_problems(quiz)
        if problems:
            raise QuizNotReady(problems)
    return quiz


def pool_statement(quiz: Quiz):
    """The questions a quiz draws from: ready, not archived, optionally of one module."""
    statement = select(Question).where(
        Question.bank_id == quiz.bank_id,
        Question.archived.is_(False),
        (Question.kind != QuestionKind.HOTSPOT) | Question.image_key.is_not(None),
    )
    if quiz.draw_module_id is not None:
        statement = statement.where(Question.module_id == quiz.draw_module_id)
    return statement


def pool_size(quiz: Quiz) -> int:
    return db.session.scalar(select(func.count()).select_from(pool_statement(quiz).subquery()))


def questions_per_attempt(quiz: Quiz, available: int) -> int:
    return min(quiz.draw_count, available) if quiz.draw_count else available


def publish_problems(quiz: Quiz) -> list[str]:
    """Why the quiz cannot be offered to learners (empty: it can)."""
    available = pool_size(quiz)
    problems = []
    if quiz.kind == QuizKind.LESSON and quiz.lesson_id is None:
        problems.append("A lesson check needs its lesson (it was deleted): choose one.")
    if quiz.kind == QuizKind.MODULE and quiz.module_id is None:
        problems.append("A module assessment needs its module (it was deleted): choose one.")
    if available == 0:
        problems.append("The question bank has no ready questions (hotspots need their image).")
    if quiz.draw_count and quiz.draw_count > available:
        problems.append(
            f"It draws {quiz.draw_count} questions but only {available} are ready in the bank."
        )
    per_attempt = questions_per_attempt(quiz, available)
    if quiz.kind == QuizKind.COURSE and per_attempt < FINAL_ASSESSMENT_MIN_QUESTIONS:
        problems.append(
            f"A course final assessment needs at least {FINAL_ASSESSMENT_MIN_QUESTIONS} "
            f"questions per attempt (NCCAOM); this one has {per_attempt}."
        )
    return problems


def publish_quiz(quiz: Quiz) -> Quiz:
    """Offer the quiz to learners, or say why not."""
    problems = publish_problems(quiz)
    if problems:
        raise QuizNotReady(problems)
    quiz.status = QuizStatus.PUBLISHED
    quiz.published_at = quiz.published_at or utcnow()
    db.session.flush()
    return quiz


def unpublish_quiz(quiz: Quiz) -> Quiz:
    quiz.status = QuizStatus.DRAFT
    db.session.flush()
    return quiz


def quizzes_of(course: Course) -> list[Quiz]:
    return list(
        db.session.scalars(
            select(Quiz)
            .where(Quiz.course_id == course.id)
            .options(selectinload(Quiz.bank))
            .order_by(Quiz.id)
        )
    )


def lesson_choices(course: Course) -> list[Lesson]:
    return [lesson for module in course.modules for lesson in module.lessons]
