"""What may reach the pages unescaped, and the filters the templates use on data."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup

# Characters that start Markdown (CommonMark) syntax inline: emphasis, code, links, raw HTML,
# table cells; backslash-escaped wherever they occur. Without "[" and "]" no text can become a
# link or an image ("[x](javascript:…)", "![x](https://tracker)").
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|])")
# "_" starts emphasis only at a word's edge (CommonMark): intraword ones stay readable
# (``title_abstract``, ``ai_reviewer``).
_MD_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
# "&" starts a character reference only before a name or number and ";".
_MD_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# A value that opens a line could start a heading or a block quote.
_MD_LINE_START = re.compile(r"^(\s*)([#>])", re.M)


def trusted(markup: str) -> Markup:
    """Mark markup built by this package as safe to insert: the SVG builders escape every text
    they place, and the CSS/JS are the package's own files. Nothing from the data passes here
    unescaped."""
    return Markup(markup)  # noqa: S704


def web_url(value: Any) -> str:
    """``value`` if it is an http(s) address, else ``""``: a record's link must never become a
    ``javascript:`` or ``data:`` link on the audit page."""
    text = "" if value is None else str(value).strip()
    return text if urlsplit(text).scheme.lower() in ("http", "https") else ""


def md_escape(value: Any) -> str:
    """``value`` as Markdown text that reads as itself: ``<script>`` stays text (``\\<``), a
    ``*`` is no emphasis, ``&`` stays ``&`` (never ``&amp;``)."""
    text = "" if value is None else str(value)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _MD_UNDERSCORE.sub(r"\\_", text)
    text = _MD_ENTITY.sub(r"\\&", text)
    return _MD_LINE_START.sub(r"\1\\\2", text)


def md_text(value: Any) -> Any:
    """The Markdown page's ``finalize``: every printed value is escaped for Markdown, except
    markup the templates built themselves (macros, :func:`md_cell`, :func:`md_code`), so no
    title, author or note can become a link (``[click](javascript:…)``)."""
    if isinstance(value, Markup):
        return value
    return Markup(md_escape(value))  # noqa: S704 - escaped for Markdown just above


def md_cell(value: Any) -> Markup:
    """Text for a Markdown table cell: escaped (:func:`md_escape`), on one line."""
    text = "" if value is None else str(value)
    return Markup(md_escape(" ".join(text.split())))  # noqa: S704 - escaped


def md_code(value: Any) -> Markup:
    """``value`` as a Markdown code span: fenced by more backticks than it holds in a row, so
    nothing inside can end it (and nothing inside is escaped: code spans show it as is)."""
    text = " ".join(("" if value is None else str(value)).split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return Markup(f"{fence}{pad}{text}{pad}{fence}")  # noqa: S704 - a code span shows text as is
