"""The watch-report endpoint: what learners earn, what is stored, and what is refused."""

from __future__ import annotations

import json

import pytest
from freezegun import freeze_time
from sqlalchemy import event, func, select, text

from lms.db import utcnow
from lms.enrolments.models import Enrolment, EnrolmentStatus
from lms.extensions import db
from lms.learning.models import LessonProgress
from lms.video.models import WatchCoverage, WatchReport
from tests.support.signatures import forge
from tests.video.conftest import enrolled_learner, page_data, video_course


def open_page(client, course, lesson) -> tuple[str, str]:
    html = client.get(f"/courses/{course.slug}/lessons/{lesson.id}").get_data(as_text=True)
    return page_data(html, "report-url"), page_data(html, "report-token")


def report(client, url, token, seq, intervals, position=None, **extra):
    body = {"token": token, "seq": seq, "intervals": intervals, **extra}
    body["position"] = position if position is not None else (intervals[-1][1] if intervals else 0)
    return client.post(url, data=json.dumps(body), content_type="text/plain;charset=UTF-8")


def progress(learner, lesson) -> LessonProgress:
    db.session.expire_all()
    return db.session.scalar(
        select(LessonProgress).where(
            LessonProgress.user_id == learner.id, LessonProgress.lesson_id == lesson.id
        )
    )


def reports_count() -> int:
    return db.session.scalar(select(func.count()).select_from(WatchReport))


def test_real_playback_completes_the_lesson_and_nothing_else_does(client, watcher):
    course, lesson, learner = watcher
    with freeze_time(utcnow().replace(microsecond=0)) as clock:
        url, token = open_page(client, course, lesson)
        # "Mark complete" is neither shown nor accepted for a lesson with a video.
        html = client.get(f"/courses/{course.slug}/lessons/{lesson.id}").get_data(as_text=True)
        assert "Mark complete" not in html
        client.post(f"/courses/{course.slug}/lessons/{lesson.id}/complete")
        assert progress(learner, lesson).completed_at is None

        # Skipping to the end right away earns only the tolerance.
        clock.tick(1)
        skip = report(client, url, token, 0, [[0, 60, 1]]).get_json()
        assert skip["credited_seconds"] == pytest.approx(3.0)  # 1 s + 2 s tolerance
        assert "credited only what fits" in skip["reason"]

        seq, at = 1, 3.0
        while at < 54:
            clock.tick(15)
            data = report(client, url, token, seq, [[at, min(at + 15, 60), 1]]).get_json()
            seq, at = seq + 1, min(at + 15, 60)
        assert data["lesson_complete"] is True
        assert data["verified_seconds"] >= 54
        row = progress(learner, lesson)
        assert row.completed_at is not None and row.verified_seconds >= 54
        assert row.position_seconds == pytest.approx(at)


def test_a_replayed_report_is_stored_once_and_credited_once(client, watcher):
    course, lesson, learner = watcher
    with freeze_time(utcnow().replace(microsecond=0)) as clock:
        url, token = open_page(client, course, lesson)
        clock.tick(15)
        first = report(client, url, token, 7, [[0, 15, 1]]).get_json()
        clock.tick(15)
        again = report(client, url, token, 7, [[0, 15, 1]]).get_json()
    assert first["credited_seconds"] == 15 and first["duplicate"] is False
    assert again["duplicate"] is True and again["credited_seconds"] == 0
    assert again["verified_seconds"] == 15
    assert reports_count() == 1


def test_two_tabs_share_one_wall_clock_budget(client, watcher):
    course, lesson, learner = watcher
    with freeze_time(utcnow().replace(microsecond=0)) as clock:
        url, tab_a = open_page(client, course, lesson)
        _, tab_b = open_page(client, course, lesson)
        clock.tick(15)
        a = report(client, url, tab_a, 0, [[0, 15, 1]]).get_json()
        clock.tick(1)
        b = report(client, url, tab_b, 0, [[30, 45, 1]]).get_json()
    assert a["credited_seconds"] == 15
    assert b["credited_seconds"] == pytest.approx(3.0)
    coverage = db.session.scalar(select(WatchCoverage).where(WatchCoverage.user_id == learner.id))
    assert coverage.intervals == [[0, 15], [30, 33]]
    assert progress(learner, lesson).verified_seconds == pytest.approx(18)


HOSTILE = {
    "negative": {"seq": 1, "intervals": [[-1, 5, 1]]},
    "overlapping": {"seq": 1, "intervals": [[0, 10, 1], [5, 12, 1]]},
    "beyond the end": {"seq": 1, "intervals": [[50, 90, 1]]},
    "wrong types": {"seq": "1", "intervals": [[0, 5, 1]]},
    "string intervals": {"seq": 1, "intervals": "everything"},
    "huge array": {"seq": 1, "intervals": [[i / 10, i / 10 + 0.05, 1] for i in range(500)]},
}


