"""PubMed exports in MEDLINE format (``.nbib`` from "Cite"/"Send to: Citation manager", and
"Save: PubMed format" ``.txt``).

Each field is a tag of up to four letters padded to four characters, ``- ``, and the value
(``PMID- 31978945``, ``TI  - …``); a value that goes on is indented by six spaces; a blank line
ends a record. The field tags are NLM's "MEDLINE/PubMed Data Element (Field) Descriptions".

What a reader must know beyond the syntax, all seen in real exports:

- The DOI is the ``LID``/``AID`` value marked ``[doi]``. Other fields hold other works' DOIs:
  ``CIN`` (comment in), ``RIN`` (retraction in), ``EIN`` (erratum in) cite the notices and
  comments *about* the article, so a DOI found anywhere in the record would be the wrong one.
- ``PG`` abbreviates the last page (``727-33`` is pages 727-733).
- ``TI`` always ends with a period that PubMed adds; a title translated into English by NLM is
  in brackets, with the original in ``TT``.
- ``FAU`` is the full name, ``AU`` the short one; ``CN`` is a group author.
"""

from __future__ import annotations

import re
from typing import ClassVar

from review.sources.export_record import DOC_TYPES, ExportEntry
from review.sources.tagged_text import (
    TaggedReader,
    TaggedRecord,
    TagSyntax,
    collect_tags,
    first_value,
)

SYNTAX = TagSyntax(
    label="MEDLINE",
    tag_line=re.compile(r"^(?=[A-Z0-9 ]{4}-)(?P<tag>[A-Z][A-Z0-9]{1,3}) *-(?: (?P<value>.*)|$)"),
    start_tag="PMID",
    blank_line_ends=True,
    continuation=re.compile(r"^[ \t]+\S"),
    record_shape="a MEDLINE record is lines 'TAG - value' (the tag padded to four characters), "
    "values going on in lines indented by six spaces, and a blank line after the record",
)

#: Record field → MEDLINE tags, in order of preference.
FIELD_TAGS: dict[str, tuple[str, ...]] = {
    "title": ("TI", "BTI"),
    "title_alt": ("TT",),
    "abstract": ("AB",),
    "year": ("DP", "DEP"),
    "venue": ("JT", "TA", "BTI"),
    "volume": ("VI",),
    "issue": ("IP",),
    "pages": ("PG",),
    "language": ("LA",),
    "native_id": ("PMID",),
}
AUTHOR_TAGS = ("FAU", "AU")
GROUP_AUTHOR_TAG = "CN"
KEYWORD_TAGS = ("OT", "MH")
DOI_TAGS = ("LID", "AID")
_DOI_MARK = re.compile(r"^(?P<doi>\S+)\s+\[doi\]$", re.IGNORECASE)
_SHORT_RANGE = re.compile(r"^(?P<start>\d+)-(?P<end>\d+)$")


def expand_pages(pages: str) -> str:
    """``"727-33"`` → ``"727-733"``: MEDLINE drops the leading digits the last page shares."""
    match = _SHORT_RANGE.match(pages.strip())
    if not match:
        return pages
    start, end = match.group("start"), match.group("end")
    if len(end) < len(start):
        end = start[: len(start) - len(end)] + end
    return f"{start}-{end}"


class MedlineReader(TaggedReader):
    format: ClassVar[str] = "medline"
    label: ClassVar[str] = "PubMed MEDLINE (.nbib)"
    extensions: ClassVar[tuple[str, ...]] = (".nbib", ".medline")

    first_line: ClassVar[re.Pattern[str]] = re.compile(r"^PMID-")
    syntax: ClassVar[TagSyntax] = SYNTAX

    def entry(self, record: TaggedRecord, *, position: int) -> ExportEntry:
        tags = collect_tags(record, SYNTAX)

        def first(name: str) -> str:
            return first_value(tags, FIELD_TAGS[name])

        notes: list[str] = []
        title = first("title").removesuffix(".")
        if title.startswith("[") and title.endswith("]"):
            title = title[1:-1]
            notes.append("English title translated by NLM")
        dois = [
            m.group("doi") for t in DOI_TAGS for v in tags.get(t, []) if (m := _DOI_MARK.match(v))
        ]
        dois = list(dict.fromkeys(d.lower() for d in dois))
        if len(dois) > 1:
            notes.append(f"several DOIs in the export: {', '.join(dois)}")
        authors = next((tags[t] for t in AUTHOR_TAGS if tags.get(t)), [])
        pmid = first("native_id")
        types = tags.get("PT", [])
        return ExportEntry(
            position=position,
            line=record.line,
            native_id=pmid,
            title=title,
            title_alt=first("title_alt").removesuffix("."),
            abstract=first("abstract"),
            authors=authors,
            group_authors=tags.get(GROUP_AUTHOR_TAG, []),
            year=first("year"),
            venue=first("venue"),
            volume=first("volume"),
            issue=first("issue"),
            pages=expand_pages(first("pages")),
            doi=dois[0] if dois else "",
            url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid.isdigit() else "",
            keywords=[v.lstrip("*") for t in KEYWORD_TAGS for v in tags.get(t, [])],
            language=first("language"),
            doc_type=next((t for t in types if t.lower() in DOC_TYPES), types[0] if types else ""),
            database="PubMed",
            notes=notes,
        )
