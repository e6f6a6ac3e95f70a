"""What the course dashboards show about certificates, registered as dashboard sections:
certificates issued for the course (valid, revoked, reissued, waiting in the admin queue,
the latest) and a learner's certificates. Figures come from `services`."""

from __future__ import annotations

from lms.certificates.services import course_certificates, learner_certificates
from lms.dashboards.sections import (
    CourseSection,
    LearnerSection,
    course_sections,
    learner_sections,
)

course_sections.append(
    CourseSection(
        "certificates",
        "Certificates",
        "certificates/_dashboard_course.html",
        course_certificates,
    )
)
learner_sections.append(
    LearnerSection(
        "certificates",
        "Certificates",
        "certificates/_dashboard_learner.html",
        learner_certificates,
    )
)
