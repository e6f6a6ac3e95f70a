"""Self-checks for tests/support: real servers, no mocks, no skips.

Independent of the ``lms`` package; the browser comes from the suite's shared fixture.
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import time
import urllib.request
from email.message import EmailMessage

import psycopg
import pytest

from tests.support import free_port, port_is_free
from tests.support.browser import launch_chromium
from tests.support.liveserver import LiveServer
from tests.support.postgres import PostgresServer
from tests.support.redisserver import RedisServer
from tests.support.smtp import SmtpServer, body_text
from tests.support.tcpproxy import TcpProxy


def _hello_app(environ, start_response):  # type: ignore[no-untyped-def]
    body = b"<!doctype html><title>hello</title><h1 id='greet'>Hello, support</h1>"
    start_response("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(body)))])
    return [body]


def test_free_port_is_below_ephemeral_range() -> None:
    port = free_port()
    assert 20000 <= port <= 32000
    assert port_is_free(port)


def test_postgres_server_lifecycle() -> None:
    with PostgresServer() as pg:
        assert 20000 <= pg.port < 32768
        base_dir = pg.base_dir
        assert base_dir is not None and base_dir.is_dir()
        url = pg.create_database("support_check")
        assert url == f"postgresql+psycopg://postgres@127.0.0.1:{pg.port}/support_check"
        with psycopg.connect(pg.dsn("support_check")) as conn:
            conn.execute("CREATE TABLE t (x int)")
            conn.execute("INSERT INTO t VALUES (42)")
            conn.commit()
            settings = {
                name: conn.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
                for name in ("fsync", "synchronous_commit", "full_page_writes", "max_connections")
            }
        assert settings == {
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "200",
        }

        pg.restart()  # data survives, same port
        with psycopg.connect(pg.dsn("support_check")) as conn:
            assert conn.execute("SELECT x FROM t").fetchone() == (42,)

        pg.drop_database("support_check")
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(pg.dsn("support_check"), connect_timeout=2).close()
    assert not base_dir.exists()
    pg.stop()  # idempotent


def test_redis_server_lifecycle() -> None:
    from redis import Redis

    with RedisServer() as server:
        assert 20000 <= server.port < 32768
        base_dir = server.base_dir
        assert base_dir is not None and base_dir.is_dir()
        client = Redis.from_url(server.url)
        client.set("support-check", "42")
        assert client.get("support-check") == b"42"
        assert client.config_get("save") == {"save": ""}  # nothing written to disk
        client.close()
    assert not base_dir.exists() and not server.ping()
    server.stop()  # idempotent


def test_redis_server_missing_executable_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_SERVER", "/nonexistent/redis-server")
    with pytest.raises(RuntimeError, match="apt-get install -y redis-server"):
        RedisServer()


def test_smtp_server_receives_message() -> None:
    with SmtpServer() as smtp:
        msg = EmailMessage()
        msg["From"] = "LMS <noreply@lms.test>"
        msg["To"] = "Student <student@example.com>"
        msg["Subject"] = "Verify your email"
        msg.set_content("Click https://lms.test/verify/abc")
        msg.add_alternative("<p>Click <a href='https://lms.test/verify/abc'>here</a></p>", "html")
        with smtplib.SMTP("127.0.0.1", smtp.port, timeout=10) as client:
            client.send_message(msg, to_addrs=["student@example.com", "bcc@example.com"])

        got = smtp.wait_for("STUDENT@example.com", subject_contains="Verify", timeout=5)
        assert got["Subject"] == "Verify your email"
        assert got.envelope_to == ["student@example.com", "bcc@example.com"]
        assert smtp.wait_for("bcc@example.com", timeout=1) is got  # envelope-only recipient
        assert body_text(got).strip() == "Click https://lms.test/verify/abc"
        assert len(smtp.messages) == 1

        with pytest.raises(AssertionError, match="no email to"):
            smtp.wait_for("nobody@example.com", timeout=0.2)
        smtp.clear()
        assert smtp.messages == []


def test_live_server_serves_wsgi_app() -> None:
    with LiveServer(_hello_app) as live:
        assert live.url == f"http://127.0.0.1:{live.port}"
        with urllib.request.urlopen(live.url + "/", timeout=5) as resp:  # noqa: S310
            assert resp.status == 200
            assert b"Hello, support" in resp.read()
    assert port_is_free(live.port)


def test_tcp_proxy_forwards_then_cuts_and_restores_on_the_same_port() -> None:
    with LiveServer(_hello_app) as live, TcpProxy("127.0.0.1", live.port) as proxy:
        url = f"http://127.0.0.1:{proxy.port}/"
        with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310
            assert b"Hello, support" in resp.read()
        held = socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
        try:
            deadline = time.monotonic() + 5
            while proxy.connections < 2 and time.monotonic() < deadline:
                time.sleep(0.01)  # accepted by the proxy, and linked to the server
            proxy.cut()
            assert proxy.is_cut
            with pytest.raises(OSError):  # refused: nothing listens on the port
                socket.create_connection(("127.0.0.1", proxy.port), timeout=2).close()
            with contextlib.suppress(ConnectionResetError):  # the open one is dropped too
                assert held.recv(1) == b""
        finally:
            held.close()
        proxy.restore()
        with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310
            assert resp.status == 200
        assert proxy.connections == 3


def test_browser_loads_live_server_page(browser) -> None:
    with LiveServer(_hello_app) as live:
        page = browser.new_page()
        try:
            page.goto(live.url + "/")
            assert page.title() == "hello"
            assert page.locator("#greet").inner_text() == "Hello, support"
        finally:
            page.close()


def test_browser_missing_executable_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHROMIUM_PATH", "/nonexistent/chromium")
    with pytest.raises(RuntimeError, match="apt-get install -y chromium"):
        launch_chromium(object())
