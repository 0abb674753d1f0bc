"""One row per study: the best value of each field, chosen from its member records.

Records are never changed or dropped: a study lists all its member record ids, and its fields are
*chosen*, not edited. The most complete record leads (a published DOI counts most, so the
published version leads over its preprint); gaps are filled from the other members in order.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

from rapidfuzz import fuzz

from review.dedup.prepare import fast_normalise_title, fold_title, is_preprint_doi
from review.records import (
    LIST_SEPARATOR,
    Record,
    anchor_key,
    fingerprint,
    normalise_doi,
    study_id_for,
)

_FILLED = ("title", "authors", "year", "venue", "volume", "issue", "pages", "doi", "abstract")


def study_fingerprint(doi: str, title: str, year: int | None) -> str:
    """:func:`review.records.fingerprint`, folding plain ASCII titles on the fast path.

    Same value by construction (``tests/test_dedup.py`` checks it on the UMKM corpus): the
    contract is ``records.fingerprint``; this only skips its Unicode folding where there is
    nothing to fold.
    """
    if normalise_doi(doi) or not title.isascii() or "<" in title or "&" in title:
        return fingerprint(doi, title, year)
    folded = fast_normalise_title(title)
    return f"title:{folded}|{year if year else ''}" if folded else ""


def _completeness(r: Record) -> int:
    score = sum(1 for name in _FILLED if getattr(r, name))
    doi = normalise_doi(r.doi)
    if doi and not is_preprint_doi(doi):
        score += 3
    return score


def _first(values: Sequence[Any]) -> Any:
    return next((v for v in values if v), "")


def _title(ordered: Sequence[Record]) -> str:
    titles = [r.title.strip() for r in ordered if r.title.strip()]
    mixed = [t for t in titles if not t.isupper()]
    return (mixed or titles or [""])[0]


def _title_alt(ordered: Sequence[Record], title: str) -> str:
    alts = [r.title_alt.strip() for r in ordered if r.title_alt.strip()]
    if len(ordered) == 1:
        return alts[0] if alts and alts[0] != title else ""
    folded = fold_title(title)
    alt = _first([a for a in alts if fold_title(a) != folded])
    if alt:
        return alt
    for r in ordered:  # a member titled in another language
        if r.title and fuzz.ratio(fold_title(r.title), folded) < 80:
            return r.title.strip()
    return ""


def study_row(study_id: str, members: Sequence[Record]) -> dict[str, Any]:
    """The study's row of ``studies.csv`` from its member records (in anchor order).

    Impossible years (reported by :mod:`review.dedup.prepare`) are never chosen.
    """
    max_year = _dt.date.today().year + 1
    if len(members) == 1:
        return _single_row(study_id, members[0], max_year)
    ordered = sorted(members, key=_completeness, reverse=True)  # stable: anchor order on ties
    title = _title(ordered)
    authors_lists = [r.authors for r in ordered if r.authors]
    with_commas = [a for a in authors_lists if any("," in n for n in a)]
    authors = max(with_commas or authors_lists or [[]], key=len)
    published = [r for r in ordered if not is_preprint_doi(normalise_doi(r.doi))]
    years = [r.year for r in (published or ordered) if r.year and 1500 <= r.year <= max_year]
    year = Counter(years).most_common(1)[0][0] if years else None
    dois = [normalise_doi(r.doi) for r in ordered if normalise_doi(r.doi)]
    doi = _first([d for d in dois if not is_preprint_doi(d)]) or _first(dois)
    keywords: dict[str, str] = {}
    for r in ordered:
        for k in r.keywords:
            keywords.setdefault(k.casefold(), k)
    row: dict[str, Any] = {
        "study_id": study_id,
        "record_ids": LIST_SEPARATOR.join(r.record_id for r in members),
        "n_records": len(members),
        "source_ids": LIST_SEPARATOR.join(sorted({r.source_id for r in members})),
        "title": title,
        "title_alt": _title_alt(ordered, title),
        "abstract": max((r.abstract for r in members), key=len, default=""),
        "summary": _first([r.summary for r in ordered]),
        "authors": LIST_SEPARATOR.join(authors),
        "year": year,
        "doi": doi,
        "keywords": LIST_SEPARATOR.join(keywords.values()),
        "fingerprint": study_fingerprint(doi, title, year),
    }
    for name in ("venue", "volume", "issue", "pages", "url", "language", "doc_type"):
        row[name] = _first([getattr(r, name) for r in ordered])
    return row


def _single_row(study_id: str, r: Record, max_year: int) -> dict[str, Any]:
    """The row of a one-record study: its own values (the common case, kept fast)."""
    doi = normalise_doi(r.doi)
    year = r.year if r.year and 1500 <= r.year <= max_year else None
    title = r.title.strip()
    alt = r.title_alt.strip()
    row: dict[str, Any] = {
        "study_id": study_id,
        "record_ids": r.record_id,
        "n_records": 1,
        "source_ids": r.source_id,
        "title": title,
        "title_alt": alt if alt != title else "",
        "authors": LIST_SEPARATOR.join(r.authors),
        "year": year,
        "doi": doi,
        "keywords": LIST_SEPARATOR.join(dict.fromkeys(r.keywords)),
        "fingerprint": study_fingerprint(doi, title, year),
    }
    for name in (
        "abstract",
        "summary",
        "venue",
        "volume",
        "issue",
        "pages",
        "url",
        "language",
        "doc_type",
    ):
        row[name] = getattr(r, name)
    return row


def anchor_study_id(members: Sequence[Record]) -> str:
    """The contract's study id: from the member with the smallest ``(run_id, record_id)``."""
    anchor = min(members, key=anchor_key)
    return study_id_for(anchor.record_id)
