"""Which objects each route names, and the foreign ones every role tries (see test_idor.py).

REGISTRY maps every endpoint whose URL names an object (an id, a slug, a certificate
number) to a Spec: the kind of owner rule it follows, which decides the foreign cases, and
the request body its POST needs. URL arguments are filled by name from a Pick: `slug` and
`course_id` from the course the URL names, `module_id`, `quiz_id` ... from the course whose
objects it names (Side attributes of the same name, unless the spec picks another one, like
the spare module that has no learner records), `attempt_id` from an attempt, `user_id` from
a person. OPEN lists the endpoints that are open whatever object they name, with the reason.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from tests import factories
from tests.security.idor_world import PDF, VTT, Attempt, Side, World

# Outcomes a case expects.
DENIED = "403/404"
LOGIN = "sent to sign in"
SIGNED_OUT = "401: a JSON API tells a signed-out client to sign in"
COURSE_PAGE = "sent to the course page to enrol"  # the lesson or quiz is not shown
BAD_TOKEN = "400: the signed report token does not match"
REFUSED = "refused: nothing written"  # foreign ids in the body of the user's own URL
ALLOWED = "allowed"  # the rightful user: proves the URL and body are right

ROLES = ("anonymous", "learner", "instructor", "admin")

OPEN: dict[str, str] = {
    "static": "the app's own static files, not anyone's object",
    "bootstrap.static": "the app's own static files, not anyone's object",
    "auth.reset_password": "the emailed, signed token names its user and is the authorization",
    "auth.verify_email": "the emailed, signed token names its user and is the authorization",
    "files.download": "the signed, expiring storage token is the authorization (as on S3)",
    "files.upload_part": "the signed, expiring storage token is the authorization (as on S3)",
    "certificates.verify": "public verification by certificate number, for boards and employers",
}


@dataclass(frozen=True)
class Pick:
    """What one request names, resolved against the world."""

    w: World
    course: Side  # the course the URL names
    obj: Side  # the course whose objects (module, quiz, handout ...) the URL names
    attempt: Attempt | None
    person: int  # a user id
    certificate: str  # a certificate number


Build = Callable[[Pick], dict]


@dataclass(frozen=True)
class Case:
    endpoint: str
    method: str
    role: str
    why: str
    expect: str = DENIED
    course: str = "a"
    obj: str | None = None  # defaults to `course`
    attempt: str | None = None
    person: str = "learner2"
    certificate: str = "learner"
    args: dict[str, Callable[[Pick], object]] = field(default_factory=dict, compare=False)
    body: Build | None = field(default=None, compare=False)  # instead of the spec's

    @property
    def id(self) -> str:
        return f"{self.endpoint}-{self.method}-{self.role}-{self.why}"

    def pick(self, w: World) -> Pick:
        return Pick(
            w,
            w.side(self.course),
            w.side(self.obj or self.course),
            w.attempts[self.attempt] if self.attempt else None,
            w.users[self.person],
            w.certificates[self.certificate],
        )


def also(method: str, role: str, why: str, expect: str = DENIED, **where) -> Case:
    """A case of the spec it is listed in (the endpoint is filled in there)."""
    return Case("", method, role, why, expect, **where)


@dataclass(frozen=True)
class Spec:
    kind: Callable[[str, Spec, set[str]], list[Case]]
    post: Build | None = None  # the body of a POST that would change something
    get: bool = True
    objects: dict[str, str] = field(default_factory=dict)  # URL argument -> Side attribute
    args: dict[str, Callable[[Pick], object]] = field(default_factory=dict)  # or any value
    writes: bool = True  # the rightful user's POST changes the database
    outsider: str = DENIED  # what a signed-in user outside the course gets
    attempt: str = "open"  # which of a learner's attempts the URL names
    answering: bool = False  # only the attempt's learner may use it, not its reviewers
    about: str = ""  # what an admin-only URL names, in words
    # The rightful user's answer when the service refuses the made-up body (4xx): the words
    # show the request got past the owner check.
    reached: str | None = None
    extra: tuple[Case, ...] = ()

    @property
    def methods(self) -> tuple[str, ...]:
        return (("GET",) if self.get else ()) + (("POST",) if self.post else ())


URL_VALUES: dict[str, Callable[[Pick], object]] = {
    "slug": lambda p: p.course.slug,
    "course_id": lambda p: p.course.course_id,
    "attempt_id": lambda p: p.attempt.id,
    "user_id": lambda p: p.person,
    "number": lambda p: p.certificate,
    "enrolment_id": lambda p: p.w.enrolments["learner2"],
    "job_id": lambda p: p.w.job_id,
    "batch_id": lambda p: p.w.batch_id,
    "fmt": lambda p: "json",
}


def url_args(spec: Spec, case: Case, arguments: set[str], pick: Pick) -> dict:
    """Each URL argument's value: the case's, else the spec's, else by its name."""
    values = {}
    for name in arguments:
        if name in case.args:
            values[name] = case.args[name](pick)
        elif name in spec.args:
            values[name] = spec.args[name](pick)
        elif name in URL_VALUES:
            values[name] = URL_VALUES[name](pick)
        else:
            values[name] = getattr(pick.obj, spec.objects.get(name, name))
    return values


