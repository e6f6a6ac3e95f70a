"""The watch-time rules as a table of report sequences (pure functions, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lms.video import watch

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
DURATION = 600.0


def run(steps, opened_at=T0):
    """steps: (seconds after T0, intervals); returns (final state, credited per report)."""
    state = watch.WatchState()
    credited = []
    for seq, (at, intervals) in enumerate(steps):
        report = watch.check_against_duration(
            watch.parse_report({"seq": seq, "intervals": intervals, "position": 0}), DURATION
        )
        result = watch.credit(report, state, T0 + timedelta(seconds=at), opened_at)
        state = result.state
        credited.append(result.credited_seconds)
    return state, credited


CASES = {
    "normal play, reports every 15 s": (
        [(15, [[0, 15, 1]]), (30, [[15, 30, 1]]), (45, [[30, 45, 1]])],
        45.0,
        [15.0, 15.0, 15.0],
    ),
    "seek ahead: the jump earns nothing, what is played after it does": (
        [(15, [[0, 15, 1]]), (30, [[15, 20, 1], [300, 310, 1]])],
        30.0,
        [15.0, 15.0],
    ),
    "claiming ten minutes after 15 s of wall time": (
        [(15, [[0, 600, 1]])],
        17.0,  # 15 s + 2 s tolerance
        [17.0],
    ),
    "16x playback is credited at 2x": (
        [(15, [[0, 240, 16]])],
        34.0,  # (15 + 2) x 2
        [34.0],
    ),
    "2x playback is credited in full": (
        [(15, [[0, 30, 2]]), (30, [[30, 60, 2]])],
        60.0,
        [30.0, 30.0],
    ),
    "half speed earns half as much per wall second": (
        [(20, [[0, 10, 0.5]])],
        10.0,
        [10.0],
    ),
    "two tabs interleaved share one budget": (
        # tab A reports at 15 s, tab B one second later claims another 15 s
        [(15, [[0, 15, 1]]), (16, [[100, 115, 1]]), (31, [[15, 30, 1]])],
        15.0 + 3.0 + 15.0,
        [15.0, 3.0, 15.0],
    ),
    "watching the same part twice counts once": (
        [(15, [[0, 15, 1]]), (30, [[0, 15, 1]])],
        15.0,
        [15.0, 0.0],
    ),
    "a long pause does not bank time (the gap is capped)": (
        [(15, [[0, 15, 1]]), (3615, [[15, 600, 1]])],
        15.0 + watch.MAX_GAP_SECONDS + watch.TOLERANCE_SECONDS,
        [15.0, watch.MAX_GAP_SECONDS + watch.TOLERANCE_SECONDS],
    ),
    "gaps in coverage stay gaps": (
        [(15, [[0, 5, 1], [10, 15, 1]])],
        10.0,
        [10.0],
    ),
    "the end of the video is clipped, not over-credited": (
        [(15, [[590, 600.5, 1]])],
        10.0,
        [10.0],
    ),
    "timer noise (tiny intervals) is ignored": (
        [(15, [[0, 0.01, 1]])],
        0.0,
        [0.0],
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_credit_table(name):
    steps, verified, credited = CASES[name]
    state, got = run(steps)
    assert state.verified_seconds == pytest.approx(verified, abs=0.01)
    assert got == pytest.approx(credited, abs=0.01)


def test_first_report_cannot_claim_more_than_the_page_was_open():
    opened = T0 + timedelta(seconds=10)
    state, credited = run([(15, [[0, 60, 1]])], opened_at=opened)
    assert credited == [pytest.approx(7.0)]  # 5 s open + 2 s tolerance


def test_report_clock_never_runs_backwards():
    state = watch.WatchState(coverage=((0.0, 10.0),), last_report_at=T0 + timedelta(seconds=60))
    report = watch.parse_report({"seq": 1, "intervals": [[10, 40, 1]], "position": 40})
    result = watch.credit(report, state, T0, T0)  # a clock skew: "now" before the last report
    assert result.credited_seconds == pytest.approx(watch.TOLERANCE_SECONDS)


def test_truncated_reports_say_why():
    report = watch.parse_report({"seq": 0, "intervals": [[0, 300, 1]], "position": 300})
    result = watch.credit(report, watch.WatchState(), T0 + timedelta(seconds=15), T0)
    assert result.rejected_reason and "credited only what fits" in result.rejected_reason


HOSTILE = {
    "negative start": {"seq": 1, "intervals": [[-5, 10, 1]], "position": 0},
    "end before start": {"seq": 1, "intervals": [[10, 5, 1]], "position": 0},
    "overlapping intervals": {"seq": 1, "intervals": [[0, 10, 1], [5, 15, 1]], "position": 0},
    "rate zero": {"seq": 1, "intervals": [[0, 10, 0]], "position": 0},
    "rate 100": {"seq": 1, "intervals": [[0, 10, 100]], "position": 0},
    "string bounds": {"seq": 1, "intervals": [["0", "10", 1]], "position": 0},
    "booleans": {"seq": 1, "intervals": [[True, 10, 1]], "position": 0},
    "NaN": {"seq": 1, "intervals": [[0, float("nan"), 1]], "position": 0},
    "infinity": {"seq": 1, "intervals": [[0, float("inf"), 1]], "position": 0},
    "two-element interval": {"seq": 1, "intervals": [[0, 10]], "position": 0},
    "object interval": {"seq": 1, "intervals": [{"start": 0, "end": 1}], "position": 0},
    "intervals not a list": {"seq": 1, "intervals": "0-10", "position": 0},
    "huge array": {"seq": 1, "intervals": [[i, i + 0.5, 1] for i in range(1000)], "position": 0},
    "negative seq": {"seq": -1, "intervals": [], "position": 0},
    "float seq": {"seq": 1.5, "intervals": [], "position": 0},
    "missing seq": {"intervals": [], "position": 0},
    "negative position": {"seq": 1, "intervals": [], "position": -3},
    "not an object": [1, 2, 3],
}


@pytest.mark.parametrize("name", HOSTILE)
def test_malformed_or_hostile_reports_are_refused(name):
    with pytest.raises(watch.InvalidWatchReport):
        watch.parse_report(HOSTILE[name])


def test_reports_beyond_the_end_of_the_video_are_refused():
    report = watch.parse_report({"seq": 1, "intervals": [[590, 700, 1]], "position": 0})
    with pytest.raises(watch.InvalidWatchReport):
        watch.check_against_duration(report, DURATION)
    far = watch.parse_report({"seq": 1, "intervals": [], "position": 5000})
    with pytest.raises(watch.InvalidWatchReport):
        watch.check_against_duration(far, DURATION)


def test_merge_joins_touching_and_overlapping_intervals():
    assert watch.merge([[10, 20], [0, 5], [5, 8], [19, 30], [40, 40]]) == ((0, 8), (10, 30))
