"""Small server-side SVG charts: no JavaScript, readable without colour.

Every chart has a <title> and <desc>, a text label and a printed value on every bar, and
series told apart by pattern as well as colour. A row may carry a strip under its bars: a
distribution over the row's lesson from 0 % to 100 % (e.g. where viewers stopped in a
video), drawn as small columns on a labelled axis, with a marked point and its value in
words. Pages show the same numbers in a table. Colours come from CSS classes (app.css),
never from style attributes (the CSP forbids them).
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
STRIP_VALUE_WIDTH = 140  # room for a strip's label, e.g. "▼ 25–30%, 77% at end"
ROW_HEIGHT = 26
BAR_HEIGHT = 16
STRIP_HEIGHT = 34  # columns up to STRIP_COLUMNS high, the axis, its 0 % and 100 % labels
STRIP_COLUMNS = 16


@dataclass(frozen=True)
class Series:
    """One set of bars: a name for the legend and a CSS class (solid or hatched)."""

    name: str
    css_class: str


@dataclass(frozen=True)
class Strip:
    """A distribution over a lesson, drawn under its row's bars."""

    label: str  # left of the strip, e.g. "viewers stopped"
    shares: tuple[float, ...]  # 0..1 per equal slice, from the lesson's start to its end
    marker: float | None = None  # 0..1 of the way through
    marker_label: str = ""  # printed right of the strip, e.g. "▼ 25–30%, 77% at end"


@dataclass(frozen=True)
class Row:
    label: str
    values: tuple[int, ...]  # one per series
    note: str = ""  # printed after the values, e.g. "12%"
    strip: Strip | None = None


SOLID = Series("", "chart-bar")


def _text(x: float, y: float, text: str, css_class: str, anchor: str = "start") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" class="{css_class}" text-anchor="{anchor}">'
        f"{escape(text)}</text>"
    )


def _clip(label: str, length: int = 23) -> str:
    # 23 characters of 12 px text fit the label column (26 ran past its left edge).
    return label if len(label) <= length else label[: length - 1] + "…"


def _strip(strip: Strip, top: float) -> list[str]:
    """A strip's SVG, its columns' tops at `top`."""
    base = top + STRIP_COLUMNS
    slot = BAR_AREA / max(1, len(strip.shares))
    tallest = max(strip.shares, default=0) or 1
    parts = [
        _text(LABEL_WIDTH - 6, base - 2, _clip(strip.label), "chart-tick", "end"),
        f'<line x1="{LABEL_WIDTH}" y1="{base:.1f}" x2="{LABEL_WIDTH + BAR_AREA}" '
        f'y2="{base:.1f}" class="chart-axis"/>',
    ]
    for index, share in enumerate(strip.shares):
        height = STRIP_COLUMNS * share / tallest
        if height:
            parts.append(
                f'<rect x="{LABEL_WIDTH + index * slot + 0.5:.1f}" y="{base - height:.1f}" '
                f'width="{slot - 1:.1f}" height="{height:.1f}" class="chart-strip"/>'
            )
    if strip.marker is not None:
        x = LABEL_WIDTH + BAR_AREA * strip.marker
        # A triangle pointing down at the axis: a shape, not a colour, marks the point.
        parts.append(
            f'<polygon points="{x - 4:.1f},{top - 5:.1f} {x + 4:.1f},{top - 5:.1f} '
            f'{x:.1f},{top + 1:.1f}" class="chart-marker"/>'
            f'<line x1="{x:.1f}" y1="{top + 1:.1f}" x2="{x:.1f}" y2="{base:.1f}" '
            'class="chart-marker-line"/>'
        )
    parts.append(_text(LABEL_WIDTH + BAR_AREA + 4, base - 2, strip.marker_label, "chart-value"))
    parts.append(_text(LABEL_WIDTH, base + 11, "0%", "chart-tick"))
    parts.append(_text(LABEL_WIDTH + BAR_AREA, base + 11, "100%", "chart-tick", "end"))
    return parts


def bar_chart(
    title: str,
    description: str,
    rows: Sequence[Row],
    series: Sequence[Series] = (SOLID,),
    strip_legend: str = "",
) -> Markup:
    """Horizontal bars, one group per row, each bar labelled with its value; rows with a
    strip get it under their bars (`strip_legend` names strips in the legend)."""
    chart_id = f"chart-{next(_ids)}"
    maximum = max((value for row in rows for value in row.values), default=0) or 1
    bars_per_row = len(series)
    group_height = bars_per_row * (BAR_HEIGHT + 2) + (ROW_HEIGHT - BAR_HEIGHT)
    strips = any(row.strip for row in rows)
    legend_height = 22 * ((bars_per_row > 1) + strips)  # a line for series, one for strips
    height = (
        legend_height
        + group_height * len(rows)
        + STRIP_HEIGHT * sum(1 for row in rows if row.strip)
        + 4
    )
    width = LABEL_WIDTH + BAR_AREA + (STRIP_VALUE_WIDTH if strips else VALUE_WIDTH)
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
    if strips:
        x, top = LABEL_WIDTH, legend_height - 18
        parts.append(
            f'<rect x="{x}" y="{top + 4}" width="3" height="8" class="chart-strip"/>'
            f'<rect x="{x + 4}" y="{top}" width="3" height="12" class="chart-strip"/>'
            f'<polygon points="{x + 9},{top} {x + 15},{top} {x + 12},{top + 5}" '
            'class="chart-marker"/>'
        )
        parts.append(_text(x + 19, top + 10, strip_legend, "chart-legend"))
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
        if row.strip:
            parts += _strip(row.strip, y - (ROW_HEIGHT - BAR_HEIGHT) + 8)
            y += STRIP_HEIGHT
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


def funnel_chart(steps: Sequence, details: Sequence = ()) -> Markup:
    """Per lesson, learners who reached it and who completed it (services.FunnelStep), and
    under a lesson's bars the timeline of the first lesson detail (`details`:
    sections.LessonDetail) that draws one for it, e.g. where a video's viewers stopped."""
    rows, said, legend = [], [], ""
    for step in steps:
        strip = None
        for detail in details:
            figure = step.details.get(detail.key)
            if figure is not None and figure.timeline:
                label = detail.strip_label or detail.title
                strip = Strip(label, figure.timeline, figure.marker, figure.marker_label)
                said.append(f"{step.lesson.title}: {figure.summary}")
                legend = legend or detail.legend
                break
        rows.append(Row(step.lesson.title, (step.reached, step.completed), strip=strip))
    description = (
        "For each lesson in course order, the learners who opened it (solid bars) and "
        "the learners who completed it (hatched bars)"
    )
    if said:
        description += f"; under a lesson, small columns along it: {legend}. " + ". ".join(said)
    return bar_chart(
        "Lesson funnel",
        description + ". The table below lists the same numbers.",
        rows,
        (Series("Reached", "chart-bar"), Series("Completed", "chart-bar-hatched")),
        strip_legend=legend,
    )
