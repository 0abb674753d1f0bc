"""Web of Science plain-text exports ("Plain text file", and the ``.ciw`` "EndNote Desktop" file).

The file starts with ``FN Clarivate Analytics Web of Science`` and ``VR 1.0``, each record runs
from ``PT`` to ``ER``, and ``EF`` ends the file. A tag is two characters and a space; a value that
goes on is indented by three spaces, and the author, address and cited-reference fields put one
value on each line. rispy's ``WokParser`` reads the tag lines of each record (Web of Science's
field tags are documented in its help, "Web of Science Core Collection field tags"); finding the
records, their lines and stray text is shared with the other tagged formats.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import rispy
from rispy.config import WOK_LIST_TYPE_TAGS

from review.sources.export_record import ExportEntry, join_pages
from review.sources.tagged_text import (
    TaggedReader,
    TaggedRecord,
    TagSyntax,
    first_value,
)

SYNTAX = TagSyntax(
    label="Web of Science",
    tag_line=re.compile(r"^(?P<tag>[A-Z][A-Z0-9])(?: (?P<value>.*)|$)"),
    start_tag="PT",
    end_tag="ER",
    continuation=re.compile(r"^ {2,}\S"),
    file_tags=frozenset({"FN", "VR", "EF"}),
    one_value_per_line=frozenset(WOK_LIST_TYPE_TAGS),
    record_shape="a Web of Science record runs from 'PT J' to 'ER', every line a two-letter tag "
    "and a space, or a continuation indented by three spaces",
)

#: Record field → Web of Science field tags, in order of preference.
FIELD_TAGS: dict[str, tuple[str, ...]] = {
    "title": ("TI",),
    "abstract": ("AB",),
    "year": ("PY", "EY"),
    "venue": ("SO", "SE", "BS"),
    "volume": ("VL",),
    "issue": ("IS",),
    "start_page": ("BP",),
    "end_page": ("EP",),
    "article_number": ("AR",),
    "doi": ("DI", "D2"),
    "language": ("LA",),
    "doc_type": ("DT",),
    "native_id": ("UT",),
    "early_access": ("EA",),
}
#: Authors: full names when the export has them, else the short form, else group authors.
AUTHOR_TAGS = ("AF", "AU")
GROUP_AUTHOR_TAG = "CA"
KEYWORD_TAGS = ("DE", "ID")


class _WokAllTagsParser(rispy.WokParser):
    """rispy's Web of Science parser, keeping every value of every tag under the tag itself."""

    def __init__(self) -> None:
        super().__init__(mapping={"PT": "PT"}, skip_unknown_tags=False)

    def _add_tag(
        self, record: dict, tag: str | None, content: str, extend_multiline: bool = False
    ) -> None:
        if tag is None:
            return
        values: list[str] = record.setdefault(tag, [])
        if extend_multiline and values and tag not in self.list_tags:
            values[-1] = f"{values[-1]} {content}".strip()
        elif content or not extend_multiline:
            values.append(content)


class WosReader(TaggedReader):
    format: ClassVar[str] = "wos"
    label: ClassVar[str] = "Web of Science plain text"
    extensions: ClassVar[tuple[str, ...]] = (".ciw",)

    first_line: ClassVar[re.Pattern[str]] = re.compile(r"^(FN |PT [A-Z]\s*$)")
    syntax: ClassVar[TagSyntax] = SYNTAX

    def entry(self, record: TaggedRecord, *, position: int) -> ExportEntry:
        lines = [*record.lines, "ER"] if not record.closed else record.lines
        parsed = _WokAllTagsParser().parse_lines(iter(lines))
        tags: dict[str, Any] = parsed[0] if parsed else {}  # rispy keeps unknown tags in "UK"
        unknown: dict[str, list[str]] = tags.pop("UK", {})
        for tag, values in unknown.items():
            tags.setdefault(tag, []).extend(values)
        tags["PT"] = [record.lines[0][3:].strip()]

        def first(name: str) -> str:
            return first_value(tags, FIELD_TAGS[name])

        notes = [] if record.closed else ["no 'ER' line ends this record"]
        pages = join_pages(first("start_page"), first("end_page"))
        if not pages and first("article_number"):
            pages = first("article_number")
            notes.append("pages holds the article number")
        if not tags.get("PY") and first("early_access"):
            notes.append(f"early access {first('early_access')}")
        authors = next(([v for v in tags[t] if v] for t in AUTHOR_TAGS if tags.get(t)), [])
        return ExportEntry(
            position=position,
            line=record.line,
            native_id=first("native_id"),
            title=first("title"),
            abstract=first("abstract"),
            authors=authors,
            group_authors=[v for v in tags.get(GROUP_AUTHOR_TAG, []) if v],
            year=first("year"),
            venue=first("venue"),
            volume=first("volume"),
            issue=first("issue"),
            pages=pages,
            doi=first("doi"),
            keywords=[v for t in KEYWORD_TAGS for v in tags.get(t, [])],
            language=first("language"),
            doc_type=first("doc_type"),
            database="Web of Science",
            notes=notes,
        )
