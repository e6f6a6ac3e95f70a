"""Watch reports from many tabs at once, on PostgreSQL with real commits.

The report's write compares and sets the coverage row's version instead of holding a row
lock across the request (lms.video.watching): every report a tab was told is stored must
be stored exactly once, replays never, and coverage, its version and the learner's progress
must agree with the evidence afterwards, however the reports interleaved.
"""

from __future__ import annotations

import json
import threading
import time

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.learning.models import LessonProgress
from lms.video.models import WatchCoverage, WatchReport
from tests.conftest import make_app
from tests.video.conftest import enrolled_learner, page_data, sign_in, video_course

TABS = 6
REPORTS = 5


@pytest.fixture
def world(fresh_database, smtp_server):
    app = make_app(fresh_database(), smtp_server)
    with app.app_context():
        _, course, lesson = video_course(duration=600)
        learner = enrolled_learner(course)
        db.session.commit()
        ids = {"slug": course.slug, "lesson": lesson.id, "user": learner.id}
        learner_row = learner
        db.session.expunge(learner_row)
        db.session.remove()
    yield app, ids, learner_row
    with app.app_context():
        db.engine.dispose()


def test_tabs_reporting_at_once_store_each_report_once(world):
    app, ids, learner = world
    tabs = []
    for _ in range(TABS):
        client = app.test_client()
        sign_in(client, learner)
        html = client.get(f"/courses/{ids['slug']}/lessons/{ids['lesson']}").get_data(as_text=True)
        tabs.append((client, page_data(html, "report-url"), page_data(html, "report-token")))
    time.sleep(2)  # some wall-clock time to credit
    barrier = threading.Barrier(TABS)
    answers: list[list[dict]] = [[] for _ in range(TABS)]
    errors: list[str] = []

    def tab(index: int) -> None:
        client, url, token = tabs[index]
        try:
            barrier.wait(timeout=10)
            for seq in range(REPORTS):
                start = 5.0 * index + seq  # the tabs' intervals overlap
                body = json.dumps(
                    {"token": token, "seq": seq, "intervals": [[start, start + 1, 1]],
                     "position": start + 1}
                )  # fmt: skip
                for _ in range(2):  # every report is sent twice (a replay)
                    while True:
                        response = client.post(url, data=body, content_type="application/json")
                        if response.status_code != 503:  # lost too many races: send again
                            break
                    assert response.status_code == 200, response.get_data(as_text=True)
                    answers[index].append(response.get_json())
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))

    threads = [threading.Thread(target=tab, args=(i,)) for i in range(TABS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors

    flat = [answer for tab_answers in answers for answer in tab_answers]
    stored = [answer for answer in flat if not answer["duplicate"]]
    assert len(flat) == 2 * TABS * REPORTS
    assert len(stored) == TABS * REPORTS  # each report once: never its replay
    with app.app_context():
        mine = (WatchReport.user_id == ids["user"], WatchReport.lesson_id == ids["lesson"])
        rows = db.session.scalars(select(WatchReport).where(*mine)).all()
        coverage = db.session.scalar(
            select(WatchCoverage).where(WatchCoverage.user_id == ids["user"])
        )
        progress = db.session.scalar(
            select(LessonProgress).where(LessonProgress.user_id == ids["user"])
        )
        pairs = db.session.execute(
            select(WatchReport.session, WatchReport.client_seq, func.count())
            .where(*mine)
            .group_by(WatchReport.session, WatchReport.client_seq)
        ).all()
        db.session.remove()
    assert len(rows) == TABS * REPORTS and all(count == 1 for *_, count in pairs)
    assert coverage.reports_accepted == len(rows)
    # What the reports earned is exactly the coverage, and progress says the same.
    earned = sum(row.credited_seconds for row in rows)
    assert earned == pytest.approx(coverage.verified_seconds)
    assert progress.verified_seconds == pytest.approx(coverage.verified_seconds)
    assert sum(answer["credited_seconds"] for answer in stored) == pytest.approx(earned)
    assert coverage.verified_seconds > 0


def test_the_report_that_reaches_the_threshold_completes_the_lesson(fresh_database, smtp_server):
    # Real commits: the report's statements commit one by one (no transaction), then the
    # completion engine's writes land together in a transaction of their own.
    app = make_app(fresh_database(), smtp_server)
    try:
        with app.app_context():
            _, course, lesson = video_course(duration=4)
            learner = enrolled_learner(course)
            db.session.commit()
            slug, lesson_id, user_id = course.slug, lesson.id, learner.id
            db.session.expunge(learner)
            db.session.remove()
        client = app.test_client()
        sign_in(client, learner)
        html = client.get(f"/courses/{slug}/lessons/{lesson_id}").get_data(as_text=True)
        url, token = page_data(html, "report-url"), page_data(html, "report-token")
        time.sleep(2.5)  # with the 2 s tolerance, time enough to credit all 4 s
        body = {"token": token, "seq": 1, "intervals": [[0, 4, 1]], "position": 4}
        answer = client.post(url, data=json.dumps(body), content_type="application/json")
        assert answer.status_code == 200 and answer.get_json()["lesson_complete"] is True
        with app.app_context():
            progress = db.session.scalar(
                select(LessonProgress).where(LessonProgress.user_id == user_id)
            )
            assert progress.verified_seconds == 4 and progress.completed_at is not None
            db.session.remove()
    finally:
        with app.app_context():
            db.engine.dispose()
