"""Throwaway PostgreSQL cluster for tests and benchmarks."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from tests.support import free_port

__all__ = ["APT_HINT", "PostgresServer", "find_pg_bin"]

APT_HINT = "apt-get install -y postgresql-15"
START_TIMEOUT = 30.0


def find_pg_bin() -> Path:
    """Locate the PostgreSQL server binaries: env PG_BIN, else newest /usr/lib/postgresql/*/bin."""
    candidates: list[Path] = []
    if os.environ.get("PG_BIN"):
        candidates.append(Path(os.environ["PG_BIN"]))
    versions = glob.glob("/usr/lib/postgresql/*/bin")

    def version_key(path: str) -> float:
        try:
            return float(Path(path).parent.name)
        except ValueError:
            return -1.0

    candidates += [Path(p) for p in sorted(versions, key=version_key, reverse=True)]
    for cand in candidates:
        if all((cand / exe).is_file() for exe in ("initdb", "postgres", "pg_ctl")):
            return cand
    raise RuntimeError(
        "PostgreSQL server binaries (initdb/postgres/pg_ctl) not found "
        f"(looked in {[str(c) for c in candidates] or '/usr/lib/postgresql/*/bin'}). "
        f"Install them with: {APT_HINT}  (or set PG_BIN)"
    )


