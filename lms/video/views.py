"""Lesson media pages and the JSON endpoints of the uploader and the player."""

from __future__ import annotations

from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from lms import connections, permissions
from lms.auth import services as auth_services
from lms.auth.forms import EmptyForm
from lms.catalog.models import Course, Lesson
from lms.connections import autocommit
from lms.enrolments import services as enrolment_services
from lms.errors import DomainError, json_endpoint
from lms.extensions import csrf, db
from lms.learning import services as learning_services

# dashboard: registers the lesson funnel's video column, as the quiz and certificate views do.
from lms.video import analytics, bp, dashboard, media, uploads, watching  # noqa: F401
from lms.video.forms import CaptionsForm, HandoutForm
from lms.video.models import Handout, VideoUpload


def _course_and_lesson(slug: str, lesson_id: int) -> tuple[Course, Lesson]:
    course = learning_services.syllabus(slug)
    if course is None:
        abort(404)
    lesson = learning_services.find_lesson(course, lesson_id)
    if lesson is None:
        abort(404)
    return course, lesson


def _editable(slug: str, lesson_id: int) -> tuple[Course, Lesson]:
    course, lesson = _course_and_lesson(slug, lesson_id)
    permissions.require(permissions.can_manage_lesson_media(current_user, course))
    return course, lesson


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise uploads.UploadRefused("Send a JSON object.")
    return body


def upload_json(upload: VideoUpload) -> dict[str, Any]:
    return {
        "id": upload.id,
        "filename": upload.filename,
        "size": upload.size,
        "part_size": upload.part_size,
        "parts_total": upload.parts_total,
        "status": upload.status.value,
        "urls": {
            "status": url_for("video.upload_status", upload_id=upload.id),
            "parts": url_for("video.sign_parts", upload_id=upload.id),
            "complete": url_for("video.complete_upload", upload_id=upload.id),
            "abort": url_for("video.abort_upload", upload_id=upload.id),
        },
    }


# --- the editor's media page --------------------------------------------------------------


@bp.route("/courses/<slug>/lessons/<int:lesson_id>/media")
@login_required
def manage(slug: str, lesson_id: int):
    course, lesson = _editable(slug, lesson_id)
    return render_template(
        "video/manage.html",
        course=course,
        lesson=lesson,
        pending=[upload_json(upload) for upload in uploads.pending_uploads(lesson)],
        handouts=media.handouts(lesson),
        captions_form=CaptionsForm(),
        handout_form=HandoutForm(),
        delete_form=EmptyForm(),
    )


@bp.route("/courses/<slug>/lessons/<int:lesson_id>/captions", methods=["POST"])
@login_required
def upload_captions(slug: str, lesson_id: int):
    course, lesson = _editable(slug, lesson_id)
    request.max_content_length = media_limit("CAPTIONS_MAX_BYTES")
    form = CaptionsForm()
    if form.validate_on_submit():
        try:
            media.save_captions(lesson, course, form.file.data.filename, form.file.data.stream)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash("Captions saved: learners see them in the player.", "success")
    else:
        flash(" ".join(form.file.errors) or "Choose a .vtt file.", "danger")
    return redirect(url_for("video.manage", slug=slug, lesson_id=lesson.id))


@bp.route("/courses/<slug>/lessons/<int:lesson_id>/handouts", methods=["POST"])
@login_required
def upload_handout(slug: str, lesson_id: int):
    course, lesson = _editable(slug, lesson_id)
    request.max_content_length = media_limit("HANDOUT_MAX_BYTES")
    form = HandoutForm()
    if form.validate_on_submit():
        try:
            handout = media.add_handout(
                lesson, course, current_user, form.file.data.filename, form.file.data.stream
            )
        except DomainError as error:
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(f"Handout “{handout.filename}” added.", "success")
    else:
        flash(" ".join(form.file.errors) or "Choose a PDF file.", "danger")
    return redirect(url_for("video.manage", slug=slug, lesson_id=lesson.id))


def media_limit(setting: str) -> int:
    return current_app.config[setting] + 64 * 1024  # room for the form's other fields


@bp.route("/courses/<slug>/handouts/<int:handout_id>/delete", methods=["POST"])
@login_required
def delete_handout(slug: str, handout_id: int):
    handout = db.get_or_404(Handout, handout_id)
    course, lesson = _editable(slug, handout.lesson_id)
    if EmptyForm().validate_on_submit():
        media.delete_handout(handout)
        db.session.commit()
        flash("Handout removed.", "success")
    return redirect(url_for("video.manage", slug=slug, lesson_id=lesson.id))


# --- uploader JSON endpoints ----------------------------------------------------------------


@bp.route("/courses/<slug>/lessons/<int:lesson_id>/video/uploads", methods=["POST"])
@login_required
@json_endpoint
def start_upload(slug: str, lesson_id: int):
    course, lesson = _editable(slug, lesson_id)
    body = _json_body()
    upload = uploads.start_upload(
        lesson, course, current_user, body.get("filename"), body.get("size"), body.get("type")
    )
    db.session.commit()
    return jsonify(upload_json(upload)), 201


def _upload(upload_id: int) -> VideoUpload:
    upload = db.get_or_404(VideoUpload, upload_id)
    course = upload.lesson.module.course
    permissions.require(permissions.can_manage_lesson_media(current_user, course))
    return upload


@bp.route("/video/uploads/<int:upload_id>")
@login_required
@json_endpoint
def upload_status(upload_id: int):
    upload = _upload(upload_id)
    parts = uploads.stored_parts(upload)
    return jsonify(
        {
            **upload_json(upload),
            "parts": [{"number": p.number, "etag": p.etag, "size": p.size} for p in parts],
        }
    )


