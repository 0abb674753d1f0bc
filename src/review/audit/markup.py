"""The small pieces of markup every audit page repeats (a criterion code, a decision, a
reviewer's name and link), built in Python: at 50,000 study pages a template macro per piece
costs more time than the rest of the page. Every value is escaped (``Markup.format``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from review.audit.names import page_stem


@dataclass(frozen=True)
class Pieces:
    """Markup pieces bound to the protocol's criterion labels and declared reviewers."""

    criteria: Mapping[str, str]
    declared: Mapping[str, Mapping[str, Any]]

    def code(self, code: str) -> Markup:
        label = self.criteria.get(code)
        if label:
            return Markup('<code class="code" title="{}">{}</code>').format(label, code)
        return Markup('<code class="code">{}</code>').format(code)

    def codes(self, codes: Iterable[str], labels: bool = False) -> Markup:
        parts = []
        for code in codes:
            part = self.code(code)
            if labels and self.criteria.get(code):
                part += Markup(' <span class="meta">{}</span>').format(self.criteria[code])
            parts.append(part)
        return Markup(" ").join(parts)

    def decision(self, decision: str) -> Markup:
        return Markup('<span class="dec dec-{}">{}</span>').format(
            decision or "none", decision or "no decision"
        )

    def who(self, name: str, href: str) -> Markup:
        """A reviewer's name linking to their page (``href`` is the reviewers' folder)."""
        if not name or name == "automation":
            return Markup('<span class="who">{}</span>').format(name or "unknown")
        out = Markup('<a class="who" href="{}{}.html">{}</a>').format(href, page_stem(name), name)
        if self.declared.get(name, {}).get("kind") == "ai":
            out += Markup(' <span class="chip ai">AI</span>')
        return out
