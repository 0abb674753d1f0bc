"""Page-located evidence: where in a study's full text the protocol's keywords occur.

The protocol gives keywords per coding-field value (``coding.fields[].values``) and, optionally,
per eligibility criterion (``criteria[].keywords``). For a study whose full text was read, the
full-text screening sheet lists, per criterion and per coding field, the pages where those
words occur, and the coding sheet's evidence cites the page and the words around the match, so
a reviewer checks the source itself rather than a summary. Matching is the coding sheet's
(:func:`review.extraction.prefill.keyword_pattern`): whole words, case-insensitive, ``*`` a stem.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from review.extraction.prefill import keyword_pattern
from review.tables import contract, read_jsonl

Pages = list[dict[str, Any]]


def load_pages(
    fulltext_rows: Iterable[Mapping[str, str]], pages_dir: Path | None = None
) -> dict[str, Pages]:
    """Each study's pages, from the ``text_file`` of its ``fulltext.csv`` row (looked up in
    ``pages_dir`` when given, where the workflow passes the folder explicitly)."""
    out: dict[str, Pages] = {}
    for row in fulltext_rows:
        text_file = row.get("text_file", "")
        if not text_file:
            continue
        path = Path(pages_dir) / Path(text_file).name if pages_dir else Path(text_file)
        out[row["study_id"]] = read_jsonl(path, contract("fulltext_pages"))
    return out


def pages_with(keywords: Sequence[str], pages: Pages) -> list[str]:
    """Labels of the pages where any of ``keywords`` occurs, in page order."""
    patterns = [keyword_pattern(k) for k in keywords if k.strip()]
    return [
        str(p["label"])
        for p in pages
        if any(pattern.search(str(p.get("text") or "")) for pattern in patterns)
    ]


def join_labels(labels: Sequence[str]) -> str:
    """``["p. 2", "p. 3", "p. 7"]`` → ``"p. 2, 3, 7"``; section labels are listed whole."""
    if labels and all(label.startswith("p. ") for label in labels):
        return "p. " + ", ".join(label[3:] for label in labels)
    return "; ".join(labels)


def criterion_pages(criteria: Sequence[Mapping[str, Any]], pages: Pages) -> dict[str, str]:
    """``code -> "p. 2, 5"`` for each criterion that has keywords (``"none"`` when none occur)."""
    out = {}
    for c in criteria:
        keywords = [str(k) for k in c.get("keywords") or []]
        if keywords:
            out[str(c["code"])] = join_labels(pages_with(keywords, pages)) or "none"
    return out


def field_pages(
    fields: Sequence[tuple[str, Sequence[tuple[str, Sequence[str]]]]], pages: Pages
) -> dict[str, str]:
    """``field -> "volunteers: p. 3, 4; community: p. 2"`` for fields with keywords."""
    out = {}
    for name, values in fields:
        parts = []
        for value, keywords in values:
            found = pages_with(list(keywords), pages)
            if found:
                parts.append(f"{value}: {join_labels(found)}")
        if any(kws for _, kws in values):
            out[name] = "; ".join(parts) or "none"
    return out


def file_cell(row: Mapping[str, str] | None) -> str:
    """What a reviewer has of a study's full text: the kept file and its pages, or why none."""
    if not row:
        return ""
    if row.get("file"):
        read = row.get("text_status", "")
        pages = f"{row.get('n_pages') or 0} page(s) read" if read == "extracted" else read
        return f"{row['file']} ({row['status']}; {pages})"
    reason = row.get("reason", "")
    return f"{row.get('status', '')}" + (f" ({reason})" if reason else "")


def sheet_columns(
    criteria: Sequence[Mapping[str, Any]], fields: Sequence[tuple[str, Sequence[Any]]]
) -> list[str]:
    """The full-text sheet's page columns: ``pages_<code>`` per criterion with keywords, then
    ``pages_<field>`` per coding field with keywords."""
    cols = [f"pages_{c['code']}" for c in criteria if c.get("keywords")]
    cols += [f"pages_{name}" for name, values in fields if any(k for _, k in values)]
    return cols


def sheet_cells(
    row: Mapping[str, str] | None,
    pages: Pages | None,
    criteria: Sequence[Mapping[str, Any]],
    fields: Sequence[tuple[str, Sequence[tuple[str, Sequence[str]]]]],
) -> dict[str, str]:
    """``full_text`` and the page columns of one study (empty without read pages)."""
    out = {"full_text": file_cell(row)}
    if not pages:
        return out
    out.update({f"pages_{k}": v for k, v in criterion_pages(criteria, pages).items()})
    out.update({f"pages_{k}": v for k, v in field_pages(fields, pages).items()})
    return out
