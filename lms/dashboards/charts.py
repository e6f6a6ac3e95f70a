"""Small server-side SVG charts: no JavaScript, readable without colour.

Every chart has a <title> and <desc>, a text label and a printed value on every bar, and
series told apart by pattern as well as colour. Pages show the same numbers in a table.
Colours come from CSS classes (app.css), never from style attributes (the CSP forbids them).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

_ids = itertools.count(1)

LABEL_WIDTH = 170
BAR_AREA = 300
VALUE_WIDTH = 70
ROW_HEIGHT = 26
BAR_HEIGHT = 16


@dataclass(frozen=True)
class Series:
    """One set of bars: a name for the legend and a CSS class (solid or hatched)."""

    name: str
    css_class: str


@dataclass(frozen=True)
class Row:
    label: str
    values: tuple[int, ...]  # one per series
    note: str = ""  # printed after the values, e.g. "12%"


SOLID = Series("", "chart-bar")


def _text(x: float, y: float, text: str, css_class: str, anchor: str = "start") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" class="{css_class}" text-anchor="{anchor}">'
        f"{escape(text)}</text>"
    )


def _clip(label: str, length: int = 26) -> str:
    return label if len(label) <= length else label[: length - 1] + "…"


def bar_chart(
    title: str,
    description: str,
    rows: Sequence[Row],
    series: Sequence[Series] = (SOLID,),
) -> Markup:
    """Horizontal bars, one group per row, each bar labelled with its value."""
    chart_id = f"chart-{next(_ids)}"
    maximum = max((value for row in rows for value in row.values), default=0) or 1
    bars_per_row = len(series)
    group_height = bars_per_row * (BAR_HEIGHT + 2) + (ROW_HEIGHT - BAR_HEIGHT)
    legend_height = 22 if bars_per_row > 1 else 0
    height = legend_height + group_height * len(rows) + 4
    width = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        "<defs>"
        f'<pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" class="chart-hatch-bg"/>'
        '<line x1="0" y1="0" x2="0" y2="6" class="chart-hatch-line"/></pattern>'
        "</defs>",
    ]

    def fill(item: Series) -> str:
        hatched = item.css_class.endswith("hatched")
        return f' fill="url(#{chart_id}-hatch)"' if hatched else ""

    if bars_per_row > 1:
        x = LABEL_WIDTH
        for item in series:
            parts.append(
                f'<rect x="{x}" y="4" width="14" height="12" class="{item.css_class}"{fill(item)}/>'
            )
            parts.append(_text(x + 18, 14, item.name, "chart-legend"))
            x += 30 + 7 * len(item.name)
    y = legend_height
    for row in rows:
        parts.append(
            _text(LABEL_WIDTH - 6, y + BAR_HEIGHT - 3, _clip(row.label), "chart-label", "end")
        )
        bar_y = y
        for item, value in zip(series, row.values, strict=True):
            length = BAR_AREA * value / maximum
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{bar_y}" width="{length:.1f}" height="{BAR_HEIGHT}" '
                f'class="{item.css_class}"{fill(item)}/>'
            )
            text = f"{value:,}" + (f" ({row.note})" if row.note and len(series) == 1 else "")
            parts.append(
                _text(LABEL_WIDTH + length + 4, bar_y + BAR_HEIGHT - 3, text, "chart-value")
            )
            bar_y += BAR_HEIGHT + 2
        y += group_height
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text above is escaped)


def distribution_chart(buckets: Sequence) -> Markup:
    """Learners per progress band (dashboards.services.Bucket)."""
    total = sum(bucket.learners for bucket in buckets)
    return bar_chart(
        "Learners by progress",
        f"How many of the {total:,} enrolled learners have completed what share of the "
        "course; the table below lists the same numbers.",
        [Row(b.label, (b.learners,), f"{b.share:.0%}") for b in buckets],
    )


def funnel_chart(steps: Sequence) -> Markup:
    """Per lesson, learners who reached it and who completed it (services.FunnelStep)."""
    return bar_chart(
        "Lesson funnel",
        "For each lesson in course order, the learners who opened it (solid bars) and "
        "the learners who completed it (hatched bars); the table below lists the same numbers.",
        [Row(step.lesson.title, (step.reached, step.completed)) for step in steps],
        (Series("Reached", "chart-bar"), Series("Completed", "chart-bar-hatched")),
    )