def _cases(endpoint: str, spec: Spec, rows: list[tuple]) -> list[Case]:
    """One case per method for each (role, why, expect, where) row, and the spec's extras."""
    return [
        Case(endpoint, method, role, why, expect, **where)
        for method in spec.methods
        for role, why, expect, where in rows
    ] + [replace(case, endpoint=endpoint) for case in spec.extra]


# --- kinds of owner rule: the foreign cases each implies -------------------------------------

# URL arguments naming an object inside a course: their routes also get "course 2's object
# under course 1's address".
NESTED = {"module_id", "lesson_id", "bank_id", "question_id", "quiz_id", "handout_id"}


def editor(endpoint: str, spec: Spec, arguments: set[str]) -> list[Case]:
    """Pages for a course's editors (its instructors and administrators)."""
    rows = [
        ("anonymous", "a course's editor page", LOGIN, {}),
        ("learner", "a course they study, for its editors only", DENIED, {}),
        ("instructor", "another instructor's course", DENIED, {"course": "b"}),
        ("instructor", "another instructor's draft course", DENIED, {"course": "d"}),
    ]
    if arguments & NESTED:
        rows += [
            ("instructor", "another course's object under their course", DENIED, {"obj": "b"}),
            ("admin", "another course's object under this course", DENIED, {"obj": "b"}),
        ]
    return _cases(endpoint, spec, rows)


def study(endpoint: str, spec: Spec, arguments: set[str]) -> list[Case]:
    """Pages for a course's enrolled learners (and, to preview, its editors)."""
    rows = [
        ("anonymous", "a course's learner page", LOGIN, {}),
        ("learner", "a course they do not study", spec.outsider, {"course": "b"}),
        ("learner", "a draft course", DENIED, {"course": "d"}),
        ("instructor", "another instructor's course", spec.outsider, {"course": "b"}),
        ("instructor", "another instructor's draft course", DENIED, {"course": "d"}),
    ]
    if arguments & NESTED:
        rows += [
            ("learner", "another course's object under their course", DENIED, {"obj": "b"}),
            ("admin", "another course's object under this course", DENIED, {"obj": "b"}),
        ]
    return _cases(endpoint, spec, rows)


def attempt(endpoint: str, spec: Spec, arguments: set[str]) -> list[Case]:
    """A learner's quiz attempt: theirs, and the course's editors may review it."""
    theirs, elsewhere = f"learner2_{spec.attempt}", f"learner3_{spec.attempt}"
    rows = [
        ("anonymous", "a learner's attempt", LOGIN, {"attempt": theirs}),
        ("learner", "another learner's attempt in their course", DENIED, {"attempt": theirs}),
        (
            "learner",
            "an attempt in a course they do not study",
            DENIED,
            {"course": "b", "attempt": elsewhere},
        ),
        ("learner", "another course's attempt under their course", DENIED, {"attempt": elsewhere}),
        (
            "instructor",
            "an attempt in another instructor's course",
            DENIED,
            {"course": "b", "attempt": elsewhere},
        ),
        (
            "instructor",
            "another course's attempt under their course",
            DENIED,
            {"attempt": elsewhere},
        ),
        ("admin", "another course's attempt under this course", DENIED, {"attempt": elsewhere}),
    ]
    if spec.answering:
        rows += [
            ("instructor", "their learner's attempt: editors review, not answer", DENIED,
             {"attempt": theirs}),
            ("admin", "a learner's attempt: administrators review, not answer", DENIED,
             {"attempt": theirs}),
        ]  # fmt: skip
    return _cases(endpoint, spec, rows)


