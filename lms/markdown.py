"""Markdown written by instructors (lesson notes), rendered to HTML that is safe to show.

Markdown passes raw HTML through, so the output is sanitised with nh3 against an allow-list:
no scripts, event handlers, styles, frames or images; links only to http, https and mailto
(or relative), opened with rel="noopener noreferrer".
"""

from __future__ import annotations

from functools import lru_cache

import markdown as markdown_lib
import nh3
from markupsafe import Markup

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h2", "h3", "h4", "h5", "h6",
        "strong", "em", "b", "i", "del", "sup", "sub", "abbr",
        "blockquote", "code", "pre", "ul", "ol", "li", "dl", "dt", "dd",
        "table", "thead", "tbody", "tr", "th", "td", "a",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
EXTENSIONS = ["fenced_code", "tables", "sane_lists", "abbr"]


@lru_cache(maxsize=2048)  # pure function of the text; notes are read far more than written
def render_markdown(text: str | None) -> Markup:
    """Markdown to sanitised HTML, marked safe for Jinja."""
    html = markdown_lib.markdown(text or "", extensions=EXTENSIONS, output_format="html")
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        clean_content_tags={"script", "style", "iframe", "object", "embed", "template"},
    )
    return Markup(cleaned)  # noqa: S704 - sanitised by nh3 just above
