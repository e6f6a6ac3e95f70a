"""gunicorn serving the app (``wsgi:app``) on loopback, for benchmarks and multi-server tests."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.support import free_port

__all__ = ["Gunicorn", "REPO", "VENV_BIN"]

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = REPO / ".venv" / "bin"
HEALTH_PATH = "/healthz"


class Gunicorn:
    """gunicorn serving ``wsgi:app`` on 127.0.0.1 in its own process group.

    ``env`` is the whole environment of the server (the app reads its settings from it).
    Usage::

        server = Gunicorn(env, REPO, tmp / "a.log")
        server.start()
        try:
            requests.get(server.base_url + "/healthz")
        finally:
            server.stop()
    """

    def __init__(
        self,
        env: dict[str, str],
        app_dir: Path,
        log_path: Path,
        workers: int = 2,
        threads: int = 4,
        options: tuple[str, ...] = (),
    ) -> None:
        self.env, self.app_dir, self.log_path = env, app_dir, log_path
        self.workers, self.threads, self.options = workers, threads, options
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> Gunicorn:
        """Start and wait until /healthz answers 200; RuntimeError with the log if not."""
        self.port = free_port()
        cmd = [
            str(VENV_BIN / "gunicorn"),
            "-w", str(self.workers),
            "-k", "gthread",
            "--threads", str(self.threads),
            "-b", f"127.0.0.1:{self.port}",
            # gunicorn 27's control socket defaults to a fixed path under ~/.gunicorn, which
            # would clash with any other gunicorn running on the machine.
            "--no-control-socket",
            *self.options,
            "wsgi:app",
        ]  # fmt: skip
        print(f"gunicorn: $ {' '.join(cmd[1:])}", flush=True)
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                cmd,
                cwd=self.app_dir,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # lets stop() kill the workers too if the master hangs
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited (rc={self.proc.returncode}):\n{self.log()}")
            try:
                with urllib.request.urlopen(self.base_url + HEALTH_PATH, timeout=2) as resp:  # noqa: S310
                    if resp.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{HEALTH_PATH} did not answer 200 within {timeout}s:\n{self.log()}")

    def log(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no gunicorn log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the master and its workers (safe to call twice)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
