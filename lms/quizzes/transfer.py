"""Import and export a question bank as CSV or JSON.

Imports are all-or-nothing: every row is checked first and the report names each bad row
by its line (CSV) or position (JSON) with the reason; one bad row and nothing is imported.
Hotspot images are not part of the files: imported hotspot questions wait for their image.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

from lms.catalog.models import Course
from lms.csvsafe import neutralise
from lms.errors import DomainError
from lms.quizzes.authoring import (
    MAX_CHOICES,
    QuestionData,
    bank_questions,
    create_question,
    question_problems,
    true_false_choices,
)
from lms.quizzes.models import Question, QuestionBank, QuestionKind

CSV_COLUMNS = [
    "kind",
    "module",
    "prompt",
    "choices",
    "correct",
    "partial_credit",
    "explanation",
    "region",
    "image_alt",
]
MAX_ROWS = 2000
JSON_FORMAT = "meridian-question-bank"


@dataclass(frozen=True)
class RowProblem:
    where: str  # "line 4" / "question 2" / "file"
    reason: str


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class ImportRejected(DomainError):
    def __init__(self, report: ImportReport):
        count = len(report.problems)
        super().__init__(
            f"Nothing was imported: {count} problem{'s' if count != 1 else ''} found. "
            "Fix the rows listed and import the file again."
        )
        self.report = report


# --- export -------------------------------------------------------------------------------


def _question_dict(question: Question) -> dict[str, Any]:
    return {
        "kind": question.kind.value,
        "module": question.module.title if question.module else "",
        "prompt": question.prompt,
        "choices": [{"text": c.text, "correct": c.is_correct} for c in question.choices],
        "partial_credit": question.partial_credit,
        "explanation": question.explanation,
        "region": question.region,
        "image_alt": question.image_alt,
    }


def export_json(bank: QuestionBank) -> str:
    questions = [_question_dict(q) for q in bank_questions(bank)]
    return json.dumps(
        {"format": JSON_FORMAT, "version": 1, "bank": bank.title, "questions": questions},
        indent=2,
        ensure_ascii=False,
    )


def _csv_safe(text: str) -> str:
    # A prompt starting with "=" must not become a spreadsheet formula on the way out.
    return neutralise(text)


def export_csv(bank: QuestionBank) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for question in bank_questions(bank):
        item = _question_dict(question)
        choices = item["choices"]
        if question.kind == QuestionKind.TRUE_FALSE:
            correct = "true" if choices and choices[0]["correct"] else "false"
            choice_text = ""
        else:
            correct = "|".join(str(i) for i, c in enumerate(choices, start=1) if c["correct"])
            choice_text = "|".join(c["text"] for c in choices)
        writer.writerow(
            [
                item["kind"],
                _csv_safe(item["module"]),
                _csv_safe(item["prompt"]),
                _csv_safe(choice_text),
                correct,
                "yes" if item["partial_credit"] else "",
                _csv_safe(item["explanation"]),
                json.dumps(item["region"]) if item["region"] else "",
                _csv_safe(item["image_alt"]),
            ]
        )
    return buffer.getvalue()


# --- import -------------------------------------------------------------------------------


def _unquote(text: str) -> str:
    """Undo the export's formula guard."""
    return text[1:] if text.startswith("'") and text[1:2] in ("=", "+", "-", "@") else text


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in {"1", "yes", "true", "y"}


