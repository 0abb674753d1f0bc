"""RIS exports: Publish or Perish / Google Scholar, Scopus, Zotero, EndNote and friends.

rispy parses the tag lines of each record. Around it, this module does what rispy leaves to the
caller and what real exports need: it strips a byte-order mark (rispy would miss the first
``TY``), accepts CRLF and non-UTF-8 bytes, closes a last record that has no ``ER``, keeps every
occurrence of a repeated tag (Publish or Perish repeats ``DO`` and ``M1``), and refuses text
between records (a pasted query, a truncated paste) with the line number, where rispy would
silently skip it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

import rispy

from review.errors import InputFormatError
from review.records import normalise_doi
from review.sources.export_record import (
    ExportEntry,
    ExportReader,
    database_from_url,
    join_pages,
    scopus_eid,
)
from review.sources.export_text import decode_export, split_lines

_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: |$)")
#: Lines some services write before the first record (ScienceDirect, JSTOR, Ovid).
_LOOSE_TAG = re.compile(r"^[A-Z][A-Z0-9] ?- ?\S")
_PREAMBLE = re.compile(r"^(Provider|Database|Content|Charset|Copyright)\s*:", re.IGNORECASE)

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


class RisReader(ExportReader):
    format: ClassVar[str] = "ris"
    label: ClassVar[str] = "RIS"
    extensions: ClassVar[tuple[str, ...]] = (".ris", ".txt")

    def sniff(self, head: str) -> bool:
        for line in split_lines(head)[:50]:
            if not line.strip() or _PREAMBLE.match(line):
                continue
            return line.startswith("TY  -")
        return False

    def entries(self, data: bytes, *, path: Path) -> tuple[list[ExportEntry], str]:
        text, encoding = decode_export(data, path=path)
        return [
            self._entry(tags, position=i, line=line, closed=closed)
            for i, (line, tags, closed) in enumerate(self._records(split_lines(text), path=path), 1)
        ], encoding

    # ----------------------------------------------------------------------------------------

    def _records(
        self, lines: list[str], *, path: Path
    ) -> list[tuple[int, dict[str, list[str]], bool]]:
        """``(first line, {tag: [values]}, ended by ER)`` per record, checking the text between
        records."""
        blocks: list[tuple[int, list[str]]] = []
        current: list[str] | None = None
        for number, raw in enumerate(lines, 1):
            line = raw.rstrip()
            tag = m.group(1) if (m := _TAG_LINE.match(line)) else None
            if tag == "TY":
                # A TY inside a record means its ER is missing: the record ends here.
                current = [line]
                blocks.append((number, current))
            elif current is not None:
                current.append(line)
                if tag == "ER":
                    current = None
            elif not line.strip() or (not blocks and _PREAMBLE.match(line)):
                continue
            elif tag is not None:
                raise InputFormatError(
                    f"tag {tag} outside a record; a record starts with a 'TY  - ' line",
                    path=path,
                    line=number,
                    record=len(blocks) + 1,
                )
            else:
                where = "before the first record" if not blocks else f"after record {len(blocks)}"
                raise InputFormatError(
                    f"text {_short(line)!r} {where}; {_hint(line)}", path=path, line=number
                )
        parser = _AllTagsParser()
        out = []
        for number, block in blocks:
            closed = block[-1].startswith("ER  -")
            if not closed:
                block = [*block, "ER  - "]
            parsed = parser.parse_lines(iter(block))
            tags: dict[str, Any] = parsed[0] if parsed else {}
            unknown = tags.pop("UK", {})
            for tag, values in unknown.items():
                tags.setdefault(tag, []).extend(values)
            tags["TY"] = [block[0][6:].strip()]
            out.append((number, tags, closed))
        return out

    def _entry(
        self, tags: dict[str, list[str]], *, position: int, line: int, closed: bool
    ) -> ExportEntry:
        def first(name: str) -> str:
            for tag in FIELD_TAGS[name]:
                for value in tags.get(tag, []):
                    if value.strip():
                        return value.strip()
            return ""

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
        )


def _hint(line: str) -> str:
    """What the user most likely has, for the message about a line that is not RIS."""
    if _LOOSE_TAG.match(line):
        return "a RIS tag is followed by two spaces, a dash and a space ('TY  - JOUR')"
    if line.startswith(("FN ", "PT ")):
        return (
            "this looks like Web of Science plain text, which is not RIS; export the records "
            "from Web of Science as RIS (Other File Formats > RIS) or as tab-delimited text"
        )
    if line.startswith("PMID-"):
        return "this looks like PubMed's MEDLINE (.nbib) format; export the records as RIS or CSV"
    return (
        "RIS holds only tagged lines ('XX  - value') between 'TY  - ' and 'ER  - ' (remove "
        "query notes or other text pasted into the file)"
    )


def _short(text: str, limit: int = 60) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
