"""The watch-time rules, as pure functions: what a report may claim and what it earns.

The browser reports the media intervals it played since its last report, with the playback
rate. The server credits only what could have been played in the wall-clock time since the
previous accepted report from that learner for that lesson (all tabs share one budget):

    allowed media seconds = min(rate, 2) x wall seconds elapsed + a small tolerance

so skipping ahead, 16x playback, two tabs at once, replays and forged reports earn nothing
extra. Verified seconds are the length of the union of credited intervals, so watching a
part twice never counts twice. No database here: `tests/video/test_watch_rules.py` tests the
rules as a table of report sequences.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lms.errors import DomainError

MAX_INTERVALS = 200  # per report; the player sends a handful
MAX_FRAGMENTS = 2000  # disjoint pieces of coverage kept per learner and lesson
MAX_CREDITED_RATE = 2.0
MIN_RATE, MAX_RATE = 0.0625, 16.0  # what browsers allow; outside this the report is forged
TOLERANCE_SECONDS = 2.0  # wall seconds: timer jitter, request latency
MAX_GAP_SECONDS = 120.0  # a report earns at most this much wall time (reports come every 15 s)
DURATION_SLACK = 1.0  # media containers and metadata disagree by a fraction of a second
MIN_INTERVAL = 0.05  # shorter intervals are timer noise: ignored, not credited
MERGE_GAP = 0.01
MAX_SEQ = 2**53


class InvalidWatchReport(DomainError):
    """The report is malformed or impossible; nothing of it is stored."""


@dataclass(frozen=True)
class PlayedInterval:
    start: float
    end: float
    rate: float

    @property
    def length(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Report:
    seq: int
    intervals: tuple[PlayedInterval, ...]
    position: float


@dataclass(frozen=True)
class WatchState:
    """Credited coverage (sorted, disjoint [start, end]) and when the last report came."""

    coverage: tuple[tuple[float, float], ...] = ()
    last_report_at: datetime | None = None

    @property
    def verified_seconds(self) -> float:
        return total_length(self.coverage)


@dataclass(frozen=True)
class Credit:
    state: WatchState
    credited_seconds: float
    rejected_reason: str | None = None


def number(value: Any, what: str) -> float:
    # bool is an int in Python; JSON true is not a time.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidWatchReport(f"{what} must be a number.")
    number = float(value)
    if not math.isfinite(number):
        raise InvalidWatchReport(f"{what} must be a finite number.")
    return number


def parse_report(payload: Any) -> Report:
    """Check a report's shape and types (no database needed); raise InvalidWatchReport."""
    if not isinstance(payload, dict):
        raise InvalidWatchReport("A watch report must be a JSON object.")
    seq = payload.get("seq")
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq < MAX_SEQ:
        raise InvalidWatchReport("seq must be a non-negative integer.")
    raw = payload.get("intervals")
    if not isinstance(raw, list):
        raise InvalidWatchReport("intervals must be a list of [start, end, rate].")
    if len(raw) > MAX_INTERVALS:
        raise InvalidWatchReport(f"A report may hold at most {MAX_INTERVALS} intervals.")
    intervals = []
    for item in raw:
        if not isinstance(item, list) or len(item) != 3:
            raise InvalidWatchReport("Each interval must be [start, end, rate].")
        start, end, rate = (number(value, "An interval bound") for value in item)
        if start < 0 or end < start:
            raise InvalidWatchReport("Intervals need 0 <= start <= end.")
        if not MIN_RATE <= rate <= MAX_RATE:
            raise InvalidWatchReport("The playback rate is outside what players allow.")
        intervals.append(PlayedInterval(start, end, rate))
    ordered = sorted(intervals, key=lambda interval: interval.start)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.start < before.end - MERGE_GAP:
            raise InvalidWatchReport("Intervals in one report must not overlap.")
    position = number(payload.get("position", 0), "position")
    if position < 0:
        raise InvalidWatchReport("position must not be negative.")
    return Report(seq=seq, intervals=tuple(intervals), position=position)


def check_against_duration(report: Report, duration: float) -> Report:
    """Refuse intervals beyond the video's end; clip the last fraction of a second."""
    limit = duration + DURATION_SLACK
    if report.position > limit or any(item.end > limit for item in report.intervals):
        raise InvalidWatchReport("The report goes beyond the end of the video.")
    return Report(
        seq=report.seq,
        intervals=tuple(
            PlayedInterval(item.start, min(item.end, duration), item.rate)
            for item in report.intervals
            if min(item.end, duration) - item.start >= MIN_INTERVAL
        ),
        position=min(report.position, duration),
    )


def merge(intervals: Iterable[Sequence[float]]) -> tuple[tuple[float, float], ...]:
    """Sorted, disjoint union of intervals (touching ones joined)."""
    merged: list[list[float]] = []
    for start, end in sorted((float(a), float(b)) for a, b in intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1] + MERGE_GAP:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((round(a, 3), round(b, 3)) for a, b in merged)


def total_length(intervals: Iterable[Sequence[float]]) -> float:
    return round(sum(end - start for start, end in intervals), 3)


def credit(report: Report, state: WatchState, now: datetime, page_opened_at: datetime) -> Credit:
    """Credit what fits the wall-clock budget since the previous accepted report.

    `page_opened_at` comes from the signed token of the page that sent the report, so a
    first report cannot claim more than the time the page has been open.
    """
    since = max(filter(None, (state.last_report_at, page_opened_at)))
    elapsed = min(max((now - since).total_seconds(), 0.0), MAX_GAP_SECONDS)
    wall_budget = elapsed + TOLERANCE_SECONDS
    credited: list[tuple[float, float]] = []
    truncated = False
    for item in report.intervals:  # in the order played
        rate = min(item.rate, MAX_CREDITED_RATE)
        take = min(item.length, max(wall_budget, 0.0) * rate)
        wall_budget -= take / rate
        if take < item.length - 1e-6:
            truncated = True
        if take >= MIN_INTERVAL:
            credited.append((item.start, item.start + take))
    coverage = merge([*state.coverage, *credited])
    if len(coverage) > MAX_FRAGMENTS:
        return Credit(
            WatchState(state.coverage, now), 0.0, "coverage too fragmented: nothing credited"
        )
    gained = round(max(total_length(coverage) - state.verified_seconds, 0.0), 3)
    reason = (
        "more than could be played since the last report: credited only what fits"
        if truncated
        else None
    )
    return Credit(WatchState(coverage, now), gained, reason)
