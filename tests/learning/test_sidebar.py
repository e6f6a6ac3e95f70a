"""The lesson page's outline is rendered once per course version and filled in per learner
(`lms.learning.sidebar`)."""

import re

import pytest

from lms.enrolments import services as enrolment_services
from lms.extensions import db
from lms.learning import sidebar, snapshot
from lms.quizzes.models import QuizKind
from tests import factories


def current(course):
    db.session.flush()  # an edit moves the course's version on (in SQL: read it again)
    db.session.refresh(course, ["content_version"])
    return snapshot.snapshot(course.id, course.content_version)


def links(html: str) -> dict[str, str]:
    """Each outline link's href -> its tag and contents, whitespace squeezed."""
    found = re.findall(r'(<a class="[^"]*"\s+href="([^"]+)"[^>]*>.*?</a>)', html, flags=re.S)
    return {href: re.sub(r"\s+", " ", tag) for tag, href in found}


@pytest.fixture
def outline(app, db_session):
    course = factories.course(modules=2, lessons_per_module=2)
    first, second = course.modules[0].lessons
    check = factories.quiz(course, kind=QuizKind.LESSON, lesson_id=second.id, title="Check")
    final = factories.quiz(course, kind=QuizKind.COURSE, title="Final", questions=10)
    return course, first, second, check, final


def lesson_url(course, lesson) -> str:
    return f"/courses/{course.slug}/lessons/{lesson.id}"


def test_each_learner_sees_their_own_state_on_the_shared_outline(app, outline):
    course, first, second, check, final = outline
    with app.test_request_context():
        course_snapshot = current(course)
        mine = links(sidebar.lesson_sidebar(course_snapshot, second.id, {first.id}, {check.id}))
        theirs = links(sidebar.lesson_sidebar(course_snapshot, first.id, set(), {final.id}))

    open_link, done_link = mine[lesson_url(course, second)], mine[lesson_url(course, first)]
    assert ' active"' in open_link and 'aria-current="page"' in open_link
    assert "(completed)" in done_link and "active" not in done_link
    assert "aria-current" not in done_link
    quiz_url = f"/courses/{course.slug}/quizzes/{check.id}"
    assert "(passed)" in mine[quiz_url] and "(passed)" not in theirs[quiz_url]
    final_url = f"/courses/{course.slug}/quizzes/{final.id}"
    assert "(passed)" in theirs[final_url] and "(passed)" not in mine[final_url]
    # The second learner sees none of the first one's state.
    assert "(completed)" not in "".join(theirs.values())
    assert ' active"' in theirs[lesson_url(course, first)]
    assert sum("aria-current" in tag for tag in theirs.values()) == 1
    assert "<!--lms:" not in "".join(mine.values()) + "".join(theirs.values())


def test_the_outline_renders_once_per_course_version(app, outline, monkeypatch):
    course, first, *_ = outline
    rendered = []
    original = sidebar.render_template
    monkeypatch.setattr(
        sidebar, "render_template", lambda *a, **kw: rendered.append(a) or original(*a, **kw)
    )
    with app.test_request_context():
        for lesson_id in (first.id, first.id, course.modules[1].lessons[0].id):
            sidebar.lesson_sidebar(current(course), lesson_id, set(), set())
        assert len(rendered) == 1
        course.modules[0].lessons[0].title = "Palpation of the upper fibres"
        html = sidebar.lesson_sidebar(current(course), first.id, set(), set())
    assert len(rendered) == 2 and "Palpation of the upper fibres" in html


def test_a_title_that_looks_like_a_mark_stays_text(app, outline):
    course, first, *_ = outline
    first.title = "<!--lms:done:1--> & more"
    with app.test_request_context():
        html = sidebar.lesson_sidebar(current(course), first.id, {first.id, 1}, set())
    assert "&lt;!--lms:done:1--&gt; &amp; more" in html


def test_the_lesson_page_marks_progress_in_its_outline(client, outline, login):
    course, first, second, *_ = outline
    learner = factories.learner()
    enrolment_services.enrol(learner, course)
    login(learner)
    client.post(f"{lesson_url(course, first)}/complete")
    page = links(client.get(lesson_url(course, second)).get_data(as_text=True))
    assert "(completed)" in page[lesson_url(course, first)]
    assert 'aria-current="page"' in page[lesson_url(course, second)]
    assert "(completed)" not in page[lesson_url(course, second)]


def test_an_unknown_mark_is_refused():
    with pytest.raises(ValueError):
        sidebar.mark("everything", 1)