def people(endpoint: str, spec: Spec, arguments: set[str]) -> list[Case]:
    """One learner of a course, seen or reminded or reset by the course's editors."""
    rows = [
        ("anonymous", "a course's learner", LOGIN, {}),
        ("learner", "a fellow learner of their course", DENIED, {}),
        ("instructor", "a learner in another instructor's course", DENIED,
         {"course": "b", "person": "learner3"}),
        ("instructor", "a learner of another course, under their course", DENIED,
         {"person": "learner3"}),
        ("admin", "a learner of another course, under this course", DENIED,
         {"person": "learner3"}),
    ]  # fmt: skip
    return _cases(endpoint, spec, rows)


def upload(endpoint: str, spec: Spec, arguments: set[str]) -> list[Case]:
    """A lesson's video upload, addressed by its own id."""
    rows = [
        ("anonymous", "a course's video upload", LOGIN, {}),
        ("learner", "an upload of a course they study", DENIED, {}),
        ("instructor", "another instructor's upload", DENIED, {"obj": "b"}),
        ("instructor", "an upload in another instructor's draft", DENIED, {"obj": "d"}),
    ]
    return _cases(endpoint, spec, rows)


def admin_only(endpoint: str, spec: Spec, arguments: set[str]) -> list[Case]:
    """Administrators manage every object; nobody else reaches these by any id."""
    rows = [
        ("anonymous", spec.about, LOGIN, {}),
        ("learner", spec.about, DENIED, {}),
        ("instructor", spec.about, DENIED, {}),
    ]
    return _cases(endpoint, spec, rows)


def listed(endpoint: str, spec: Spec, arguments: set[str]) -> list[Case]:
    """Routes with an owner rule of their own: every case is listed in the spec."""
    return _cases(endpoint, spec, [])


CONTROL = {editor: "instructor", study: "learner", attempt: "learner", people: "instructor",
           upload: "instructor", admin_only: "admin"}  # fmt: skip


def controls(endpoint: str, spec: Spec) -> list[Case]:
    """The rightful user's request for each method: it must get through (and write)."""
    if spec.kind is listed:
        return [replace(c, endpoint=endpoint) for c in spec.extra if c.expect == ALLOWED]
    where = {"attempt": f"learner_{spec.attempt}"} if spec.kind is attempt else {}
    return [
        Case(endpoint, method, CONTROL[spec.kind], "their own", ALLOWED, **where)
        for method in spec.methods
    ]


# --- bodies -------------------------------------------------------------------------------


def form(**fields) -> Build:
    return lambda p: {"data": dict(fields)}


def upload_file(name: str, content: Callable[[Pick], bytes], field_name: str = "file") -> Build:
    return lambda p: {"data": {field_name: (io.BytesIO(content(p)), name)}}


def reorder(ids: Callable[[Pick], tuple[int, ...]]) -> Build:
    return lambda p: {"json": {"ids": list(reversed(ids(p)))}}


def answer(question: Callable[[Pick], int], choice: Callable[[Pick], int]) -> Build:
    return lambda p: {"json": {"question_id": question(p), "choice_ids": [choice(p)]}}


def watch_report(reporter: str, lesson_of: str = "a") -> Build:
    """A watch report signed for `reporter` on the video lesson of course `lesson_of`."""

    def build(p: Pick) -> dict:
        from lms.catalog.models import Course, Lesson
        from lms.extensions import db
        from lms.video import watching

        side = p.w.side(lesson_of)
        lesson = db.session.get(Lesson, side.video_lesson_id)
        token = watching.report_token(
            p.w.users[reporter], lesson, db.session.get(Course, side.course_id)
        )
        return {"json": {"token": token, "seq": 1, "intervals": [[0, 5, 1]], "position": 5}}

    return build


