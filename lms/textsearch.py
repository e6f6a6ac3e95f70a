"""Search fragments typed by users, matched literally with LIKE."""

from __future__ import annotations

ESCAPE = "\\"


def contains_pattern(text: str) -> str:
    """A lower-case LIKE pattern matching `text` anywhere; its own % and _ match literally.

    Use with `column.like(pattern, escape=ESCAPE)`.
    """
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
