"""CSV that is safe to open in a spreadsheet: formula-looking cells are neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: str) -> bool:
    return value.startswith(FORMULA_PREFIXES)


def neutralise(value: Any) -> str:
    """The cell as text, prefixed with a quote if a spreadsheet would run it as a formula."""
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, int | float):
        return text  # numbers (also negative ones) are data, not formulas
    return "'" + text if looks_like_formula(text) else text


def stream_rows(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """CSV text, one line at a time, every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: Iterable[Any]) -> str:
        writer.writerow([neutralise(cell) for cell in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield line(header)
    for row in rows:
        yield line(row)


def to_csv(header: list[str], rows: Iterable[Iterable[Any]]) -> str:
    """A whole (small) CSV document, every cell neutralised, CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue()
