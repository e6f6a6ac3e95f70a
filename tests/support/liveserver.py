"""Run a WSGI app on a real socket in a background thread (for browser and HTTP tests)."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from tests.support import free_port

__all__ = ["LiveServer"]


class LiveServer:
    """Threaded werkzeug server for ``app`` on 127.0.0.1 at a free port.

    Usage::

        with LiveServer(app) as live:
            page.goto(live.url + "/")
    """

    def __init__(self, app: Any, host: str = "127.0.0.1") -> None:
        self.app = app
        self.host = host
        self.port: int = 0
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL without trailing slash, e.g. ``http://127.0.0.1:23456``."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> LiveServer:
        """Bind and start serving in a daemon thread; returns self."""
        last_error: OSError | None = None
        for _ in range(5):
            port = free_port()
            try:
                server = make_server(self.host, port, self.app, threaded=True)
            except (OSError, SystemExit) as exc:  # werkzeug exits on bind errors
                last_error = exc if isinstance(exc, OSError) else OSError(str(exc))
                continue
            self._server, self.port = server, port
            # daemon=True so a forgotten stop() never hangs the test process at exit.
            self._thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
            )
            self._thread.start()
            return self
        raise RuntimeError(f"could not start live server: {last_error}")

    def stop(self) -> None:
        """Stop serving and close the socket (safe to call twice)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
