"""Simulated learners (and two instructors) for the load-and-fault run.

Started by bench/load.py (`make load`) as `locust --headless` in its own process; it reads
the scenario load.py wrote (LOAD_SCENARIO: accounts, lesson and quiz ids, an answer key)
and writes into LOAD_OUT_DIR:

- requests.jsonl: every request (start time, latency, method, name, status, error or
  null), so load.py can tell errors inside a fault window from errors outside one;
- ledger.json: what the app acknowledged, as the browser saw it: watch reports (2xx, per
  learner, page session and sequence number), saved answers, graded attempts, evaluations
  and certificate numbers. load.py compares it with what PostgreSQL holds afterwards.

The learners behave like the real pages (lms/static/js): the player reports the intervals
it played every 15 s, with the state of the last answer, and keeps the ones a failed report
carried for the next report; quiz answers autosave on change and are all sent again with
the submit; a form that met a 503 is sent again after the Retry-After pause.
"""

from __future__ import annotations

import html
import json
import os
import random
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from locust import HttpUser, between, events, task
from locust.exception import StopUser

SCENARIO: dict[str, Any] = json.loads(Path(os.environ["LOAD_SCENARIO"]).read_text())
OUT = Path(os.environ["LOAD_OUT_DIR"])
REPORT_EVERY = float(os.environ.get("LOAD_REPORT_EVERY") or 15)
TIMEOUT = float(os.environ.get("LOAD_REQUEST_TIMEOUT") or 30)
THINK_SCALE = float(os.environ.get("LOAD_THINK_SCALE") or 1)  # < 1: a quicker smoke run
GO_AT = float(os.environ.get("LOAD_GO_AT") or 0)  # when everyone, signed in, starts
SKILL = 0.92  # chance of a right answer: most learners pass the final at the first try
COURSE = SCENARIO["course"]
DOWN_STATUSES = (0, 502, 503, 504)  # worth sending again later, as the pages do

CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
QUESTION = re.compile(r'data-question-id="(\d+)" data-kind="(\w+)"')
SAVE_URL = re.compile(r'data-save-url="([^"]+)"')
CERTIFICATE = re.compile(r"\b[A-Z]{2,10}-[0-9A-HJKMNP-TV-Z]{12}\b")

LEDGER: dict[str, Any] = {
    "watch_reports": [],  # [email, lesson id, report token, seq] answered 2xx
    "answers": {},  # "attempt:question" -> [[value, acknowledged], ...] in the order sent
    "graded_attempts": [],  # attempt ids whose submit was answered with the result
    "evaluations": [],  # emails whose evaluation was thanked for
    "certificates": {},  # certificate number -> email, as shown on the transcript
}
_learners = iter(SCENARIO["learners"])
_instructors = iter(SCENARIO["instructors"])
_log = open(OUT / "requests.jsonl", "a", buffering=1)  # noqa: SIM115 - open for the run


@events.request.add_listener
def _log_request(request_type, name, response_time, response, exception, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    started = kwargs.get("start_time") or time.time() - response_time / 1000
    error = None if exception is None else str(exception)[:200]
    _log.write(
        json.dumps([round(started, 3), round(response_time, 1), request_type, name, status, error])
        + "\n"
    )


@events.test_stop.add_listener
def _write_ledger(**_kwargs):
    _log.flush()
    (OUT / "ledger.json").write_text(json.dumps(LEDGER))


def think(low: float, high: float) -> None:
    """A person reading or choosing (watching is paced by the report interval instead)."""
    time.sleep(random.uniform(low, high) * THINK_SCALE)


def _data(page: str, name: str) -> str | None:
    match = re.search(rf'data-{name}="([^"]*)"', page)
    return html.unescape(match.group(1)) if match else None


def _coalesce(intervals: list[list[float]]) -> list[list[float]]:
    """Merge overlapping intervals (as the player does before resending them)."""
    merged: list[list[float]] = []
    for start, end, rate in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2] = max(merged[-1][2], rate)
        else:
            merged.append([start, end, rate])
    return merged[-150:]


