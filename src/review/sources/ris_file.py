"""RIS exports: Publish or Perish / Google Scholar, Scopus, Zotero, EndNote and friends.

rispy parses the tag lines of each record. Around it, this module does what rispy leaves to the
caller and what real exports need: it strips a byte-order mark (rispy would miss the first
``TY``), accepts CRLF and non-UTF-8 bytes, closes a last record that has no ``ER``, keeps every
occurrence of a repeated tag (Publish or Perish repeats ``DO`` and ``M1``), reports record
numbers and ``Record #1 of 2`` lines between records, and refuses other text between records (a
pasted query, a truncated paste) with the line number, where rispy would silently skip it.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import rispy

from review.records import normalise_doi
from review.sources.export_record import (
    ExportEntry,
    database_from_url,
    join_pages,
    scopus_eid,
)
from review.sources.tagged_text import (
    TaggedReader,
    TaggedRecord,
    TagSyntax,
    first_value,
)

#: How RIS writes a record (see :mod:`review.sources.tagged_text`).
SYNTAX = TagSyntax(
    label="RIS",
    tag_line=re.compile(r"^(?P<tag>[A-Z][A-Z0-9])  -(?: (?P<value>.*)|$)"),
    start_tag="TY",
    end_tag="ER",
    record_shape="RIS holds only tagged lines ('XX  - value') between 'TY  - ' and 'ER  - ' "
    "(remove query notes or other text pasted into the file)",
    misspelt_tag=re.compile(r"^[A-Z][A-Z0-9] ?- ?\S"),
    misspelt_hint="a RIS tag is followed by two spaces, a dash and a space ('TY  - JOUR')",
)

#: Record field → RIS tags, in order of preference (first non-empty wins).
FIELD_TAGS: dict[str, tuple[str, ...]] = {
    "title": ("TI", "T1", "CT"),
    "title_alt": ("TT",),
    "abstract": ("AB", "N2"),
    "year": ("PY", "Y1", "DA"),
    "venue": ("T2", "JF", "JO", "JA", "J2", "BT", "T3"),
    "volume": ("VL",),
    "issue": ("IS", "CP"),
    "start_page": ("SP",),
    "end_page": ("EP",),
    "url": ("UR", "L2", "LK"),
    "language": ("LA",),
    "doc_type": ("TY",),
    "native_id": ("ID", "AN"),
    "database": ("DB", "DP"),
}
#: Notes (``N1``) that ``review export`` writes for values RIS has no tag for, read back into
#: their fields: the review team's summary (never an abstract) and the exact document type
#: when the ``TY`` code alone would read back as another (``TY  - JOUR`` is "journal article";
#: the study's type may be "journal article (SLR)").
SUMMARY_NOTE = "Summary by the review team (not the published abstract): "
DOC_TYPE_NOTE = "Document type (review): "

#: Tags whose every occurrence is used.
AUTHOR_TAGS = ("AU", "A1")
KEYWORD_TAGS = ("KW", "DE")
DOI_TAGS = ("DO", "DI")


class _AllTagsParser(rispy.RisParser):
    """rispy's line parser, keeping every occurrence of every tag under the tag itself.

    rispy's default mapping keeps only the first value of a non-list tag and appends a
    continuation line to the wrong value once a tag repeats; a review must not lose either.
    """

    def __init__(self) -> None:
        super().__init__(mapping={"TY": "TY", "ER": "ER", "UK": "UK"}, skip_unknown_tags=False)

    def _add_tag(
        self, record: dict, tag: str | None, content: str, extend_multiline: bool = False
    ) -> None:
        if tag is None or tag == "TY":
            return  # a continuation before any tag: nothing to attach it to
        values: list[str] = record.setdefault(tag, [])
        if extend_multiline:
            if content and values:
                values[-1] = f"{values[-1]} {content}".strip()
            return
        values.append(content)


class RisReader(TaggedReader):
    format: ClassVar[str] = "ris"
    label: ClassVar[str] = "RIS"
    extensions: ClassVar[tuple[str, ...]] = (".ris", ".txt")
    first_line: ClassVar[re.Pattern[str]] = re.compile(r"^TY  -")
    syntax: ClassVar[TagSyntax] = SYNTAX

    def entry(self, record: TaggedRecord, *, position: int) -> ExportEntry:
        block = list(record.lines) if record.closed else [*record.lines, "ER  - "]
        parsed = _AllTagsParser().parse_lines(iter(block))
        tags: dict[str, Any] = parsed[0] if parsed else {}
        unknown = tags.pop("UK", {})
        for tag, values in unknown.items():
            tags.setdefault(tag, []).extend(values)
        tags["TY"] = [block[0][6:].strip()]
        return self._entry(tags, position=position, line=record.line, closed=record.closed)

    def _entry(
        self, tags: dict[str, list[str]], *, position: int, line: int, closed: bool
    ) -> ExportEntry:
        def first(name: str) -> str:
            return first_value(tags, FIELD_TAGS[name])

        def every(names: tuple[str, ...]) -> list[str]:
            return [v.strip() for t in names for v in tags.get(t, []) if v.strip()]

        notes = [] if closed else ["no 'ER' line ends this record"]
        for value in tags.get("M1", []):
            if value.lower().startswith("query date:"):
                notes.append("query date " + value.split(":", 1)[1].strip())
        dois = list(dict.fromkeys(every(DOI_TAGS)))
        if not dois:
            # Older EndNote versions write the DOI in M3 ("Type of Work"); Scopus writes the
            # document type there, which is no DOI and is left alone.
            dois = [v for v in every(("M3",)) if normalise_doi(v)]
        if len(dois) > 1:
            notes.append(f"several DOIs in the export: {', '.join(dois)}")
        database = first("database") or database_from_url(
            " ".join(tags.get("M1", []) + tags.get("N1", []) + tags.get("UR", []))
        )
        native_id = first("native_id")
        if not native_id:
            native_id = scopus_eid(" ".join(tags.get("UR", [])))
        labelled = {
            label: value.removeprefix(label).strip()
            for value in tags.get("N1", [])
            for label in (SUMMARY_NOTE, DOC_TYPE_NOTE)
            if value.startswith(label)
        }
        return ExportEntry(
            position=position,
            line=line,
            native_id=native_id,
            title=first("title"),
            title_alt=first("title_alt"),
            abstract=" ".join(every(("AB",))) or first("abstract"),
            authors=every(AUTHOR_TAGS),
            year=first("year"),
            venue=first("venue"),
            volume=first("volume"),
            issue=first("issue"),
            pages=join_pages(first("start_page"), first("end_page")),
            doi=dois[0] if dois else "",
            url=first("url"),
            keywords=every(KEYWORD_TAGS),
            language=first("language"),
            doc_type=first("doc_type"),
            database=database,
            notes=notes,
            summary=labelled.get(SUMMARY_NOTE, ""),
            exact_doc_type=labelled.get(DOC_TYPE_NOTE, ""),
        )
