"""The embedded default: migrate and seed a SQLite database, then serve a page from it."""

import os
import subprocess
import sys
import time
import urllib.request

from tests.support import free_port

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_sqlite_migrate_seed_and_serve(tmp_path):
    env = dict(
        os.environ,
        LMS_ENV="development",
        FLASK_APP="wsgi",
        DATABASE_URL=f"sqlite:///{tmp_path / 'lms.db'}",
        MAIL_CONSOLE="1",
    )
    flask = [sys.executable, "-m", "flask"]
    for args in (["db", "upgrade"], ["lms", "seed-demo"]):
        result = subprocess.run(
            flask + args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
    port = free_port()
    server = subprocess.Popen(
        flask + ["run", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        body = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.1)
        assert "Upper Trapezius" in body
    finally:
        server.terminate()
        server.wait(timeout=10)