def _parse_item(item: dict[str, Any], modules: dict[str, int]) -> tuple[QuestionData | None, str]:
    """A row (CSV columns or a JSON object) -> QuestionData, or the reason it is unusable."""
    try:
        kind = QuestionKind(str(item.get("kind", "")).strip().lower())
    except ValueError:
        return None, "kind must be one of single, multiple, true_false, hotspot"
    module_title = str(item.get("module") or "").strip()
    module_id = None
    if module_title:
        module_id = modules.get(module_title.lower())
        if module_id is None:
            return None, f"no module titled “{module_title}” in this course"
    region = item.get("region")
    if isinstance(region, str):
        if region.strip():
            try:
                region = json.loads(region)
            except json.JSONDecodeError:
                return None, "region is not valid JSON"
        else:
            region = None
    choices = item.get("choices")
    parsed_choices: list[tuple[str, bool]] = []
    if kind == QuestionKind.TRUE_FALSE:
        correct = str(item.get("correct", "")).strip().lower()
        if isinstance(choices, list) and choices:  # JSON: the two choices as exported
            flags = [bool(c.get("correct")) for c in choices if isinstance(c, dict)]
            correct = "true" if flags[:1] == [True] else "false"
        if correct not in {"true", "false"}:
            return None, "correct must be true or false for a true/false question"
        parsed_choices = true_false_choices(correct == "true")
    elif kind != QuestionKind.HOTSPOT:
        if isinstance(choices, list):  # JSON
            for choice in choices:
                if not isinstance(choice, dict) or not isinstance(choice.get("text"), str):
                    return None, "each choice needs a text"
                parsed_choices.append((choice["text"], bool(choice.get("correct"))))
        else:  # CSV: "A|B|C" and correct "1|3"
            texts = [t.strip() for t in str(choices or "").split("|")] if choices else []
            if len(texts) > MAX_CHOICES:
                return None, f"at most {MAX_CHOICES} choices"
            try:
                marked = {int(n) for n in str(item.get("correct") or "").split("|") if n.strip()}
            except ValueError:
                return None, "correct must list choice numbers such as 1|3"
            if any(not 1 <= n <= len(texts) for n in marked):
                return None, "correct names a choice number that does not exist"
            parsed_choices = [(_unquote(t), i in marked) for i, t in enumerate(texts, start=1)]
    data = QuestionData(
        kind=kind,
        prompt=_unquote(str(item.get("prompt") or "")),
        explanation=_unquote(str(item.get("explanation") or "")),
        module_id=module_id,
        partial_credit=_bool(item.get("partial_credit")),
        choices=parsed_choices,
        region=region,
        image_alt=_unquote(str(item.get("image_alt") or "")),
    )
    problems = question_problems(data, set(modules.values()))
    if problems:
        return None, " ".join(problems)
    return data, ""


def _csv_items(text: str, report: ImportReport) -> list[tuple[str, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in ("kind", "prompt") if c not in header]
    if missing:
        report.problems.append(
            RowProblem(
                "line 1",
                f"the header row lacks {', '.join(missing)} (columns: {', '.join(CSV_COLUMNS)})",
            )
        )
        return []
    items = []
    start = reader.line_num + 1
    try:
        for row in reader:
            if None in row:
                report.problems.append(RowProblem(f"line {start}", "more cells than columns"))
            elif any((v or "").strip() for v in row.values()):
                items.append((f"line {start}", row))
            start = reader.line_num + 1
    except csv.Error as error:
        report.problems.append(RowProblem(f"line {reader.line_num}", f"unreadable CSV: {error}"))
    return items


def _json_items(text: str, report: ImportReport) -> list[tuple[str, dict[str, Any]]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        report.problems.append(RowProblem(f"line {error.lineno}", f"not valid JSON: {error.msg}"))
        return []
    questions = document.get("questions") if isinstance(document, dict) else document
    if not isinstance(questions, list):
        report.problems.append(RowProblem("file", "expected a list of questions"))
        return []
    items = []
    for index, item in enumerate(questions, start=1):
        if not isinstance(item, dict):
            report.problems.append(RowProblem(f"question {index}", "not an object"))
        else:
            items.append((f"question {index}", item))
    return items


def import_bank(bank: QuestionBank, course: Course, filename: str, data: bytes) -> ImportReport:
    """Check every row, then import all of them, or none (raises ImportRejected)."""
    report = ImportReport()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.problems.append(RowProblem("file", "the file is not UTF-8 text"))
        raise ImportRejected(report) from None
    is_json = filename.lower().endswith(".json") or text.lstrip().startswith(("{", "["))
    items = _json_items(text, report) if is_json else _csv_items(text, report)
    if len(items) > MAX_ROWS:
        report.problems.append(RowProblem("file", f"more than {MAX_ROWS} questions"))
    if not items and not report.problems:
        report.problems.append(RowProblem("file", "no questions found"))
    modules = {module.title.strip().lower(): module.id for module in course.modules}
    parsed = []
    for where, item in items:
        question, reason = _parse_item(item, modules)
        if question is None:
            report.problems.append(RowProblem(where, reason))
        else:
            parsed.append(question)
    report.rows = len(items)
    if report.problems:
        raise ImportRejected(report)
    module_ids = set(modules.values())
    for question in parsed:
        create_question(bank, question, module_ids)
    report.imported = len(parsed)
    return report
