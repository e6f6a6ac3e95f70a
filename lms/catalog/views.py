"""Catalog pages: the list of courses, a course's page, the referral-pain body map."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from lms import permissions
from lms.catalog import bp, services
from lms.catalog.models import Course
from lms.catalog.pagecache import cached_for_anonymous
from lms.certificates.credit import required_attestation
from lms.enrolments import services as enrolment_services
from lms.learning import services as learning_services
from lms.quizzes import evidence as quiz_evidence


def _arg(name: str, length: int = 100) -> str | None:
    return (request.args.get(name) or "").strip()[:length] or None


@bp.route("/catalog")
@cached_for_anonymous
def catalog():
    filters = services.CatalogFilters(
        region=_arg("region"), muscle=_arg("muscle"), syndrome=_arg("syndrome"), query=_arg("q")
    )
    courses = services.published_courses(filters)
    regions = services.body_regions()
    return render_template(
        "catalog/catalog.html",
        courses=courses,
        filters=filters,
        regions=regions,
        syndromes=services.pain_syndromes(),
        suggestions=[] if courses else services.related_muscles(filters, regions),
    )


def render_course_page(course: Course, preview: bool = False):
    """The course page as a learner sees it; `preview` shows it to its editors as one."""
    learner = None if preview else current_user
    enrolment = enrolment_services.enrolment_for(learner, course)
    # One query: the course's published quizzes and this learner's passes (outline + evidence).
    outline = quiz_evidence.course_outline(course.id, enrolment.user_id if enrolment else None)
    card = (
        learning_services.course_card(enrolment, course, outline.required_evidence())
        if enrolment
        else None
    )
    return render_template(
        "catalog/course.html",
        course=course,
        preview=preview,
        enrolment=enrolment,
        card=card,
        outline=outline,
        attestation=None if enrolment and enrolment.is_active else required_attestation(course),
        prerequisite_statuses=enrolment_services.statuses_in(learner, course.prerequisites),
        missing_prerequisites=enrolment_services.missing_prerequisites(learner, course),
        credits=services.ce_credits(course.ce_minutes),
        lesson_count=services.lesson_count(course),
        total_seconds=services.total_duration_seconds(course),
    )


@bp.route("/courses/<slug>")
def course(slug: str):
    course = services.course_by_slug(slug)
    if course is None or not permissions.can_view_course(current_user, course):
        abort(404)
    return render_course_page(course)


@bp.route("/body-map")
def body_map():
    zone_slug = request.args.get("zone")
    zone = services.zone_by_slug(zone_slug) if zone_slug else None
    if zone_slug and zone is None:
        abort(404)
    return render_template(
        "catalog/body_map.html",
        zone=zone,
        muscles=services.muscles_referring_to(zone) if zone else [],
        zones_by_view=services.zones_by_view(),
        selected_zone=zone.slug if zone else None,
    )
