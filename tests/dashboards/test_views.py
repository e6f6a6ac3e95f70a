"""Dashboard pages: who may open them, validated parameters, export, reminders."""

import csv
import io

import pytest
from sqlalchemy import func, select

from lms.dashboards.models import ReminderLog
from lms.enrolments import services as enrolment_services
from lms.extensions import db
from tests import factories
from tests.support.smtp import body_text
from tests.support.statements import recorded_statements


def url(small_course, suffix=""):
    return f"/dashboards/courses/{small_course.course.slug}{suffix}"


def test_instructor_sees_their_course_dashboard(client, login, small_course):
    login(small_course.teacher)
    html = client.get(url(small_course)).get_data(as_text=True)
    assert "<svg" in html and "<title" in html and "Lesson funnel" in html
    assert 'style="' not in html and "<script>" not in html
    index = client.get("/dashboards/").get_data(as_text=True)
    assert small_course.course.title in index and "40%" in index


@pytest.mark.parametrize("suffix", ["", "/learners", "/learners.csv", "/learners/{learner}"])
def test_other_instructors_and_learners_get_403(client, login, small_course, suffix):
    path = url(small_course, suffix.format(learner=small_course.learners["A"].id))
    for user in (factories.instructor(), small_course.learners["A"]):
        login(user)
        assert client.get(path).status_code == 403


def test_learners_cannot_open_the_dashboards_index(client, login, db_session):
    login(factories.learner())
    assert client.get("/dashboards/").status_code == 403


def test_admin_opens_any_course_dashboard(client, login, small_course):
    login(factories.admin())
    assert client.get(url(small_course)).status_code == 200
    assert client.get(url(small_course, "/learners")).status_code == 200


def names_in(html, small_course):
    people = {u.legal_name: key for key, u in small_course.learners.items()}
    found = []
    position = 0
    while True:
        hits = [
            (html.find(name, position), name) for name in people if html.find(name, position) >= 0
        ]
        if not hits:
            return found
        index, name = min(hits)
        found.append(people[name])
        position = index + len(name)


def test_sorting_and_filtering(client, login, small_course):
    login(small_course.teacher)

    def keys(**args):
        html = client.get(url(small_course, "/learners"), query_string=args).get_data(as_text=True)
        return names_in(html, small_course)

    assert keys() == list("ABCDEF")
    assert keys(sort="name", direction="desc") == list("FEDCBA")
    # Progress: D 0, C 25, B 50, E 75 (withdrawn), A/F 100; ties by id.
    assert keys(sort="progress") == list("DCBEAF")
    assert keys(status="stalled") == list("BD")
    assert keys(status="withdrawn") == list("E")
    assert keys(progress_min="25", progress_max="50") == list("BC")
    assert keys(active_within="7") == list("ACE")
    assert keys(licence_state="NY") == list("CF")
    assert keys(q="ap 2002") == list("B")  # licence number
    assert keys(q="fay") == list("F")


@pytest.mark.parametrize(
    "args",
    [
        {"sort": "name; DROP TABLE users; --"},
        {"sort": "legal_name desc, (select 1)"},
        {"direction": "asc; delete from enrolments"},
        {"status": "active' OR '1'='1"},
        {"progress_min": "0 or 1=1"},
        {"active_within": "1); drop table users; --"},
        {"licence_state": "CA' --"},
        {"q": "%' OR 1=1 --"},
        {"page": "-1"},
    ],
)
def test_parameters_outside_the_allow_lists_are_ignored(client, login, small_course, args):
    login(small_course.teacher)
    response = client.get(url(small_course, "/learners"), query_string=args)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    if "q" in args:
        assert "No learner matches" in html  # searched as text, not as SQL
    else:
        assert names_in(html, small_course) == list("ABCDEF")
    assert db.session.scalar(select(func.count()).select_from(ReminderLog)) == 0


