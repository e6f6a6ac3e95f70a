"""Fault injection for the load run (bench/load.py), and probes that watch the app meanwhile.

A probe is a signed-in browser of our own asking the app one question every 0.25 s while a
fault is on: what the app answers while a dependency is down (a clear 503, not a hang or a
500), and when it answers normally again once the dependency is back (the recovery time).
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from bench.run import HarnessError
from tests.support.postgres import PostgresServer
from tests.support.tcpproxy import TcpProxy

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
PROBE_EVERY = 0.25
RECOVERY_TIMEOUT = 60.0


class Probe:
    """A signed-in browser of our own asking the app one question every 0.25 s.

    Records every answer (time, status, message) while a fault is on, so the summary can
    say what the app answered while a dependency was down and when it answered normally.
    """

    def __init__(self, base: str, email: str, password: str, name: str) -> None:
        self.base, self.name = base, name
        self.session = requests.Session()
        form = self.session.get(f"{base}/auth/login", timeout=10)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.text)
        signed_in = self.session.post(
            f"{base}/auth/login",
            data={"csrf_token": token.group(1), "email": email, "password": password},
            allow_redirects=False,
            timeout=10,
        )
        if signed_in.status_code != 302:
            raise HarnessError(f"probe could not sign in as {email}: {signed_in.status_code}")
        page = self.session.get(f"{base}/my/learning", timeout=10)
        self.token = CSRF_META.search(page.text).group(1)
        self.answers: list[tuple[float, float, int, str]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def ask(self) -> tuple[int, str]:
        raise NotImplementedError

    def _loop(self) -> None:
        while not self._stop.is_set():
            started = time.time()
            try:
                status, message = self.ask()
            except requests.RequestException as error:
                status, message = 0, type(error).__name__
            self.answers.append((started, time.time(), status, message))
            self._stop.wait(PROBE_EVERY)

    def start(self) -> None:
        self.answers, self._stop = [], threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"probe-{self.name}", daemon=True)
        self._thread.start()

    def wait_until_ok(self, since: float, timeout: float = RECOVERY_TIMEOUT) -> float | None:
        """Time the first request started after `since` was answered normally, or None."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            for started, finished, status, _ in list(self.answers):
                if started >= since and 200 <= status < 300:
                    return finished
            time.sleep(0.05)
        return None

    def stop(self) -> list[tuple[float, float, int, str]]:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=15)
        return self.answers


class DatabaseProbe(Probe):
    """A page that needs the database: the learner's "my learning"."""

    def ask(self) -> tuple[int, str]:
        response = self.session.get(
            f"{self.base}/my/learning", headers={"Accept": "application/json"}, timeout=15
        )
        return response.status_code, _message(response)


class StorageProbe(Probe):
    """An instructor opening (then cancelling) a video upload: the app's own S3 calls."""

    def __init__(self, *args: Any, uploads: str) -> None:
        super().__init__(*args)
        self.uploads = uploads

    def ask(self) -> tuple[int, str]:
        headers = {"X-CSRFToken": self.token, "Accept": "application/json"}
        video = {"filename": "probe.mp4", "size": 50 * 2**20, "type": "video/mp4"}
        response = self.session.post(
            self.base + self.uploads, json=video, headers=headers, timeout=30
        )
        if response.status_code == 201:
            with contextlib.suppress(requests.RequestException):
                self.session.post(
                    self.base + response.json()["urls"]["abort"],
                    json={},
                    headers=headers,
                    timeout=30,
                )
        return response.status_code, _message(response)


def _message(response: requests.Response) -> str:
    if 200 <= response.status_code < 400:
        return ""
    try:
        return str(response.json().get("message", ""))[:120]
    except ValueError:
        return response.text[:120]


@dataclass
class Fault:
    """One dependency outage: when it started, when the dependency was back, when the app was."""

    name: str
    planned_down_seconds: float
    started: float = 0.0
    back: float = 0.0
    recovered: float | None = None
    while_down: Counter = field(default_factory=Counter)

    @property
    def window(self) -> tuple[float, float]:
        """Requests overlapping this span may fail (it closes when the app answers again)."""
        return self.started, self.recovered or self.back + RECOVERY_TIMEOUT

    def as_dict(self) -> dict[str, Any]:
        return {
            "fault": self.name,
            "down_seconds": round(self.back - self.started, 1),
            "planned_down_seconds": self.planned_down_seconds,
            "recovered": self.recovered is not None,
            "recovery_seconds": round(self.recovered - self.back, 2) if self.recovered else None,
            "app_answers_while_down": {
                f"{status} {message}".strip(): count
                for (status, message), count in self.while_down.items()
            },
            "window": list(self.window),
        }


def run_fault(fault: Fault, probe: Probe, outage: Callable[[], None]) -> None:
    """Run `outage` (it returns once the dependency is back), then wait for the app."""
    probe.start()
    time.sleep(1)  # a few normal answers first
    fault.started = time.time()
    outage()
    fault.back = time.time()
    fault.recovered = probe.wait_until_ok(fault.back)
    time.sleep(1)
    for started, _, status, message in probe.stop():
        if fault.started <= started <= (fault.recovered or fault.back) and not 200 <= status < 300:
            fault.while_down[(status, message)] += 1
    took = f"{fault.recovered - fault.back:.2f}s" if fault.recovered else "NOT RECOVERED"
    print(f"load: {fault.name}: back after {fault.back - fault.started:.1f}s, app normal {took}")


def inject_faults(
    kinds: tuple[str, ...],
    started: float,
    seconds: float,
    pg: PostgresServer,
    pg_down_seconds: float,
    proxy: TcpProxy,
    s3_down_seconds: float,
    probes: dict[str, Probe],
) -> list[Fault]:
    """The faults, at fixed points of the run: PostgreSQL at 35 %, S3 at 65 % of it."""

    def restart_postgres() -> None:
        pg.restart(down_seconds=pg_down_seconds)  # returns once it accepts connections

    def cut_s3() -> None:
        proxy.cut()
        time.sleep(s3_down_seconds)
        proxy.restore()

    plan: list[tuple[float, Fault, Probe, Callable[[], None]]] = []
    if "postgres" in kinds:
        fault = Fault("PostgreSQL restart", pg_down_seconds)
        plan.append((0.35, fault, probes["postgres"], restart_postgres))
    if "s3" in kinds:
        fault = Fault(f"S3 unreachable {s3_down_seconds:g} s", s3_down_seconds)
        plan.append((0.65, fault, probes["s3"], cut_s3))
    faults = []
    for share, fault, probe, outage in plan:
        time.sleep(max(0.0, started + share * seconds - time.time()))
        print(f"load: {fault.name} at t+{time.time() - started:.0f}s", flush=True)
        run_fault(fault, probe, outage)
        faults.append(fault)
    return faults
