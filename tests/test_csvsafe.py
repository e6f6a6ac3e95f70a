"""Cells a spreadsheet would run as formulas are written as text."""

import pytest

from lms.csvsafe import neutralise, stream_rows


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+49 30 1234", "'+49 30 1234"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Plain", "Plain"),
        ("a=b", "a=b"),
        (None, ""),
        (-3, "-3"),  # numbers are numbers
        (12.5, "12.5"),
    ],
)
def test_neutralise(value, written):
    assert neutralise(value) == written


def test_stream_rows_writes_one_line_at_a_time():
    lines = list(stream_rows(["name"], [["=x"], ["y, z"]]))
    assert lines == ["name\r\n", "'=x\r\n", '"y, z"\r\n']