def read_csv(response):
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_export_has_a_row_per_learner_and_neutralises_formulas(client, login, db_session):
    teacher = factories.instructor()
    course = factories.course(teacher)
    names = ['=HYPERLINK("http://evil")', "+1 caller", "-minus", "@sum", "Plain Name"]
    for index in range(60):
        learner = factories.learner(legal_name=names[index % len(names)])
        enrolment_services.enrol(learner, course)
    login(teacher)
    response = client.get(f"/dashboards/courses/{course.slug}/learners.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0][0] == "name" and len(rows) == 61
    first_cells = {row[0] for row in rows[1:]}
    assert first_cells == {
        '\'=HYPERLINK("http://evil")',
        "'+1 caller",
        "'-minus",
        "'@sum",
        "Plain Name",
    }
    assert {row[5] for row in rows[1:]} == {"0"}


def test_export_follows_the_filters(client, login, small_course):
    login(small_course.teacher)
    rows = read_csv(client.get(url(small_course, "/learners.csv?status=stalled")))
    assert sorted(row[0] for row in rows[1:]) == ["Ben Brook", "Dee Doyle"]
    csv_all = client.get(url(small_course, "/learners.csv"))
    by_name = {row[0]: row for row in read_csv(csv_all)[1:]}
    assert by_name["Ada Alvarez"][5:7] == ["100", "yes"]
    assert by_name["Ben Brook"][5:7] == ["50", "no"]
    assert by_name["Fay Fox"][2] == "CA AC 6006; NY 006006"


def test_learner_page_shows_the_timeline(client, login, small_course):
    login(small_course.teacher)
    learner = small_course.learners["C"]
    html = client.get(url(small_course, f"/learners/{learner.id}")).get_data(as_text=True)
    assert learner.legal_name in html
    assert "25%" in html and "not opened" in html
    assert "Send a reminder email" in html


def test_learner_not_in_the_course_is_404(client, login, small_course):
    login(small_course.teacher)
    stranger = factories.learner()
    assert client.get(url(small_course, f"/learners/{stranger.id}")).status_code == 404


def test_reminder_arrives_and_is_rate_limited(client, login, small_course, mailbox):
    login(small_course.teacher)
    learner = small_course.learners["B"]
    response = client.post(url(small_course, f"/learners/{learner.id}/remind"))
    assert response.status_code == 302
    message = mailbox.wait_for(learner.email, subject_contains="Continue")
    assert small_course.course.slug in body_text(message)

    client.post(url(small_course, f"/learners/{learner.id}/remind"))
    html = client.get(url(small_course, f"/learners/{learner.id}")).get_data(as_text=True)
    assert "next reminder can be sent after" in html
    assert len(mailbox.find(learner.email)) == 1
    assert db.session.scalar(select(func.count()).select_from(ReminderLog)) == 1


def test_remind_all_stalled_skips_recently_reminded(client, login, small_course, mailbox):
    login(small_course.teacher)
    client.post(url(small_course, f"/learners/{small_course.learners['B'].id}/remind"))
    response = client.post(url(small_course, "/remind-stalled"), follow_redirects=True)
    assert "Sent 1 reminder." in response.get_data(as_text=True)
    assert mailbox.wait_for(small_course.learners["D"].email)
    assert len(mailbox.find(small_course.learners["B"].email)) == 1
    # Not stalled, or finished, or gone: never reminded in bulk.
    for key in "ACEF":
        assert mailbox.find(small_course.learners[key].email) == []
    # A second click sends nothing new.
    client.post(url(small_course, "/remind-stalled"))
    assert len(mailbox.find(small_course.learners["D"].email)) == 1


def test_completed_learners_are_not_reminded(client, login, small_course, mailbox):
    login(small_course.teacher)
    learner = small_course.learners["A"]
    response = client.post(
        url(small_course, f"/learners/{learner.id}/remind"), follow_redirects=True
    )
    assert "has completed or left" in response.get_data(as_text=True)
    assert mailbox.find(learner.email) == []


def test_learner_table_query_count_does_not_grow_with_learners(client, login, app, db_session):

    teacher = factories.instructor()
    small, large = factories.course(teacher), factories.course(teacher)
    for index in range(40):
        learner = factories.learner()
        enrolment_services.enrol(learner, large)
        if index < 3:
            enrolment_services.enrol(learner, small)
    login(teacher)

    def count(path):
        with recorded_statements(db.engine, skip=("SAVEPOINT", "RELEASE")) as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    for suffix in ("", "/learners", "/learners?sort=progress"):
        assert count(f"/dashboards/courses/{small.slug}{suffix}") == count(
            f"/dashboards/courses/{large.slug}{suffix}"
        )
