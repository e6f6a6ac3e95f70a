"""Authoring: import/export with a validation report, images, questions, quiz settings."""

import io
import json

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.quizzes import authoring, transfer
from lms.quizzes.models import Question, QuestionKind
from lms.storage import get_storage
from tests import factories

GOOD_CSV = """kind,module,prompt,choices,correct,partial_credit,explanation,region,image_alt
single,Module 1,Where is GB21?,Shoulder top|Wrist|Knee,1,,Highest point of the shoulder,,
multiple,,Which refer to the temple?,Upper trapezius|Gastrocnemius|Temporalis,1|3,yes,Both do,,
true_false,,The lung apex limits deep needling at GB21.,,true,,Pneumothorax risk,,
hotspot,,Click the trigger point,,,,It lies mid-belly,"{""shape"": ""circle"", ""cx"": 0.5, \
""cy"": 0.3, ""r"": 0.05}",Back view
"""


def count_questions(bank) -> int:
    return db.session.scalar(select(func.count()).where(Question.bank_id == bank.id))


@pytest.fixture
def bank(db_session):
    course = factories.course(modules=1, lessons_per_module=1)
    return factories.bank(course)


def test_csv_import_creates_every_kind(bank):
    report = transfer.import_bank(bank, bank.course, "bank.csv", GOOD_CSV.encode())
    assert report.ok and report.imported == 4
    questions = authoring.bank_questions(bank)
    kinds = [q.kind for q in questions]
    assert kinds == [
        QuestionKind.SINGLE,
        QuestionKind.MULTIPLE,
        QuestionKind.TRUE_FALSE,
        QuestionKind.HOTSPOT,
    ]
    assert questions[0].module_id == bank.course.modules[0].id
    assert [c.is_correct for c in questions[1].choices] == [True, False, True]
    assert questions[1].partial_credit
    assert questions[3].region == {"shape": "circle", "cx": 0.5, "cy": 0.3, "r": 0.05}
    assert not questions[3].is_ready  # waits for its image


def test_a_bad_csv_is_reported_line_by_line_and_nothing_is_imported(bank):
    bad = GOOD_CSV + "\n".join(
        [
            "essay,,Write,,,,,,",  # line 6
            "single,,Two right?,A|B,1|2,,,,",  # line 7
            'single,,"A prompt',  # line 8 starts a quoted field spanning two lines
            'on two lines",A|B,3,,,,',
            "single,Module 9,Which?,A|B,1,,,,",  # line 10
            'hotspot,,Where?,,,,,"{""shape"": ""circle"", ""cx"": 2, ""cy"": 0, ""r"": 0.1}",',
            ",,,,,,,,",  # blank row: ignored
            "true_false,,Is it?,,maybe,,,,",  # line 13
            "single,,,A|B,1,,,,",  # line 14
        ]
    )
    with pytest.raises(transfer.ImportRejected) as error:
        transfer.import_bank(bank, bank.course, "bank.csv", bad.encode())
    problems = [(p.where, p.reason) for p in error.value.report.problems]
    assert [where for where, _ in problems] == [
        "line 6",
        "line 7",
        "line 8",
        "line 10",
        "line 11",
        "line 13",
        "line 14",
    ]
    reasons = dict(problems)
    assert "kind must be one of" in reasons["line 6"]
    assert "exactly one choice" in reasons["line 7"]
    assert "does not exist" in reasons["line 8"]
    assert "no module titled “Module 9”" in reasons["line 10"]
    assert "between 0 and 1" in reasons["line 11"]
    assert "true or false" in reasons["line 13"]
    assert "question text is empty" in reasons["line 14"]
    assert count_questions(bank) == 0  # the good rows were not imported either


@pytest.mark.parametrize(
    ("filename", "data", "where", "reason"),
    [
        ("bank.csv", b"\xff\xfe\x00bad", "file", "not UTF-8"),
        ("bank.csv", b"question,answer\nx,y\n", "line 1", "header row lacks kind, prompt"),
        ("bank.json", b'{"questions": [', "line 1", "not valid JSON"),
        ("bank.json", b'{"questions": 3}', "file", "list of questions"),
        ("bank.json", b'{"questions": [7]}', "question 1", "not an object"),
        ("bank.csv", b"kind,prompt\n", "file", "no questions found"),
    ],
)
def test_malformed_files_are_refused_with_a_reason(bank, filename, data, where, reason):
    with pytest.raises(transfer.ImportRejected) as error:
        transfer.import_bank(bank, bank.course, filename, data)
    assert (
        error.value.report.problems[0].where,
        reason in error.value.report.problems[0].reason,
    ) == (
        where,
        True,
    )
    assert count_questions(bank) == 0


