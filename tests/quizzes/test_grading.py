"""Scoring rules for every question type, as tables."""

import pytest

from lms.quizzes.grading import (
    RegionError,
    clean_region,
    click_in_image,
    in_circle,
    in_polygon,
    region_contains,
    score_choices,
)

CORRECT = {1, 2, 3}  # a multiple-select question with three correct choices (4, 5 wrong)


@pytest.mark.parametrize(
    ("correct", "picked", "multiple", "partial", "expected"),
    [
        # single choice / true-false
        ({1}, {1}, False, False, 1.0),
        ({1}, {2}, False, False, 0.0),
        ({1}, set(), False, False, 0.0),
        ({1}, {1, 2}, False, False, 0.0),
        # multiple select, all or nothing
        (CORRECT, {1, 2, 3}, True, False, 1.0),
        (CORRECT, {1, 2}, True, False, 0.0),
        (CORRECT, {1, 2, 3, 4}, True, False, 0.0),
        # multiple select with partial credit: max(0, (right - wrong) / correct count)
        (CORRECT, {1, 2, 3}, True, True, 1.0),
        (CORRECT, {1, 2}, True, True, 2 / 3),
        (CORRECT, {1}, True, True, 1 / 3),
        (CORRECT, {1, 2, 4}, True, True, 1 / 3),
        (CORRECT, {1, 4}, True, True, 0.0),
        (CORRECT, {1, 4, 5}, True, True, 0.0),  # never below zero
        (CORRECT, {4, 5}, True, True, 0.0),
        (CORRECT, set(), True, True, 0.0),
        (CORRECT, {1, 2, 3, 4, 5}, True, True, 1 / 3),
        (set(), {1}, True, True, 0.0),
    ],
)
def test_choice_scores(correct, picked, multiple, partial, expected):
    assert score_choices(correct, picked, multiple=multiple, partial_credit=partial) == (
        pytest.approx(expected)
    )


SQUARE = [[0.2, 0.2], [0.6, 0.2], [0.6, 0.6], [0.2, 0.6]]
# A concave "L": the notch (0.5..0.8, 0.5..0.8) is outside.
ELL = [[0.2, 0.2], [0.8, 0.2], [0.8, 0.5], [0.5, 0.5], [0.5, 0.8], [0.2, 0.8]]
TRIANGLE = [[0.1, 0.9], [0.5, 0.1], [0.9, 0.9]]


@pytest.mark.parametrize(
    ("x", "y", "polygon", "inside"),
    [
        (0.4, 0.4, SQUARE, True),
        (0.1, 0.4, SQUARE, False),
        (0.7, 0.4, SQUARE, False),
        # edges and corners count as inside
        (0.2, 0.4, SQUARE, True),  # left edge
        (0.6, 0.4, SQUARE, True),  # right edge
        (0.4, 0.2, SQUARE, True),  # top edge
        (0.4, 0.6, SQUARE, True),  # bottom edge
        (0.2, 0.2, SQUARE, True),  # corner
        (0.6, 0.6, SQUARE, True),  # corner
        (0.6 + 1e-6, 0.4, SQUARE, False),  # just outside an edge
        (0.4, 0.2 - 1e-6, SQUARE, False),
        # the ray passes through a vertex: must not double count
        (0.1, 0.2, SQUARE, False),
        (0.1, 0.6, SQUARE, False),
        # concave polygon
        (0.3, 0.3, ELL, True),
        (0.7, 0.3, ELL, True),
        (0.3, 0.7, ELL, True),
        (0.7, 0.7, ELL, False),  # in the notch
        (0.5, 0.65, ELL, True),  # on the notch's inner edge
        (0.65, 0.5, ELL, True),
        # slanted edges
        (0.3, 0.5, TRIANGLE, True),  # on the left edge: x = 0.5 - (0.9 - y) / 2 at y=0.5
        (0.29, 0.5, TRIANGLE, False),
        (0.5, 0.9, TRIANGLE, True),  # on the base
        (0.5, 0.1, TRIANGLE, True),  # apex
    ],
)
def test_point_in_polygon(x, y, polygon, inside):
    assert in_polygon(x, y, polygon) is inside


@pytest.mark.parametrize(
    ("x", "y", "aspect", "inside"),
    [
        (0.5, 0.5, 1.0, True),
        (0.6, 0.5, 1.0, True),  # exactly on the circle
        (0.5, 0.4, 1.0, True),
        (0.6 + 1e-6, 0.5, 1.0, False),
        (0.58, 0.58, 1.0, False),  # distance 0.113 > 0.1
        (0.57, 0.57, 1.0, True),  # distance 0.099
        # a tall image (height = 2 x width): the radius is in widths, so y distances count double
        (0.5, 0.55, 2.0, True),  # on the edge
        (0.5, 0.56, 2.0, False),
        (0.6, 0.5, 2.0, True),
    ],
)
def test_point_in_circle(x, y, aspect, inside):
    assert in_circle(x, y, 0.5, 0.5, 0.1, aspect) is inside


def test_region_dispatch():
    assert region_contains({"shape": "circle", "cx": 0.5, "cy": 0.5, "r": 0.1}, 0.55, 0.5)
    assert not region_contains({"shape": "polygon", "points": SQUARE}, 0.9, 0.9)


@pytest.mark.parametrize(
    ("x", "y", "inside"),
    [(0, 0, True), (1, 1, True), (0.5, 0.5, True), (-0.01, 0.5, False), (0.5, 1.01, False)],
)
def test_click_in_image(x, y, inside):
    assert click_in_image(x, y) is inside


@pytest.mark.parametrize(
    ("region", "message"),
    [
        (None, "circle or a polygon"),
        ({"shape": "star"}, "circle or a polygon"),
        ({"shape": "circle", "cx": 0.5, "cy": 0.5}, "radius must be a number"),
        ({"shape": "circle", "cx": 1.5, "cy": 0.5, "r": 0.1}, "between 0 and 1"),
        ({"shape": "circle", "cx": 0.5, "cy": 0.5, "r": 0}, "greater than 0"),
        ({"shape": "circle", "cx": True, "cy": 0.5, "r": 0.1}, "must be a number"),
        ({"shape": "polygon", "points": [[0, 0], [1, 1]]}, "3 to 64 points"),
        ({"shape": "polygon", "points": [[0, 0], [0.5, 0.5], [1, 1]]}, "enclose an area"),
        ({"shape": "polygon", "points": [[0, 0], [1], [1, 1]]}, "Point 2"),
    ],
)
def test_bad_regions_are_refused_with_the_reason(region, message):
    with pytest.raises(RegionError, match=message):
        clean_region(region)


def test_good_regions_are_canonical():
    assert clean_region({"shape": "circle", "cx": 1, "cy": 0, "r": 0.5, "extra": 1}) == {
        "shape": "circle",
        "cx": 1.0,
        "cy": 0.0,
        "r": 0.5,
    }
    assert clean_region({"shape": "polygon", "points": SQUARE})["points"] == SQUARE