class Browser(HttpUser):
    """What both kinds of users share: one browser session, forms with CSRF tokens."""

    abstract = True
    wait_time = between(2 * THINK_SCALE, 6 * THINK_SCALE)
    email = ""

    def call(self, method: str, path: str, name: str, ok=(200,), **kwargs):
        """One request; statuses outside `ok` are failures (and logged as such)."""
        kwargs.setdefault("allow_redirects", False)
        with self.client.request(
            method, path, name=name, catch_response=True, timeout=TIMEOUT, **kwargs
        ) as response:
            if response.status_code in ok:
                response.success()
            elif not response.status_code:  # no answer: refused, reset, timed out
                response.failure(repr(getattr(response, "error", None))[:200])
            else:
                detail = (response.text or "")[:120].replace("\n", " ")
                response.failure(f"{response.status_code} {detail}".strip())
        return response

    def csrf(self, page: str) -> str:
        match = CSRF_INPUT.search(page) or CSRF_META.search(page)
        return match.group(1) if match else ""

    def login(self, password: str) -> None:
        """Sign in through the form; a learner facing a 503 tries again a little later."""
        while True:
            form = self.call("GET", "/auth/login", "login form")
            if form.status_code == 302:  # signed in after all (logged as a failure above)
                return
            if form.status_code == 200:
                done = self.call(
                    "POST",
                    "/auth/login",
                    "login",
                    ok=(302,),
                    data={
                        "csrf_token": self.csrf(form.text),
                        "email": self.email,
                        "password": password,
                    },  # fmt: skip
                )
                if done.status_code == 302 and "/auth/login" not in done.headers["Location"]:
                    return
            time.sleep(5)

    def wait_for_everyone(self) -> None:
        """Signed in: start with the others (spread over a few seconds, as people do)."""
        time.sleep(max(0.0, GO_AT - time.time()) + random.uniform(0, 10) * THINK_SCALE)

    def retry_after(self, response) -> None:
        time.sleep(float(response.headers.get("Retry-After") or 5))