@pytest.mark.parametrize("case", HOSTILE)
def test_malformed_or_hostile_reports_get_400_and_change_nothing(client, watcher, case):
    course, lesson, learner = watcher
    with freeze_time(utcnow().replace(microsecond=0)) as clock:
        url, token = open_page(client, course, lesson)
        clock.tick(15)
        assert report(client, url, token, 0, [[0, 15, 1]]).status_code == 200
        before = (progress(learner, lesson).verified_seconds, reports_count())
        clock.tick(15)
        body = {"token": token, "position": 0, **HOSTILE[case]}
        response = client.post(url, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400 and response.is_json
    assert response.get_json()["message"]
    assert (progress(learner, lesson).verified_seconds, reports_count()) == before


def test_oversized_bodies_forged_tokens_and_other_learners_are_refused(
    client, watcher, login, db_session
):
    course, lesson, learner = watcher
    url, token = open_page(client, course, lesson)
    huge = client.post(url, data=b'{"token": "' + b"x" * 1_100_000 + b'"}')
    assert huge.status_code == 413 and huge.is_json
    assert report(client, url, forge(token), 0, []).status_code == 400
    assert report(client, url, "not json at all", 0, []).status_code == 400
    other_lesson_url = url.replace(f"/lessons/{lesson.id}/", f"/lessons/{lesson.id + 1}/")
    assert report(client, other_lesson_url, token, 0, []).status_code == 400
    # Another learner cannot use this learner's token.
    login(enrolled_learner(course))
    assert report(client, url, token, 0, [[0, 1, 1]]).status_code == 400
    assert reports_count() == 0


def test_withdrawn_learners_earn_nothing(client, watcher, db_session):
    course, lesson, learner = watcher
    url, token = open_page(client, course, lesson)
    enrolment = db_session.scalar(select(Enrolment).where(Enrolment.user_id == learner.id))
    enrolment.status = EnrolmentStatus.WITHDRAWN
    db_session.flush()
    response = report(client, url, token, 0, [[0, 1, 1]])
    assert response.status_code == 403 and reports_count() == 0


def test_instructors_previewing_get_a_player_but_no_report_token(client, db_session, login):
    teacher, course, lesson = video_course()
    login(teacher)
    html = client.get(f"/courses/{course.slug}/lessons/{lesson.id}").get_data(as_text=True)
    assert 'id="lesson-video"' in html and "data-report-token" not in html
    assert "watch time is not recorded" in html


def test_resume_position_is_on_the_page(client, watcher):
    course, lesson, learner = watcher
    with freeze_time(utcnow().replace(microsecond=0)) as clock:
        url, token = open_page(client, course, lesson)
        clock.tick(15)
        report(client, url, token, 0, [[0, 15, 1]], position=14.5)
        html = client.get(f"/courses/{course.slug}/lessons/{lesson.id}").get_data(as_text=True)
    assert page_data(html, "resume") == "14.5"


@pytest.mark.parametrize("revoke", ["signed out everywhere", "deactivated", "no session"])
def test_a_report_needs_the_live_session_of_an_active_account(client, watcher, db_session, revoke):
    course, lesson, learner = watcher
    with freeze_time(utcnow().replace(microsecond=0)) as clock:
        url, token = open_page(client, course, lesson)
        clock.tick(15)
        assert report(client, url, token, 0, [[0, 15, 1]]).status_code == 200  # coverage row
        if revoke == "signed out everywhere":
            learner.session_token = "rotated-by-a-password-change"
        elif revoke == "deactivated":
            learner.active = False
        else:
            client.delete_cookie("session")
        db_session.flush()
        before = reports_count()
        clock.tick(15)
        response = report(client, url, token, 1, [[15, 30, 1]])
    assert response.status_code == 401 and response.is_json
    assert reports_count() == before


def test_a_report_costs_at_most_two_statements(client, watcher, db_session):
    course, lesson, learner = watcher
    with freeze_time(utcnow().replace(microsecond=0)) as clock:
        url, token = open_page(client, course, lesson)
        clock.tick(15)
        report(client, url, token, 0, [[0, 15, 1]])  # the first one creates the coverage row
        statements = []

        def record(conn, cursor, statement, *args):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            clock.tick(15)
            assert report(client, url, token, 1, [[15, 30, 1]]).get_json()["credited_seconds"] == 15
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    assert len(statements) <= 2, statements


def test_watch_reports_are_append_only(db_session, watcher, client):
    course, lesson, learner = watcher
    with freeze_time(utcnow().replace(microsecond=0)) as clock:
        url, token = open_page(client, course, lesson)
        clock.tick(15)
        report(client, url, token, 0, [[0, 15, 1]])
    with pytest.raises(Exception, match="append-only"), db_session.begin_nested():
        db_session.execute(text("UPDATE watch_reports SET credited_seconds = 999"))


def test_evidence_belongs_to_a_coverage_row_that_cannot_go_from_under_it(
    db_session, watcher, client
):
    from sqlalchemy.exc import IntegrityError

    course, lesson, learner = watcher
    with freeze_time(utcnow().replace(microsecond=0)) as clock:
        url, token = open_page(client, course, lesson)
        clock.tick(15)
        report(client, url, token, 0, [[0, 15, 1]])
    stranger = enrolled_learner(course)  # no coverage row for this lesson
    evidence = {"lesson_id": lesson.id, "session": "s", "client_seq": 0, "intervals": []}
    evidence |= {"position_seconds": 0, "credited_seconds": 0}
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.execute(WatchReport.__table__.insert().values(user_id=stranger.id, **evidence))
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.execute(
            WatchCoverage.__table__.delete().where(WatchCoverage.user_id == learner.id)
        )


def test_a_report_token_expires_even_after_its_signature_was_checked(client, watcher, app):
    course, lesson, learner = watcher
    max_age = app.config["WATCH_TOKEN_MAX_AGE"]
    with freeze_time(utcnow().replace(microsecond=0)) as clock:
        url, token = open_page(client, course, lesson)
        clock.tick(15)
        assert report(client, url, token, 0, [[0, 15, 1]]).status_code == 200
        clock.tick(max_age)
        late = report(client, url, token, 1, [[15, 30, 1]])
    assert late.status_code == 400 and "Reload the page" in late.get_json()["message"]
    assert reports_count() == 1
