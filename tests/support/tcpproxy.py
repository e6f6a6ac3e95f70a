"""A tiny TCP proxy on loopback whose link can be cut and restored (fault injection).

Put it between the app and a dependency (moto's S3 server) and the app only knows the
proxy's address. ``cut()`` closes the listening socket and every open connection, so the
dependency looks down to its clients (connections refused, keep-alive sockets reset) while
the server behind keeps its state; ``restore()`` listens on the same port again.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType

from tests.support import free_port

__all__ = ["TcpProxy"]

BUFFER = 64 * 1024


class TcpProxy:
    """Forwards ``127.0.0.1:<port>`` to ``target_host:target_port``, one thread per direction.

    Usage::

        with TcpProxy("127.0.0.1", s3_port) as proxy:
            endpoint = f"http://127.0.0.1:{proxy.port}"
            proxy.cut()      # clients now get "connection refused"
            proxy.restore()  # and connect again
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._listener: socket.socket | None = None
        self._accepting: threading.Thread | None = None
        self._lock = threading.Lock()
        self._links: set[socket.socket] = set()
        self.connections = 0  # accepted since start, for tests and reports

    @property
    def is_cut(self) -> bool:
        return self._listener is None

    def start(self) -> TcpProxy:
        """Listen on a free port; returns self."""
        self.port = free_port()
        self._listen()
        return self

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        listener.settimeout(0.2)  # lets the accept loop notice a cut
        self._listener = listener
        self._accepting = threading.Thread(
            target=self._accept_loop, args=(listener,), name="tcpproxy-accept", daemon=True
        )
        self._accepting.start()

    def _accept_loop(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:  # closed by cut() or stop()
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()  # the dependency itself is down: the client sees a reset
                continue
            upstream.settimeout(None)
            client.settimeout(None)
            running = [2]  # pumps of this link still running
            with self._lock:
                self.connections += 1
                self._links.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(
                    target=self._pump,
                    args=(source, sink, running),
                    name="tcpproxy-pump",
                    daemon=True,
                ).start()

    def _pump(self, source: socket.socket, sink: socket.socket, running: list[int]) -> None:
        try:
            while data := source.recv(BUFFER):
                sink.sendall(data)
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)  # pass the half-close on
        except OSError:
            self._close(source, sink)  # a reset on one side drops the whole link
        with self._lock:
            running[0] -= 1
            finished = running[0] == 0
        if finished:
            self._close(source, sink)

    def _close(self, *sockets: socket.socket) -> None:
        for sock in sockets:
            with self._lock:
                self._links.discard(sock)
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def cut(self) -> None:
        """Refuse new connections and drop the open ones until ``restore()``."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        if self._accepting is not None:
            self._accepting.join(timeout=2)
        with self._lock:
            links = list(self._links)
        self._close(*links)

    def restore(self) -> None:
        """Listen again on the same port."""
        if self._listener is None:
            self._listen()

    def stop(self) -> None:
        """Close everything (safe to call twice)."""
        self.cut()

    def __enter__(self) -> TcpProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