def test_export_then_import_round_trips_in_both_formats(bank):
    transfer.import_bank(bank, bank.course, "bank.csv", GOOD_CSV.encode())
    factories.question(bank, prompt="=cmd|' /C calc'!A0")  # a formula-looking prompt
    for exporter, name in ((transfer.export_csv, "x.csv"), (transfer.export_json, "x.json")):
        copy = factories.bank(bank.course)
        text = exporter(bank)
        if name.endswith(".csv"):
            assert "'=cmd" in text  # defused on the way out
        report = transfer.import_bank(copy, bank.course, name, text.encode())
        assert report.imported == 5
        original = [
            (q.kind, q.prompt, [(c.text, c.is_correct) for c in q.choices], q.region)
            for q in authoring.bank_questions(bank)
        ]
        copied = [
            (q.kind, q.prompt, [(c.text, c.is_correct) for c in q.choices], q.region)
            for q in authoring.bank_questions(copy)
        ]
        assert copied == original


def test_json_problems_name_the_question(bank):
    document = {
        "questions": [
            {
                "kind": "single",
                "prompt": "ok",
                "choices": [{"text": "a", "correct": True}, {"text": "b"}],
            },
            {"kind": "single", "prompt": "none right", "choices": [{"text": "a"}, {"text": "b"}]},
        ]
    }
    with pytest.raises(transfer.ImportRejected) as error:
        transfer.import_bank(bank, bank.course, "b.json", json.dumps(document).encode())
    assert [(p.where, "exactly one" in p.reason) for p in error.value.report.problems] == [
        ("question 2", True)
    ]


def test_import_page_shows_the_report(client, db_session, login):
    teacher = factories.instructor()
    course = factories.course(teacher, modules=1, lessons_per_module=1)
    bank = factories.bank(course)
    login(teacher)
    response = client.post(
        f"/courses/{course.slug}/banks/{bank.id}/import",
        data={"file": (io.BytesIO(b"kind,prompt\nessay,Why?\n"), "bank.csv")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was imported" in html and "line 2" in html and "kind must be one of" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"GIF89a" + b"\x00" * 100, "not a PNG, JPEG or WebP"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "not a PNG, JPEG or WebP"),
        (factories.png_bytes(8, 8), "between 16 and 8000"),
        (b"\x89PNG" + b"\x00" * (5 * 1024 * 1024), "larger than 5 MB"),
    ],
)
def test_bad_images_are_refused(bank, data, message):
    question = factories.question(bank, "hotspot")
    with pytest.raises(authoring.InvalidImage, match=message):
        authoring.attach_image(question, data, bank.course)


def test_image_upload_stores_a_server_chosen_key_and_dimensions(client, db_session, login):
    teacher = factories.instructor()
    course = factories.course(teacher, modules=1, lessons_per_module=1)
    bank = factories.bank(course)
    question = factories.question(bank, "hotspot")
    login(teacher)
    client.post(
        f"/courses/{course.slug}/questions/{question.id}/image",
        data={"image": (io.BytesIO(factories.png_bytes(320, 480)), "../../evil name.png")},
        content_type="multipart/form-data",
    )
    db.session.refresh(question)
    assert question.image_key.startswith(f"quizzes/{course.id}/images/")
    assert "evil" not in question.image_key and question.image_key.endswith(".png")
    assert (question.image_width, question.image_height) == (320, 480)
    with client.application.app_context():
        info = get_storage().head(question.image_key)
    assert info is not None and info.content_type == "image/png"
    page = client.get(f"/courses/{course.slug}/questions/{question.id}/edit")
    assert 'class="region-editor' in page.get_data(as_text=True)


def test_question_form_saves_a_polygon_typed_by_keyboard(client, db_session, login):
    teacher = factories.instructor()
    course = factories.course(teacher, modules=1, lessons_per_module=1)
    bank = factories.bank(course)
    login(teacher)
    response = client.post(
        f"/courses/{course.slug}/banks/{bank.id}/questions/new?kind=hotspot",
        data={
            "prompt": "Where is the trigger point?",
            "shape": "polygon",
            "points": "0.1, 0.1\n0.4, 0.1\n0.25, 0.4",
            "explanation": "Mid-belly.",
        },
    )
    assert response.status_code == 302
    question = authoring.bank_questions(bank)[0]
    assert question.region == {"shape": "polygon", "points": [[0.1, 0.1], [0.4, 0.1], [0.25, 0.4]]}
    bad = client.post(
        f"/courses/{course.slug}/banks/{bank.id}/questions/new?kind=hotspot",
        data={"prompt": "x", "shape": "circle", "cx": "0.5", "cy": "0.5"},
    )
    assert bad.status_code == 200 and "radius must be a number" in bad.get_data(as_text=True)


def test_question_kinds_validate_their_choices(bank):
    modules = authoring.course_module_ids(bank.course)
    with pytest.raises(authoring.InvalidQuestion, match="exactly one"):
        authoring.create_question(
            bank,
            authoring.QuestionData(QuestionKind.SINGLE, "Q", choices=[("a", True), ("b", True)]),
            modules,
        )
    with pytest.raises(authoring.InvalidQuestion, match="at least one"):
        authoring.create_question(
            bank,
            authoring.QuestionData(
                QuestionKind.MULTIPLE, "Q", choices=[("a", False), ("b", False)]
            ),
            modules,
        )
    with pytest.raises(authoring.InvalidQuestion, match="same text"):
        authoring.create_question(
            bank,
            authoring.QuestionData(QuestionKind.SINGLE, "Q", choices=[("a", True), ("A", False)]),
            modules,
        )
