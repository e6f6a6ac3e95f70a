"""Dashboard benchmark, in process: `uv run python bench/dashboards.py` (part of `make bench`).

Starts a throwaway PostgreSQL, builds a course with 1,000 and then 10,000 learners
(bench/dashboard_data.py, with quizzes, ~5 attempts per learner, evaluations and certificates
from bench/dashboard_assessments.py), and with an instructor signed in through app.test_client
measures the course dashboard and the first page of the learner table (p50/p95 over
BENCH_DASH_REQUESTS requests, SQL statements per request), then the full CSV export
(time, rows, tracemalloc peak while streaming). Prints a table and appends the records
to bench/results.json (same fields as bench/run.py, plus p95_ms and learners).

Targets: p95 < 250 ms per page; statements per page the same at both sizes; export of
10,000 learners < 5 s with a memory peak that does not grow with the number of rows.

Building 10,000 learners takes minutes: `--keep DIR` keeps the PostgreSQL cluster in DIR, and
a later run with the same DIR measures the data built before (after applying any new
migration). A database is rebuilt when the data generator's source changed since it was
built. `--help` lists the options.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import inspect
import json
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sqlalchemy import event  # noqa: E402

from bench import dashboard_assessments, dashboard_data  # noqa: E402,F401  (registers builders)
from tests.support.postgres import PostgresServer  # noqa: E402

TARGET_P95_MS = 250
TARGET_EXPORT_S = 5.0
PAGES = {
    "dashboard-course": "/dashboards/courses/{slug}",
    "dashboard-learners": "/dashboards/courses/{slug}/learners",
}


def make_app(database_url: str):
    os.environ.setdefault("LMS_ENV", "production")
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["DATABASE_URL"] = database_url
    from lms import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
        }
    )


class QueryCounter:
    def __init__(self, engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *args) -> None:
        self.count += 1


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure_pages(
    client, counter: QueryCounter, learners: int, requests: int, only: set[str]
) -> list[dict[str, Any]]:
    records = []
    for name, template in PAGES.items():
        if name not in only:
            continue
        path = template.format(slug=dashboard_data.COURSE_SLUG)
        for _ in range(3):  # warm-up: imports, pool, plan caches
            assert client.get(path).status_code == 200
        counter.count = 0
        client.get(path)
        queries = counter.count
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        p95 = percentile(times, 0.95)
        records.append(
            {
                "name": f"{name}@{learners}",
                "path": path,
                "learners": learners,
                "requests_per_s": round(1000 / statistics.mean(times), 1),
                "p50_ms": round(statistics.median(times), 2),
                "p95_ms": round(p95, 2),
                "p99_ms": round(percentile(times, 0.99), 2),
                "queries_per_request": queries,
                "target_p95_ms": TARGET_P95_MS,
                "status": "PASS" if p95 < TARGET_P95_MS else "FAIL",
                "error": None,
            }
        )
    return records


def measure_export(client, learners: int) -> dict[str, Any]:
    path = f"/dashboards/courses/{dashboard_data.COURSE_SLUG}/learners.csv"

    def download() -> int:
        response = client.get(path, buffered=False)
        lines = sum(chunk.count(b"\n") for chunk in response.response)
        response.close()
        return lines - 1  # header

    started = time.perf_counter()
    rows = download()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    download()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    ok = rows == learners and seconds < TARGET_EXPORT_S
    return {
        "name": f"dashboard-export@{learners}",
        "path": path,
        "learners": learners,
        "rows": rows,
        "seconds": round(seconds, 2),
        "peak_mib": round(peak / 2**20, 1),
        "target_seconds": TARGET_EXPORT_S,
        "status": "PASS" if ok else "FAIL",
        "error": None if rows == learners else f"{rows} rows for {learners} learners",
    }


def data_fingerprint() -> str:
    """A hash of the data generator's source: the core builder and every extra builder."""
    modules = {dashboard_data.__name__: dashboard_data}
    for builder in dashboard_data.EXTRA_BUILDERS:
        module = inspect.getmodule(builder)
        modules[module.__name__] = module
    digest = hashlib.sha256()
    for name in sorted(modules):
        digest.update(inspect.getsource(modules[name]).encode())
    return f"bench-data {digest.hexdigest()[:16]}"


def built_database(pg: PostgresServer, name: str, fingerprint: str) -> bool:
    """Whether database `name` exists and holds data made by the current generator."""
    import psycopg

    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            (name,),
        ).fetchone()
    if row is not None and row[0] == fingerprint:
        return True
    if row is not None:
        print(f"bench: {name} was built by another version of the generator: rebuilding")
        pg.drop_database(name)
    return False