class PostgresServer:
    """A private PostgreSQL cluster in a fresh temp dir, tuned for speed not durability.

    Usage::

        with PostgresServer() as pg:
            url = pg.create_database("app_test")

    With ``keep_dir`` the cluster lives in that directory and outlives ``stop()``: a later
    server given the same directory starts it again with its databases (benchmarks reuse
    data that takes minutes to build). Delete the directory to start afresh.
    """

    def __init__(
        self,
        pg_bin: str | os.PathLike[str] | None = None,
        keep_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        self.pg_bin = Path(pg_bin) if pg_bin else find_pg_bin()
        self.port: int = 0
        self.base_dir: Path | None = None
        self.keep_dir = Path(keep_dir).resolve() if keep_dir else None
        self._run_as: str | None = "postgres" if os.geteuid() == 0 else None

    # -- paths -----------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        assert self.base_dir is not None, "server not started"
        return self.base_dir / "data"

    @property
    def socket_dir(self) -> Path:
        assert self.base_dir is not None, "server not started"
        return self.base_dir

    @property
    def log_file(self) -> Path:
        assert self.base_dir is not None, "server not started"
        return self.base_dir / "server.log"

    @property
    def running(self) -> bool:
        return self.base_dir is not None and (self.data_dir / "postmaster.pid").exists()

    # -- helpers ---------------------------------------------------------------
    def _cmd(self, exe: str, *args: str) -> list[str]:
        cmd = [str(self.pg_bin / exe), *args]
        # initdb/postgres refuse to run as root, so drop to the postgres user.
        return ["runuser", "-u", self._run_as, "--", *cmd] if self._run_as else cmd

    def _run(self, exe: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self._cmd(exe, *args),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=self.base_dir,  # postgres user may not be able to read our cwd
        )

    def _log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def _write_conf(self) -> None:
        conf = f"""
# --- test cluster settings (appended by tests/support/postgres.py) ---
listen_addresses = '127.0.0.1'
port = {self.port}
unix_socket_directories = '{self.socket_dir}'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 128MB
logging_collector = off
log_min_messages = warning
"""
        with open(self.data_dir / "postgresql.conf", "a") as fh:
            fh.write(conf)

    def _set_port(self, port: int) -> None:
        self.port = port
        conf = self.data_dir / "postgresql.conf"
        text = conf.read_text()
        # Last assignment wins in postgresql.conf, so appending is enough.
        conf.write_text(text + f"\nport = {port}\n")

    # -- lifecycle -------------------------------------------------------------
    def start(self) -> PostgresServer:
        """Create the cluster (initdb) and start it; returns self."""
        if self.base_dir is not None:
            raise RuntimeError("PostgresServer already started")
        if self.keep_dir is not None and (self.keep_dir / "data" / "PG_VERSION").exists():
            self.base_dir = self.keep_dir
            self._set_port(free_port())
            self._start_server()
            return self
        if self.keep_dir is not None:
            self.keep_dir.mkdir(parents=True, exist_ok=True)
            self.base_dir = self.keep_dir
        else:
            self.base_dir = Path(tempfile.mkdtemp(prefix="pgtest-"))
        try:
            if self._run_as:
                pw = pwd.getpwnam(self._run_as)
                os.chown(self.base_dir, pw.pw_uid, pw.pw_gid)
            res = self._run(
                "initdb",
                "-D", str(self.data_dir),
                "-U", "postgres",
                "-A", "trust",
                "-E", "UTF8",
                "--locale=C",
                "--no-sync",  # throwaway cluster: skip fsync of the new files
            )  # fmt: skip
            if res.returncode != 0:
                raise RuntimeError(f"initdb failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
            self.port = free_port()
            self._write_conf()
            self._start_server()
        except BaseException:
            if self.keep_dir is not None:  # a half-made cluster must not be "reused" later
                shutil.rmtree(self.keep_dir / "data", ignore_errors=True)
            self._remove_dir()
            raise
        return self

    def _start_server(self, keep_port: bool = False) -> None:
        # A random free port can still be taken by a parallel process; retry with another
        # (not on a restart: clients know the port).
        for attempt in range(1 if keep_port else 5):
            if attempt:
                self._set_port(free_port())
            res = self._run(
                "pg_ctl", "start", "-D", str(self.data_dir), "-l", str(self.log_file),
                "-w", "-t", str(int(START_TIMEOUT)),
                timeout=START_TIMEOUT + 10,
            )  # fmt: skip
            if res.returncode == 0 and self._wait_ready():
                return
            log = self._log_tail()
            if "could not bind" in log or "Address already in use" in log:
                continue
            raise RuntimeError(
                f"PostgreSQL failed to start on port {self.port} (pg_ctl rc={res.returncode}):\n"
                f"{res.stdout}\n{res.stderr}\n--- server log ---\n{log}"
            )
        raise RuntimeError(f"PostgreSQL could not bind a free port:\n{self._log_tail()}")

    def _wait_ready(self) -> bool:
        """pg_ctl -w already waits; double-check over TCP, which is what clients use."""
        import psycopg

        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                with psycopg.connect(self.dsn(), connect_timeout=2):
                    return True
            except psycopg.OperationalError:
                time.sleep(0.05)
        return False

    def stop(self) -> None:
        """Stop the server and delete its directory (safe to call twice)."""
        if self.base_dir is None:
            return
        try:
            self._stop_server()
        finally:
            self._remove_dir()

    def _stop_server(self, mode: str = "fast") -> None:
        if self.base_dir is None or not (self.data_dir / "postmaster.pid").exists():
            return
        res = self._run("pg_ctl", "stop", "-D", str(self.data_dir), "-m", mode, "-w", "-t", "30")
        if res.returncode != 0 and (self.data_dir / "postmaster.pid").exists():
            self._run("pg_ctl", "stop", "-D", str(self.data_dir), "-m", "immediate", "-w")

    def restart(self, down_seconds: float = 0.0) -> None:
        """Stop and start again on the same data dir and port (for fault-injection tests).

        Stopping is "fast": open sessions are ended and their transactions rolled back, what
        was committed is kept. ``down_seconds`` keeps the server stopped that long.
        """
        if self.base_dir is None:
            raise RuntimeError("PostgresServer not started")
        self._stop_server()
        if down_seconds > 0:
            time.sleep(down_seconds)
        self._start_server(keep_port=True)

    def _remove_dir(self) -> None:
        if self.base_dir is not None:
            if self.base_dir != self.keep_dir:
                shutil.rmtree(self.base_dir, ignore_errors=True)
            self.base_dir = None

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- databases -------------------------------------------------------------
    def url(self, dbname: str = "postgres") -> str:
        """SQLAlchemy URL (psycopg 3 driver) for ``dbname``."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def dsn(self, dbname: str = "postgres") -> str:
        """libpq connection string for ``psycopg.connect``."""
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={dbname}"

    def create_database(self, name: str) -> str:
        """Create database ``name`` and return its SQLAlchemy URL."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name``, disconnecting any remaining sessions."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
