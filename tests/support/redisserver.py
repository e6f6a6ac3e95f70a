"""Throwaway Redis server (Debian's redis-server) for tests: loopback only, nothing on disk."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from tests.support import free_port

__all__ = ["APT_HINT", "RedisServer", "find_redis_server"]

APT_HINT = "apt-get install -y redis-server"
START_TIMEOUT = 15.0


def find_redis_server() -> str:
    """Path of redis-server: env REDIS_SERVER, else the one on PATH (Debian: /usr/bin)."""
    raw = os.environ.get("REDIS_SERVER") or "redis-server"
    path = raw if os.path.isabs(raw) else shutil.which(raw)
    if not path or not os.access(path, os.X_OK):
        # Never a skip: a suite that quietly leaves out the job queue would pass untested.
        raise RuntimeError(
            f"redis-server not found ({raw!r}). Install it with: {APT_HINT}  "
            "(or set REDIS_SERVER, or run `make system-deps`)"
        )
    return path


class RedisServer:
    """A private redis-server on 127.0.0.1 at a free port below 32768, without persistence.

    Usage::

        with RedisServer() as redis:
            app.config["REDIS_URL"] = redis.url
    """

    def __init__(self, executable: str | None = None) -> None:
        self.executable = executable or find_redis_server()
        self.port: int = 0
        self.base_dir: Path | None = None
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def log_file(self) -> Path:
        assert self.base_dir is not None, "server not started"
        return self.base_dir / "redis.log"

    def _log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def start(self) -> RedisServer:
        """Start the server and wait until it answers PING; returns self."""
        if self.base_dir is not None:
            raise RuntimeError("RedisServer already started")
        self.base_dir = Path(tempfile.mkdtemp(prefix="redistest-"))
        try:
            # A random free port can still be taken by a parallel process; retry with another.
            for _ in range(5):
                self.port = free_port()
                if self._launch():
                    return self
            raise RuntimeError(f"redis-server could not bind a free port:\n{self._log_tail()}")
        except BaseException:
            self.stop()
            raise

    def _launch(self) -> bool:
        assert self.base_dir is not None
        cmd = [
            self.executable,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.base_dir),
            "--logfile", str(self.log_file),
            "--save", "",  # no RDB snapshots
            "--appendonly", "no",
            "--daemonize", "no",
        ]  # fmt: skip
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd=self.base_dir
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                log = self._log_tail()
                if "Address already in use" in log:
                    return False
                raise RuntimeError(
                    f"redis-server exited (rc={self.proc.returncode}) on port {self.port}:\n{log}"
                )
            if self.ping():
                return True
            time.sleep(0.05)
        raise RuntimeError(
            f"redis-server did not answer within {START_TIMEOUT}s:\n{self._log_tail()}"
        )

    def ping(self) -> bool:
        """True if the server answers PING (spoken in RESP directly: no client library needed)."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """Stop the server and delete its directory (safe to call twice)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc = None
        if self.base_dir is not None:
            shutil.rmtree(self.base_dir, ignore_errors=True)
            self.base_dir = None

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
