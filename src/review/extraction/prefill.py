"""Suggest choice values from the protocol's keyword dictionaries, with the text that matched.

Suggestions help a coder find the evidence; they are never coded values. Each suggestion comes
with the snippet around the matched keyword and the field it was found in, so the coder can
judge it in a glance. Matching is case-insensitive on whole words (``clinic`` does not match
``polyclinic``); a keyword ending in ``*`` is a stem and matches any word it begins
(``sustainab*`` matches ``sustainable`` and ``sustainability``). Keywords in several languages
sit side by side in the protocol; the texts searched are the title, the alternative
(translated) title, the keywords, the abstract and the team's summary.

When the study's full text was read (``data/interim/fulltext/<study_id>.pages.jsonl``), it is
searched first and the evidence cites its page: ``volunteers: "relawan" (full text, p. 4): …``;
a value whose keywords occur only in the record keeps the record's evidence, labelled by the
field it came from (``in title``, ``in summary``: the team's summary, not the abstract).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from review.extraction.fields import CodingField

#: Texts searched, in the order evidence is preferred (a title match is the clearest evidence).
SEARCHED = ("title", "title_alt", "keywords", "abstract", "summary")
SNIPPET_CONTEXT = 60


@dataclass(frozen=True)
class Hit:
    value: str
    keyword: str
    source: str
    snippet: str


@lru_cache(maxsize=4096)
def keyword_pattern(keyword: str) -> re.Pattern[str]:
    """Whole-word, case-insensitive pattern; inner spaces match any run of white space."""
    stem = keyword.endswith("*")
    words = keyword.rstrip("*").strip().split()
    body = r"\s+".join(re.escape(w) for w in words)
    tail = r"\w*" if stem else r"(?!\w)"
    return re.compile(rf"(?<!\w){body}{tail}", re.IGNORECASE)


def snippet(text: str, start: int, end: int, context: int = SNIPPET_CONTEXT) -> str:
    """The match with ``context`` characters either side, cut at word edges, marked with »«."""
    left = max(0, start - context)
    right = min(len(text), end + context)
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space != -1 else right
    out = f"{text[left:start]}»{text[start:end]}«{text[end:right]}"
    out = re.sub(r"\s+", " ", out).strip()
    return ("…" if left > 0 else "") + out + ("…" if right < len(text) else "")


def find_hits(fdef: CodingField, study: Mapping[str, str]) -> list[Hit]:
    """Every (value, keyword) of ``fdef`` found in the study, first occurrence of each."""
    hits = []
    for value, keywords in fdef.keywords:
        for keyword in keywords:
            pattern = keyword_pattern(keyword)
            for source in SEARCHED:
                text = study.get(source) or ""
                match = pattern.search(text)
                if match:
                    hits.append(
                        Hit(value, keyword, source, snippet(text, match.start(), match.end()))
                    )
                    break
    return hits


def find_page_hits(fdef: CodingField, pages: Sequence[Mapping[str, Any]]) -> list[Hit]:
    """Every (value, keyword) of ``fdef`` found in the full text, first page of each; the hit's
    source is the page label (``p. 4``)."""
    hits = []
    for value, keywords in fdef.keywords:
        for keyword in keywords:
            pattern = keyword_pattern(keyword)
            for page in pages:
                text = str(page.get("text") or "")
                match = pattern.search(text)
                if match:
                    label = f"full text, {page['label']}"
                    hits.append(
                        Hit(value, keyword, label, snippet(text, match.start(), match.end()))
                    )
                    break
    return hits


def suggest(
    fdef: CodingField,
    study: Mapping[str, str],
    sep: str = "; ",
    pages: Sequence[Mapping[str, Any]] | None = None,
) -> tuple[str, str]:
    """``(suggested value(s), evidence)`` for one field of one study; empty when nothing matched.

    A multiple-choice field suggests every value with a match, in protocol order; a single-choice
    field suggests the value with most matched keywords (the earlier value in the protocol on a
    tie) and names the runners-up in the evidence. The evidence gives, per suggested value, the
    keyword, where it was found and the snippet around it.
    """
    from_text = find_page_hits(fdef, pages) if pages else []
    in_text = {h.value for h in from_text}
    hits = from_text + [h for h in find_hits(fdef, study) if h.value not in in_text]
    if not hits:
        return "", ""
    order = [v for v, _ in fdef.keywords]
    by_value: dict[str, list[Hit]] = {}
    for hit in hits:
        by_value.setdefault(hit.value, []).append(hit)
    ranked = sorted(by_value, key=lambda v: (-len(by_value[v]), order.index(v)))
    chosen = sorted(by_value, key=order.index) if fdef.type == "multiple" else ranked[:1]
    parts = []
    for value in chosen:
        best = min(by_value[value], key=_preference)
        where = f"({best.source})" if best.source not in SEARCHED else f"in {best.source}"
        parts.append(f'{value}: "{best.keyword}" {where}: {best.snippet}')
    if fdef.type != "multiple" and len(ranked) > 1:
        others = ", ".join(f"{v} ({len(by_value[v])})" for v in ranked[1:])
        parts.append(f"also matched: {others}")
    return sep.join(chosen), " | ".join(parts)


def _preference(hit: Hit) -> int:
    """Full-text hits first (in page order as found), then the record's fields in order."""
    return SEARCHED.index(hit.source) + 1 if hit.source in SEARCHED else 0