class Learner(Browser):
    """An acupuncturist finishing the course: watch, pass the final, evaluate, certificate."""

    def on_start(self) -> None:
        try:
            self.email = next(_learners)
        except StopIteration:
            raise StopUser() from None
        self.quiz_first = random.random() < 0.5
        self.rate = random.choice((1.0, 1.0, 1.0, 1.25, 1.5))  # playback speed
        self.watched = False  # the unfinished lesson
        self.passed = False
        self.out_of_attempts = False
        self.evaluated = False
        self.login(SCENARIO["password"])
        self.wait_for_everyone()

    @task
    def learn(self) -> None:
        if random.random() < 0.3:
            self.browse(1)
        if not self.watched and (self.passed or self.out_of_attempts or not self.quiz_first):
            self.watch(SCENARIO["unfinished_lesson"], reports=8, until_complete=True)
        elif not self.passed and not self.out_of_attempts:
            self.take_quiz(SCENARIO["final_quiz"])
        elif self.passed and not self.evaluated:
            self.evaluate()
        else:  # done, or stuck: learners come back to revise
            roll = random.random()
            if roll < 0.45:
                self.watch(random.choice(SCENARIO["video_lessons"]), reports=random.randint(2, 4))
            elif roll < 0.7:
                self.take_quiz(SCENARIO["check_quiz"])
            else:
                self.browse(random.randint(2, 3))

    # --- browsing -------------------------------------------------------------------------

    def browse(self, pages: int) -> None:
        """A few pages, each read for a while."""
        reading = random.choice(SCENARIO["reading_lessons"])
        choices = [
            ("/catalog", "catalog"),
            (f"/courses/{COURSE}", "course page"),
            ("/my/learning", "my learning"),
            (f"/courses/{COURSE}/lessons/{reading}", "lesson page (reading)"),
            ("/my/transcript", "transcript"),
        ]
        for path, name in random.sample(choices, pages):
            self.call("GET", path, name)
            think(3, 10)

    # --- watching ----------------------------------------------------------------------------

    def watch(self, lesson_id: int, reports: int, until_complete: bool = False) -> None:
        page = self.call("GET", f"/courses/{COURSE}/lessons/{lesson_id}", "lesson page (video)")
        if page.status_code != 200:
            return
        report_url, token = _data(page.text, "report-url"), _data(page.text, "report-token")
        refresh_url, length = _data(page.text, "refresh-url"), _data(page.text, "duration")
        if not (report_url and token and refresh_url and length):
            return  # not a video this learner's watching is recorded for
        duration = float(length)
        json_please = {"Accept": "application/json"}
        playback = self.call("GET", refresh_url, "playback url", headers=json_please)
        if playback.status_code == 200:
            self.call(
                "GET",
                playback.json()["url"],
                "S3: video bytes (direct)",
                ok=(206,),
                headers={"Range": "bytes=0-262143"},
            )
        position, seq, pending = float(_data(page.text, "resume") or 0), 0, []
        state = None  # as the player: the last answer's state goes with the next report
        for _ in range(reports):
            time.sleep(REPORT_EVERY)
            if position >= duration - 0.05:
                position = 0.0  # watch it again from the start
            end = min(duration, position + REPORT_EVERY * self.rate)
            pending.append([round(position, 3), round(end, 3), self.rate])
            position = end
            body = {"token": token, "seq": seq, "intervals": _coalesce(pending), "position": end}
            if state:
                body["state"] = state
            sent, seq = seq, seq + 1
            answer = self.call("POST", report_url, "watch report", json=body, headers=json_please)
            if 200 <= answer.status_code < 300:
                LEDGER["watch_reports"].append([self.email, lesson_id, token, sent])
                pending = []
                state = answer.json().get("state")
                if until_complete and answer.json().get("lesson_complete"):
                    self.watched = True
                    return
            elif answer.status_code not in DOWN_STATUSES:
                pending = []  # refused for good (400/403/409): the player drops them too

    # --- quizzes -------------------------------------------------------------------------------

    def choose(self, quiz_id: int, question_id: str) -> Any:
        key = SCENARIO["answers"][str(quiz_id)][question_id]
        right = random.random() < SKILL
        if key["kind"] == "hotspot":
            x, y = key["click"]
            return [x, y] if right else [round((x + 0.4) % 1, 4), y]
        if right:
            return sorted(key["correct"])
        wrong = [c for c in key["choices"] if c not in key["correct"]]
        return [random.choice(wrong)] if wrong else sorted(key["correct"])[:1]

    def record_answer(self, attempt_id: str, question_id: str, value: Any, acked: bool) -> None:
        LEDGER["answers"].setdefault(f"{attempt_id}:{question_id}", []).append([value, acked])

    def take_quiz(self, quiz_id: int) -> None:
        quiz_path = f"/courses/{COURSE}/quizzes/{quiz_id}"
        page = self.call("GET", quiz_path, "quiz page")
        if page.status_code != 200:
            return
        token = self.csrf(page.text)
        started = self.call(
            "POST", quiz_path + "/start", "quiz start", ok=(302,), data={"csrf_token": token}
        )
        if started.status_code != 302:
            return
        attempt_path = urlparse(started.headers["Location"]).path
        if "/attempts/" not in attempt_path:  # no attempt left: the quiz page says so
            self.out_of_attempts = quiz_id == SCENARIO["final_quiz"]
            return
        attempt_id = attempt_path.rsplit("/", 1)[1]
        page = self.call("GET", attempt_path, "quiz attempt page")
        if page.status_code != 200:
            return  # the attempt stays open; the next try resumes it
        save_url = html.unescape(SAVE_URL.search(page.text).group(1))
        kinds = dict(QUESTION.findall(page.text))
        chosen: dict[str, Any] = {}
        for question_id, kind in kinds.items():
            think(1.5, 4)
            value = chosen[question_id] = self.choose(quiz_id, question_id)
            body: dict[str, Any] = {"question_id": int(question_id)}
            if kind == "hotspot":
                body.update(x=value[0], y=value[1])
            else:
                body["choice_ids"] = value
            saved = self.call(
                "POST",
                save_url,
                "quiz autosave",
                json=body,
                headers={"X-CSRFToken": token, "Accept": "application/json"},
            )
            self.record_answer(attempt_id, question_id, value, saved.status_code == 200)
        think(2, 5)
        self.submit(quiz_id, attempt_path, attempt_id, token, chosen, kinds)

    def submit(
        self, quiz_id: int, attempt_path: str, attempt_id: str, token: str,
        chosen: dict[str, Any], kinds: dict[str, str],
    ) -> None:  # fmt: skip
        form: list[tuple[str, Any]] = [("csrf_token", token)]
        for question_id, value in chosen.items():
            if kinds[question_id] == "hotspot":
                form += [(f"q{question_id}_x", value[0]), (f"q{question_id}_y", value[1])]
            else:
                form += [(f"q{question_id}", choice) for choice in value]
        for attempt in range(6):
            # A 409 after a failed try: that try was graded, only its answer got lost.
            done = self.call(
                "POST", attempt_path + "/submit", "quiz submit",
                ok=(302, 409) if attempt else (302,), data=form,
            )  # fmt: skip
            if done.status_code in (302, 409):
                break
            if done.status_code not in DOWN_STATUSES:
                return
            self.retry_after(done)
        else:
            return
        for question_id, value in chosen.items():
            self.record_answer(attempt_id, question_id, value, True)
        LEDGER["graded_attempts"].append(int(attempt_id))
        result = self.call("GET", attempt_path + "/result", "quiz result")
        if quiz_id == SCENARIO["final_quiz"] and result.status_code == 200:
            self.passed = "<strong>Passed</strong>" in result.text

    # --- evaluation and certificate --------------------------------------------------------

    def evaluate(self) -> None:
        path = f"/courses/{COURSE}/evaluation"
        page = self.call("GET", path, "evaluation form")
        if page.status_code != 200:
            return
        think(5, 12)
        form = {
            "csrf_token": self.csrf(page.text),
            "objectives_met": random.randint(4, 5),
            "instructor_knowledge": random.randint(4, 5),
            "teaching_methods": random.randint(3, 5),
            "usefulness": random.randint(4, 5),
            "comments": "Clear demonstrations; I will use the palpation sequence in clinic.",
        }
        for _ in range(6):
            sent = self.call("POST", path, "evaluation submit", ok=(302,), data=form)
            if sent.status_code == 302:
                break
            if sent.status_code not in DOWN_STATUSES:
                return
            self.retry_after(sent)
        else:
            return
        if sent.headers["Location"].endswith("/my/transcript"):
            LEDGER["evaluations"].append(self.email)
            self.evaluated = True
            self.read_transcript()
        else:  # back on the course page: not open yet, or given by an earlier try
            course = self.call("GET", f"/courses/{COURSE}", "course page")
            self.evaluated = "already evaluated" in course.text

    def read_transcript(self) -> None:
        transcript = self.call("GET", "/my/transcript", "transcript")
        for number in set(CERTIFICATE.findall(transcript.text or "")):
            LEDGER["certificates"][number] = self.email


class Instructor(Browser):
    """An instructor starting (and cancelling) a video upload: the app's S3 calls."""

    fixed_count = len(SCENARIO["instructors"])
    wait_time = between(4, 8)

    def on_start(self) -> None:
        try:
            account = next(_instructors)
        except StopIteration:
            raise StopUser() from None
        self.email, self.uploads = account["email"], account["path"]
        self.login(SCENARIO["instructor_password"])
        self.token = ""
        self.wait_for_everyone()

    @task
    def start_and_cancel_upload(self) -> None:
        if not self.token:
            page = self.call("GET", "/my/learning", "my learning")
            self.token = self.csrf(page.text) if page.status_code == 200 else ""
        headers = {"X-CSRFToken": self.token, "Accept": "application/json"}
        video = {"filename": "trigger-point-seminar.mp4", "size": 200 * 2**20, "type": "video/mp4"}
        started = self.call(
            "POST", self.uploads, "upload start (S3)", ok=(201,), json=video, headers=headers
        )
        if started.status_code == 201:
            time.sleep(random.uniform(1, 3))
            abort = started.json()["urls"]["abort"]
            self.call("POST", abort, "upload cancel (S3)", json={}, headers=headers)
