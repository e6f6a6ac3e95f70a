"""After a load-and-fault run (bench/load.py): what the browsers saw against what was stored.

- Traffic, from locust's request log: requests and latency percentiles of the run (the
  sign-in phase before it apart), and every failed request, sign-in phase included, put
  inside a fault window (it overlaps the time between a dependency going away and the app
  answering normally again) or outside one (must be none).
- Records, from locust's ledger: every watch report answered 2xx, every answer saved
  (autosave 200 or submit), every attempt graded, evaluation thanked for and certificate
  shown on a transcript is looked up in PostgreSQL, certificates also as a PDF in the
  bucket with their SHA-256. Acknowledged but not stored = lost (must be 0).
"""

from __future__ import annotations

import hashlib
import json
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg
from botocore.exceptions import ClientError

STORAGE_PREFIX = "S3:"  # requests the browsers send to S3 itself, not to the app
NO_ANSWER = 0


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)


def _windows_hit(start: float, end: float, windows: dict[str, tuple[float, float]]) -> list[str]:
    return [name for name, (since, until) in windows.items() if start <= until and end >= since]


def traffic(
    log: Path,
    windows: dict[str, tuple[float, float]],
    signing_in: float,
    started: float,
    ended: float,
) -> dict[str, Any]:
    """Requests of the run (from `started`), and of the sign-in phase before it.

    `windows`: fault name -> (start, end) of the span in which requests may fail.
    """
    rows = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    app_ms, steady_ms, login_ms = [], [], []
    outside, inside = Counter(), Counter()
    inside_by_fault: dict[str, Counter] = {name: Counter() for name in windows}
    by_name: dict[str, list[float]] = {}
    status_500 = run_requests = 0
    for start, ms, method, name, status, error in rows:
        hit = _windows_hit(start, start + ms / 1000, windows)
        in_window = bool(hit)
        status_500 += status == 500
        if start < started:
            if name == "login":
                login_ms.append(ms)
        else:
            run_requests += 1
            by_name.setdefault(name, []).append(ms)
            if not name.startswith(STORAGE_PREFIX):
                app_ms.append(ms)
                if not in_window:
                    steady_ms.append(ms)
        if error is None:
            continue
        if in_window:
            answer = "no answer" if status == NO_ANSWER else str(status)
            inside[answer] += 1
            for fault in hit:
                inside_by_fault[fault][f"{name}: {answer}"] += 1
        else:
            outside[f"{method} {name}: {status or 'no answer'} {error[:80]}"] += 1
    seconds = max(ended - started, 1e-9)
    storage = sum(len(v) for name, v in by_name.items() if name.startswith(STORAGE_PREFIX))
    return {
        "sign_in": {
            "seconds": round(started - signing_in, 1),
            "requests": len(rows) - run_requests,
            "logins": len(login_ms),
            "login_p50_ms": _percentile(login_ms, 0.50),
            "login_p99_ms": _percentile(login_ms, 0.99),
        },
        "total": run_requests,
        "app": len(app_ms),
        "storage_direct": storage,
        "per_second": round(run_requests / seconds, 1),
        "seconds": round(seconds, 1),
        "p50_ms": _percentile(app_ms, 0.50),
        "p95_ms": _percentile(app_ms, 0.95),
        "p99_ms": _percentile(app_ms, 0.99),
        "max_ms": round(max(app_ms), 1) if app_ms else None,
        "mean_ms": round(statistics.fmean(app_ms), 1) if app_ms else None,
        "p99_ms_outside_fault_windows": _percentile(steady_ms, 0.99),
        "errors_outside_fault_windows": sum(outside.values()),
        "errors_outside_detail": dict(outside.most_common(20)),
        "errors_inside_fault_windows": sum(inside.values()),
        "errors_inside_by_status": dict(inside.most_common()),
        "errors_inside_by_fault": {
            fault: dict(counts.most_common()) for fault, counts in inside_by_fault.items()
        },
        "status_500": status_500,
        "by_name": {
            name: {
                "requests": len(values),
                "p50_ms": _percentile(values, 0.5),
                "p99_ms": _percentile(values, 0.99),
            }
            for name, values in sorted(by_name.items(), key=lambda item: -len(item[1]))
        },
    }


