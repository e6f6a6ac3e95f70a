"""The state a watch report's answer hands the player, and the player sends back.

With it a report costs one statement; the write checks every fact of it against the
database, so a stale, forged or malformed state earns nothing it should not, stores
nothing it should not, and only costs the report a read (lms.video.watching).
"""

from __future__ import annotations

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from lms.db import utcnow
from lms.enrolments.models import Enrolment, EnrolmentStatus
from lms.extensions import db
from lms.video.models import WatchCoverage
from tests.support.statements import recorded_statements
from tests.video.conftest import enrolled_learner
from tests.video.test_watch_reports import (
    open_page,
    progress,
    report,
    reports_count,
)


def _statements(recorded: list[str]) -> list[str]:
    """What a report sent, without the test transaction's savepoints."""
    skip = ("SAVEPOINT", "RELEASE", "ROLLBACK")
    return [s for s in recorded if not s.lstrip().upper().startswith(skip)]


def started(client, course, lesson, clock):
    """A page open and its first report stored: (url, token, state of that answer)."""
    url, token = open_page(client, course, lesson)
    clock.tick(15)
    first = report(client, url, token, 0, [[0, 15, 1]]).get_json()
    assert first["credited_seconds"] == 15
    return url, token, first["state"]


def coverage_of(learner) -> WatchCoverage:
    db.session.expire_all()
    return db.session.scalar(select(WatchCoverage).where(WatchCoverage.user_id == learner.id))


def test_the_answer_states_what_the_rules_read(client, watcher):
    course, lesson, learner = watcher
    with freeze_time(utcnow().replace(microsecond=0)) as clock:
        url, token, state = started(client, course, lesson, clock)
    row = coverage_of(learner)
    assert state == {
        "v": row.reports_accepted,
        "c": row.id,
        "p": progress(learner, lesson).id,
        "k": False,
        "t": row.last_report_at.isoformat(),
        "i": [[0, 15]],
        "d": 60,
        "h": course.completion_threshold,
    }


def test_with_the_state_sent_back_a_report_is_one_statement(client, watcher):
    course, lesson, learner = watcher
    with freeze_time(utcnow().replace(microsecond=0)) as clock:
        url, token, state = started(client, course, lesson, clock)
        for seq in (1, 2):
            clock.tick(15)
            with recorded_statements(db.engine) as recorded:
                data = report(
                    client, url, token, seq, [[15 * seq, 15 * seq + 15, 1]], state=state
                ).get_json()
            assert len(_statements(recorded)) == 1, recorded
            assert data["credited_seconds"] == 15 and data["state"]["v"] == state["v"] + 1
            state = data["state"]
        # Without it (a player that lost it, an old page): a read and the write.
        clock.tick(15)
        with recorded_statements(db.engine) as recorded:
            data = report(client, url, token, 9, [[45, 50, 1]]).get_json()
        assert len(_statements(recorded)) == 2 and data["credited_seconds"] == 5
    assert data["state"]["i"] == [[0, 50]] and data["state"]["v"] == state["v"] + 1
    assert progress(learner, lesson).verified_seconds == 50 and reports_count() == 4


def test_reaching_the_threshold_on_the_one_statement_path_completes_the_lesson(client, watcher):
    course, lesson, learner = watcher
    with freeze_time(utcnow().replace(microsecond=0)) as clock:
        url, token, state = started(client, course, lesson, clock)
        for seq, start in enumerate((15, 30, 45), start=1):
            clock.tick(15)
            data = report(client, url, token, seq, [[start, start + 15, 1]], state=state)
            state = data.get_json()["state"]
        assert data.get_json()["lesson_complete"] is True and state["k"] is True
        # The state after completion is true: the next report is one statement again.
        clock.tick(15)
        with recorded_statements(db.engine) as recorded:
            again = report(client, url, token, 9, [[0, 5, 1]], state=state)
    assert again.status_code == 200 and len(_statements(recorded)) == 1
    assert progress(learner, lesson).completed_at is not None


