"""Studies as RIS, written by rispy's own writer.

What the file says is what ``review import`` reads back: each value is written in the form the
RIS reader gives it (authors ``"Surname, Given"``, pages split into ``SP``/``EP``, white space
folded), so importing the file and exporting the records again writes the same file. RIS has no
tag for two of the study's values; they travel as labelled notes the reader knows
(:data:`~review.sources.ris_file.SUMMARY_NOTE`, :data:`~review.sources.ris_file.DOC_TYPE_NOTE`):
the review team's summary stays apart from the abstract, and a free-text document type
survives its ``TY`` code. The study id is the record's ``ID``, so a re-imported record is
``<source>:<study id>``. A retrieved full text is linked as ``L1`` (the kept file, relative to
the project, and the address it came from).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import rispy

from review.export.doctypes import reads_back, ris_type
from review.records import clean_text, split_list
from review.sources.export_record import join_pages, surname_first
from review.sources.ris_file import DOC_TYPE_NOTE, SUMMARY_NOTE


class _Writer(rispy.RisWriter):
    """rispy's RIS writer without its record numbers (``1.``), which are no RIS lines: other
    readers skip them at best, and ours warns about them. ``L1`` may repeat."""

    DEFAULT_LIST_TAGS: ClassVar[list[str]] = [*rispy.RisWriter.DEFAULT_LIST_TAGS, "L1"]

    def set_header(self, count: int) -> str:
        return ""


def split_pages(pages: str) -> tuple[str, str]:
    """``SP`` and ``EP`` of a page range (``"47-"`` is page 47; an article number stays whole)."""
    text = join_pages(pages, "")
    start, dash, end = text.partition("-")
    if dash and start and end:
        return start, end
    return text.strip("-"), ""


def ris_entry(study: Mapping[str, Any], fulltext: Mapping[str, str] | None = None) -> dict:
    """The rispy entry (its field names) of one study (a row of ``studies.csv``)."""
    doc_type = clean_text(study.get("doc_type"))
    code = ris_type(doc_type)
    entry: dict[str, Any] = {"type_of_reference": code, "id": study["study_id"]}

    def put(key: str, value: Any) -> None:
        text = clean_text(str(value or ""))
        if text:
            entry[key] = text

    put("title", study.get("title"))
    put("translated_title", study.get("title_alt"))
    authors = [surname_first(a) for a in split_list(study.get("authors"))]
    if any(authors):
        entry["authors"] = [a for a in authors if a]
    put("year", study.get("year"))
    put("secondary_title", study.get("venue"))
    put("volume", study.get("volume"))
    put("number", study.get("issue"))
    start, end = split_pages(clean_text(study.get("pages")))
    put("start_page", start)
    put("end_page", end)
    put("doi", study.get("doi"))
    if clean_text(study.get("url")):
        entry["urls"] = [clean_text(study.get("url"))]
    put("abstract", study.get("abstract"))
    keywords = [clean_text(k) for k in split_list(study.get("keywords"))]
    if any(keywords):
        entry["keywords"] = [k for k in keywords if k]
    put("language", study.get("language"))
    notes = []
    if clean_text(study.get("summary")):
        notes.append(SUMMARY_NOTE + clean_text(study.get("summary")))
    if doc_type and not reads_back(code, doc_type):
        notes.append(DOC_TYPE_NOTE + doc_type)
    if notes:
        entry["notes"] = notes
    if fulltext and clean_text(fulltext.get("file")):
        links = [clean_text(fulltext.get(k)) for k in ("file", "source_url")]
        entry["file_attachments1"] = [link for link in links if link]
    return entry


def entries_text(entries: Sequence[Mapping[str, Any]]) -> str:
    """The RIS text of rispy entries, as this module writes them."""
    return _Writer().formats(list(entries)) if entries else ""


def ris_text(
    studies: Sequence[Mapping[str, Any]], fulltext: Mapping[str, Mapping[str, str]] | None = None
) -> str:
    """The RIS file of ``studies`` (``fulltext``: rows of ``fulltext.csv`` by study id)."""
    return entries_text([ris_entry(s, (fulltext or {}).get(s["study_id"])) for s in studies])