def _same_answer(value: list, stored: tuple[float | None, float | None, list[int]]) -> bool:
    click_x, click_y, choices = stored
    if click_x is not None:
        return (
            len(value) == 2
            and abs(float(value[0]) - click_x) < 1e-4
            and abs(float(value[1]) - click_y) < 1e-4
        )
    return sorted(int(v) for v in value) == sorted(choices)


def records(
    ledger: dict[str, Any], dsn: str, s3, bucket: str, secret_key: str, learners: list[str]
) -> dict[str, dict[str, int]]:
    """Acknowledged, stored and lost, per kind of record."""
    from itsdangerous import URLSafeTimedSerializer

    from lms.video.watching import TOKEN_SALT

    tokens = URLSafeTimedSerializer(secret_key, salt=TOKEN_SALT)
    sessions: dict[str, tuple[int, int, str]] = {}
    acked_reports = set()
    for _email, _lesson, token, seq in ledger["watch_reports"]:
        if token not in sessions:
            data = tokens.loads(token)
            sessions[token] = (data["u"], data["l"], data["s"])
        acked_reports.add((*sessions[token], seq))

    with psycopg.connect(dsn) as connection:
        user_ids = [
            row[0]
            for row in connection.execute("SELECT id FROM users WHERE email = ANY(%s)", (learners,))
        ]
        stored_reports = set(
            connection.execute(
                "SELECT user_id, lesson_id, session, client_seq FROM watch_reports"
                " WHERE user_id = ANY(%s)",
                (user_ids,),
            ).fetchall()
        )
        attempt_ids = sorted({int(key.split(":")[0]) for key in ledger["answers"]})
        stored_answers = {
            (attempt_id, question_id): (click_x, click_y, list(choices))
            for attempt_id, question_id, click_x, click_y, choices in connection.execute(
                "SELECT a.attempt_id, a.question_id, a.click_x, a.click_y,"
                " coalesce(array_agg(c.choice_id) FILTER (WHERE c.choice_id IS NOT NULL), '{}')"
                " FROM attempt_answers a"
                " LEFT JOIN attempt_answer_choices c ON c.answer_id = a.id"
                " WHERE a.attempt_id = ANY(%s) GROUP BY a.id",
                (attempt_ids,),
            )
        }
        acked_attempts = set(ledger["graded_attempts"])
        graded = {
            row[0]
            for row in connection.execute(
                "SELECT id FROM quiz_attempts WHERE id = ANY(%s) AND status = 'graded'",
                (sorted(acked_attempts),),
            )
        }
        graded_total = connection.execute(
            "SELECT count(*) FROM quiz_attempts WHERE user_id = ANY(%s) AND status = 'graded'",
            (user_ids,),
        ).fetchone()[0]
        evaluated = {
            row[0]
            for row in connection.execute(
                "SELECT u.email FROM evaluations e JOIN users u ON u.id = e.user_id"
                " WHERE u.email = ANY(%s)",
                (learners,),
            )
        }
        certificates = {
            number: (status, pdf_key, sha256)
            for number, status, pdf_key, sha256 in connection.execute(
                "SELECT c.number, c.status, c.pdf_key, c.pdf_sha256 FROM certificates c"
                " WHERE c.user_id = ANY(%s)",
                (user_ids,),
            )
        }

    answers_acked = answers_lost = 0
    for key, sent in ledger["answers"].items():
        acked_at = [index for index, (_, acked) in enumerate(sent) if acked]
        if not acked_at:
            continue
        answers_acked += 1
        attempt_id, question_id = (int(part) for part in key.split(":"))
        stored = stored_answers.get((attempt_id, question_id))
        # The last acknowledged value, or one sent after it whose answer never arrived.
        if stored is None or not any(
            _same_answer(value, stored) for value, _ in sent[acked_at[-1] :]
        ):
            answers_lost += 1

    seen = ledger["certificates"]
    certificates_lost = 0
    for number in seen:
        row = certificates.get(number)
        if row is None or row[0] != "valid":
            certificates_lost += 1
            continue
        try:
            pdf = s3.get_object(Bucket=bucket, Key=row[1])["Body"].read()
        except ClientError:  # no such object
            certificates_lost += 1
            continue
        certificates_lost += hashlib.sha256(pdf).hexdigest() != row[2]

    acked_evaluations = set(ledger["evaluations"])
    return {
        "watch_reports": {
            "acknowledged": len(acked_reports),
            "stored": len(stored_reports),
            "lost": len(acked_reports - stored_reports),
        },
        "answers": {
            "acknowledged": answers_acked,
            "stored": len(stored_answers),
            "lost": answers_lost,
        },
        "graded_attempts": {
            "acknowledged": len(acked_attempts),
            "stored": graded_total,
            "lost": len(acked_attempts - graded),
        },
        "evaluations": {
            "acknowledged": len(acked_evaluations),
            "stored": len(evaluated),
            "lost": len(acked_evaluations - evaluated),
        },
        "certificates": {
            "acknowledged": len(seen),
            "stored": sum(1 for row in certificates.values() if row[0] == "valid"),
            "lost": certificates_lost,
        },
    }