FORGED = {
    "more coverage": lambda s: {**s, "i": [[0, 59]]},
    "no coverage": lambda s: {**s, "i": []},
    "an older version": lambda s: {**s, "v": s["v"] - 1},
    "no last report (a fresh wall-clock budget)": lambda s: {**s, "t": None},
    "an earlier last report": lambda s: {**s, "t": "2000-01-01T00:00:00+00:00"},
    "a longer video": lambda s: {**s, "d": 600},
    "a lower threshold": lambda s: {**s, "h": 50},
    "a completed lesson": lambda s: {**s, "k": True},
    "another progress row": lambda s: {**s, "p": s["p"] + 1},
}


@pytest.mark.parametrize("case", FORGED)
def test_a_forged_state_earns_nothing_extra(client, watcher, case):
    course, lesson, learner = watcher
    with freeze_time(utcnow().replace(microsecond=0)) as clock:
        url, token, state = started(client, course, lesson, clock)
        clock.tick(15)
        # 30 s played in 15 s of wall-clock time: 15 s and the 2 s tolerance are credited.
        forged = FORGED[case](state)
        data = report(client, url, token, 1, [[15, 45, 1]], state=forged).get_json()
    # Credited as if no state had come: what the row says, within the wall-clock budget.
    assert data["credited_seconds"] == pytest.approx(17) and data["lesson_complete"] is False
    row = coverage_of(learner)
    assert row.intervals == [[0, 32]] and row.reports_accepted == state["v"] + 1
    assert data["state"] == {
        **state, "v": state["v"] + 1, "i": [[0, 32]], "t": row.last_report_at.isoformat()
    }  # fmt: skip
    assert progress(learner, lesson).verified_seconds == 32 and reports_count() == 2


def test_another_learners_state_cannot_touch_their_row(client, watcher, login):
    course, lesson, learner = watcher
    with freeze_time(utcnow().replace(microsecond=0)) as clock:
        url, token, theirs = started(client, course, lesson, clock)
        other = enrolled_learner(course)
        login(other)
        url, token, mine = started(client, course, lesson, clock)
        clock.tick(15)
        data = report(client, url, token, 1, [[15, 30, 1]], state=theirs).get_json()
    assert data["credited_seconds"] == 15
    assert coverage_of(learner).reports_accepted == theirs["v"]  # untouched
    assert coverage_of(learner).intervals == [[0, 15]]
    assert coverage_of(other).intervals == [[0, 30]]


