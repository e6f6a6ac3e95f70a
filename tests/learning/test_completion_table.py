"""The set-based completion path agrees with the per-learner engine: random evidence, and
every combination of lessons, quiz attempts and evaluation on courses with and without them."""

import random
from datetime import timedelta

import pytest

from lms.auth.models import User
from lms.catalog.models import LessonKind
from lms.db import utcnow
from lms.enrolments import services as enrolment_services
from lms.extensions import db
from lms.learning import completion
from lms.learning.models import LessonProgress
from tests import factories


def lessons_of(course):
    return completion.course_lessons(course)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_table_and_per_learner_paths_agree_on_random_evidence(db_session, seed):
    rng = random.Random(seed)
    course = factories.course(modules=3, lessons_per_module=4, completion_threshold=80)
    lessons = lessons_of(course)
    for lesson in lessons:
        lesson.required = rng.random() > 0.2
        if rng.random() < 0.5:
            lesson.kind = LessonKind.VIDEO
            lesson.duration_seconds = rng.choice([0, 300, 600, 901])
            # What the video branch sets once a video is stored; the engine reads it.
            if rng.random() < 0.7:
                lesson.video_key = f"videos/{lesson.id}.mp4"
    db.session.flush()
    learners = [factories.learner() for _ in range(25)]
    now = utcnow()
    for learner in learners:
        enrolment_services.enrol(learner, course)
        for lesson in lessons:
            if rng.random() < 0.3:
                continue
            duration = lesson.duration_seconds or 1
            db.session.add(
                LessonProgress(
                    user_id=learner.id,
                    lesson_id=lesson.id,
                    course_id=course.id,
                    last_seen_at=now - timedelta(days=rng.randint(0, 40)),
                    marked_complete_at=now if rng.random() < 0.6 else None,
                    # Around the threshold, exactly on it included.
                    verified_seconds=rng.choice(
                        [0, 0.8 * duration, max(0, 0.8 * duration - 1), duration]
                    ),
                )
            )
    db.session.flush()

    table = completion.course_progress_table(course)
    assert set(table) == {learner.id for learner in learners}
    for learner in learners:
        assert table[learner.id] == completion.progress_for(learner.id, course)
    # Both branches of the rules were exercised.
    assert any(p.is_complete for p in table.values()) or any(
        p.completed_lesson_ids for p in table.values()
    )


def test_table_can_be_limited_to_some_learners(db_session):
    course = factories.course()
    first, second = factories.learner(), factories.learner()
    for learner in (first, second):
        enrolment_services.enrol(learner, course)
    assert set(completion.course_progress_table(course, [second.id])) == {second.id}


def test_outcomes_give_the_engines_percent_for_each_count(db_session):
    course = factories.course(modules=1, lessons_per_module=3)
    rules = completion.course_rules(course)
    assert [item.percent for item in rules.outcomes()] == [0, 33, 66, 100]
    assert rules.steps_to_complete() == 3
    assert rules.steps_done_range(30, 70) == (1, 2)
    assert rules.steps_done_range(67, 99) is None


def test_outcomes_count_required_quizzes_and_the_evaluation_as_steps(db_session):
    from lms.certificates import credit as credit_rules
    from tests import factories

    course = factories.course(modules=1, lessons_per_module=3)
    db.session.add(credit_rules.credit_for(course))  # CE settings: evaluation required
    factories.quiz(course, title="Final")
    factories.quiz(course, title="Practice", required=False)
    rules = completion.course_rules(course)
    assert rules.steps_total == 5
    assert [item.percent for item in rules.outcomes()] == [0, 20, 40, 60, 80, 100]
    assert [item.is_complete for item in rules.outcomes()] == [False] * 5 + [True]
    assert rules.steps_to_complete() == 5
    assert rules.steps_done_range(60, 99) == (3, 4)


# --- every combination of evidence, on courses with and without quiz and evaluation -------

LESSONS = ("none", "some", "all")
QUIZ = ("not attempted", "failed", "passed", "failed then passed", "passed then voided", "open")
EVALUATION = ("not submitted", "submitted")
COMBINATIONS = [
    (lessons, quiz, evaluation) for lessons in LESSONS for quiz in QUIZ for evaluation in EVALUATION
]
# (a required, published quiz; the CE settings require an evaluation)
COURSES = {
    "plain course": (False, False),
    "required quiz": (True, False),
    "required evaluation": (False, True),
    "quiz and evaluation": (True, True),
}


def expected_complete(lessons, quiz, evaluation, quiz_required, evaluation_required) -> bool:
    return (
        lessons == "all"
        and (not quiz_required or quiz in ("passed", "failed then passed"))
        and (not evaluation_required or evaluation == "submitted")
    )