def completions(dsn: str, learners: list[str]) -> dict[str, int]:
    """Courses completed in the run, and how many of them got their certificate at once."""
    with psycopg.connect(dsn) as connection:
        completed, certified = connection.execute(
            "SELECT count(*), count(c.id) FROM enrolments e JOIN users u ON u.id = e.user_id"
            " LEFT JOIN certificates c ON c.enrolment_id = e.id AND c.status = 'valid'"
            " WHERE u.email = ANY(%s) AND e.status = 'completed'",
            (learners,),
        ).fetchone()
    return {
        "completed": completed,
        "certified": certified,
        "waiting_in_admin_queue": completed - certified,
    }


def server_log_summary(path: Path) -> dict[str, int]:
    text = path.read_text(errors="replace") if path.exists() else ""
    return {
        # Our catch-all handler, Flask's own (an error handler that failed), gunicorn's own
        # (an error after the response was made, outside Flask's handlers).
        "unhandled_errors": text.count("Unhandled error on")
        + text.count("Exception on /")
        + text.count("Error handling request"),
        "connections_lost_at_request_end": text.count("connection lost at the end of a request"),
        "database_unavailable_warnings": text.count("Database unavailable on"),
        "storage_unavailable_warnings": text.count("Storage unavailable on"),
        "certificates_deferred": text.count("certificate not issued automatically"),
        "worker_timeouts": text.count("WORKER TIMEOUT"),
    }


def analyse(
    out: Path,
    *,
    dsn: str,
    s3,
    bucket: str,
    secret_key: str,
    learners: list[str],
    faults: list[dict[str, Any]],
    signing_in: float,
    started: float,
    ended: float,
    server_log: Path,
) -> dict[str, Any]:
    ledger = json.loads((out / "ledger.json").read_text())
    windows = {fault["fault"]: tuple(fault["window"]) for fault in faults}
    seen = traffic(out / "requests.jsonl", windows, signing_in, started, ended)
    kept = records(ledger, dsn, s3, bucket, secret_key, learners)
    lost = sum(kind["lost"] for kind in kept.values())
    problems = []
    if lost:
        problems.append(f"{lost} acknowledged records lost")
    if seen["errors_outside_fault_windows"]:
        problems.append(f"{seen['errors_outside_fault_windows']} errors outside fault windows")
    if seen["status_500"]:
        problems.append(f"{seen['status_500']} answers were a 500")
    problems += [f"no recovery after {f['fault']}" for f in faults if not f["recovered"]]
    log = server_log_summary(server_log)
    if log["unhandled_errors"]:
        problems.append(f"{log['unhandled_errors']} unhandled errors in the server log")
    return {
        "requests": seen,
        "faults": faults,
        "records": kept,
        "lost": lost,
        "completions": completions(dsn, learners),
        "server_log": log,
        "problems": problems,
        "passed": not problems,
    }


