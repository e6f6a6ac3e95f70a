"""Load and faults: `make load` (= `uv run python bench/load.py`).

On loopback, bounded, self-contained:

1. a throwaway PostgreSQL (tests/support/postgres.py) and moto's S3 server, which the app
   reaches through a TCP proxy (tests/support/tcpproxy.py) so S3 can be cut off without
   losing the bucket; `flask db upgrade`, `flask lms seed-demo` (its lesson videos go into
   the bucket, checked), then N learners one video lesson, the final assessment and the
   evaluation short of their certificate (bench/load_data.py);
2. gunicorn in production mode (LMS_ENV=production, S3 storage, plain HTTP on loopback);
3. locust --headless in its own process (bench/locustfile.py): N learners sign in as they
   are spawned (5 a second), then for LOAD_SECONDS all browse, watch (a watch report every
   15 s), take quizzes (autosave, submit), evaluate and get their certificate, and two
   instructors start and cancel video uploads (S3 calls);
4. meanwhile, from here: PostgreSQL is stopped and started again (same port and data) and
   the S3 endpoint is cut off for 10 s; a probe records what the app answers while each is
   down and how long it takes to answer normally once it is back;
5. afterwards (bench/load_check.py): errors inside and outside the fault windows, latency,
   and every record the browsers saw acknowledged looked up in PostgreSQL (and each
   certificate PDF in the bucket). Prints a summary, writes bench/load_results.json.

Exit status 0 only if nothing acknowledged was lost, no request failed outside a fault
window, the app never answered 500, and it recovered from every fault on its own.

Knobs: LOAD_SECONDS (120), LOAD_USERS (200 learners; 2 instructors come on top),
LOAD_SPAWN_RATE (5/s), LOAD_SMOKE=1 (a 60 s run with 20 learners, reports every 5 s,
people think a third as long), LOAD_REPORT_EVERY (15), LOAD_THINK_SCALE (1), LOAD_FAULTS
(postgres,s3 or none), LOAD_PG_DOWN_SECONDS (5), LOAD_S3_DOWN_SECONDS (10), LOAD_WORKERS (2),
LOAD_THREADS (8), LOAD_RESULTS (output file), LOAD_KEEP_LOGS=1 (keep the gunicorn and locust
logs; the directory is printed).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


from bench import load_check, load_data  # noqa: E402
from bench.load_faults import DatabaseProbe, Probe, StorageProbe, inject_faults  # noqa: E402
from bench.run import HarnessError, run_flask  # noqa: E402
from tests.support import free_port  # noqa: E402
from tests.support.gunicorn import VENV_BIN, Gunicorn  # noqa: E402
from tests.support.postgres import PostgresServer  # noqa: E402
from tests.support.tcpproxy import TcpProxy  # noqa: E402

SECRET_KEY = "load-run-secret"  # noqa: S105 - throwaway instance on loopback
BUCKET = "lms-load"
S3_KEY = "load"


@dataclass(frozen=True)
class Settings:
    seconds: int
    learners: int
    spawn_rate: float
    report_every: float
    think_scale: float
    faults: tuple[str, ...]
    pg_down_seconds: float
    s3_down_seconds: float
    workers: int
    threads: int
    results: Path
    keep_logs: bool

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        smoke = env.get("LOAD_SMOKE", "") not in ("", "0")
        faults = (env.get("LOAD_FAULTS") or "postgres,s3").replace("none", "")
        return cls(
            seconds=int(env.get("LOAD_SECONDS") or (60 if smoke else 120)),
            learners=int(env.get("LOAD_USERS") or (20 if smoke else 200)),
            spawn_rate=float(env.get("LOAD_SPAWN_RATE") or 5),
            report_every=float(env.get("LOAD_REPORT_EVERY") or (5 if smoke else 15)),
            think_scale=float(env.get("LOAD_THINK_SCALE") or (0.3 if smoke else 1)),
            faults=tuple(name for name in faults.split(",") if name.strip()),
            pg_down_seconds=float(env.get("LOAD_PG_DOWN_SECONDS") or 5),
            s3_down_seconds=float(env.get("LOAD_S3_DOWN_SECONDS") or 10),
            workers=int(env.get("LOAD_WORKERS") or 2),
            threads=int(env.get("LOAD_THREADS") or 8),
            results=Path(env.get("LOAD_RESULTS") or REPO / "bench" / "load_results.json"),
            keep_logs=env.get("LOAD_KEEP_LOGS", "") not in ("", "0"),
        )


def app_env(database_url: str, s3_endpoint: str, signing: Path) -> dict[str, str]:
    """Production settings for the flask CLI and gunicorn; plain HTTP on loopback."""
    return {
        **os.environ,
        "FLASK_APP": "wsgi",
        "LMS_ENV": "production",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database_url,
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": S3_KEY,
        "S3_SECRET_ACCESS_KEY": S3_KEY,
        "CERT_SIGNING_KEY_PATH": str(signing / "key.pem"),
        "CERT_SIGNING_CERT_PATH": str(signing / "cert.pem"),
        "MAIL_CONSOLE": "1",  # certificate emails go to the gunicorn log
        # Every simulated browser comes from 127.0.0.1: per-address login limits would
        # turn the run into a rate-limit test.
        "RATELIMIT_ENABLED": "0",
        "FORCE_HTTPS": "0",
        "HSTS": "0",
        "PROXY_COUNT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "PYTHONUNBUFFERED": "1",
        # Keep idle connections open longer than a learner thinks, as the proxy in front of
        # production does for browsers: gunicorn's 2 s default races every click after a
        # pause (a reset on a reused connection, which browsers hide by retrying).
        "GUNICORN_CMD_ARGS": "--keep-alive 75",
    }


def s3_client(endpoint: str):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=S3_KEY,
        aws_secret_access_key=S3_KEY,
    )


def check_media(dsn: str, s3) -> int:
    """Every lesson video the database names is an object in the bucket; returns how many."""
    import psycopg
    from botocore.exceptions import ClientError

    with psycopg.connect(dsn) as connection:
        keys = [
            row[0]
            for row in connection.execute(
                "SELECT DISTINCT video_key FROM lessons WHERE video_key IS NOT NULL"
            )
        ]
    missing = []
    for key in keys:
        try:
            s3.head_object(Bucket=BUCKET, Key=key)
        except ClientError:
            missing.append(key)
    if not keys or missing:
        raise HarnessError(f"lesson videos missing from the bucket: {missing or 'no videos'}")
    return len(keys)


# --- the run ------------------------------------------------------------------------------


def warm_up(probe: Probe, scenario: dict[str, Any]) -> None:
    """Each gunicorn worker imports and compiles on its first requests: not part of the run."""
    course = f"/courses/{scenario['course']}"
    # The transcript PDF also loads fpdf2, which certificates need (a second per process).
    paths = ["/", "/catalog", course, "/my/learning", "/my/transcript", "/my/transcript.pdf"]
    paths += [f"{course}/lessons/{lesson}" for lesson in scenario["video_lessons"][:2]]
    for _ in range(4):
        for path in paths:
            # A new connection each time, so both workers get some.
            probe.session.get(probe.base + path, headers={"Connection": "close"}, timeout=30)


def sign_in_seconds(settings: Settings) -> float:
    """Time to spawn every user and let them sign in (Argon2id: ~0.2 CPU-seconds each)."""
    users = settings.learners + len(load_data.INSTRUCTORS)
    return math.ceil(users / settings.spawn_rate) + 5 + 0.05 * users


def run_locust(
    settings: Settings, base: str, scenario: Path, out: Path, log: Path, go_at: float
) -> subprocess.Popen:
    """locust in its own process: users sign in as they spawn, then all act from `go_at`."""
    users = settings.learners + len(load_data.INSTRUCTORS)
    total = math.ceil(go_at - time.time() + settings.seconds)
    cmd = [
        str(VENV_BIN / "locust"),
        "-f", str(REPO / "bench" / "locustfile.py"),
        "--headless", "--only-summary",
        "--host", base,
        "-u", str(users),
        "-r", str(settings.spawn_rate),
        "-t", f"{total}s",
        "--exit-code-on-error", "0",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    env = {
        **os.environ,
        "LOAD_SCENARIO": str(scenario),
        "LOAD_OUT_DIR": str(out),
        "LOAD_GO_AT": str(go_at),
        "LOAD_REPORT_EVERY": str(settings.report_every),
        "LOAD_THINK_SCALE": str(settings.think_scale),
        "PYTHONUNBUFFERED": "1",
    }
    print(
        f"load: locust: {users} users sign in over {go_at - time.time():.0f}s, "
        f"then act for {settings.seconds}s",
        flush=True,
    )
    with open(log, "wb") as handle:
        return subprocess.Popen(
            cmd, cwd=REPO, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )


def run(settings: Settings) -> dict[str, Any]:
    from moto.server import ThreadedMotoServer

    from lms.certificates.signing import generate_self_signed

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's request log
    load_before = round(os.getloadavg()[0], 2)
    with contextlib.ExitStack() as stack:
        tmp = Path(tempfile.mkdtemp(prefix="lms-load-"))
        if settings.keep_logs:
            stack.callback(print, f"load: logs kept in {tmp}")
        else:
            stack.callback(shutil.rmtree, tmp, ignore_errors=True)
        t0 = time.monotonic()
        pg = PostgresServer()
        stack.callback(pg.stop)
        pg.start()
        database_url = pg.create_database("lms_load")
        dsn = pg.dsn("lms_load")
        moto_port = free_port()
        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
        moto.start()
        stack.callback(moto.stop)
        s3 = s3_client(f"http://127.0.0.1:{moto_port}")  # straight to moto, for checks
        s3.create_bucket(Bucket=BUCKET)
        proxy = TcpProxy("127.0.0.1", moto_port).start()
        stack.callback(proxy.stop)
        endpoint = f"http://127.0.0.1:{proxy.port}"
        print(f"load: PostgreSQL :{pg.port}, S3 (moto) :{moto_port} via proxy :{proxy.port}")

        generate_self_signed(tmp / "signing", "Load run certificate signing", "Load run")
        env = app_env(database_url, endpoint, tmp / "signing")
        run_flask(["db", "upgrade"], env, REPO)
        run_flask(["lms", "seed-demo"], env, REPO)
        learners = load_data.seed_learners(dsn, settings.learners)
        videos = check_media(dsn, s3)
        scenario = load_data.scenario(dsn, learners)
        scenario_path = tmp / "scenario.json"
        scenario_path.write_text(json.dumps(scenario))
        print(
            f"load: seeded demo + {len(learners)} learners, {videos} lesson videos in the "
            f"bucket ({time.monotonic() - t0:.0f}s)",
            flush=True,
        )

        gunicorn = Gunicorn(
            env, REPO, tmp / "gunicorn.log", workers=settings.workers, threads=settings.threads
        )
        stack.callback(gunicorn.stop)
        gunicorn.start()
        base = gunicorn.base_url
        probes = {
            "postgres": DatabaseProbe(
                base, "priya.raman@demo.lms", load_data.DEMO_PASSWORD, "postgres"
            ),
            "s3": StorageProbe(
                base,
                load_data.INSTRUCTORS[0],
                load_data.DEMO_PASSWORD,
                "s3",
                uploads=scenario["instructors"][0]["path"],
            ),
        }

        warm_up(probes["postgres"], scenario)
        out = tmp / "locust"
        out.mkdir()
        signing_in = time.time()
        started = signing_in + sign_in_seconds(settings)
        locust = run_locust(settings, base, scenario_path, out, tmp / "locust.log", started)
        stack.callback(_stop_process, locust)
        faults = inject_faults(
            settings.faults,
            started,
            settings.seconds,
            pg,
            settings.pg_down_seconds,
            proxy,
            settings.s3_down_seconds,
            probes,
        )
        try:
            locust.wait(timeout=started - time.time() + settings.seconds + 120)
        except subprocess.TimeoutExpired as error:
            raise HarnessError("locust did not stop in time") from error
        ended = min(time.time(), started + settings.seconds)
        time.sleep(2)  # requests the stopped browsers left in flight finish
        if not (out / "ledger.json").exists():
            raise HarnessError(f"locust wrote no ledger:\n{_tail(tmp / 'locust.log')}")
        result = load_check.analyse(
            out,
            dsn=dsn,
            s3=s3,
            bucket=BUCKET,
            secret_key=SECRET_KEY,
            learners=learners,
            faults=[fault.as_dict() for fault in faults],
            signing_in=signing_in,
            started=started,
            ended=ended,
            server_log=tmp / "gunicorn.log",
        )
        result["settings"] = {
            "seconds": settings.seconds,
            "learners": settings.learners,
            "instructors": len(load_data.INSTRUCTORS),
            "spawn_rate": settings.spawn_rate,
            "report_every_seconds": settings.report_every,
            "gunicorn": f"{settings.workers} workers x {settings.threads} threads",
            "cpus": os.cpu_count(),
            # The machine may be shared: latency is only comparable between quiet runs.
            "load_average_at_start": load_before,
        }
        if not result["passed"]:
            print("load: gunicorn log tail:\n" + gunicorn.log(40), flush=True)
        return result


def _stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    settings = Settings.from_env()
    measured_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    try:
        result = run(settings)
    except (HarnessError, RuntimeError, OSError, subprocess.SubprocessError) as exc:
        print(f"load: HARNESS FAILURE: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    result["measured_at"] = measured_at
    settings.results.write_text(json.dumps(result, indent=2) + "\n")
    load_check.print_summary(result)
    print(f"\nload: wrote {settings.results}")
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