MALFORMED = {
    "a string": "v1",
    "a list": [1, 2, 3],
    "missing keys": {"v": 1},
    "ids beyond the database's integers": {"c": 2**40},
    "a boolean version": {"v": True},
    "a negative version": {"v": -1},
    "a naive timestamp": {"t": "2026-01-01T00:00:00"},
    "not a timestamp": {"t": "yesterday"},
    "intervals not pairs": {"i": [[1, 2, 3]]},
    "intervals not numbers": {"i": [["a", "b"]]},
    "too many intervals": {"i": [[i, i + 0.5] for i in range(201)]},
    "a zero duration": {"d": 0},
    "a threshold over 100": {"h": 101},
    "completion as a number": {"k": 1},
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_state_is_set_aside_and_the_report_reads_the_row(client, watcher, case):
    course, lesson, learner = watcher
    with freeze_time(utcnow().replace(microsecond=0)) as clock:
        url, token, state = started(client, course, lesson, clock)
        bad = MALFORMED[case]
        sent = {**state, **bad} if isinstance(bad, dict) and case != "missing keys" else bad
        clock.tick(15)
        with recorded_statements(db.engine) as recorded:
            response = report(client, url, token, 1, [[15, 30, 1]], state=sent)
    assert response.status_code == 200 and response.get_json()["credited_seconds"] == 15
    assert len(_statements(recorded)) == 2  # no write was tried on it: the read, the write
    assert coverage_of(learner).intervals == [[0, 30]]


def test_two_tabs_with_their_own_states_share_one_wall_clock_budget(client, watcher):
    course, lesson, learner = watcher
    with freeze_time(utcnow().replace(microsecond=0)) as clock:
        url, tab_a, state_a = started(client, course, lesson, clock)
        _, tab_b = open_page(client, course, lesson)
        clock.tick(1)
        b = report(client, url, tab_b, 0, [[30, 45, 1]]).get_json()
        clock.tick(1)
        # Tab A's state predates tab B's report: it is stale, so the report reads the row.
        a = report(client, url, tab_a, 1, [[15, 30, 1]], state=state_a).get_json()
    assert b["credited_seconds"] == pytest.approx(3.0)
    assert a["credited_seconds"] == pytest.approx(3.0)
    assert coverage_of(learner).intervals == [[0, 18], [30, 33]]
    assert reports_count() == 3


def test_a_replay_with_its_state_is_stored_once(client, watcher):
    course, lesson, learner = watcher
    with freeze_time(utcnow().replace(microsecond=0)) as clock:
        url, token, state = started(client, course, lesson, clock)
        clock.tick(15)
        first = report(client, url, token, 1, [[15, 30, 1]], state=state).get_json()
        again = report(client, url, token, 1, [[15, 30, 1]], state=first["state"]).get_json()
        twice = report(client, url, token, 1, [[15, 30, 1]], state=state).get_json()
    assert first["duplicate"] is False and first["credited_seconds"] == 15
    assert again["duplicate"] is True and again["credited_seconds"] == 0
    assert twice["duplicate"] is True and twice["credited_seconds"] == 0
    assert again["state"] == first["state"] == twice["state"]
    assert reports_count() == 2


@pytest.mark.parametrize("revoke", ["signed out everywhere", "deactivated", "withdrawn"])
def test_a_true_state_does_not_outlive_the_session_or_the_enrolment(
    client, watcher, db_session, revoke
):
    course, lesson, learner = watcher
    with freeze_time(utcnow().replace(microsecond=0)) as clock:
        url, token, state = started(client, course, lesson, clock)
        if revoke == "signed out everywhere":
            learner.session_token = "rotated-by-a-password-change"
        elif revoke == "deactivated":
            learner.active = False
        else:
            enrolment = db_session.scalar(select(Enrolment).where(Enrolment.user_id == learner.id))
            enrolment.status = EnrolmentStatus.WITHDRAWN
        db_session.flush()
        clock.tick(15)
        response = report(client, url, token, 1, [[15, 30, 1]], state=state)
    assert response.status_code == (403 if revoke == "withdrawn" else 401)
    assert reports_count() == 1 and coverage_of(learner).intervals == [[0, 15]]


def test_a_state_from_before_the_video_changed_is_not_held_against_the_report(
    client, watcher, db_session
):
    course, lesson, learner = watcher
    with freeze_time(utcnow().replace(microsecond=0)) as clock:
        url, token, state = started(client, course, lesson, clock)
        lesson.duration_seconds = 120  # a longer recording replaced the video
        db_session.flush()
        clock.tick(15)
        # Beyond the old length: the stale state must not make this a 400.
        response = report(client, url, token, 1, [[60, 75, 1]], state=state)
    assert response.status_code == 200 and response.get_json()["credited_seconds"] == 15
    assert response.get_json()["state"]["d"] == 120


@pytest.mark.parametrize("sends_state", [True, False], ids=["one statement", "read and write"])
def test_a_report_moves_the_last_visit_on_at_most_every_few_minutes(client, watcher, sends_state):
    # Between two moves the progress row's indexed columns stay as they are, so PostgreSQL
    # updates it in place; dashboards' "last seen" keeps minutes, not seconds.
    from lms.video.watching import LAST_SEEN_RESOLUTION

    course, lesson, learner = watcher
    with freeze_time(utcnow().replace(microsecond=0)) as clock:
        url, token, state = started(client, course, lesson, clock)
        opened = progress(learner, lesson).last_seen_at
        played = 15
        steps = ((15, False), (LAST_SEEN_RESOLUTION.total_seconds() + 1, True))
        for seq, (ticks, moved) in enumerate(steps, start=1):
            clock.tick(ticks)
            answer = report(
                client, url, token, seq, [[played, played + 5, 1]],
                state=state if sends_state else None,
            ).get_json()  # fmt: skip
            played += 5
            state = answer["state"]
            db.session.expire_all()
            row = progress(learner, lesson)
            assert row.position_seconds == played  # the resume point moves every time
            assert (row.last_seen_at == utcnow()) is moved
            assert (row.last_seen_at == opened) is not moved