def quiz_form(title: str, kind: str, **fields: Callable[[Pick], int]) -> Build:
    """A quiz on the course's bank (a module assessment on its first module), or as told."""
    choose = {"bank": lambda p: p.obj.bank_id, "module": lambda p: p.obj.module_id, **fields}
    return lambda p: {"data": {
        "title": title, "kind": kind, "pass_mark": "70", "feedback_policy": "after_attempt",
        "bank": str(choose["bank"](p)),
        "module": str(choose["module"](p)) if kind == "module" else "",
        "lesson": str(choose["lesson"](p)) if kind == "lesson" else "",
    }}  # fmt: skip


def question_form(module: Callable[[Pick], int] | None = None) -> Build:
    return lambda p: {"data": {
        "prompt": "Which muscle refers pain to the temple?",
        "choices-0-text": "Upper trapezius", "choices-0-correct": "y",
        "choices-1-text": "Psoas",
        "module": str(module(p)) if module else "",
    }}  # fmt: skip


def ce_form(p: Pick) -> dict:
    from lms.certificates import models

    first = {
        name: list(getattr(models, name))[0].value
        for name in ("DeliveryFormat", "NccaomCategory", "CaliforniaCategory", "FloridaSubject")
    }
    return {"data": {
        "ce_minutes": "90", "delivery_format": first["DeliveryFormat"],
        "nccaom_enabled": "y", "nccaom_course_number": "PDA-9",
        "nccaom_category": first["NccaomCategory"],
        "california_category": first["CaliforniaCategory"],
        "florida_subject": first["FloridaSubject"],
        "evaluation_required": "y", "issuance": "admin",
    }}  # fmt: skip


LESSON = form(title="Renamed", kind="reading", duration_minutes="5", notes_markdown="Notes")
COURSE = lambda p: {"data": {"title": "Renamed course", "slug": p.course.slug,  # noqa: E731
                             "summary": "New summary", "ce_minutes": "100"}}  # fmt: skip
RATINGS = form(objectives_met="5", instructor_knowledge="4", teaching_methods="4", usefulness="5")
OWN_CERTIFICATE = {"number": lambda p: p.w.certificates["learner"]}
DRAFT_QUIZ = {"quiz_id": lambda p: p.course.draft_quiz_id}
EMPTY = form()

# --- the registry ----------------------------------------------------------------------------

