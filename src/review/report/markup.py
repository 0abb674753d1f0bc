"""What may reach the pages unescaped, and the filters the templates use on data."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape


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


#: What the Markdown page escapes in data: a backslash and the brackets. Without ``[`` and ``]``
#: no text can become a link or an image (``[x](javascript:…)``, ``![x](https://tracker)``);
#: ``<`` and ``&`` are HTML-escaped already, and ``_``/``*`` are left alone because ids and field
#: names shown in code spans contain them (a backslash would show there).
_MD_SPECIAL = re.compile(r"([\\\[\]])")


def md_text(value: Any) -> Any:
    """``value`` made inert as Markdown text: the finalizer of every ``{{ … }}`` of the Markdown
    page, so no title, author or note can become a link (``[click](javascript:…)``).

    Markup (built by the templates themselves, or by :func:`md_cell`) and non-text values pass
    unchanged."""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return _MD_SPECIAL.sub(r"\\\1", value)


def md_cell(value: Any) -> Markup:
    """Text for a Markdown table cell: inert (:func:`md_text`), HTML-escaped, on one line, with
    pipes escaped."""
    text = " ".join(("" if value is None else str(value)).split())
    return escape(md_text(text)).replace("|", Markup("\\|"))