def prepare(pg: PostgresServer, learners: int, reuse: bool) -> str:
    """The migrated database of `learners` learners, built unless a kept one can be reused."""
    import psycopg
    from flask_migrate import upgrade
    from psycopg import sql

    name = f"lms_dash_{learners}"
    fingerprint = data_fingerprint()
    if reuse and built_database(pg, name, fingerprint):
        url = pg.url(name)
        with make_app(url).app_context():
            upgrade(directory=str(REPO / "migrations"))
        print(f"bench: reusing the {learners:,} learners built before in {name}", flush=True)
        return url
    url = pg.create_database(name)
    with make_app(url).app_context():
        upgrade(directory=str(REPO / "migrations"))
    started = time.monotonic()
    dashboard_data.build(pg.dsn(name), learners)
    print(f"bench: built {learners:,} learners in {time.monotonic() - started:.1f}s", flush=True)
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(fingerprint)
            )
        )
    return url


def run(sizes: list[int], requests: int, only: set[str], keep: str | None) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    with PostgresServer(keep_dir=keep) as pg:
        if keep:
            print(f"bench: PostgreSQL cluster kept in {pg.base_dir}", flush=True)
        for learners in sizes:
            url = prepare(pg, learners, reuse=bool(keep))
            app = make_app(url)
            with app.app_context():
                from lms.extensions import db

                counter = QueryCounter(db.engine)
                client = app.test_client()
                response = client.post(
                    "/auth/login",
                    data={
                        "email": dashboard_data.INSTRUCTOR_EMAIL,
                        "password": dashboard_data.PASSWORD,
                    },
                )
                assert response.status_code == 302, "bench instructor could not sign in"
                records += measure_pages(client, counter, learners, requests, only)
                if "dashboard-export" in only:
                    records.append(measure_export(client, learners))
                db.engine.dispose()
    return records


def check_flat(records: list[dict[str, Any]]) -> None:
    """Statements per page must not depend on the number of learners."""
    by_page: dict[str, set[int]] = {}
    for record in records:
        if "queries_per_request" in record:
            by_page.setdefault(record["name"].split("@")[0], set()).add(
                record["queries_per_request"]
            )
    for page, counts in by_page.items():
        if len(counts) > 1:
            for record in records:
                if record["name"].startswith(page + "@"):
                    record["status"] = "FAIL"
                    record["error"] = f"statements per request vary with learners: {sorted(counts)}"


def print_table(records: list[dict[str, Any]]) -> None:
    print(
        f"\n{'measurement':<32} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} "
        f"{'export s':>9} {'peak MiB':>9}  result"
    )
    print("-" * 90)
    for r in records:
        print(
            f"{r['name']:<32} {r.get('p50_ms', '-'):>8} {r.get('p95_ms', '-'):>8} "
            f"{r.get('queries_per_request', '-'):>8} {r.get('seconds', '-'):>9} "
            f"{r.get('peak_mib', '-'):>9}  {r['status']}"
        )
        if r.get("error"):
            print(f"  ! {r['error']}")


MEASUREMENTS = (*PAGES, "dashboard-export")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Course dashboard, learner table and CSV export at 1,000 and 10,000 "
        "learners on a throwaway PostgreSQL (see the module docstring and bench/README.md)."
    )
    parser.add_argument(
        "--sizes",
        default=os.environ.get("BENCH_DASH_SIZES", "1000,10000"),
        help="learners per measured course, comma-separated (env BENCH_DASH_SIZES; "
        "default %(default)s)",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=int(os.environ.get("BENCH_DASH_REQUESTS", "30")),
        help="timed requests per page (env BENCH_DASH_REQUESTS; default %(default)s)",
    )
    parser.add_argument(
        "--only",
        default=",".join(MEASUREMENTS),
        help=f"measurements to run, comma-separated, of {', '.join(MEASUREMENTS)} (default: all)",
    )
    parser.add_argument(
        "--keep",
        metavar="DIR",
        default=os.environ.get("BENCH_DASH_KEEP") or None,
        help="keep the PostgreSQL cluster and its built data in DIR (created if missing) and "
        "reuse them in later runs given the same DIR (env BENCH_DASH_KEEP; delete DIR to "
        "rebuild). DIR must be readable by the postgres user when run as root, e.g. under "
        "/var/tmp",
    )
    parser.add_argument(
        "--results",
        default=os.environ.get("BENCH_RESULTS") or str(REPO / "bench" / "results.json"),
        help="JSON file the records are merged into (env BENCH_RESULTS; default %(default)s)",
    )
    args = parser.parse_args(argv)
    args.sizes = [int(item) for item in args.sizes.split(",") if item.strip()]
    args.only = {item.strip() for item in args.only.split(",") if item.strip()}
    unknown = args.only - set(MEASUREMENTS)
    if unknown:
        parser.error(f"unknown measurement(s): {', '.join(sorted(unknown))}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    measured_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    records = run(args.sizes, args.requests, args.only, args.keep)
    check_flat(records)
    for record in records:
        record["measured_at"] = measured_at
    out = Path(args.results)
    previous = json.loads(out.read_text()) if out.exists() else []
    names = {record["name"] for record in records}
    kept = [record for record in previous if record.get("name") not in names]
    out.write_text(json.dumps(kept + records, indent=2) + "\n")
    print_table(records)
    print(f"\nbench: appended {len(records)} records to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
