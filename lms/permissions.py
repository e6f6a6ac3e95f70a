"""Every "who may" rule of the platform, as pure predicates.

Views call `require(can_x(current_user, obj))`; templates call the same predicates through
the `can` namespace, so a page hides exactly what its view forbids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import abort

from lms.auth.models import Role

if TYPE_CHECKING:
    from lms.catalog.models import Course
    from lms.certificates.models import Certificate


def _roles(user: Any) -> set[Role]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    if not getattr(user, "is_active", False):
        return set()
    return user.roles


def is_signed_in(user: Any) -> bool:
    return bool(_roles(user))


def is_admin(user: Any) -> bool:
    return Role.ADMIN in _roles(user)


def is_instructor(user: Any) -> bool:
    return Role.INSTRUCTOR in _roles(user)


def can_access_admin(user: Any) -> bool:
    return is_admin(user)


def can_manage_users(user: Any) -> bool:
    return is_admin(user)


def can_author_courses(user: Any) -> bool:
    """Create new courses (and reach the authoring area)."""
    return is_admin(user) or is_instructor(user)


def teaches(user: Any, course: Course) -> bool:
    return is_instructor(user) and any(person.id == user.id for person in course.instructors)


def can_edit_course(user: Any, course: Course) -> bool:
    return is_admin(user) or teaches(user, course)


def can_view_course(user: Any, course: Course) -> bool:
    """Published courses are public; drafts only for their editors."""
    return course.is_published or can_edit_course(user, course)


def can_enrol_self(user: Any, course: Course) -> bool:
    return is_signed_in(user) and course.is_published


def can_manage_enrolments(user: Any, course: Course) -> bool:
    return can_edit_course(user, course)


def can_open_lessons(user: Any, course: Course, enrolment: Any) -> bool:
    """Enrolled learners study a published course's lessons; editors preview them."""
    if can_edit_course(user, course):
        return True
    return (
        course.is_published
        and enrolment is not None
        and enrolment.user_id == getattr(user, "id", None)
        and enrolment.is_active
    )


def can_manage_lesson_media(user: Any, course: Course) -> bool:
    """Upload and replace lesson videos, captions and handouts."""
    return can_edit_course(user, course)


def can_view_video_analytics(user: Any, course: Course) -> bool:
    return can_edit_course(user, course)


def can_record_watch_time(user: Any, course: Course, enrolment: Any) -> bool:
    """Only the learner's own active enrolment earns verified watch time (not previews)."""
    return (
        is_signed_in(user)
        and course.is_published
        and enrolment is not None
        and enrolment.user_id == getattr(user, "id", None)
        and enrolment.is_active
    )


def can_view_dashboards(user: Any) -> bool:
    """Reach "My dashboards": instructors (their courses) and administrators (all)."""
    return is_admin(user) or is_instructor(user)


def can_view_course_dashboard(user: Any, course: Course) -> bool:
    """A course's dashboard, learner table, export and learner pages."""
    return can_edit_course(user, course)


def can_remind_learners(user: Any, course: Course) -> bool:
    return can_edit_course(user, course)


def can_change_roles(user: Any, target: Any) -> bool:
    return is_admin(user)


def can_deactivate(user: Any, target: Any) -> bool:
    """Administrators deactivate others; never themselves (they would lock themselves out)."""
    return is_admin(user) and getattr(target, "id", None) != getattr(user, "id", None)


def can_manage_all_enrolments(user: Any) -> bool:
    """List, enrol and withdraw across every course, and bulk-enrol from a CSV."""
    return is_admin(user)


def can_author_quizzes(user: Any, course: Course) -> bool:
    """Write question banks and quizzes, upload their images, import and export banks."""
    return can_edit_course(user, course)


def can_view_quiz_results(user: Any, course: Course) -> bool:
    """Score distributions, item analysis, hotspot clicks and the attempts export."""
    return can_edit_course(user, course)


def can_reset_quiz_attempts(user: Any, course: Course) -> bool:
    return can_edit_course(user, course)


def can_take_quiz(user: Any, course: Course, quiz: Any, enrolment: Any) -> bool:
    """Enrolled learners take a published quiz of a published course."""
    return (
        quiz.is_published
        and course.is_published
        and enrolment is not None
        and enrolment.user_id == getattr(user, "id", None)
        and enrolment.is_active
    )


def can_view_attempt(user: Any, course: Course, attempt: Any) -> bool:
    """Learners see their own attempts; the course's editors see everyone's."""
    own = is_signed_in(user) and attempt.user_id == user.id
    return own or can_view_quiz_results(user, course)


def can_answer_attempt(user: Any, attempt: Any) -> bool:
    """Only the learner who started an attempt answers or submits it."""
    return is_signed_in(user) and attempt.user_id == user.id


def can_edit_course_credit(user: Any, course: Course) -> bool:
    """Change a course's CE data (minutes, board numbers, attestation, issuance)."""
    return can_edit_course(user, course)


def can_view_evaluations(user: Any, course: Course) -> bool:
    """Read a course's aggregated evaluations: its instructors and administrators."""
    return can_edit_course(user, course)


def can_manage_certificates(user: Any) -> bool:
    """Issue, revoke and reissue certificates; board reports and audit exports."""
    return is_admin(user)


def can_manage_provider(user: Any) -> bool:
    return is_admin(user)


def can_read_audit_log(user: Any) -> bool:
    return is_admin(user)


def can_download_certificate(user: Any, certificate: Certificate) -> bool:
    """The learner it was issued to, and administrators (their downloads are audited)."""
    if is_admin(user):
        return True
    return is_signed_in(user) and certificate.user_id == user.id


def require(allowed: bool) -> None:
    """Stop the request with 403 unless the rule allowed it."""
    if not allowed:
        abort(403)


TEMPLATE_PREDICATES = {
    name: value
    for name, value in dict(globals()).items()
    if callable(value) and (name.startswith(("can_", "is_")) or name == "teaches")
}
