"""Scoring rules for every question type, as pure functions (tested as tables).

Hotspot coordinates are image-relative: x and y run from 0 to 1 across the image's width
and height. A circle's radius is a fraction of the width; with the image's aspect ratio
(height / width) the circle stays round whatever size the image is shown at.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from typing import Any

# Clicks within this distance of a region's edge count as on the edge (floating point).
EPSILON = 1e-9
MAX_POLYGON_POINTS = 64


class RegionError(ValueError):
    """A hotspot region that cannot be used; the message says why."""


def score_choices(
    correct_ids: Collection[int],
    picked_ids: Collection[int],
    *,
    multiple: bool,
    partial_credit: bool = False,
) -> float:
    """Score a choice question from 0 to 1.

    Single choice and true/false: 1 when exactly the correct choice is picked. Multiple
    select: 1 when exactly the correct set is picked; with partial credit,
    max(0, (correct picked - wrong picked) / number of correct choices).
    """
    correct, picked = set(correct_ids), set(picked_ids)
    if not correct:
        return 0.0
    if not multiple or not partial_credit:
        return 1.0 if picked == correct else 0.0
    right = len(picked & correct)
    wrong = len(picked - correct)
    return max(0.0, (right - wrong) / len(correct))


def in_circle(x: float, y: float, cx: float, cy: float, r: float, aspect: float = 1.0) -> bool:
    """Inside or on the circle (radius measured in image widths)."""
    dx, dy = x - cx, (y - cy) * aspect
    return math.hypot(dx, dy) <= r + EPSILON


def _on_segment(x: float, y: float, a: Sequence[float], b: Sequence[float]) -> bool:
    (ax, ay), (bx, by) = a, b
    length = math.hypot(bx - ax, by - ay)
    if length <= EPSILON:
        return math.hypot(x - ax, y - ay) <= EPSILON
    cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax)
    if abs(cross) / length > EPSILON:
        return False
    dot = (x - ax) * (bx - ax) + (y - ay) * (by - ay)
    return -EPSILON <= dot <= length * length + EPSILON


def in_polygon(x: float, y: float, points: Sequence[Sequence[float]]) -> bool:
    """Inside or on the boundary of a simple polygon (ray casting, edges count as inside)."""
    count = len(points)
    for index in range(count):
        if _on_segment(x, y, points[index], points[(index + 1) % count]):
            return True
    inside = False
    j = count - 1
    for i in range(count):
        xi, yi = points[i]
        xj, yj = points[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def region_contains(region: dict[str, Any], x: float, y: float, aspect: float = 1.0) -> bool:
    """Whether a click at (x, y) hits the target region."""
    if region["shape"] == "circle":
        return in_circle(x, y, region["cx"], region["cy"], region["r"], aspect)
    return in_polygon(x, y, region["points"])


def click_in_image(x: float, y: float) -> bool:
    return 0.0 <= x <= 1.0 and 0.0 <= y <= 1.0


def _unit(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RegionError(f"{name} must be a number.")
    number = float(value)
    if not math.isfinite(number) or not 0.0 <= number <= 1.0:
        raise RegionError(f"{name} must be between 0 and 1 (a share of the image).")
    return number


def clean_region(region: Any) -> dict[str, Any]:
    """Validate a region from a form, an import or the editor; return its canonical form."""
    if not isinstance(region, dict):
        raise RegionError("The target region must be a circle or a polygon.")
    shape = region.get("shape")
    if shape == "circle":
        cleaned = {
            "shape": "circle",
            "cx": _unit(region.get("cx"), "The centre's x"),
            "cy": _unit(region.get("cy"), "The centre's y"),
            "r": _unit(region.get("r"), "The radius"),
        }
        if cleaned["r"] <= 0:
            raise RegionError("The radius must be greater than 0.")
        return cleaned
    if shape == "polygon":
        points = region.get("points")
        if not isinstance(points, list) or not 3 <= len(points) <= MAX_POLYGON_POINTS:
            raise RegionError(f"A polygon needs 3 to {MAX_POLYGON_POINTS} points.")
        cleaned_points = []
        for index, point in enumerate(points, start=1):
            if not isinstance(point, list | tuple) or len(point) != 2:
                raise RegionError(f"Point {index} must be a pair [x, y].")
            cleaned_points.append(
                [_unit(point[0], f"Point {index}'s x"), _unit(point[1], f"Point {index}'s y")]
            )
        if _area(cleaned_points) <= EPSILON:
            raise RegionError("The polygon's points must enclose an area.")
        return {"shape": "polygon", "points": cleaned_points}
    raise RegionError("The target region must be a circle or a polygon.")


def _area(points: Sequence[Sequence[float]]) -> float:
    total = 0.0
    for index, (x1, y1) in enumerate(points):
        x2, y2 = points[(index + 1) % len(points)]
        total += x1 * y2 - x2 * y1
    return abs(total) / 2