def _n(value: Any) -> str:
    return "-" if value is None else f"{value:,}" if isinstance(value, int) else str(value)


def print_summary(result: dict[str, Any]) -> None:
    settings, seen = result["settings"], result["requests"]
    print(
        f"\nLoad and faults: {settings['learners']} learners + {settings['instructors']} "
        f"instructors for {settings['seconds']} s (gunicorn {settings['gunicorn']}, "
        f"production config, PostgreSQL 15, S3 on moto; {settings['cpus']} CPUs, load "
        f"average {settings['load_average_at_start']} at the start)"
    )
    signing = seen["sign_in"]
    print(
        f"  sign-in phase       {signing['logins']} logins in {signing['seconds']} s "
        f"(p50 {signing['login_p50_ms']} ms, p99 {signing['login_p99_ms']} ms: Argon2id)"
    )
    print(
        f"  requests            {_n(seen['total'])} in {seen['seconds']} s "
        f"({seen['per_second']}/s): "
        f"{_n(seen['app'])} to the app, {_n(seen['storage_direct'])} straight to S3"
    )
    print(
        f"  latency (app)       p50 {seen['p50_ms']} ms, p95 {seen['p95_ms']} ms, "
        f"p99 {seen['p99_ms']} ms, max {seen['max_ms']} ms "
        f"(p99 outside fault windows {seen['p99_ms_outside_fault_windows']} ms)"
    )
    print(f"  errors outside fault windows  {seen['errors_outside_fault_windows']}")
    for what, count in seen["errors_outside_detail"].items():
        print(f"      {count} x {what}")
    inside = ", ".join(f"{status}: {n}" for status, n in seen["errors_inside_by_status"].items())
    print(
        f"  errors inside fault windows   {seen['errors_inside_fault_windows']}"
        + (f" ({inside})" if inside else "")
    )
    print(f"  answers that were a 500       {seen['status_500']}")
    print("  faults")
    for fault in result["faults"]:
        recovery = (
            f"normal {fault['recovery_seconds']} s after it was back"
            if fault["recovered"]
            else "NOT RECOVERED"
        )
        print(f"    {fault['fault']:<24} down {fault['down_seconds']} s, {recovery}")
        for answer, count in fault["app_answers_while_down"].items():
            print(f"      probe got {count} x {answer}")
        failed = seen["errors_inside_by_fault"].get(fault["fault"], {})
        if failed:
            print("      browsers got " + ", ".join(f"{n} x {what}" for what, n in failed.items()))
    print(f"  {'records':<28}{'acknowledged':>13}{'stored':>9}{'lost':>6}")
    for kind, counts in result["records"].items():
        print(
            f"    {kind.replace('_', ' '):<26}{counts['acknowledged']:>13,}"
            f"{counts['stored']:>9,}{counts['lost']:>6}"
        )
    done, log = result["completions"], result["server_log"]
    print(
        f"  completions         {done['completed']} courses completed, {done['certified']} "
        f"certified at once, {done['waiting_in_admin_queue']} waiting in the admin queue "
        f"({log['certificates_deferred']} issuances deferred in the server log: "
        "storage was down)"
    )
    print(
        f"  server log          {log['unhandled_errors']} unhandled errors, "
        f"{log['worker_timeouts']} worker timeouts, {log['connections_lost_at_request_end']} "
        "connections lost as a request ended (its answer stood)"
    )
    print(f"  lost                {result['lost']}")
    verdict = "PASS" if result["passed"] else "FAIL: " + "; ".join(result["problems"])
    print(f"  result              {verdict}")
