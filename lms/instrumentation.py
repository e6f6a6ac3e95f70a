"""Counts SQL statements per request into a response header, for the benchmarks."""

from __future__ import annotations

from flask import Flask, g, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

HEADER = "X-Query-Count"


def install_query_counter(app: Flask) -> None:
    def count(*_args, **_kwargs) -> None:
        if has_app_context():
            g.query_count = g.get("query_count", 0) + 1

    event.listen(Engine, "before_cursor_execute", count)

    @app.after_request
    def add_header(response):
        response.headers[HEADER] = str(g.get("query_count", 0))
        return response
