"""Rich text from customers and agents, made safe to store and show (nh3 allowlist)."""

from __future__ import annotations

import html as html_lib
import re

import nh3

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "b", "strong", "i", "em", "u", "ul", "ol", "li", "blockquote", "pre",
        "code", "a", "h1", "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"colspan", "rowspan"},
                      "td": {"colspan", "rowspan"}}  # fmt: skip
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Dropped together with everything inside them, not just unwrapped: their text
# is code or markup, never something the reader should see as prose.
DROPPED_WITH_CONTENT = frozenset(
    {
        "script", "style", "template", "iframe", "object", "embed", "svg", "math",
        "noscript", "textarea", "title", "head", "select", "option", "frameset",
        "frame", "noframes", "noembed", "xmp", "applet",
    }
)  # fmt: skip
LINK_REL = "noopener noreferrer nofollow"

_BLOCK_END = re.compile(
    r"<\s*(br\b[^>]*|/\s*(p|div|li|tr|h[1-6]|blockquote|pre|table|ul|ol)\s*)>", re.IGNORECASE
)
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def sanitize_html(html: str) -> str:
    """Return html reduced to the allowlist: no scripts, styles, images, handlers or odd URLs.

    Links keep only http, https and mailto targets (no relative, javascript: or
    data: URLs) and get rel="noopener noreferrer nofollow".
    """
    if not html:
        return ""
    return nh3.clean(
        html.replace("\x00", ""),
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        url_relative="deny",
        link_rel=LINK_REL,
        strip_comments=True,
        generic_attribute_prefixes=set(),
    )


def html_to_text(html: str) -> str:
    """Return the readable text of html: no tags, entities decoded, whitespace collapsed.

    Paragraph and line breaks survive as single newlines. The result is plain
    text and must still be escaped wherever it is shown as HTML.
    """
    if not html:
        return ""
    marked = _BLOCK_END.sub(lambda m: m.group(0) + "\n", html.replace("\x00", ""))
    stripped = nh3.clean(marked, tags=set(), clean_content_tags=set(DROPPED_WITH_CONTENT))
    text = html_lib.unescape(stripped).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
