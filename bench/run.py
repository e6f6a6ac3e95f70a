"""Benchmark the LMS under gunicorn with wrk: `uv run python bench/run.py` (or `make bench`).

Starts a throwaway PostgreSQL, migrates and seeds it, runs gunicorn, measures the /healthz
floor and every entry of bench/pages.py, prints a table and writes bench/results.json.
Exit status: 0 when every page was measured (even if targets are missed), 1 on harness
failure or when a page could not be measured (wrong status, wrk errors).

Environment knobs: BENCH_SECONDS (8), BENCH_REPEAT (3), BENCH_THREADS (2), BENCH_CONNECTIONS (16),
BENCH_WORKERS (2), BENCH_GTHREADS (4), BENCH_ONLY (comma-separated page names),
BENCH_PAGES_MODULE (module with PAGES, default bench.pages), BENCH_APP_DIR (dir holding
wsgi.py, default the repo root), BENCH_RESULTS (output path, default bench/results.json).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import requests  # noqa: E402

from bench.auth import DEFAULT_LOGIN  # noqa: E402
from bench.wrkrun import WrkResult, run_wrk  # noqa: E402
from tests.support.gunicorn import Gunicorn  # noqa: E402
from tests.support.postgres import PostgresServer  # noqa: E402

VENV_BIN = REPO / ".venv" / "bin"
FLOOR_PATH = "/healthz"
# Plain GETs are probed this many times: enough for every gunicorn worker to warm up.
PROBE_REQUESTS = 8


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


class HarnessError(RuntimeError):
    """The benchmark could not run (as opposed to a page missing its target)."""


def app_env(database_url: str) -> dict[str, str]:
    """Environment for the flask CLI and gunicorn."""
    env = dict(os.environ)
    env.update(
        FLASK_APP="wsgi",
        LMS_ENV="production",
        DATABASE_URL=database_url,
        SECRET_KEY="bench",  # noqa: S106 - throwaway benchmark instance
        LMS_QUERY_COUNT_HEADER="1",
        RATELIMIT_ENABLED="0",
        # Plain HTTP on loopback, no TLS proxy in front: no https redirect.
        FORCE_HTTPS="0",
        PROXY_COUNT="0",
        PYTHONUNBUFFERED="1",
    )
    return env


def run_flask(args: list[str], env: dict[str, str], app_dir: Path) -> None:
    """Run ``flask <args>`` and raise HarnessError with its output if it fails."""
    cmd = [str(VENV_BIN / "flask"), *args]
    print(f"bench: $ flask {' '.join(args)}", flush=True)
    proc = subprocess.run(
        cmd, cwd=app_dir, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if proc.returncode != 0:
        raise HarnessError(
            f"`flask {' '.join(args)}` failed (rc={proc.returncode}):\n{proc.stdout}{proc.stderr}"
        )


def probe(
    base_url: str, page: Mapping[str, Any], headers: dict[str, str]
) -> tuple[int | None, str | None]:
    """One plain request: returns (X-Query-Count or None, error or None).

    Requested several times so every worker's lazy caches (the course snapshot) warm up and
    we record the steady state, the count wrk's requests see. A page whose request can be
    made only once (submitting a quiz attempt) lists the probe's requests in
    ``probe_requests``: overrides of ``path``, ``body`` and ``headers`` each.
    """
    resp = None
    for override in page.get("probe_requests") or [{}] * PROBE_REQUESTS:
        resp = requests.request(
            page.get("method", "GET"),
            base_url + override.get("path", page["path"]),
            data=override.get("body", page.get("body")),
            headers=override.get("headers", headers),
            timeout=30,
            allow_redirects=False,
        )
    assert resp is not None
    expected = page.get("expect_status", 200)
    if resp.status_code != expected:
        where = resp.headers.get("Location")
        return None, f"status {resp.status_code} (expected {expected})" + (
            f" -> {where}" if where else ""
        )
    raw = resp.headers.get("X-Query-Count")
    return (int(raw) if raw is not None and raw.strip().isdigit() else None), None


def wrk_for(url: str, page: Mapping[str, Any], headers: dict[str, str]) -> WrkResult:
    return run_wrk(
        url,
        seconds=_env_int("BENCH_SECONDS", 8),
        threads=_env_int("BENCH_THREADS", 2),
        connections=_env_int("BENCH_CONNECTIONS", 16),
        headers=headers,
        method=page.get("method", "GET"),
        body=page.get("body"),
        extra_lua=page.get("wrk_script", ""),
    )


def measure_page(
    base_url: str,
    page: Mapping[str, Any],
    floor: Callable[[], float],
    logins: dict[Any, dict[str, str]],
    context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Measure one page and return its results record.

    Optional hooks (see bench/pages.py): ``measure(context)`` replaces the wrk run with a
    custom measurement returning record fields; ``prepare(context)`` returns overrides of
    the page's keys (e.g. a wrk script built from logged-in sessions); ``snapshot(context)``
    runs before wrk and ``verify(context, result, snapshot)`` after it, returning an error
    message or None (e.g. "no report lost or counted twice").

    ``floor()`` measures the floor route now: it runs right before and right after the
    page's wrk, and the ratio is against their mean, so a machine whose load changes
    during the run (another process, a CI neighbour) weighs on both sides of the ratio.
    A page is measured ``repeat`` times so (``BENCH_REPEAT``, 3); the record is the round
    with the median ratio, and ``ratios`` lists every round's.
    """
    context = {**(context or {}), "base_url": base_url}
    record: dict[str, Any] = {
        "name": page["name"],
        "path": page["path"],
        "requests_per_s": None,
        "p50_ms": None,
        "p99_ms": None,
        "queries_per_request": None,
        "floor_requests_per_s": None,
        "ratio": None,
        "target_ratio": page.get("target_ratio"),
        "max_queries": page.get("max_queries"),
        "status": "ERROR",
        "error": None,
    }
    if page.get("measure"):
        try:
            record.update(page["measure"](context))
            record["status"] = verdict(record) if not record.get("error") else "ERROR"
        except Exception as exc:
            record["error"] = f"{type(exc).__name__}: {exc}"
        return record
    try:
        if page.get("prepare"):
            page = {**page, **page["prepare"](context)}
        headers = dict(page.get("headers", {}))
        if page.get("login"):
            login_fn = page.get("login_fn", DEFAULT_LOGIN)
            key = (login_fn, json.dumps(page["login"], sort_keys=True, default=str))
            if key not in logins:  # log in once per account per run
                logins[key] = login_fn(base_url, page["login"])
            headers.update(logins[key])
        if page.get("after_login"):  # data the page needs, made through the app (an attempt)
            page = {**page, **page["after_login"](base_url, headers)}
            record["path"] = page["path"]
        context["page"] = page  # snapshot/verify see what prepare made (e.g. a pool's ids)
        queries, error = probe(base_url, page, headers)
        if error:
            record["error"] = error
            return record
        rounds = []
        for _ in range(max(1, page.get("repeat", _env_int("BENCH_REPEAT", 3)))):
            before = page["snapshot"](context) if page.get("snapshot") else None
            floors = [floor()]
            result = wrk_for(base_url + page["path"], page, headers)
            floors.append(floor())
            if page.get("verify"):
                problem = page["verify"](context, result, before)
                if problem:
                    record["error"] = problem
            rounds.append((result, floors))
            if record["error"] or result.error_summary:
                break
    except Exception as exc:  # a broken page must not stop the other measurements
        record["error"] = f"{type(exc).__name__}: {exc}"
        return record
    ratios = [result.requests_per_s / (sum(floors) / 2) for result, floors in rounds]
    result, floors = rounds[sorted(range(len(rounds)), key=ratios.__getitem__)[len(rounds) // 2]]
    if len(rounds) > 1:
        record["ratios"] = [round(ratio, 3) for ratio in ratios]
    floor_rps = sum(floors) / len(floors)
    record.update(
        requests_per_s=round(result.requests_per_s, 1),
        p50_ms=round(result.p50_ms, 2),
        p99_ms=round(result.p99_ms, 2),
        queries_per_request=queries,
        floor_requests_per_s=round(floor_rps, 1),
        floor_before_after=[round(value, 1) for value in floors],
        ratio=round(result.requests_per_s / floor_rps, 3) if floor_rps else None,
    )
    if result.ok_2xx is not None:
        record["ok_2xx"] = result.ok_2xx
    if result.error_summary or record["error"]:
        record["error"] = record["error"] or result.error_summary
        return record
    record["status"] = verdict(record)
    return record


def verdict(record: Mapping[str, Any]) -> str:
    """PASS/FAIL against the targets, or n/a when the page has none."""
    checks = []
    if record["target_ratio"] is not None:
        checks.append(record["ratio"] is not None and record["ratio"] >= record["target_ratio"])
    if record["max_queries"] is not None:
        q = record["queries_per_request"]
        checks.append(q is not None and q <= record["max_queries"])
    if not checks:
        return "n/a"
    return "PASS" if all(checks) else "FAIL"


def _fmt(value: Any, spec: str = "") -> str:
    return "-" if value is None else format(value, spec)


def print_table(records: list[dict[str, Any]]) -> None:
    cols = ["name", "req/s", "p50 ms", "p99 ms", "q/req", "floor/s", "ratio", "target", "result"]
    rows = []
    for r in records:
        target = []
        if r["target_ratio"] is not None:
            target.append(f">={r['target_ratio']}x")
        if r["max_queries"] is not None:
            target.append(f"<={r['max_queries']}q")
        rows.append(
            [
                r["name"],
                _fmt(r["requests_per_s"], ".1f"),
                _fmt(r["p50_ms"], ".2f"),
                _fmt(r["p99_ms"], ".2f"),
                _fmt(r["queries_per_request"]),
                _fmt(r["floor_requests_per_s"], ".1f"),
                _fmt(r["ratio"], ".3f"),
                " ".join(target) or "-",
                r["status"],
            ]
        )
    widths = [max(len(c), *(len(row[i]) for row in rows)) for i, c in enumerate(cols)]
    line = "  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True))
    print("\n" + line + "\n" + "-" * len(line))
    for row in rows:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))
    for r in records:
        if r.get("ratios"):
            rounds = " ".join(f"{ratio:.3f}" for ratio in r["ratios"])
            print(f"  {r['name']}: ratio in each round {rounds} (the median round is shown)")
    for r in records:
        if r["error"]:
            print(f"  ! {r['name']}: {r['error']}")
        elif r["status"] == "FAIL":
            why = []
            if r["target_ratio"] is not None and (r["ratio"] or 0) < r["target_ratio"]:
                why.append(f"ratio {r['ratio']} < {r['target_ratio']}")
            q = r["queries_per_request"]
            if r["max_queries"] is not None and (q is None or q > r["max_queries"]):
                why.append(f"queries {q if q is not None else 'unknown'} > {r['max_queries']}")
            print(f"  ! {r['name']} missed target: {'; '.join(why)}")