def add_attempts(learner, quiz, outcomes):
    """Attempts as the quiz domain records them: (status, passed) in order."""
    from lms.quizzes.models import AttemptStatus, QuizAttempt

    now = utcnow()
    for number, (status, passed) in enumerate(outcomes, start=1):
        graded = status != AttemptStatus.IN_PROGRESS
        db.session.add(
            QuizAttempt(
                quiz_id=quiz.id,
                user_id=learner.id,
                number=number,
                status=status,
                started_at=now - timedelta(hours=number),
                submitted_at=now - timedelta(hours=number, minutes=-10) if graded else None,
                question_ids=[],
                choice_order={},
                pass_mark=quiz.pass_mark,
                points=(3.0 if passed else 1.0) if graded else None,
                max_points=3 if graded else None,
                score_percent=(100.0 if passed else 33.33) if graded else None,
                passed=passed if graded else None,
            )
        )


def quiz_attempts(state):
    from lms.quizzes.models import AttemptStatus

    graded, void, open_ = AttemptStatus.GRADED, AttemptStatus.VOID, AttemptStatus.IN_PROGRESS
    return {
        "not attempted": [],
        "failed": [(graded, False)],
        "passed": [(graded, True)],
        "failed then passed": [(graded, False), (graded, True), (graded, True)],
        "passed then voided": [(void, True)],  # an instructor reset it: no longer counted
        "open": [(graded, False), (open_, None)],
    }[state]


@pytest.mark.parametrize("variant", list(COURSES))
def test_set_based_path_matches_the_per_learner_engine_for_every_combination(db_session, variant):
    from lms.certificates import credit as credit_rules
    from lms.dashboards import learners as learner_table
    from lms.dashboards import services as dashboards
    from lms.evaluations.models import Evaluation
    from tests import factories

    quiz_required, evaluation_required = COURSES[variant]
    course = factories.course(modules=2, lessons_per_module=2, completion_threshold=90)
    lessons = lessons_of(course)
    lessons[1].kind = LessonKind.VIDEO  # completed by verified watch time, not by the button
    lessons[1].video_key = f"videos/{lessons[1].id}.mp4"
    db.session.add(credit_rules.credit_for(course))
    credit_rules.credit_for(course).evaluation_required = evaluation_required
    # The learner's quiz state is at `graded`: the course's required final, or an optional
    # quiz when the course has no required one (its passes must count for nothing).
    graded = factories.quiz(course, title="Final", required=quiz_required)
    optional = factories.quiz(course, title="Extra practice", required=False)
    draft = factories.quiz(course, title="Draft final", publish=False)  # not asked yet
    db.session.flush()

    now = utcnow()
    people = {}
    for lessons_state, quiz_state, evaluation_state in COMBINATIONS:
        learner = factories.learner()
        enrolment = enrolment_services.enrol(learner, course)
        people[learner.id] = (lessons_state, quiz_state, evaluation_state)
        done = {"none": 0, "some": 2, "all": 4}[lessons_state]
        for index, lesson in enumerate(lessons[: max(done, 1)]):
            complete = index < done
            db.session.add(
                LessonProgress(
                    user_id=learner.id,
                    lesson_id=lesson.id,
                    course_id=course.id,
                    last_seen_at=now - timedelta(days=3),
                    # The video's button press never counts; its watch time does.
                    marked_complete_at=now if complete or lesson is lessons[1] else None,
                    verified_seconds=540.0 if complete and lesson is lessons[1] else 0,
                )
            )
        add_attempts(learner, graded, quiz_attempts(quiz_state))
        add_attempts(learner, optional, quiz_attempts("passed"))
        if quiz_state == "passed":
            add_attempts(learner, draft, quiz_attempts("passed"))
        if evaluation_state == "submitted":
            db.session.add(
                Evaluation(
                    enrolment_id=enrolment.id,
                    user_id=learner.id,
                    course_id=course.id,
                    **factories.RATINGS,
                )
            )
    db.session.flush()

    table = completion.course_progress_table(course)
    per_learner = {user_id: completion.progress_for(user_id, course) for user_id in people}
    exported = {
        row[1]: (row[5], row[6])
        for row in learner_table.export_rows(course, learner_table.LearnerQuery())
    }
    emails = {user_id: db.session.get(User, user_id).email for user_id in people}
    for user_id, (lessons_state, quiz_state, evaluation_state) in people.items():
        case_ = f"{variant}: lessons {lessons_state}, quiz {quiz_state}, {evaluation_state}"
        expected = per_learner[user_id]
        assert table[user_id] == expected, case_
        assert expected.is_complete is expected_complete(
            lessons_state, quiz_state, evaluation_state, quiz_required, evaluation_required
        ), case_
        assert exported[emails[user_id]] == (
            expected.percent,
            "yes" if expected.is_complete else "no",
        ), case_

    # The aggregates count the same learners as complete, in the same progress bands.
    summary = dashboards.course_summary(course)
    complete = sum(item.is_complete for item in per_learner.values())
    assert summary.completed == complete
    assert complete == sum(
        expected_complete(*p, quiz_required, evaluation_required) for p in people.values()
    )
    bands = {
        label: sum(low <= item.percent <= high for item in per_learner.values())
        for label, low, high in dashboards.BUCKETS
    }
    assert {bucket.label: bucket.learners for bucket in summary.distribution} == bands
    (headline,) = dashboards.headlines([course])
    assert headline.completed == complete
