"""Catalog pages: the list of courses, a course's page, the referral-pain body map."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from lms import permissions
from lms.catalog import bp, services
from lms.certificates.credit import required_attestation
from lms.enrolments import services as enrolment_services
from lms.learning import services as learning_services


@bp.route("/catalog")
def catalog():
    region = request.args.get("region") or None
    query = (request.args.get("q") or "").strip()[:100] or None
    courses = services.published_courses(region_slug=region, query=query)
    return render_template(
        "catalog/catalog.html",
        courses=courses,
        regions=services.body_regions(),
        region=region,
        query=query,
    )


@bp.route("/courses/<slug>")
def course(slug: str):
    course = services.course_by_slug(slug)
    if course is None or not permissions.can_view_course(current_user, course):
        abort(404)
    enrolment = enrolment_services.enrolment_for(current_user, course)
    card = learning_services.course_card(enrolment, course) if enrolment else None
    return render_template(
        "catalog/course.html",
        course=course,
        enrolment=enrolment,
        card=card,
        attestation=required_attestation(course)
        if not (enrolment and enrolment.is_active)
        else None,
        lesson_count=services.lesson_count(course),
        total_seconds=services.total_duration_seconds(course),
    )


@bp.route("/body-map")
def body_map():
    zone_slug = request.args.get("zone")
    zone = services.zone_by_slug(zone_slug) if zone_slug else None
    if zone_slug and zone is None:
        abort(404)
    muscles = services.muscles_referring_to(zone) if zone else []
    return render_template(
        "catalog/body_map.html",
        zone=zone,
        muscles=muscles,
        selected_zone=zone.slug if zone else None,
    )