@bp.route("/video/uploads/<int:upload_id>/parts", methods=["POST"])
@login_required
@json_endpoint
def sign_parts(upload_id: int):
    upload = _upload(upload_id)
    urls = uploads.sign_parts(upload, _json_body().get("parts"))
    return jsonify({"urls": {str(number): url for number, url in urls.items()}})


@bp.route("/video/uploads/<int:upload_id>/complete", methods=["POST"])
@login_required
@json_endpoint
def complete_upload(upload_id: int):
    upload = _upload(upload_id)
    body = _json_body()
    try:
        uploads.complete_upload(upload, body.get("parts"), body.get("duration"))
    except uploads.UploadRejected:
        db.session.commit()  # keep the record of the failed upload (its object is deleted)
        raise
    db.session.commit()
    lesson = upload.lesson
    return jsonify(
        {
            **upload_json(upload),
            "duration_seconds": upload.duration_seconds,
            "lesson_url": url_for(
                "learning.lesson", slug=lesson.module.course.slug, lesson_id=lesson.id
            ),
        }
    )


@bp.route("/video/uploads/<int:upload_id>/abort", methods=["POST"])
@login_required
@json_endpoint
def abort_upload(upload_id: int):
    upload = _upload(upload_id)
    uploads.abort_upload(upload)
    db.session.commit()
    return jsonify(upload_json(upload))


# --- playback and watch reports -------------------------------------------------------------


@bp.route("/courses/<slug>/lessons/<int:lesson_id>/playback")
@login_required
@json_endpoint
def playback(slug: str, lesson_id: int):
    course, lesson = _course_and_lesson(slug, lesson_id)
    enrolment = enrolment_services.enrolment_for(current_user, course)
    permissions.require(permissions.can_open_lessons(current_user, course, enrolment))
    found = media.playback(lesson)
    return jsonify(
        url=found.url,
        type=found.content_type,
        expires_in=found.expires_in,
        captions_url=found.captions_url,
    )


@bp.route("/lessons/<int:lesson_id>/watch", methods=["POST"])
# Not @login_required: the session's "user:token" pair is checked inside the report's own
# locking statement (the hottest write path of the platform: no separate user query).
# The player sends the last report of a page with navigator.sendBeacon, which cannot set the
# X-CSRFToken header. Instead of the session CSRF token, every report carries the lesson
# page's signed report token: only a page this learner loaded from this site can know it (a
# cross-site form cannot read it), and it also names the lesson, course and page session.
@csrf.exempt
@autocommit(only_on=("postgresql",))  # one or two statements, each safe alone (lms.video.watching)
@json_endpoint
def watch_report(lesson_id: int):
    request.max_content_length = current_app.config["WATCH_REPORT_MAX_BYTES"]
    body = request.get_json(force=True, silent=True)
    identity = auth_services.session_identity()
    if identity is None and current_user.is_authenticated:  # restored by "remember me"
        identity = (current_user.id, current_user.session_token)
    if identity is None:
        raise watching.SignedOut()
    ticket = watching.read_ticket(body.get("token") if isinstance(body, dict) else None)
    if ticket.user_id != identity[0] or ticket.lesson_id != lesson_id:
        raise watching.BadReportToken()
    outcome = watching.record_report(ticket, body, session_token=identity[1])
    connections.commit()
    return jsonify(
        duplicate=outcome.duplicate,
        credited_seconds=outcome.credited_seconds,
        verified_seconds=outcome.verified_seconds,
        duration_seconds=outcome.duration_seconds,
        lesson_complete=outcome.lesson_complete,
        reason=outcome.reason,
        state=outcome.state,  # the player sends it back with its next report
    )


# --- analytics --------------------------------------------------------------------------


@bp.route("/courses/<slug>/video-analytics")
@login_required
def course_analytics(slug: str):
    course = learning_services.syllabus(slug)
    if course is None:
        abort(404)
    permissions.require(permissions.can_view_video_analytics(current_user, course))
    stats = analytics.course_video_stats(course)
    return render_template(
        "video/analytics.html",
        course=course,
        stats=stats,
        bars={item.lesson.id: analytics.chart_bars(item) for item in stats},
    )


# --- what the lesson page shows --------------------------------------------------------------


@bp.app_template_global()
def video_player(course: Course, lesson: Lesson, enrolment: Any, row: Any) -> dict | None:
    """Data attributes of the lesson page's player, or None when there is no video."""
    if not lesson.video_key:
        return None
    found = media.playback(lesson)
    recording = permissions.can_record_watch_time(current_user, course, enrolment)
    return {
        "src": found.url,
        "type": found.content_type,
        "captions": found.captions_url,
        "expires_in": found.expires_in,
        "recording": recording,  # the page builds the URLs (`url_for` of templates remembers)
        "token": watching.report_token(current_user.id, lesson, course) if recording else None,
        "resume": round(row.position_seconds, 2) if row else 0,
        "verified": round(row.verified_seconds, 1) if row else 0,
        "duration": lesson.duration_seconds,
        "threshold": course.completion_threshold,
    }


@bp.app_template_global()
def lesson_handouts(lesson: Lesson) -> list[tuple[Handout, str]]:
    # A lesson page's lesson is a snapshot that carries its handouts (lms.learning.snapshot).
    found = getattr(lesson, "handouts", None)
    if found is None:
        found = media.handouts(lesson)
    return [(handout, media.handout_url(handout)) for handout in found]