REGISTRY: dict[str, Spec] = {
    # authoring: /teach/courses/<course_id>/...
    "authoring.course": Spec(editor),
    "authoring.edit_course": Spec(editor, post=COURSE),
    "authoring.publish": Spec(editor, post=EMPTY, get=False, writes=False),  # A is published
    "authoring.unpublish": Spec(editor, post=EMPTY, get=False),
    "authoring.preview": Spec(editor),
    "authoring.enrolments": Spec(
        editor, post=lambda p: {"data": {"email": p.w.emails["learner3"]}}
    ),
    "authoring.add_module": Spec(editor, post=form(title="New module"), get=False),
    "authoring.reorder_modules": Spec(
        editor, post=reorder(lambda p: p.course.module_ids), get=False
    ),
    "authoring.edit_module": Spec(editor, post=form(title="Renamed module")),
    "authoring.delete_module": Spec(
        editor, post=EMPTY, get=False, objects={"module_id": "spare_module_id"}
    ),
    "authoring.move_module": Spec(editor, post=form(direction="down"), get=False),
    "authoring.reorder_lessons": Spec(editor, post=reorder(lambda p: p.obj.lesson_ids), get=False),
    "authoring.new_lesson": Spec(editor, post=LESSON),
    "authoring.edit_lesson": Spec(editor, post=LESSON),
    "authoring.delete_lesson": Spec(
        editor, post=EMPTY, get=False, objects={"lesson_id": "spare_lesson_id"}
    ),
    "authoring.move_lesson": Spec(editor, post=form(direction="down"), get=False),
    # quiz authoring and results: /courses/<slug>/...
    "quizzes.manage": Spec(editor),
    "quizzes.create_bank": Spec(editor, post=form(title="New bank"), get=False),
    "quizzes.new_quiz": Spec(editor, post=quiz_form("Final assessment", "course")),
    "quizzes.bank": Spec(editor),
    "quizzes.new_question": Spec(editor, post=question_form()),
    "quizzes.export_bank": Spec(editor),
    "quizzes.import_bank": Spec(editor, post=upload_file("bank.json", lambda p: p.w.bank_export)),
    "quizzes.edit_question": Spec(editor, post=question_form()),
    "quizzes.archive_question": Spec(editor, post=EMPTY, get=False),
    "quizzes.upload_image": Spec(
        editor,
        post=upload_file("map.png", lambda p: factories.png_bytes(), "image"),
        get=False,
        objects={"question_id": "hotspot_id"},
    ),
    "quizzes.question_image": Spec(editor, objects={"question_id": "hotspot_id"}),
    "quizzes.edit_quiz": Spec(editor, post=quiz_form("Renamed quiz", "module")),
    "quizzes.publish_quiz": Spec(
        editor, post=EMPTY, get=False, objects={"quiz_id": "draft_quiz_id"}
    ),
    "quizzes.unpublish_quiz": Spec(editor, post=EMPTY, get=False),
    "quizzes.analysis": Spec(editor),
    "quizzes.hotspot_clicks": Spec(editor, objects={"question_id": "hotspot_id"}),
    "quizzes.export_attempts": Spec(editor),
    "quizzes.learners": Spec(editor),
    "quizzes.reset_attempts": Spec(
        people,
        post=form(reason="A second chance after a power cut"),
        get=False,
        extra=(also("POST", "instructor", "another course's quiz under their course", obj="b"),),
    ),
    # taking quizzes
    "quizzes.quiz": Spec(
        study,
        outsider=COURSE_PAGE,
        extra=(also("GET", "learner", "an unpublished quiz of their course", args=DRAFT_QUIZ),),
    ),
    "quizzes.start": Spec(
        study,
        post=EMPTY,
        get=False,
        outsider=COURSE_PAGE,
        writes=False,  # learner 1's open attempt is returned
        extra=(
            also(
                "POST",
                "learner",
                "an unpublished quiz of their course",
                COURSE_PAGE,
                args=DRAFT_QUIZ,
            ),
        ),
    ),
    "quizzes.attempt": Spec(attempt),
    "quizzes.result": Spec(attempt, attempt="graded"),
    "quizzes.attempt_image": Spec(
        attempt,
        attempt="graded",
        args={"question_id": lambda p: p.attempt.hotspot_id},
        extra=(
            also(
                "GET",
                "learner",
                "their attempt, another course's question",
                attempt="learner_graded",
                args={"question_id": lambda p: p.w.b.hotspot_id},
            ),
        ),
    ),
    "quizzes.save_answer": Spec(
        attempt,
        post=answer(lambda p: p.attempt.question_id, lambda p: p.attempt.choice_id),
        get=False,
        answering=True,
    ),
    "quizzes.submit": Spec(attempt, post=EMPTY, get=False, answering=True),
    # lessons, media and watch time
    "learning.lesson": Spec(study, outsider=COURSE_PAGE),
    "learning.mark_complete": Spec(
        study,
        post=EMPTY,
        get=False,
        outsider=COURSE_PAGE,
        objects={"lesson_id": "spare_lesson_id"},  # learner 1 completed every other lesson
    ),
    "video.playback": Spec(study, objects={"lesson_id": "video_lesson_id"}),
    "video.manage": Spec(editor),
    "video.upload_captions": Spec(
        editor,
        post=upload_file("captions.vtt", lambda p: VTT),
        get=False,
        objects={"lesson_id": "video_lesson_id"},
    ),
    "video.upload_handout": Spec(editor, post=upload_file("notes.pdf", lambda p: PDF), get=False),
    "video.delete_handout": Spec(editor, post=EMPTY, get=False),
    "video.start_upload": Spec(
        editor,
        post=lambda p: {"json": {"filename": "clip.mp4", "size": 8_000_000, "type": "video/mp4"}},
        get=False,
        objects={"lesson_id": "video_lesson_id"},
    ),
    "video.upload_status": Spec(upload),
    "video.sign_parts": Spec(
        upload, post=lambda p: {"json": {"parts": [1]}}, get=False, writes=False
    ),
    "video.complete_upload": Spec(
        upload,
        post=lambda p: {"json": {"parts": [], "duration": 9}},
        get=False,
        writes=False,
        reached="is missing: upload it, then complete",
    ),
    "video.abort_upload": Spec(upload, post=EMPTY, get=False),
    "video.course_analytics": Spec(editor),
    "video.watch_report": Spec(
        listed,
        post=watch_report("learner"),
        get=False,
        objects={"lesson_id": "video_lesson_id"},
        extra=(
            also("POST", "anonymous", "a learner's lesson", SIGNED_OUT),
            also(
                "POST",
                "learner",
                "another learner's report token",
                BAD_TOKEN,
                body=watch_report("learner2"),
            ),
            also(
                "POST",
                "learner",
                "their token, posted for another lesson",
                BAD_TOKEN,
                args={"lesson_id": lambda p: p.course.lesson_id},
            ),
            also(
                "POST",
                "learner",
                "their token, posted for another course's lesson",
                BAD_TOKEN,
                obj="b",
            ),
            also(
                "POST",
                "learner",
                "a learner's token in a course they do not study",
                BAD_TOKEN,
                obj="b",
                body=watch_report("learner3", "b"),
            ),
            also(
                "POST",
                "instructor",
                "their learner's report token",
                BAD_TOKEN,
                body=watch_report("learner2"),
            ),
            also(
                "POST",
                "admin",
                "a learner's report token",
                BAD_TOKEN,
                body=watch_report("learner2"),
            ),
            also("POST", "learner", "their own", ALLOWED),
        ),
    ),
    # catalog, enrolment, evaluation
    "catalog.course": Spec(
        listed,
        extra=(  # published course pages are public: only drafts belong to someone
            also("GET", "anonymous", "a draft course", course="d"),
            also("GET", "learner", "a draft course", course="d"),
            also("GET", "instructor", "another instructor's draft course", course="d"),
            also("GET", "anonymous", "a published course", ALLOWED),
        ),
    ),
    "enrolments.enrol": Spec(
        listed,
        post=form(attestation="accepted"),
        get=False,
        extra=(  # anyone signed in may enrol in a published course: only drafts are closed
            also("POST", "anonymous", "a course", LOGIN),
            also("POST", "learner", "a draft course", course="d"),
            also("POST", "instructor", "another instructor's draft course", course="d"),
            also("POST", "learner", "a published course", ALLOWED, course="b"),
        ),
    ),
    "enrolments.leave": Spec(study, post=EMPTY, get=False),
    "evaluations.evaluate": Spec(
        study,
        post=RATINGS,
        outsider=COURSE_PAGE,
        writes=False,  # learner 1 evaluated A
    ),
    "evaluations.results": Spec(editor),
    # dashboards
    "dashboards.course": Spec(editor),
    "dashboards.learner_table": Spec(editor),
    "dashboards.learner_export": Spec(editor),
    "dashboards.remind_stalled": Spec(editor, post=EMPTY, get=False, writes=False),
    "dashboards.learner": Spec(people),
    "dashboards.remind": Spec(people, post=EMPTY, get=False),
    # certificates
    "certificates.ce_settings": Spec(editor, post=ce_form),
    "certificates.download": Spec(
        listed,
        extra=(
            also("GET", "anonymous", "a learner's certificate", LOGIN),
            also("GET", "learner", "another learner's certificate", certificate="learner3"),
            also(
                "GET",
                "instructor",
                "a certificate of another instructor's course",
                certificate="learner3",
            ),
            also("GET", "instructor", "their own learner's certificate"),
            also("GET", "learner", "their own", ALLOWED),
            also(
                "GET",
                "admin",
                "any certificate (the download is audited)",
                ALLOWED,
                certificate="learner3",
            ),
        ),
    ),
    "certificates.admin_detail": Spec(admin_only, about="a certificate's admin page"),
    "certificates.revoke": Spec(
        admin_only,
        post=form(**{"revoke-reason": "other", "revoke-note": "Issued in error."}),
        get=False,
        about="revoking a certificate",
    ),
    "certificates.reissue": Spec(
        admin_only,
        post=form(**{"reissue-reason": "Legal name corrected."}),
        get=False,
        about="reissuing a certificate",
    ),
    "certificates.issue_one": Spec(
        admin_only,
        post=EMPTY,
        get=False,
        writes=False,  # learner 2 has not completed the course: refused, after the check
        about="issuing a certificate for an enrolment in their course",
    ),
    # administration
    "admin.user": Spec(
        admin_only, post=form(roles=["learner", "instructor"]), about="a learner's roles"
    ),
    "admin.deactivate_user": Spec(
        admin_only,
        post=EMPTY,
        get=False,
        about="deactivating a learner",
        extra=(
            also(
                "POST", "admin", "their own account: they would lock themselves out", person="admin"
            ),
        ),
    ),
    "admin.reactivate_user": Spec(
        admin_only, post=EMPTY, get=False, writes=False, about="reactivating a learner"
    ),
    "admin.withdraw": Spec(
        admin_only, post=EMPTY, get=False, about="withdrawing an enrolment of their course"
    ),
    "admin.bulk_preview": Spec(admin_only, about="a bulk enrolment file"),
    "admin.bulk_confirm": Spec(
        admin_only,
        post=lambda p: {"data": {"sha256": p.w.batch_sha256}},
        get=False,
        about="confirming a bulk enrolment",
    ),
    "admin.job": Spec(admin_only, about="a background job"),
    "admin.job_status": Spec(admin_only, about="a background job's progress"),
}


