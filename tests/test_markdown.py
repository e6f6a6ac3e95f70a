"""Lesson notes: Markdown is rendered, and anything that could run script is made harmless."""

import re

import pytest
from markupsafe import Markup

from lms.markdown import render_markdown

HOSTILE = [
    ("<script>alert(1)</script>", "script"),
    ("<b onclick=alert(1)>bold</b>", "onclick"),
    ("<img src=x onerror=alert(1)>", "onerror"),
    ('<p onmouseover="alert(1)">hover</p>', "onmouseover"),
    ("[click](javascript:alert(1))", "javascript"),
    ('<a href="JaVaScRiPt:alert(1)">click</a>', "javascript"),
    ('<a href="  javascript:alert(1)">click</a>', "javascript"),
    ("[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "data:"),
    ('<a href="vbscript:msgbox(1)">x</a>', "vbscript"),
    ('<iframe src="https://evil.example/"></iframe>', "iframe"),
    ('<object data="x.swf"></object>', "object"),
    ("<style>body{display:none}</style>", "display:none"),
    ('<div style="position:fixed">x</div>', "style"),
    ('<form action="https://evil.example"><input name=p></form>', "form"),
    ("<svg onload=alert(1)>", "onload"),
    ('<math><mi xlink:href="javascript:alert(1)">x</mi></math>', "javascript"),
]


@pytest.mark.parametrize(("source", "forbidden"), HOSTILE)
def test_hostile_markup_is_rendered_harmless(source, forbidden):
    html = str(render_markdown(source)).lower()
    assert forbidden.lower() not in html
    assert "<script" not in html and "<iframe" not in html and "<img" not in html


def test_markdown_is_rendered():
    html = str(
        render_markdown(
            "## Palpation\n\n**Flat** palpation at *GB21*:\n\n- one\n- two\n\n"
            "| point | depth |\n|---|---|\n| GB21 | shallow |\n\n```\ncode\n```"
        )
    )
    assert "<h2>Palpation</h2>" in html
    assert "<strong>Flat</strong>" in html and "<em>GB21</em>" in html
    assert re.search(r"<ul>\s*<li>one</li>", html)
    assert "<td>GB21</td>" in html
    assert "<pre><code>code" in html


@pytest.mark.parametrize(
    "href", ["https://www.nccaom.org/", "http://example.org/a", "mailto:ce@example.org"]
)
def test_safe_links_are_kept_with_noopener(href):
    html = str(render_markdown(f"[link]({href})"))
    assert f'href="{href}"' in html
    assert 'rel="noopener noreferrer"' in html


def test_output_is_markup_and_plain_text_is_escaped():
    result = render_markdown("5 < 6 & 7 > 3")
    assert isinstance(result, Markup)
    assert "5 &lt; 6 &amp; 7 &gt; 3" in str(result)
    assert render_markdown(None) == Markup("")
