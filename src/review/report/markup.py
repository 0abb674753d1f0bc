"""What may reach the pages unescaped, and the filters the templates use on data."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup


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


def md_cell(value: Any) -> str:
    """Text for a Markdown table cell: no line breaks, pipes escaped (HTML is escaped by jinja)."""
    text = "" if value is None else str(value)
    return " ".join(text.split()).replace("|", "\\|")