def load_pages() -> list[dict[str, Any]]:
    module = importlib.import_module(os.environ.get("BENCH_PAGES_MODULE") or "bench.pages")
    pages = [dict(p) for p in module.PAGES]
    names = [p["name"] for p in pages]
    if len(set(names)) != len(names):
        raise HarnessError(f"duplicate page names in {module.__name__}.PAGES: {names}")
    only = {n.strip() for n in os.environ.get("BENCH_ONLY", "").split(",") if n.strip()}
    if only:
        unknown = only - set(names)
        if unknown:
            raise HarnessError(f"BENCH_ONLY names not in PAGES: {sorted(unknown)}")
        pages = [p for p in pages if p["name"] in only]
    return pages


def spread_connections(workers: int, connections: int) -> tuple[str, ...]:
    """gunicorn options that share wrk's keep-alive connections out among the workers.

    With one listening socket, whichever worker wakes first accepts a burst of new
    connections: one run had 15 of wrk's 16 on one worker and 1 on the other, which then
    sat idle, and the same page measured 187 req/s in one run and 500 in the next. Each
    worker gets its own SO_REUSEPORT socket (the kernel spreads connections over them) and
    takes at most its share plus two (room for the harness's own requests).
    """
    share = -(-connections // workers) + 2
    return ("--reuse-port", "--worker-connections", str(share))


def run() -> list[dict[str, Any]]:
    """Set everything up, measure, tear everything down; returns the records."""
    pages = load_pages()
    app_dir = Path(os.environ.get("BENCH_APP_DIR") or REPO).resolve()
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lms-bench-")))
        t0 = time.monotonic()
        pg = PostgresServer()
        stack.callback(pg.stop)
        pg.start()
        database_url = pg.create_database("lms_bench")
        env = app_env(database_url)
        print(f"bench: PostgreSQL on port {pg.port} ({time.monotonic() - t0:.1f}s)", flush=True)
        run_flask(["db", "upgrade"], env, app_dir)
        run_flask(["lms", "seed-demo"], env, app_dir)

        workers = _env_int("BENCH_WORKERS", 2)
        gunicorn = Gunicorn(
            env,
            app_dir,
            tmp / "gunicorn.log",
            workers=workers,
            threads=_env_int("BENCH_GTHREADS", 4),
            options=spread_connections(workers, _env_int("BENCH_CONNECTIONS", 16)),
        )
        stack.callback(gunicorn.stop)
        gunicorn.start()
        base = gunicorn.base_url
        print(f"bench: gunicorn on {base}", flush=True)

        seconds = _env_int("BENCH_SECONDS", 8)
        # Unrecorded warm-up: the first seconds after boot (imports, pool fill) skew the floor.
        run_wrk(base + FLOOR_PATH, seconds=min(2, seconds), connections=4)
        print(f"bench: floor {FLOOR_PATH} for {seconds}s ...", flush=True)
        floor = wrk_for(base + FLOOR_PATH, {"path": FLOOR_PATH}, {})
        if floor.error_summary:
            raise HarnessError(f"floor {FLOOR_PATH}: {floor.error_summary}\n{floor.raw_output}")
        print(f"bench: floor {floor.requests_per_s:.1f} req/s", flush=True)

        def measure_floor() -> float:
            again = run_wrk(
                base + FLOOR_PATH,
                seconds=_env_int("BENCH_FLOOR_SECONDS", 4),
                threads=_env_int("BENCH_THREADS", 2),
                connections=_env_int("BENCH_CONNECTIONS", 16),
            )
            if again.error_summary:
                raise HarnessError(f"floor {FLOOR_PATH}: {again.error_summary}")
            return again.requests_per_s

        records = []
        logins: dict[Any, dict[str, str]] = {}
        for page in pages:
            if page.get("path_query"):
                # Paths that depend on generated ids (e.g. a lesson) are looked up after seeding.
                import psycopg

                with psycopg.connect(pg.dsn("lms_bench")) as connection:
                    page["path"] = connection.execute(page["path_query"]).fetchone()[0]
            print(f"bench: {page['name']} {page['path']} for {seconds}s ...", flush=True)
            context = {"database_url": database_url}
            records.append(measure_page(base, page, measure_floor, logins, context))
        if any(r["error"] for r in records):
            print("bench: gunicorn log tail:\n" + gunicorn.log(30), flush=True)
        return records


def main() -> int:
    # Turn SIGTERM (e.g. from make/CI timeouts) into SystemExit so cleanup still runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    measured_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    try:
        records = run()
    except (HarnessError, RuntimeError, OSError, subprocess.SubprocessError) as exc:
        print(f"bench: HARNESS FAILURE: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    for r in records:
        r["measured_at"] = measured_at
    out = Path(os.environ.get("BENCH_RESULTS") or REPO / "bench" / "results.json")
    out.write_text(json.dumps(records, indent=2) + "\n")
    print_table(records)
    print(f"\nbench: wrote {out}")
    errors = [r["name"] for r in records if r["status"] == "ERROR"]
    if errors:
        print(f"bench: could not measure: {', '.join(errors)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
