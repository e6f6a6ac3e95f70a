"""Assessments for the dashboard bench course: quizzes, ~50,000 attempts, evaluations and
certificates, so the dashboards are measured with their quiz and certificate sections.

Importing this module appends `build` to `dashboard_data.EXTRA_BUILDERS`. It runs after the
core data (learners, enrolments, lesson progress) and, like it, writes with COPY:

- CE settings on the course (evaluation required, automatic issuance);
- four module assessments and a final assessment (required, 10 questions, pass mark 70 %,
  at most 3 attempts) and two optional lesson checks (5 questions, pass mark 80 %);
- attempts: a learner takes a quiz once they have completed the lessons before it (most
  take the lesson checks); scores drawn from the learner's ability (better on each retake),
  retaking until passed or out of attempts. About 5 attempts per learner (~50,000 at
  10,000 learners), roughly 60 % of them passing. Attempts carry scores, not
  per-question answers: dashboards read attempts; bench/quiz_item_analysis.py measures
  answer-level analysis;
- evaluations from most learners who passed everything;
- enrolment status as the completion engine decides it (lessons, quizzes, evaluation), and a
  certificate for each completion: about 2 % revoked, 1 % reissued (old one superseded).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg

from bench.dashboard_data import EXTRA_BUILDERS, LESSONS_PER_MODULE, MODULES, BenchCourse

EVALUATED_SHARE = 0.92
REVOKED_SHARE = 0.02
REISSUED_SHARE = 0.01


@dataclass(frozen=True)
class BenchQuiz:
    title: str
    kind: str  # lesson, module or course
    after_lessons: int  # taken once this many lessons (in order) are complete
    required: bool = True
    questions: int = 10
    pass_mark: int = 70
    max_attempts: int = 3
    taken_by: float = 1.0  # share of the learners who could take it who do


def bench_quizzes() -> list[BenchQuiz]:
    """Two optional lesson checks, an assessment per module and the final, in course order."""
    checks = [
        BenchQuiz(
            f"Lesson {m + 1}.5 check",
            "lesson",
            m * LESSONS_PER_MODULE + 5,
            required=False,
            questions=5,
            pass_mark=80,
            taken_by=0.65,
        )
        for m in (0, 1)
    ]
    modules = [
        BenchQuiz(f"Module {m + 1} assessment", "module", (m + 1) * LESSONS_PER_MODULE)
        for m in range(MODULES)
    ]
    final = BenchQuiz("Final assessment", "course", MODULES * LESSONS_PER_MODULE)
    return [*checks, *modules, final]


def _create_quiz(cur, course: BenchCourse, item: BenchQuiz, now) -> tuple[int, list[int]]:
    """A bank of single-choice questions and a published quiz over it (placed like the
    authoring pages place it); returns the quiz id and its question ids."""
    lesson_id = course.lesson_ids[item.after_lessons - 1] if item.kind == "lesson" else None
    module_id = None
    if item.kind != "course":
        module_id = cur.execute(
            "SELECT module_id FROM lessons WHERE id = %s",
            (course.lesson_ids[item.after_lessons - 1],),
        ).fetchone()[0]
    bank_id = cur.execute(
        "INSERT INTO question_banks (course_id, title, created_at) VALUES (%s, %s, %s)"
        " RETURNING id",
        (course.course_id, item.title, now),
    ).fetchone()[0]
    question_ids = []
    for position in range(item.questions):
        question_id = cur.execute(
            "INSERT INTO questions (bank_id, module_id, kind, prompt, explanation,"
            " partial_credit, position, archived, image_alt, created_at)"
            " VALUES (%s, %s, 'single', %s, '', false, %s, false, '', %s) RETURNING id",
            (bank_id, module_id, f"{item.title}: question {position + 1}", position, now),
        ).fetchone()[0]
        for choice in range(4):
            cur.execute(
                "INSERT INTO choices (question_id, text, is_correct, position)"
                " VALUES (%s, %s, %s, %s)",
                (question_id, "ABCD"[choice], choice == 0, choice),
            )
        question_ids.append(question_id)
    quiz_id = cur.execute(
        "INSERT INTO quizzes (course_id, bank_id, title, kind, lesson_id, module_id,"
        " shuffle_questions, shuffle_choices, pass_mark, max_attempts, feedback_policy,"
        " required, status, published_at, created_at)"
        " VALUES (%s, %s, %s, %s, %s, %s, true, true, %s, %s, 'after_attempt', %s, 'published',"
        " %s, %s) RETURNING id",
        (
            course.course_id,
            bank_id,
            item.title,
            item.kind,
            lesson_id,
            module_id if item.kind == "module" else None,
            item.pass_mark,
            item.max_attempts,
            item.required,
            now,
            now,
        ),
    ).fetchone()[0]
    return quiz_id, question_ids


def build(conn: psycopg.Connection, course: BenchCourse, seed: int = 11) -> None:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO course_credits (course_id, delivery_format, nccaom_enabled,"
            " nccaom_course_number, nccaom_category, california_enabled,"
            " california_course_number, california_category, florida_enabled,"
            " florida_course_number, florida_subject, attestation_required, attestation_text,"
            " evaluation_required, issuance, updated_at) VALUES (%s, 'online', true, 'PDA-B1',"
            " 'Core Competency', true, '1011-B1', 'Category 1', false, '', 'General', false,"
            " '', true, 'automatic', %s)",
            (course.course_id, now),
        )
        quizzes = [(item, *_create_quiz(cur, course, item, now)) for item in bench_quizzes()]

        enrolments = {
            user_id: (enrolment_id, enrolled_at)
            for enrolment_id, user_id, enrolled_at in cur.execute(
                "SELECT id, user_id, enrolled_at FROM enrolments WHERE course_id = %s",
                (course.course_id,),
            )
        }
        # When each learner completed each lesson (lesson index -> time).
        completed: dict[int, dict[int, datetime]] = {}
        position = {lesson_id: index for index, lesson_id in enumerate(course.lesson_ids)}
        for user_id, lesson_id, at in cur.execute(
            "SELECT user_id, lesson_id, completed_at FROM lesson_progress"
            " WHERE course_id = %s AND completed_at IS NOT NULL",
            (course.course_id,),
        ):
            completed.setdefault(user_id, {})[position[lesson_id]] = at

        attempts, evaluations, completions = 0, [], []
        with cur.copy(
            "COPY quiz_attempts (quiz_id, user_id, number, number_limit, status, started_at,"
            " submitted_at, last_saved_at, question_ids, choice_order, pass_mark, points,"
            " max_points, score_percent, passed) FROM STDIN"
        ) as copy:
            for user_id in course.learner_ids:
                done = completed.get(user_id, {})
                ability = rng.betavariate(6, 2.5)  # share of questions a learner gets right
                passed_all, last_pass = True, None
                for item, quiz_id, question_ids in quizzes:
                    # Lessons are completed in order; an optional check is skipped by some.
                    if len(done) < item.after_lessons or rng.random() >= item.taken_by:
                        passed_all = passed_all and not item.required
                        continue
                    moment = done[item.after_lessons - 1] + timedelta(minutes=rng.uniform(5, 600))
                    passed = False
                    for number in range(1, item.max_attempts + 1):
                        if moment >= now:
                            break
                        chance = min(0.97, ability + 0.08 * (number - 1))
                        points = sum(rng.random() < chance for _ in range(item.questions))
                        score = 100 * points / item.questions
                        passed = score >= item.pass_mark
                        submitted = moment + timedelta(minutes=rng.uniform(3, 25))
                        copy.write_row(
                            (
                                quiz_id,
                                user_id,
                                number,
                                item.max_attempts,
                                "graded",
                                moment,
                                submitted,
                                submitted,
                                json.dumps(question_ids),
                                "{}",
                                item.pass_mark,
                                float(points),
                                item.questions,
                                score,
                                passed,
                            )
                        )
                        attempts += 1
                        if passed:
                            last_pass = submitted
                            break
                        moment = submitted + timedelta(hours=rng.uniform(2, 72))
                    passed_all = passed_all and (passed or not item.required)
                if passed_all and last_pass and rng.random() < EVALUATED_SHARE:
                    submitted = min(now, last_pass + timedelta(minutes=rng.uniform(2, 90)))
                    enrolment_id, _ = enrolments[user_id]
                    ratings = [rng.choice((3, 4, 4, 5, 5, 5)) for _ in range(4)]
                    evaluations.append(
                        (enrolment_id, user_id, course.course_id, *ratings, submitted)
                    )
                    completions.append((enrolment_id, user_id, submitted))

        with cur.copy(
            "COPY evaluations (enrolment_id, user_id, course_id, objectives_met,"
            " instructor_knowledge, teaching_methods, usefulness, comments, submitted_at)"
            " FROM STDIN"
        ) as copy:
            for enrolment_id, user_id, course_id, a, b, c, d, submitted in evaluations:
                copy.write_row((enrolment_id, user_id, course_id, a, b, c, d, "", submitted))

        # Enrolment status as the engine decides it: complete means lessons, every quiz
        # passed and the evaluation submitted (the core data knew only lessons).
        cur.execute(
            "UPDATE enrolments SET status = 'active', completed_at = NULL,"
            " status_changed_at = enrolled_at WHERE course_id = %s",
            (course.course_id,),
        )
        cur.execute("CREATE TEMPORARY TABLE bench_done (enrolment_id int, at timestamptz)")
        with cur.copy("COPY bench_done (enrolment_id, at) FROM STDIN") as copy:
            for enrolment_id, _, at in completions:
                copy.write_row((enrolment_id, at))
        cur.execute(
            "UPDATE enrolments SET status = 'completed', completed_at = bench_done.at,"
            " status_changed_at = bench_done.at FROM bench_done"
            " WHERE enrolments.id = bench_done.enrolment_id"
        )

        with cur.copy(
            "COPY certificates (number, enrolment_id, user_id, course_id, status, completed_at,"
            " issued_at, snapshot, pdf_key, pdf_sha256, revoked_at, revocation_reason)"
            " FROM STDIN"
        ) as copy:
            for serial, (enrolment_id, user_id, at) in enumerate(completions):
                revoked = rng.random() < REVOKED_SHARE
                issued = at + timedelta(seconds=rng.uniform(1, 30))
                copy.write_row(
                    (
                        f"MTP-B{serial:011d}",
                        enrolment_id,
                        user_id,
                        course.course_id,
                        "revoked" if revoked else "valid",
                        at,
                        issued,
                        "{}",
                        f"bench/certificates/{serial}.pdf",
                        "0" * 64,
                        issued + timedelta(days=1) if revoked else None,
                        "issued_in_error" if revoked else None,
                    )
                )
        # Reissues: the old certificate superseded, a new valid one replacing it.
        cur.execute(
            "UPDATE certificates SET status = 'superseded', superseded_at = issued_at"
            " + interval '2 days' WHERE course_id = %s AND status = 'valid'"
            " AND id %% %s = 0",
            (course.course_id, round(1 / REISSUED_SHARE)),
        )
        cur.execute(
            "INSERT INTO certificates (number, enrolment_id, user_id, course_id, status,"
            " completed_at, issued_at, snapshot, pdf_key, pdf_sha256, replaces_id,"
            " reissue_reason) SELECT number || 'R', enrolment_id, user_id, course_id, 'valid',"
            " completed_at, superseded_at, snapshot, pdf_key || '.reissued', pdf_sha256, id,"
            " 'Name corrected' FROM certificates WHERE course_id = %s AND status = 'superseded'",
            (course.course_id,),
        )
    print(
        f"bench: {attempts:,} quiz attempts, {len(evaluations):,} evaluations, "
        f"{len(completions):,} completions with certificates",
        flush=True,
    )


EXTRA_BUILDERS.append(build)