# --- foreign ids in the body of a request whose URL is the user's own -------------------------


def _b(attribute: str) -> Callable[[Pick], int]:
    return lambda p: getattr(p.w.b, attribute)


OTHER_ATTEMPT = "learner3_open"

BODY_CASES: list[Case] = [
    Case("authoring.reorder_modules", "POST", "instructor",
         "their course's new order, listing another course's modules", REFUSED,
         body=reorder(lambda p: p.course.module_ids[:1] + p.w.b.module_ids)),
    Case("authoring.reorder_lessons", "POST", "instructor",
         "their module's new order, listing another course's lessons", REFUSED,
         body=reorder(lambda p: p.course.lesson_ids[:1] + p.w.b.lesson_ids)),
    Case("quizzes.new_quiz", "POST", "instructor", "a quiz on another course's bank", REFUSED,
         body=quiz_form("Q", "course", bank=_b("bank_id"))),
    Case("quizzes.new_quiz", "POST", "instructor", "a lesson check of another course's lesson",
         REFUSED, body=quiz_form("Q", "lesson", lesson=_b("lesson_id"))),
    Case("quizzes.edit_quiz", "POST", "instructor", "their quiz, on another course's bank",
         REFUSED, body=quiz_form("Q", "course", bank=_b("bank_id"))),
    Case("quizzes.edit_quiz", "POST", "instructor",
         "their quiz, assessing another course's module", REFUSED,
         body=quiz_form("Q", "module", module=_b("module_id"))),
    Case("quizzes.new_question", "POST", "instructor",
         "a question tagged with another course's module", REFUSED,
         body=question_form(_b("module_id"))),
    Case("quizzes.edit_question", "POST", "instructor",
         "their question, tagged with another course's module", REFUSED,
         body=question_form(_b("module_id"))),
    Case("quizzes.save_answer", "POST", "learner",
         "their attempt, answering another course's question", REFUSED,
         attempt="learner_open",
         body=answer(lambda p: p.w.attempts[OTHER_ATTEMPT].question_id,
                     lambda p: p.w.attempts[OTHER_ATTEMPT].choice_id)),
    Case("quizzes.save_answer", "POST", "learner",
         "their attempt, with another course's question's choice", REFUSED,
         attempt="learner_open",
         body=answer(lambda p: p.attempt.question_id,
                     lambda p: p.w.attempts[OTHER_ATTEMPT].choice_id)),
    Case("quizzes.submit", "POST", "learner",
         "their attempt, submitting another course's question", REFUSED,
         attempt="learner_open",
         body=lambda p: {"data": {f"q{p.w.attempts[OTHER_ATTEMPT].question_id}":
                                  str(p.w.attempts[OTHER_ATTEMPT].choice_id)}}),
]  # fmt: skip


def foreign_cases(rule_arguments: dict[str, set[str]]) -> list[Case]:
    """Every foreign case, given each endpoint's URL arguments (from the app's url_map)."""
    cases = [
        case
        for endpoint, spec in REGISTRY.items()
        for case in spec.kind(endpoint, spec, rule_arguments.get(endpoint, set()))
    ]
    return [case for case in cases if case.expect != ALLOWED] + BODY_CASES


def control_cases() -> list[Case]:
    return [case for endpoint, spec in REGISTRY.items() for case in controls(endpoint, spec)]
