"""Consistency checks for the demo catalogue content and the body-map partial."""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # allow running this file on its own
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402

from lms.demo import content as c  # noqa: E402
from lms.demo.bodymap import muscles_for_zone, zones_for_view  # noqa: E402

BODY_MAP = ROOT / "lms" / "catalog" / "templates" / "catalog" / "_body_map.html"
ZONE_SLUGS = {z.slug for z in c.REFERRAL_ZONES}
MUSCLE_SLUGS = {m.slug for m in c.MUSCLE_GROUPS}
COURSE_SLUGS = {course.slug for course in c.COURSES}


def _unique(values) -> bool:
    values = list(values)
    return len(values) == len(set(values))


def test_fourteen_muscle_groups_with_valid_regions():
    assert len(c.MUSCLE_GROUPS) == 14
    regions = {r.slug for r in c.BODY_REGIONS}
    assert [r.slug for r in c.BODY_REGIONS] == [
        "neck",
        "shoulder",
        "low-back",
        "hip-buttock",
        "leg",
        "head-jaw",
    ]
    for m in c.MUSCLE_GROUPS:
        assert m.region in regions, m.slug
        assert m.referral_zones and m.pain_syndromes, m.slug
        assert all(re.fullmatch(r"[A-Z]{2}\d{1,2}", p) for p in m.acupoints), m.acupoints


def test_slugs_unique():
    assert _unique(r.slug for r in c.BODY_REGIONS)
    assert _unique(z.slug for z in c.REFERRAL_ZONES)
    assert _unique(m.slug for m in c.MUSCLE_GROUPS)
    assert _unique(course.slug for course in c.COURSES)
    assert _unique(course.code for course in c.COURSES)
    for course in c.COURSES:
        assert _unique(lesson.slug for module in course.modules for lesson in module.lessons)


def test_referral_zones_used_by_muscles_exist():
    for m in c.MUSCLE_GROUPS:
        for zone in m.referral_zones:
            assert zone in ZONE_SLUGS, (m.slug, zone)
    for zone in c.REFERRAL_ZONES:
        assert zone.views and set(zone.views) <= {"front", "back"}, zone.slug
        assert muscles_for_zone(zone.slug), f"zone {zone.slug} is not used by any muscle"


def test_body_map_has_every_zone_exactly_once():
    text = BODY_MAP.read_text(encoding="utf-8")
    counts = Counter(re.findall(r'data-zone="([^"]+)"', text))
    assert set(counts) == ZONE_SLUGS
    assert all(n == 1 for n in counts.values()), {k: n for k, n in counts.items() if n != 1}
    # no inline styles or scripts (strict CSP)
    assert "style=" not in text and "<script" not in text
    for zone in c.REFERRAL_ZONES:
        assert f"zone='{zone.slug}'" in text
        assert f'aria-label="{zone.label}"' in text


def test_zones_for_view():
    front = {z.slug for z in zones_for_view("front")}
    back = {z.slug for z in zones_for_view("back")}
    assert front | back == ZONE_SLUGS
    assert "temple" in front and "occiput" in back
    with pytest.raises(ValueError):
        zones_for_view("side")


def test_muscles_for_zone():
    assert muscles_for_zone("temple") == ["upper-trapezius", "masseter-temporalis"]
    assert set(muscles_for_zone("posterior-thigh")) == {"gluteus-minimus", "piriformis"}
    assert muscles_for_zone("no-such-zone") == []


def test_courses_structure():
    assert len(c.COURSES) == len(c.MUSCLE_GROUPS)
    instructors = {u.email for u in c.DEMO_USERS if u.role == "instructor"}
    for course in c.COURSES:
        assert course.muscle in MUSCLE_SLUGS and course.slug == course.muscle
        assert course.ce_minutes >= 60
        assert course.instructor_email in instructors
        assert len(course.modules) == 3
        for module in course.modules:
            assert 2 <= len(module.lessons) <= 3, (course.slug, module.title)
            for lesson in module.lessons:
                assert lesson.kind in ("video", "reading")
                assert 5 <= lesson.duration_minutes <= 25
                words = len(re.findall(r"\w+", lesson.notes))
                assert 120 <= words <= 250, (course.slug, lesson.slug, words)
                assert "lorem" not in lesson.notes.lower()


def test_needling_cautions_appear_in_course_notes():
    muscles = {m.slug: m for m in c.MUSCLE_GROUPS}
    for course in c.COURSES:
        m = muscles[course.muscle]
        notes = "\n".join(lesson.notes for mod in course.modules for lesson in mod.lessons)
        for point in m.acupoints:
            assert point in notes, (course.slug, point)
        if m.needling_caution:
            assert m.needling_caution in notes, course.slug


def test_demo_users():
    roles = Counter(u.role for u in c.DEMO_USERS)
    assert roles == {"admin": 1, "instructor": 2, "learner": 24}
    assert _unique(u.email.lower() for u in c.DEMO_USERS)
    assert all(u.email.endswith("@demo.lms") for u in c.DEMO_USERS)
    for u in c.DEMO_USERS:
        if u.nccaom_id is not None:
            assert re.fullmatch(r"^[1-9][0-9]{2,5}$", u.nccaom_id), (u.email, u.nccaom_id)
        for licence in u.licences:
            assert licence.board and licence.number
    learners = [u for u in c.DEMO_USERS if u.role == "learner"]
    assert any(u.nccaom_id is None for u in learners)
    assert all(u.licences for u in learners)


def test_enrolments_refer_to_existing_learners_and_courses():
    learners = {u.email for u in c.DEMO_USERS if u.role == "learner"}
    assert _unique(c.ENROLMENTS)
    for email, slug in c.ENROLMENTS:
        assert email in learners and slug in COURSE_SLUGS
    per_learner = Counter(email for email, _ in c.ENROLMENTS)
    assert set(per_learner) == learners
    keen = c.LEARNERS[0].email  # follows ten courses: "my learning" at full size
    assert per_learner.pop(keen) == 10
    assert all(1 <= n <= 5 for n in per_learner.values())
