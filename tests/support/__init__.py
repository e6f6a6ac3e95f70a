"""Test support helpers: throwaway PostgreSQL and Redis, SMTP sink, live WSGI server, gunicorn,
Chromium launcher.

Submodules are imported lazily by callers (``from tests.support.postgres import PostgresServer``)
so that importing one helper never requires the optional dependencies of another.
"""

from __future__ import annotations

import random
import socket

__all__ = ["free_port", "port_is_free"]

# Stay below the Linux ephemeral range (32768+) so outgoing client sockets can never
# grab a port between our "is it free?" check and the server's bind.
PORT_LOW = 20000
PORT_HIGH = 32000


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Return True if nothing listens on ``host:port`` and we can bind it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        # A bind can succeed with SO_REUSEADDR semantics elsewhere; also make sure no one answers.
        return sock.connect_ex((host, port)) != 0


def free_port(low: int = PORT_LOW, high: int = PORT_HIGH, host: str = "127.0.0.1") -> int:
    """Pick a random free TCP port in ``[low, high]`` (random to avoid clashes in parallel runs)."""
    rng = random.SystemRandom()
    for _ in range(200):
        port = rng.randint(low, high)
        if port_is_free(port, host):
            return port
    raise RuntimeError(f"no free TCP port found in {low}-{high} on {host}")
